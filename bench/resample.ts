/**
 * How fast the audio resampler converts 10 s of stereo noise, for a few ratios and qualities:
 * `resampleAudio` on the whole signal, and the `audioresample` actor in an offline pipeline fed
 * 1024-sample buffers. Prints the median of `ROUNDS` rounds in ms and as a multiple of real
 * time, one line a case, then one summary line against ffmpeg's aresample in the same run.
 *
 * Run: deno task bench:resample [rounds, default 5]
 *
 * @module
 */

import {
  Actor,
  type AudioBuffer,
  type Contract,
  createAudioBuffer,
  NullSink,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";
import { resampleAudio, Resampler } from "@streamlib/audio";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:resample");

const ROUNDS = Number(Deno.args[0] ?? 5);
const SECONDS = 10;

function noise(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 1_073_741_824 - 1;
  });
}

const feedContract = {
  type: "benchfeed",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
} as const satisfies Contract;

/** Replays prepared buffers, one a tick. */
class Feed extends Actor<typeof feedContract> {
  static override contract: typeof feedContract = feedContract;
  buffers: AudioBuffer[] = [];
  process(tick: TimedTick): void {
    const buffer = this.buffers[tick.frameNumber];
    if (buffer !== undefined) this.outputs.out.write(buffer);
    if (tick.frameNumber + 1 >= this.buffers.length) this.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function report(name: string, ms: number): void {
  const line = `${name.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${
    (SECONDS * 1000 / ms).toFixed(0).padStart(4)
  }× real time`;
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

const cases: Array<[number, number, number]> = [
  [44_100, 48_000, 0],
  [44_100, 48_000, 4],
  [44_100, 48_000, 10],
  [48_000, 44_100, 4],
  [48_000, 16_000, 4],
  [8000, 48_000, 4],
  [44_100, 47_999, 4],
];

for (const [from, to, quality] of cases) {
  const channels = [noise(from * SECONDS, 1), noise(from * SECONDS, 2)];
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    resampleAudio(channels, from, to, quality);
    times.push(performance.now() - start);
  }
  report(`resampleAudio ${from} → ${to} q${quality}`, median(times));
}

{
  const from = 44_100;
  const left = noise(from * SECONDS, 1);
  const right = noise(from * SECONDS, 2);
  const buffers: AudioBuffer[] = [];
  for (let at = 0; at < left.length; at += 1024) {
    const n = Math.min(1024, left.length - at);
    const data = new Float32Array(2 * n);
    data.set(left.subarray(at, at + n));
    data.set(right.subarray(at, at + n), n);
    buffers.push(
      createAudioBuffer({
        sampleRate: from,
        numberOfChannels: 2,
        numberOfFrames: n,
        data,
        position: at,
      }),
    );
  }
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const pipeline = new Pipeline({ mode: "offline" });
    const feed = new Feed();
    feed.buffers = buffers;
    pipeline.pipe(feed, new Resampler({ rate: 48_000 }), new NullSink());
    const start = performance.now();
    await pipeline.run();
    times.push(performance.now() - start);
  }
  report("audioresample actor 44100 → 48000 q4", median(times));
}

// Baseline in the same run: ffmpeg's own resampler (swr, its default quality) on the same
// 10 s of stereo 44.1 kHz samples, from a raw file, to nowhere.
{
  const { findFfmpeg } = await import("@streamlib/ffmpeg");
  const ffmpeg = await findFfmpeg();
  const dir = await Deno.makeTempDir();
  const raw = `${dir}/in.f32`;
  const interleaved = new Float32Array(SECONDS * 44_100 * 2);
  const left = noise(SECONDS * 44_100, 1);
  const right = noise(SECONDS * 44_100, 2);
  for (let i = 0; i < left.length; i++) {
    interleaved[2 * i] = left[i]!;
    interleaved[2 * i + 1] = right[i]!;
  }
  await Deno.writeFile(raw, new Uint8Array(interleaved.buffer));
  const times: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    // deno-fmt-ignore
    const { success } = await new Deno.Command(ffmpeg.path, { args: [
      "-v", "error", "-f", "f32le", "-ar", "44100", "-ac", "2", "-i", raw,
      "-af", "aresample=48000", "-f", "null", "-",
    ] }).output();
    if (!success) throw new Error("ffmpeg failed");
    times.push(performance.now() - start);
    start = performance.now();
    resampleAudio([left, right], 44_100, 48_000);
    ours.push(performance.now() - start);
  }
  await Deno.remove(dir, { recursive: true });
  const [f, s] = [median(times), median(ours)];
  Deno.stdout.writeSync(
    new TextEncoder().encode(
      `resample: 10 s stereo 44.1 → 48 kHz, streamlib q4 ${(SECONDS * 1000 / s).toFixed(0)}× ` +
        `real time, ffmpeg aresample ${(SECONDS * 1000 / f).toFixed(0)}× (process included), ` +
        `ratio ${(f / s).toFixed(2)}×\n`,
    ),
  );
}
