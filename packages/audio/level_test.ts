import assert from "node:assert/strict";
import type { AudioBuffer, DataMessage, TimedTick } from "@streamlib/core";
import { Level, LEVEL_FLOOR_DB, type LevelReading } from "./level.ts";
import { cut, random, runThrough } from "./_feed_testing.ts";
import { sine } from "./_resample_testing.ts";

type Reading = DataMessage<LevelReading>;

async function measure(
  level: Level,
  buffers: AudioBuffer[],
): Promise<{ readings: Reading[]; audio: AudioBuffer[] }> {
  const out = await runThrough(level, buffers);
  return { readings: out.level as Reading[], audio: out.out as AudioBuffer[] };
}

function near(actual: number, expected: number, tolerance: number, what = ""): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} ≠ ${expected}`);
}

Deno.test("Level reads a full-scale sine as RMS −3.01 dBFS and peak 0 dBFS", async () => {
  const tone = sine(1000, 48_000, 24_000);
  const half = tone.map((x) => x / 2);
  const { readings } = await measure(new Level(), cut([tone, half], 48_000, [1000]));
  assert.equal(readings.length, 5);
  for (const { value } of readings) {
    near(value.rms[0]!, -3.0103, 0.01, "rms");
    near(value.peak[0]!, 0, 0.01, "peak");
    near(value.rms[1]!, -9.0309, 0.01, "rms of the half-scale channel");
    near(value.peak[1]!, -6.0206, 0.01, "peak of the half-scale channel");
  }
});

Deno.test("Level stamps each reading with its interval's start, length and sequence number", async () => {
  const { readings } = await measure(new Level(), cut([sine(440, 44_100, 44_100)], 44_100, [1024]));
  assert.deepEqual(
    readings.map((m) => [m.topic, m.timestamp, m.duration, m.position, m.clockId]),
    Array.from({ length: 10 }, (_, j) => ["level", j * 100_000, 100_000, j, "test"]),
  );
});

Deno.test("Level counts intervals in samples across buffers of any size, without drift", async () => {
  // 0.0101 s at 44.1 kHz is 445.41 samples: interval j starts at round(j × 445.41). A 0.5 pulse
  // on each interval's first sample must land in its own interval, alone.
  const rate = 44_100;
  const starts = Array.from({ length: 200 }, (_, j) => Math.round(j * 0.0101 * rate));
  const signal = new Float32Array(starts.at(-1)!);
  for (const s of starts.slice(0, -1)) signal[s] = 0.5;
  const next = random(11);
  const sizes = Array.from({ length: 50 }, () => 1 + Math.floor(next() * 1500));
  const { readings } = await measure(new Level({ interval: 0.0101 }), cut([signal], rate, sizes));
  assert.equal(readings.length, 199);
  readings.forEach(({ value, timestamp, duration }, j) => {
    const length = starts[j + 1]! - starts[j]!;
    near(value.peak[0]!, 20 * Math.log10(0.5), 1e-9, `peak ${j}`);
    near(value.rms[0]!, 20 * Math.log10(0.5 / Math.sqrt(length)), 1e-9, `rms ${j}`);
    assert.equal(timestamp, Math.round((starts[j]! * 1e6) / rate));
    assert.equal(timestamp + duration, Math.round((starts[j + 1]! * 1e6) / rate));
  });
});

Deno.test("Level passes the audio buffers through unchanged", async () => {
  const buffers = cut([sine(100, 8000, 3000)], 8000, [700]);
  const { audio } = await measure(new Level(), buffers);
  assert.equal(audio.length, buffers.length);
  audio.forEach((buffer, i) => assert.equal(buffer, buffers[i]));
});

Deno.test("Level reads silence as the floor and emits the last partial interval at the end", async () => {
  const { readings } = await measure(new Level(), cut([new Float32Array(12_000)], 48_000, [5000]));
  assert.deepEqual(readings.map((m) => [m.timestamp, m.duration]), [
    [0, 100_000],
    [100_000, 100_000],
    [200_000, 50_000],
  ]);
  for (const { value } of readings) {
    assert.deepEqual(value, {
      rms: [LEVEL_FLOOR_DB],
      peak: [LEVEL_FLOOR_DB],
      decay: [LEVEL_FLOOR_DB],
    });
  }
});

Deno.test("Level's decaying peak holds for peakTtl, then falls by peakFalloff dB a second", async () => {
  // 0.5 s at full scale, then 1 s at 0.125 (−18.06 dBFS): intervals of 0.1 s.
  const loud = new Float32Array(24_000).fill(1);
  const quiet = new Float32Array(48_000).fill(0.125);
  const signal = new Float32Array(72_000);
  signal.set(loud);
  signal.set(quiet, loud.length);
  const { readings } = await measure(new Level(), cut([signal], 48_000, [4800]));
  const decay = readings.map((m) => m.value.decay[0]!);
  // Held at 0 dB for 0.3 s after the last loud interval, then −1, −2… dB.
  const expected = [0, 0, 0, 0, 0, 0, 0, 0, -1, -2, -3, -4, -5, -6, -7];
  expected.forEach((value, i) => near(decay[i]!, value, 1e-9, `interval ${i}`));
  const steep =
    (await measure(new Level({ peakFalloff: 100, peakTtl: 0 }), cut([signal], 48_000, [4800])))
      .readings.map((m) => m.value.decay[0]!);
  near(steep[5]!, -10, 1e-9);
  // Never below the current peak.
  near(steep[6]!, 20 * Math.log10(0.125), 1e-9);
  near(steep[7]!, 20 * Math.log10(0.125), 1e-9);
});

Deno.test("Level ends the interval early when the sample rate changes or positions jump", async () => {
  const first = cut([new Float32Array(6000).fill(0.5)], 48_000, [6000]);
  const jumped = cut([new Float32Array(4800).fill(0.25)], 48_000, [4800], 48_000);
  const other = cut([new Float32Array(1600).fill(1)], 16_000, [1600], 3 * 16_000);
  const { readings } = await measure(new Level(), [...first, ...jumped, ...other]);
  assert.deepEqual(
    readings.map((m) => [m.timestamp, m.duration, Number(m.value.peak[0]!.toFixed(2))]),
    [
      [0, 100_000, -6.02],
      [100_000, 25_000, -6.02],
      [1_000_000, 100_000, -12.04],
      [3_000_000, 100_000, 0],
    ],
  );
});

/** Sets its interval to 0.05 s after its first buffer. */
class ChangingLevel extends Level {
  #calls = 0;
  override process(tick: TimedTick): void | Promise<void> {
    const result = super.process(tick);
    if (++this.#calls === 1) this.setParams({ interval: 0.05 });
    return result;
  }
}

Deno.test("Level applies a new interval from the end of the current one", async () => {
  const { readings } = await measure(
    new ChangingLevel(),
    cut([new Float32Array(19_200)], 48_000, [1000]),
  );
  assert.deepEqual(
    readings.map((m) => [m.timestamp, m.duration]),
    [[0, 100_000], [100_000, 50_000], [150_000, 50_000], [200_000, 50_000], [250_000, 50_000], [
      300_000,
      50_000,
    ], [350_000, 50_000]],
  );
});
