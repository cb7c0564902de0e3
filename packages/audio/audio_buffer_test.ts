import assert from "node:assert/strict";
import { createAudioBuffer, StreamlibError } from "@streamlib/core";
import {
  concatAudio,
  deinterleave,
  fromS16,
  interleave,
  sliceAudio,
  toS16,
} from "./audio_buffer.ts";

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof StreamlibError) return error.code;
    throw error;
  }
  return undefined;
}

Deno.test("interleave() puts the samples of each frame side by side", () => {
  const buffer = createAudioBuffer({
    sampleRate: 8000,
    numberOfChannels: 3,
    numberOfFrames: 2,
    data: new Float32Array([1, 2, 10, 20, 100, 200]),
  });
  assert.deepEqual([...interleave(buffer)], [1, 10, 100, 2, 20, 200]);
});

Deno.test("deinterleave() undoes interleave() for odd frame and channel counts", () => {
  for (const channels of [1, 2, 3, 5, 6]) {
    for (const frames of [0, 1, 7, 333]) {
      const samples = ramp(channels * frames);
      const buffer = deinterleave(samples, channels, { sampleRate: 44_100, position: 17 });
      assert.equal(buffer.numberOfFrames, frames);
      assert.equal(buffer.numberOfChannels, channels);
      assert.equal(buffer.position, 17);
      if (frames > 0 && channels > 1) assert.equal(buffer.data[frames], 1); // channel 1's first
      assert.deepEqual(interleave(buffer), samples);
    }
  }
});

Deno.test("deinterleave() copies its input and keeps the clock id", () => {
  const samples = new Float32Array([1, 2]);
  const buffer = deinterleave(samples, 1, { sampleRate: 8000, clockId: "sw0" });
  samples[0] = 9;
  assert.equal(buffer.data[0], 1);
  assert.equal(buffer.clockId, "sw0");
});

Deno.test("deinterleave() rejects partial frames and bad channel counts by code", () => {
  assert.equal(code(() => deinterleave(ramp(5), 2, { sampleRate: 8000 })), "SL_AUDIO_FORMAT");
  assert.equal(code(() => deinterleave(ramp(4), 0, { sampleRate: 8000 })), "SL_PARAM_INVALID");
  assert.equal(code(() => deinterleave(ramp(4), 1.5, { sampleRate: 8000 })), "SL_PARAM_INVALID");
  assert.equal(code(() => fromS16(new Int16Array(3), 2, { sampleRate: 8000 })), "SL_AUDIO_FORMAT");
});

Deno.test("A buffer made after 10⁹ samples at 44.1 kHz has the exact timestamp", () => {
  const position = 1e9;
  const buffer = deinterleave(ramp(882), 2, { sampleRate: 44_100, position });
  assert.equal(buffer.timestamp, Math.round(position * 1e6 / 44_100));
  assert.equal(buffer.timestamp, 22_675_736_961);
  assert.equal(
    buffer.timestamp + buffer.duration,
    Math.round((position + 441) * 1e6 / 44_100),
  );
  const slice = sliceAudio(buffer, 100, 10);
  assert.equal(slice.timestamp, Math.round((position + 100) * 1e6 / 44_100));
});

Deno.test("toS16() scales by 32768, rounds to nearest and clips at full scale", () => {
  const buffer = createAudioBuffer({
    sampleRate: 8000,
    numberOfChannels: 1,
    numberOfFrames: 11,
    data: new Float32Array([
      0,
      1,
      -1,
      0.5,
      -0.5,
      1.5,
      -7,
      1 / 65536, // half a step: away from zero
      -1 / 65536,
      0.4 / 32768,
      NaN,
    ]),
  });
  assert.deepEqual([...toS16(buffer)], [
    0,
    32767,
    -32768,
    16384,
    -16384,
    32767,
    -32768,
    1,
    -1,
    0,
    0,
  ]);
});

Deno.test("toS16() interleaves the channels", () => {
  const buffer = createAudioBuffer({
    sampleRate: 8000,
    numberOfChannels: 2,
    numberOfFrames: 2,
    data: new Float32Array([0.25, 0.5, -0.25, -0.5]),
  });
  assert.deepEqual([...toS16(buffer)], [8192, -8192, 16384, -16384]);
});

Deno.test("Every 16-bit sample survives fromS16() then toS16() unchanged", () => {
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const buffer = fromS16(all, 2, { sampleRate: 48_000, position: 5 });
  assert.equal(buffer.numberOfFrames, 32768);
  assert.equal(buffer.position, 5);
  assert.equal(buffer.data[0], -1);
  assert.equal(buffer.data[32767], 32766 / 32768); // channel 0's last sample
  assert.equal(buffer.data[65535], 32767 / 32768);
  assert.deepEqual(toS16(buffer), all);
});

Deno.test("sliceAudio() copies a range of frames of every channel and clips it to the buffer", () => {
  const buffer = createAudioBuffer({
    sampleRate: 1000,
    numberOfChannels: 2,
    numberOfFrames: 5,
    data: ramp(10),
    position: 100,
    clockId: "c",
  });
  const mid = sliceAudio(buffer, 1, 3);
  assert.deepEqual([...mid.data], [1, 2, 3, 6, 7, 8]);
  assert.equal(mid.position, 101);
  assert.equal(mid.timestamp, 101_000);
  assert.equal(mid.duration, 3000);
  assert.equal(mid.clockId, "c");
  mid.data[0] = 99;
  assert.equal(buffer.data[1], 1);
  assert.deepEqual([...sliceAudio(buffer, 3, 10).data], [3, 4, 8, 9]);
  const none = sliceAudio(buffer, 9, 1);
  assert.equal(none.numberOfFrames, 0);
  assert.equal(none.position, 105);
  assert.equal(code(() => sliceAudio(buffer, -1, 1)), "SL_PARAM_INVALID");
  assert.equal(code(() => sliceAudio(buffer, 0, 0.5)), "SL_PARAM_INVALID");
});

Deno.test("concatAudio() joins buffers channel by channel and undoes sliceAudio()", () => {
  const buffer = createAudioBuffer({
    sampleRate: 1000,
    numberOfChannels: 3,
    numberOfFrames: 7,
    data: ramp(21),
    position: 40,
  });
  const parts = [sliceAudio(buffer, 0, 2), sliceAudio(buffer, 2, 0), sliceAudio(buffer, 2, 5)];
  const joined = concatAudio(parts);
  assert.deepEqual(joined.data, buffer.data);
  assert.equal(joined.position, 40);
  assert.equal(joined.duration, buffer.duration);
});

Deno.test("concatAudio() refuses an empty list and mixed formats by code", () => {
  const a = createAudioBuffer({ sampleRate: 1000, numberOfChannels: 1, numberOfFrames: 1 });
  const b = createAudioBuffer({ sampleRate: 2000, numberOfChannels: 1, numberOfFrames: 1 });
  const c = createAudioBuffer({ sampleRate: 1000, numberOfChannels: 2, numberOfFrames: 1 });
  assert.equal(code(() => concatAudio([])), "SL_PARAM_INVALID");
  assert.equal(code(() => concatAudio([a, b])), "SL_AUDIO_FORMAT");
  assert.equal(code(() => concatAudio([a, c])), "SL_AUDIO_FORMAT");
});
