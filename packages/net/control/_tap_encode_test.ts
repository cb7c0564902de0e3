import assert from "node:assert/strict";
import {
  createAudioBuffer,
  createDataMessage,
  createKeyEvent,
  createVideoFrame,
} from "@streamlib/core";
import { decodePng } from "@streamlib/video";
import { _decodeTap, _encodeTap, _scaledSize, _wav } from "./_tap_encode.ts";

Deno.test("A tapped audio buffer becomes levels per channel, and the tap one 16-bit WAV", async () => {
  const buffer = createAudioBuffer({ sampleRate: 8_000, numberOfChannels: 2, numberOfFrames: 4 });
  buffer.data.set([0.5, -0.5, 0.5, -0.5, 0, 0, 0, 0]); // left ±0.5, right silent
  const wire = await _encodeTap(
    { port: "a.out", kind: "audio", messages: [buffer], reason: "count" },
    {},
  );
  const reply = _decodeTap(JSON.parse(JSON.stringify(wire)));
  const m = reply.messages[0]!;
  assert.ok(m.kind === "audio");
  assert.deepEqual([m.sampleRate, m.channels, m.frames], [8_000, 2, 4]);
  assert.ok(Math.abs(m.rms[0]! - -6.0206) < 1e-3);
  assert.ok(Math.abs(m.peak[0]! - -6.0206) < 1e-3);
  assert.deepEqual([m.rms[1], m.peak[1]], [-200, -200]);
  const wav = reply.wav!;
  assert.equal(new TextDecoder().decode(wav.subarray(0, 4)), "RIFF");
  const view = new DataView(wav.buffer, wav.byteOffset);
  assert.equal(view.getUint32(24, true), 8_000);
  assert.equal(view.getUint16(22, true), 2);
  assert.equal(view.getUint32(40, true), 16); // 4 frames × 2 channels × 2 bytes
  assert.deepEqual([view.getInt16(44, true), view.getInt16(46, true)], [16384, 0]);
  assert.equal(view.getInt16(48, true), -16383); // -0.5 × 32767, rounded
  assert.equal(_wav([buffer, buffer]).length, 44 + 32);
});

Deno.test("Tapped data and events become JSON; what JSON cannot carry becomes text", async () => {
  const messages = [
    createDataMessage({ n: 1, big: 2n }, { topic: "t", timestamp: 5 }),
    createKeyEvent({ type: "keydown", key: "a", code: "KeyA" }),
  ];
  const wire = await _encodeTap({ port: "x.out", kind: "any", messages, reason: "timeout" }, {});
  const reply = _decodeTap(JSON.parse(JSON.stringify(wire)));
  assert.deepEqual(reply.messages[0], {
    kind: "data",
    timestamp: 5,
    duration: 0,
    position: 0,
    topic: "t",
    value: { n: 1, big: "2" },
  });
  const key = reply.messages[1]!;
  assert.ok(key.kind === "event" && key.event.key === "a" && key.event.type === "keydown");
  assert.equal(reply.wav, undefined);
});

Deno.test("A tapped YUV frame becomes an RGBA PNG; a size with one side keeps the aspect ratio", async () => {
  const frame = createVideoFrame({ format: "I420", codedWidth: 8, codedHeight: 4 });
  frame.data.fill(128);
  const reply = _decodeTap(
    await _encodeTap({ port: "v.out", kind: "video", messages: [frame], reason: "count" }, {}),
  );
  const m = reply.messages[0]!;
  assert.ok(m.kind === "video" && m.format === "I420");
  assert.equal(decodePng(m.png).codedWidth, 8);
  assert.deepEqual(_scaledSize(1920, 1080, { width: 320 }), { width: 320, height: 180 });
  assert.deepEqual(_scaledSize(1920, 1080, { height: 90 }), { width: 160, height: 90 });
  assert.deepEqual(_scaledSize(1920, 1080, { width: 10, height: 10 }), { width: 10, height: 10 });
  assert.throws(() => _scaledSize(10, 10, { width: 1.5 }), /whole number/);
});
