import assert from "node:assert/strict";
import {
  type AudioBuffer,
  createAudioBuffer,
  type StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { resampleAudio, Resampler } from "./resample.ts";
import { _SincFilter } from "./_sinc_filter.ts";
import { _SincResampler } from "./_sinc_resampler.ts";
import { levelAt, peakFrequency } from "./_testing.ts";
import { sine, toneAmplitude } from "./_resample_testing.ts";
import { cut, join, random, runThrough } from "./_feed_testing.ts";

/** Documented stopband rejection in dB, by quality. */
const STOPBAND = [39, 49, 59, 69, 79, 89, 99, 109, 119, 129, 139];

function db(x: number): number {
  return 20 * Math.log10(x);
}

function ramp(length: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length }, () => next() * 2 - 1);
}

Deno.test("resampleAudio keeps a 1 kHz tone's frequency, amplitude and phase from 44.1 kHz to 48 kHz", () => {
  const [out] = resampleAudio([sine(1000, 44_100, 88_200)], 44_100, 48_000);
  assert.equal(out!.length, 96_000);
  const middle = out!.subarray(24_000, 72_000);
  assert.ok(Math.abs(peakFrequency(middle, 48_000) - 1000) < 0.5);
  assert.ok(Math.abs(db(toneAmplitude(middle, 48_000, 1000))) < 0.1);
  // Zero phase: output sample k is the tone at time k / 48 000 s.
  const expected = sine(1000, 48_000, 72_000).subarray(24_000);
  let error = 0;
  for (let k = 0; k < middle.length; k++) {
    error = Math.max(error, Math.abs(middle[k]! - expected[k]!));
  }
  assert.ok(error < 2e-4, `error ${error}`);
});

Deno.test("resampleAudio suppresses a tone above the new Nyquist frequency by the documented rejection", () => {
  for (const quality of [0, 4, 10]) {
    // 15 kHz at 48 kHz → 16 kHz would alias to 1 kHz; 20 kHz → 32 kHz to 12 kHz; 16.2 kHz, just
    // past 32 kHz's Nyquist frequency, to 15.8 kHz.
    for (
      const [tone, to, alias] of [[15_000, 16_000, 1000], [20_000, 32_000, 12_000], [
        16_200,
        32_000,
        15_800,
      ]]
    ) {
      const [out] = resampleAudio([sine(tone!, 48_000, 96_000)], 48_000, to!, quality);
      const level = levelAt(out!.subarray(to! / 4), to!, alias!);
      assert.ok(level < -STOPBAND[quality]!, `quality ${quality}, ${tone} Hz: ${level} dB`);
    }
  }
});

Deno.test("resampleAudio leaves no image of a tone when upsampling 8 kHz to 48 kHz", () => {
  for (const quality of [0, 4, 10]) {
    const [out] = resampleAudio([sine(3000, 8000, 16_000)], 8000, 48_000, quality);
    const middle = out!.subarray(12_000);
    assert.ok(Math.abs(db(toneAmplitude(middle.subarray(0, 48_000), 48_000, 3000))) < 0.1);
    // The images of 3 kHz around 8 kHz and 16 kHz.
    for (const image of [5000, 11_000, 13_000]) {
      const level = levelAt(middle, 48_000, image);
      assert.ok(level < -STOPBAND[quality]!, `quality ${quality}, ${image} Hz: ${level} dB`);
    }
  }
});

Deno.test("resampleAudio has a gain of exactly 1 at DC", () => {
  for (const [from, to] of [[44_100, 48_000], [48_000, 16_000], [8000, 48_000], [44_100, 47_999]]) {
    const [out] = resampleAudio([new Float32Array(from!).fill(0.25)], from!, to!);
    for (let k = Math.ceil(to! / 10); k < to! * 0.9; k++) {
      assert.ok(Math.abs(out![k]! - 0.25) < 1e-7, `${from} → ${to}, sample ${k}: ${out![k]}`);
    }
  }
});

