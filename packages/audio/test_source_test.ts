import assert from "node:assert/strict";
import {
  type AudioBuffer,
  audioChannel,
  Collect,
  type ContractParams,
  Pipeline,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { levelAt, peakFrequency, spectrum } from "./_testing.ts";
import { _renderWave, type _WaveSettings } from "./_waveform.ts";
import { concatAudio } from "./audio_buffer.ts";
import { AudioTestSource, type audioTestSourceContract } from "./test_source.ts";

type Params = Partial<ContractParams<typeof audioTestSourceContract>>;

async function buffers(params: Params): Promise<AudioBuffer[]> {
  const sink = new Collect<AudioBuffer>();
  await new Pipeline({ mode: "offline" }).pipe(new AudioTestSource(params), sink).run();
  return sink.messages;
}

/** The whole stream as one buffer. */
async function render(params: Params): Promise<AudioBuffer> {
  return concatAudio(await buffers(params));
}

function db(x: number): number {
  return 20 * Math.log10(x);
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

/**
 * Power spectral density averaged over half-overlapping segments of 8192 samples (Welch), as
 * magnitudes comparable with `spectrum()`.
 */
function welch(samples: Float32Array): Float64Array {
  const size = 8192;
  const power = new Float64Array(size / 2);
  let count = 0;
  for (let at = 0; at + size <= samples.length; at += size / 2, count++) {
    const mags = spectrum(samples.subarray(at, at + size));
    for (let k = 0; k < mags.length; k++) power[k] = power[k]! + mags[k]! ** 2;
  }
  return power.map((p) => Math.sqrt(p / count));
}

/** dB between the mean densities of neighbouring bands: `bands[i]` to `bands[i + 1]` Hz. */
function octaveSteps(samples: Float32Array, rate: number, bands: number[]): number[] {
  const mags = welch(samples);
  const n = mags.length * 2;
  const levels = bands.slice(0, -1).map((lo, i) => {
    const from = Math.ceil((lo * n) / rate);
    const to = Math.floor((bands[i + 1]! * n) / rate);
    let sum = 0;
    for (let k = from; k < to; k++) sum += mags[k]! ** 2;
    return 10 * Math.log10(sum / (to - from));
  });
  return levels.slice(1).map((level, i) => level - levels[i]!);
}

/**
 * Mean frequency over the upward zero crossings within `width` samples of `at` (interpolated
 * linearly), and the sample index half-way between the first and last of them.
 */
function crossingFrequency(
  samples: Float32Array,
  rate: number,
  at: number,
  width = 1000,
): [hz: number, at: number] {
  const crossings: number[] = [];
  for (let i = Math.max(0, at - width); i < Math.min(samples.length - 1, at + width); i++) {
    const a = samples[i]!;
    const b = samples[i + 1]!;
    if (a < 0 && b >= 0) crossings.push(i + a / (a - b));
  }
  const first = crossings[0]!;
  const last = crossings.at(-1)!;
  return [((crossings.length - 1) * rate) / (last - first), (first + last) / 2];
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

Deno.test("AudioTestSource makes a 1 kHz sine at 48 kHz of the right frequency and level", async () => {
  const b = await render({ frequency: 1000, duration: 1 });
  assert.equal(b.numberOfFrames, 48_000);
  assert.equal(b.numberOfChannels, 2);
  const left = audioChannel(b, 0);
  assert.ok(Math.abs(peakFrequency(left, 48_000) - 1000) < 0.5);
  // A sine of peak 0.8 has RMS 0.8/√2: −1.94 dBFS peak.
  assert.ok(Math.abs(db(rms(left) * Math.SQRT2) - db(0.8)) < 0.1);
  assert.deepEqual(audioChannel(b, 1), left);
  assert.equal(left[0], 0);
  assert.equal(left[12], Math.fround(0.8)); // a quarter period: sin(π/2)
});

Deno.test("AudioTestSource makes square, sawtooth and triangle waves with their harmonics", async () => {
  // 512 Hz at 32768 Hz: 64 samples a period, every harmonic on an FFT bin.
  const rate = 32_768;
  const level = async (wave: "square" | "sawtooth" | "triangle", harmonic: number) => {
    const b = await render({ wave, frequency: 512, sampleRate: rate, channels: 1, buffers: 32 });
    const samples = audioChannel(b, 0);
    return levelAt(samples, rate, 512 * harmonic) - levelAt(samples, rate, 512);
  };
  // Square: odd harmonics at 1/k (3rd −9.5 dB, 5th −14 dB), no even ones.
  assert.ok(Math.abs((await level("square", 3)) - db(1 / 3)) < 0.2);
  assert.ok(Math.abs((await level("square", 5)) - db(1 / 5)) < 0.3);
  assert.ok((await level("square", 2)) < -60);
  // Sawtooth: every harmonic at 1/k.
  assert.ok(Math.abs((await level("sawtooth", 2)) - db(1 / 2)) < 0.2);
  assert.ok(Math.abs((await level("sawtooth", 3)) - db(1 / 3)) < 0.2);
  // Triangle: odd harmonics at 1/k² (3rd −19 dB).
  assert.ok(Math.abs((await level("triangle", 3)) - db(1 / 9)) < 0.2);
  assert.ok((await level("triangle", 2)) < -60);
});

Deno.test("AudioTestSource tones stay within ±volume and start at 0 going up", async () => {
  for (const wave of ["square", "sawtooth", "triangle"] as const) {
    const b = await render({ wave, frequency: 1000, volume: 0.5, channels: 1, buffers: 1 });
    const samples = [...audioChannel(b, 0)];
    // 48 samples a period: the square and triangle reach ±volume, the sawtooth 23/24 of it.
    assert.equal(
      Math.max(...samples),
      wave === "sawtooth" ? Math.fround(0.5 * 23 / 24) : 0.5,
      wave,
    );
    assert.equal(Math.min(...samples), -0.5, wave);
    assert.equal(samples[0], wave === "square" ? 0.5 : 0, wave);
    assert.ok(samples[1]! > 0, wave);
  }
});

Deno.test("AudioTestSource buffers join into the same stream as one long render", async () => {
  for (const wave of ["sine", "square", "white-noise", "pink-noise", "sweep"] as const) {
    const params: Params = { wave, frequency: 997, sweepDuration: 0.1, duration: 0.25 };
    const small = await buffers({ ...params, samplesPerBuffer: 441 });
    const whole = await render({ ...params, samplesPerBuffer: 12_000 });
    assert.deepEqual(concatAudio(small).data, whole.data, wave);
    small.forEach((b, i) => assert.equal(b.position, i * 441));
  }
});

Deno.test("AudioTestSource computes sample n from n alone, however far into the stream", () => {
  const settings: _WaveSettings = {
    wave: "pink-noise",
    frequency: 440,
    volume: 0.8,
    sampleRate: 48_000,
    sweepTo: 20_000,
    sweepDuration: 10,
    sweepMode: "log",
    seed: 3,
  };
  for (const wave of ["pink-noise", "white-noise", "sweep"] as const) {
    const whole = new Float32Array(150_000);
    _renderWave({ ...settings, wave }, 0, 1, whole);
    const part = new Float32Array(50_000);
    _renderWave({ ...settings, wave }, 99_999, 1, part);
    assert.deepEqual(part, whole.subarray(99_999, 149_999), wave);
  }
  // Ten days in at 48 kHz, a 440 Hz sine is still exactly in phase.
  const n = 41_472_000_000;
  const sine = new Float32Array(48);
  _renderWave({ ...settings, wave: "sine" }, n, 0, sine);
  for (let i = 0; i < 48; i++) {
    assert.ok(Math.abs(sine[i]! - 0.8 * Math.sin((2 * Math.PI * 440 * i) / 48_000)) < 1e-5);
  }
});

Deno.test("AudioTestSource stops exactly at duration with a shorter last buffer", async () => {
  const list = await buffers({ duration: 1, samplesPerBuffer: 1024, channels: 1 });
  assert.equal(list.length, 47);
  assert.equal(list.reduce((n, b) => n + b.numberOfFrames, 0), 48_000);
  const last = list.at(-1)!;
  assert.equal(last.numberOfFrames, 48_000 - 46 * 1024);
  assert.equal(last.timestamp + last.duration, 1_000_000);
  // 44.1 kHz and a duration that is not a whole number of samples: round(0.01 × 44100) = 441.
  const odd = await render({ duration: 0.010001, sampleRate: 44_100, samplesPerBuffer: 100 });
  assert.equal(odd.numberOfFrames, 441);
});

Deno.test("AudioTestSource stops after `buffers` buffers, the sooner of the two limits", async () => {
  assert.equal((await buffers({ buffers: 3, samplesPerBuffer: 10 })).length, 3);
  const both = await buffers({ buffers: 3, duration: 0.0005, samplesPerBuffer: 10 });
  assert.deepEqual(both.map((b) => b.numberOfFrames), [10, 10, 4]);
});

Deno.test("AudioTestSource ticks at sampleRate / samplesPerBuffer and stamps buffers from positions", async () => {
  const source = new AudioTestSource({ sampleRate: 44_100, samplesPerBuffer: 441 });
  assert.equal(source.fps, 100);
  const list = await buffers({ sampleRate: 44_100, samplesPerBuffer: 300, buffers: 5 });
  for (const [i, b] of list.entries()) {
    assert.equal(b.position, i * 300);
    assert.equal(b.timestamp, Math.round((i * 300 * 1e6) / 44_100));
    assert.equal(b.sampleRate, 44_100);
    assert.notEqual(b.clockId, "");
  }
});

Deno.test("AudioTestSource reports progress in buffers of its limit", async () => {
  const source = new AudioTestSource({ duration: 0.05, samplesPerBuffer: 1000 });
  assert.deepEqual(source.progress(), { done: 0, total: 3 });
  await new Pipeline({ mode: "offline" }).pipe(source, new Collect()).run();
  assert.deepEqual(source.progress(), { done: 3, total: 3 });
  assert.deepEqual(new AudioTestSource().progress(), { done: 0, total: undefined });
  assert.deepEqual(new AudioTestSource({ buffers: 7 }).progress(), { done: 0, total: 7 });
});

Deno.test("AudioTestSource white noise is uniform, flat, seeded and independent per channel", async () => {
  const b = await render({ wave: "white-noise", volume: 1, duration: 4, seed: 7 });
  const left = audioChannel(b, 0);
  const right = audioChannel(b, 1);
  near(rms(left), 1 / Math.sqrt(3), 0.002, "RMS");
  let [min, max, correlation] = [0, 0, 0];
  for (let i = 0; i < left.length; i++) {
    min = Math.min(min, left[i]!);
    max = Math.max(max, left[i]!);
    correlation += left[i]! * right[i]!;
  }
  assert.ok(max < 1 && max > 0.999 && min >= -1 && min < -0.999);
  near(correlation / left.length, 0, 0.005, "correlation of the channels");
  for (const step of octaveSteps(left, 48_000, [200, 400, 800, 1600, 3200, 6400, 12_000])) {
    near(step, 0, 0.6, "level step between octaves");
  }
  const again = await render({ wave: "white-noise", volume: 1, duration: 0.1, seed: 7 });
  assert.deepEqual(audioChannel(again, 0), left.subarray(0, 4800));
  const other = await render({ wave: "white-noise", volume: 1, duration: 0.1, seed: 8 });
  assert.notDeepEqual(audioChannel(other, 0), left.subarray(0, 4800));
});

Deno.test("AudioTestSource pink noise falls 3 dB an octave and stays within ±volume", async () => {
  const b = await render({ wave: "pink-noise", volume: 1, channels: 1, duration: 6 });
  const samples = audioChannel(b, 0);
  assert.ok(samples.every((x) => x >= -1 && x <= 1));
  const bands = [100, 200, 400, 800, 1600, 3200, 6400, 12_000];
  const steps = octaveSteps(samples, 48_000, bands);
  const mean = steps.reduce((a, s) => a + s, 0) / steps.length;
  near(mean, -3, 0.25, "mean slope in dB an octave");
  for (const step of steps) near(step, -3, 0.6, "level step between octaves");
});

Deno.test("AudioTestSource sweeps start and end at their frequencies", async () => {
  const rate = 48_000;
  const sweep = async (sweepMode: "linear" | "log") =>
    audioChannel(
      await render({
        wave: "sweep",
        frequency: 100,
        sweepTo: 10_000,
        sweepDuration: 2,
        sweepMode,
        duration: 2,
        channels: 1,
      }),
      0,
    );
  // Linear: 100 Hz + 4950 Hz a second.
  const linear = await sweep("linear");
  for (const at of [1000, 48_000, 95_000]) {
    const [hz, mid] = crossingFrequency(linear, rate, at);
    near(hz / (100 + (4950 * mid) / rate), 1, 1e-4, `linear sweep at sample ${at}`);
  }
  // Log: 100 Hz × 100^(t / 2 s).
  const log = await sweep("log");
  for (const at of [1000, 48_000, 95_000]) {
    const [hz, mid] = crossingFrequency(log, rate, at);
    near(hz / (100 * 100 ** (mid / (2 * rate))), 1, 0.001, `log sweep at sample ${at}`);
  }
  // Half-way, a log sweep sits at the geometric mean of its ends.
  near(crossingFrequency(log, rate, 48_000, 200)[0], 1000, 2, "log sweep half-way");
  near(peakFrequency(log.subarray(47_488, 48_512), rate), 1000, 5, "log sweep spectrum half-way");
});

Deno.test("AudioTestSource sweeps start again after sweepDuration", async () => {
  const b = audioChannel(
    await render({
      wave: "sweep",
      frequency: 200,
      sweepTo: 400,
      sweepDuration: 0.5,
      duration: 1.5,
      channels: 1,
    }),
    0,
  );
  assert.deepEqual(b.subarray(24_000, 48_000), b.subarray(0, 24_000));
  assert.deepEqual(b.subarray(48_000, 72_000), b.subarray(0, 24_000));
});

Deno.test("AudioTestSource makes silence", async () => {
  const silent = await render({ wave: "silence", buffers: 2 });
  assert.equal(silent.numberOfFrames, 2048);
  assert.ok(silent.data.every((x) => x === 0));
});

Deno.test("AudioTestSource takes parameter changes from the next buffer, in phase", async () => {
  class Changing extends AudioTestSource {
    override process(tick: TimedTick): void {
      if (tick.frameNumber === 2) this.setParams({ volume: 0.25, wave: "square" });
      super.process(tick);
    }
  }
  const sink = new Collect<AudioBuffer>();
  const params: Params = { buffers: 4, samplesPerBuffer: 30, frequency: 1000, channels: 1 };
  await new Pipeline({ mode: "offline" }).pipe(new Changing(params), sink).run();
  const before = await render(params);
  const after = await render({ ...params, volume: 0.25, wave: "square" });
  const out = concatAudio(sink.messages).data;
  assert.deepEqual(out.subarray(0, 60), before.data.subarray(0, 60));
  assert.deepEqual(out.subarray(60), after.data.subarray(60));
  assert.throws(
    () => new AudioTestSource().setParams({ wave: "ramp" as "sine" }),
    (e) => e instanceof StreamlibError && e.code === "SL_PARAM_INVALID",
  );
});
