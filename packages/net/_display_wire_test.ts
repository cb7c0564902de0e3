import assert from "node:assert/strict";
import { createAudioBuffer } from "@streamlib/core";
import { _audioMessage, _HEADER_BYTES, _videoMessage } from "./_display_wire.ts";

Deno.test("_videoMessage() writes the header, then the description, then the picture", () => {
  const message = _videoMessage({
    codec: "h264",
    key: true,
    width: 1280,
    height: 720,
    timestamp: 33_333,
    created: 1_700_000_000_123.5,
    description: Uint8Array.of(1, 0x42, 0xc0, 0x1f),
    data: Uint8Array.of(9, 8, 7),
  });
  const view = new DataView(message.buffer);
  assert.equal(message.length, _HEADER_BYTES + 4 + 3);
  assert.deepEqual([view.getUint8(0), view.getUint8(1), view.getUint8(2)], [1, 3, 1]);
  assert.equal(view.getUint32(4, true), 1280);
  assert.equal(view.getUint32(8, true), 720);
  assert.equal(view.getUint32(12, true), 4);
  assert.equal(view.getFloat64(16, true), 33_333);
  assert.equal(view.getFloat64(24, true), 1_700_000_000_123.5);
  assert.deepEqual([...message.subarray(_HEADER_BYTES)], [1, 0x42, 0xc0, 0x1f, 9, 8, 7]);
});

Deno.test("_audioMessage() interleaves the planar samples after the header", () => {
  const buffer = createAudioBuffer({
    sampleRate: 48_000,
    numberOfChannels: 2,
    numberOfFrames: 3,
    data: Float32Array.of(1, 2, 3, -1, -2, -3),
    position: 480,
  });
  const message = _audioMessage(buffer, 5);
  const view = new DataView(message.buffer);
  assert.deepEqual([view.getUint8(0), view.getUint8(1)], [2, 2]);
  assert.equal(view.getUint32(4, true), 48_000);
  assert.equal(view.getUint32(8, true), 3);
  assert.equal(view.getFloat64(16, true), 10_000);
  assert.equal(view.getFloat64(24, true), 5);
  assert.deepEqual([...new Float32Array(message.buffer, _HEADER_BYTES)], [1, -1, 2, -2, 3, -3]);
});