Deno.test("resampleAudio gives ⌈N × to / from⌉ samples for N input samples", () => {
  for (const [from, to] of [[44_100, 48_000], [48_000, 44_100], [48_000, 16_000], [8000, 48_000]]) {
    for (const n of [0, 1, 2, 3, 146, 147, 148, 1000, 4410]) {
      const [out] = resampleAudio([new Float32Array(n)], from!, to!);
      assert.equal(out!.length, Math.ceil((n * to!) / from!), `${n} at ${from} → ${to}`);
    }
  }
});

Deno.test("resampleAudio at equal rates copies, and rejects bad rates, qualities and channels", () => {
  const x = ramp(100, 1);
  const [copy] = resampleAudio([x], 48_000, 48_000);
  assert.deepEqual(copy, x);
  assert.notEqual(copy, x);
  assert.deepEqual(resampleAudio([], 44_100, 48_000), []);
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (error) {
      return (error as StreamlibError).code;
    }
    return undefined;
  };
  assert.equal(code(() => resampleAudio([x], 44_100.5, 48_000)), "SL_AUDIO_FORMAT");
  assert.equal(code(() => resampleAudio([x], 44_100, 0)), "SL_AUDIO_FORMAT");
  assert.equal(code(() => resampleAudio([x], 44_100, 48_000, 11)), "SL_PARAM_INVALID");
  assert.equal(code(() => resampleAudio([x, x.subarray(1)], 44_100, 48_000)), "SL_PARAM_INVALID");
});

Deno.test("Resampling a stream buffer by buffer gives exactly the samples of resampling it at once", () => {
  const next = random(7);
  for (const [from, to] of [[44_100, 48_000], [48_000, 16_000], [8000, 48_000], [44_100, 47_999]]) {
    const channels = [ramp(20_000, 1), ramp(20_000, 2), ramp(20_000, 3)];
    const whole = resampleAudio(channels, from!, to!);
    const engine = new _SincResampler(new _SincFilter(from!, to!, 4), 3);
    const parts: Float32Array[][] = [];
    for (let at = 0; at < 20_000;) {
      const n = Math.min(20_000 - at, Math.floor(next() * next() * 3000));
      const out = engine.push(channels.map((c) => c.subarray(at, at + n)));
      parts.push([0, 1, 2].map((c) => out.data.subarray(c * out.frames, (c + 1) * out.frames)));
      at += n;
    }
    const tail = engine.flush();
    parts.push([0, 1, 2].map((c) => tail.data.subarray(c * tail.frames, (c + 1) * tail.frames)));
    for (let c = 0; c < 3; c++) {
      const joined = new Float32Array(whole[c]!.length);
      let at = 0;
      for (const part of parts) {
        joined.set(part[c]!, at);
        at += part[c]!.length;
      }
      assert.equal(at, whole[c]!.length);
      assert.deepEqual(joined, whole[c], `${from} → ${to}, channel ${c}`);
    }
  }
});

Deno.test("Resampler writes buffers that tile the output positions and equal resampleAudio's samples", async () => {
  const channels = [ramp(30_000, 4), ramp(30_000, 5)];
  const next = random(3);
  const sizes = Array.from({ length: 64 }, () => 1 + Math.floor(next() * 2000));
  const out = (await runThrough(new Resampler({ rate: 48_000 }), cut(channels, 44_100, sizes)))
    .out as AudioBuffer[];
  let position = 0;
  for (const buffer of out) {
    assert.equal(buffer.sampleRate, 48_000);
    assert.equal(buffer.numberOfChannels, 2);
    assert.equal(buffer.position, position);
    assert.equal(buffer.timestamp, Math.round((position * 1e6) / 48_000));
    assert.equal(buffer.clockId, "test");
    position += buffer.numberOfFrames;
  }
  assert.deepEqual(join(out), resampleAudio(channels, 44_100, 48_000));
});

