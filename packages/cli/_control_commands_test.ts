import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { _checkExtension, _ms, _nothingTapped } from "./_control_commands.ts";

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

Deno.test("--timeout takes whole milliseconds or a quantity with its unit", () => {
  const timeout = _ms("timeout");
  assert.deepEqual(
    ["5000", "2", "500ms", "2s", "1.5 s", "1min"].map(timeout),
    [5000, 2, 500, 2000, 1500, 60000],
  );
  for (const bad of ["2h", "-1", "1.5", "0.0001s", "soon", ""]) {
    assert.throws(() => timeout(bad), (e) => isStreamlibError(e, "SL_USAGE"), bad);
  }
});

Deno.test("tap -o refuses a file named for another kind than the tap gives, before writing", () => {
  _checkExtension("frame.png", "video", "v.out");
  _checkExtension("shots/frame-%03d.PNG", "video", "v.out");
  _checkExtension("sound.wav", "audio", "a.out");
  _checkExtension("values.jsonl", "data", "d.out");
  _checkExtension("noextension", "audio", "a.out");
  assert.throws(
    () => _checkExtension("v.wav", "video", "v.out"),
    (e) =>
      isStreamlibError(e, "SL_USAGE") &&
      e.message === "-o v.wav: v.out gave video frames, written as PNG; name the file .png " +
          "(nothing was written)",
  );
  assert.throws(() => _checkExtension("a.png", "audio", "a.out"), /name the file \.wav/);
  assert.throws(() => _checkExtension("d.png", "data", "d.out"), /\.jsonl or \.json/);
});
