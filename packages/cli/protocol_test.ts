import assert from "node:assert/strict";
import { decodeMessage, encodeMessage, PROTOCOL_MARKER } from "./protocol.ts";

Deno.test("A protocol line is the marker, one line of JSON and a newline", () => {
  const line = encodeMessage({ type: "error", phase: "run", code: "SL_X", message: "a\nb" });
  assert.ok(line.startsWith(PROTOCOL_MARKER));
  assert.equal(line.indexOf("\n"), line.length - 1, "newlines inside are escaped");
  assert.deepEqual(decodeMessage(line.slice(0, -1)), {
    type: "error",
    phase: "run",
    code: "SL_X",
    message: "a\nb",
  });
});

Deno.test("decodeMessage() leaves the user's lines alone, even odd ones", () => {
  assert.equal(decodeMessage("log0: t=0.000000s #0 data 0"), undefined);
  assert.equal(decodeMessage(""), undefined);
  assert.equal(decodeMessage(`${PROTOCOL_MARKER}not json`), undefined);
  assert.equal(decodeMessage(`${PROTOCOL_MARKER}{"no":"type"}`), undefined);
  assert.equal(decodeMessage(`STREAMLIB {"type":"hello","pid":1}`), undefined);
});

Deno.test("decodeMessage() with a key reads only lines carrying that key; the rest are the user's output", () => {
  const line = encodeMessage({ type: "eos", actor: "a" }, "0123abcd").trimEnd();
  assert.deepEqual(decodeMessage(line, "0123abcd"), { type: "eos", actor: "a" });
  assert.equal(decodeMessage(line, "ffffffff"), undefined);
  assert.equal(
    decodeMessage(`${PROTOCOL_MARKER}{"type":"eos","actor":"a"}`, "0123abcd"),
    undefined,
  );
});
