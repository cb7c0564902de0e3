import assert from "node:assert/strict";
import { _parseViewerMessage } from "./_display_events.ts";

const parse = (message: unknown): ReturnType<typeof _parseViewerMessage> =>
  _parseViewerMessage(typeof message === "string" ? message : JSON.stringify(message), 640, 360);

Deno.test("_parseViewerMessage() reads acknowledgements and hellos, keeping known codecs", () => {
  assert.deepEqual(parse({ type: "ack" }), { kind: "ack" });
  assert.deepEqual(parse({ type: "hello", codecs: ["h264", "av1", 3, "jpeg"] }), {
    kind: "hello",
    codecs: ["h264", "jpeg"],
  });
  assert.equal(parse({ type: "hello", codecs: "h264" }), undefined);
});

Deno.test("_parseViewerMessage() reads key events with their modifiers, defaults false", () => {
  assert.deepEqual(parse({ type: "keydown", key: "A", code: "KeyA", shiftKey: true }), {
    kind: "key",
    event: {
      type: "keydown",
      key: "A",
      code: "KeyA",
      repeat: false,
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      shiftKey: true,
    },
  });
});

Deno.test("_parseViewerMessage() reads mouse events inside the video", () => {
  assert.deepEqual(parse({ type: "wheel", x: 639, y: 0, deltaY: -120, buttons: 1 }), {
    kind: "mouse",
    event: {
      type: "wheel",
      x: 639,
      y: 0,
      button: 0,
      buttons: 1,
      deltaX: 0,
      deltaY: -120,
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
    },
  });
});

Deno.test("_parseViewerMessage() refuses anything malformed, out of range or too long", () => {
  const bad: unknown[] = [
    new Uint8Array(4),
    "{",
    "42",
    "null",
    "[]",
    { type: 1 },
    { type: "keydown", key: "" },
    { type: "keydown", key: "a", repeat: "no" },
    { type: "keyup", key: "x".repeat(65) },
    { type: "keyup", key: "a", metaKey: 1 },
    { type: "mousedown", x: 640, y: 0 },
    { type: "mousedown", x: 0, y: -0.5 },
    { type: "mousedown", x: "1", y: 1 },
    { type: "mousedown", x: 1, y: 1, button: 1.5 },
    { type: "mousemove", x: 1, y: 1, deltaX: null },
    { type: "touchstart", x: 1, y: 1 },
    JSON.stringify({ type: "keydown", key: "a", padding: "x".repeat(1100) }),
  ];
  for (const message of bad) {
    const parsed = typeof message === "string" || message instanceof Uint8Array
      ? _parseViewerMessage(message, 640, 360)
      : parse(message);
    assert.equal(parsed, undefined, String(JSON.stringify(message)).slice(0, 80));
  }
  assert.equal(_parseViewerMessage(JSON.stringify({ type: "click", x: 0, y: 0 }), 0, 0), undefined);
});
