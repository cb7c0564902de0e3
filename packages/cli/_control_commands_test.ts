import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { _nothingTapped } from "./_control_commands.ts";

Deno.test("A tap that gets nothing fails with a code saying why: time out, end-of-stream, abort", () => {
  const late = _nothingTapped("d.out", 1000, "timeout");
  assert.ok(isStreamlibError(late, "SL_DEADLINE"));
  assert.match(
    late.message,
    /^Nothing came out of d\.out within 1000 ms; wait longer with --timeout/,
  );
  assert.deepEqual(late.details, { port: "d.out", timeoutMs: 1000, reason: "timeout" });
  const ended = _nothingTapped("d.out", 1000, "eos");
  assert.ok(isStreamlibError(ended, "SL_STATE"));
  assert.match(ended.message, /it ended \(end-of-stream\)/);
  assert.ok(isStreamlibError(_nothingTapped("d.out", 1000, "aborted"), "SL_ABORTED"));
});