Deno.test("Resampler places a stream that starts at a later position on the output's timeline", async () => {
  // Input position 1000 at 44.1 kHz is 22.676 ms; the first output is ⌈1000 × 160 / 147⌉ = 1089.
  const out = (await runThrough(
    new Resampler(),
    cut([sine(1000, 44_100, 4410, 1, 1000)], 44_100, [512], 1000),
  )).out as AudioBuffer[];
  assert.equal(out[0]!.position, 1089);
  const total = out.reduce((n, b) => n + b.numberOfFrames, 0);
  assert.equal(total, Math.ceil((5410 * 160) / 147) - 1089);
  // Zero phase at the output's absolute positions.
  const [samples] = join(out);
  const expected = sine(1000, 48_000, total, 1, 1089);
  for (let k = 200; k < total - 200; k++) assert.ok(Math.abs(samples![k]! - expected[k]!) < 2e-4);
});

Deno.test("Resampler passes audio already at its rate through untouched", async () => {
  const buffers = cut([ramp(3000, 6)], 48_000, [1000]);
  const out = (await runThrough(new Resampler(), buffers)).out;
  assert.deepEqual(out, buffers);
  assert.equal(out[0], buffers[0]);
});

Deno.test("Resampler starts a new segment when the input rate changes, flushing the old one", async () => {
  // 0.1 s at 44.1 kHz, then from 0.1 s on at 32 kHz.
  const first = cut([sine(1000, 44_100, 4410)], 44_100, [1000]);
  const second = cut([sine(1000, 32_000, 3200, 1, 3200)], 32_000, [1000], 3200);
  const out = (await runThrough(new Resampler(), [...first, ...second]))
    .out as AudioBuffer[];
  let position = 0;
  for (const buffer of out) {
    assert.equal(buffer.position, position);
    position += buffer.numberOfFrames;
  }
  assert.equal(position, 9600);
});

Deno.test("Resampler flushes and starts a new segment at a gap in input positions", async () => {
  const before = cut([ramp(4410, 12)], 44_100, [1000]);
  const after = cut([ramp(4410, 13)], 44_100, [1000], 8820);
  const out = (await runThrough(new Resampler(), [...before, ...after])).out as AudioBuffer[];
  const first = out.filter((b) => b.position < 4800);
  const second = out.filter((b) => b.position >= 4800);
  assert.deepEqual(join(first), resampleAudio(join(before), 44_100, 48_000));
  // 8820 at 44.1 kHz is 0.2 s: position 9600 at 48 kHz.
  assert.equal(second[0]!.position, 9600);
  assert.equal(second.reduce((n, b) => n + b.numberOfFrames, 0), 4800);
});

/** Changes its `rate` to 16 kHz once it has resampled its first buffer. */
class ChangingResampler extends Resampler {
  #calls = 0;
  override process(tick: TimedTick): void {
    super.process(tick);
    if (++this.#calls === 1) this.setParams({ rate: 16_000 });
  }
}

Deno.test("Resampler starts a new segment at the next buffer when its rate is changed", async () => {
  const buffers = cut([ramp(8820, 9)], 44_100, [4410]);
  const out = (await runThrough(new ChangingResampler(), buffers))
    .out as AudioBuffer[];
  const at48 = out.filter((b) => b.sampleRate === 48_000);
  const at16 = out.filter((b) => b.sampleRate === 16_000);
  // The first 0.1 s entirely at 48 kHz, then from 0.1 s (position 1600) at 16 kHz.
  assert.equal(at48.reduce((n, b) => n + b.numberOfFrames, 0), 4800);
  assert.equal(at16[0]!.position, 1600);
  assert.equal(at16.reduce((n, b) => n + b.numberOfFrames, 0), 1600);
});

Deno.test("Resampler refuses input whose sample rate is not a whole number of Hz", async () => {
  const odd = createAudioBuffer({ sampleRate: 44_100.5, numberOfChannels: 1, numberOfFrames: 10 });
  await assert.rejects(runThrough(new Resampler(), [odd]), (error: StreamlibError) => {
    assert.equal(error.code, "SL_ACTOR_FAILED");
    assert.equal((error.cause as StreamlibError).code, "SL_AUDIO_FORMAT");
    assert.match((error.cause as Error).message, /44100\.5/);
    return true;
  });
});
