/**
 * Each pixel and sample kernel side by side with the ffmpeg filter doing the same job, in the
 * same run, both on one core, and both timed in CPU time (user + system), which a machine
 * shared with other work disturbs far less than wall time.
 *
 *   streamlib:  the frame or buffer function (`blurFrame`, `scaleFrame`, `convertFrame`,
 *               `resampleAudio`) on data already in memory, output frames allocated as usual;
 *               the mixer as an `audiomixer` actor in an offline pipeline fed pre-made buffers
 *               (three runs averaged);
 *               `process.cpuUsage()` over `count` calls, after three to warm up.
 *   ffmpeg:     `ffmpeg -benchmark -threads 1 -filter_threads 1` on raw input already decoded:
 *               `-stream_loop` over a small raw file of the same pictures (rawvideo, f32le),
 *               output to `-f null`. The filter's time is the run's `utime + stime` (which
 *               leaves out start-up) minus that of the same input through `null` (`anull`):
 *               reading, looping and the null muxer cost the same in both and cancel.
 *
 * Video: 1920×1080 frames of ffmpeg's `testsrc2`, RGBA for us. ffmpeg's blurs take only planar
 * formats, so they get the same pictures as `gbrap` (four planes: the same samples and work);
 * `gblur` (a recursive approximation) is compared with our fast Gaussian (three box blurs each
 * way) and, on a line of its own, with our exact one. Conversions and scaling take RGBA
 * (`yuv420p` for I420, `nv12` for NV12). Audio: 10 s of stereo noise, 44.1 kHz
 * for the resampler (our quality 4 has 102 taps an output sample; ffmpeg's `aresample` gets
 * `filter_size=102`, the same); sixteen stereo 48 kHz inputs for the mixer, ffmpeg's `amix` fed
 * by `anullsrc` (silence, whose cost is a memset and is counted as amix's) against one
 * `anullsrc` through `anull`.
 *
 * Each kernel runs `ROUNDS` rounds (ffmpeg's filter, its null run, ours, in turn); the median
 * of each side is reported, with the range, and the ratio is ffmpeg's time over ours (above 1:
 * streamlib is faster). Ends with one line per kernel starting `kernels:`, then one summary
 * line: how many kernels are at least as fast as ffmpeg, the range and geometric mean of the
 * ratios, and the load average.
 *
 * Run: deno task bench:kernels [rounds, default 5] [frames a round, default 40]
 *
 * @module
 */

import process from "node:process";
import {
  Actor,
  type Contract,
  createAudioBuffer,
  createVideoFrame,
  NullSink,
  Pipeline,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { blurFrame, convertFrame, scaleFrame } from "@streamlib/video";
import { AudioMixer, resampleAudio } from "@streamlib/audio";
import { findFfmpeg } from "@streamlib/ffmpeg";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:kernels");

const ROUNDS = Number(Deno.args[0] ?? 5);
const FRAMES = Number(Deno.args[1] ?? 40);
const W = 1920;
const H = 1080;
/** Pictures in the raw files ffmpeg loops over. */
const PICTURES = 4;

const ffmpeg = (await findFfmpeg()).path;
const dir = await Deno.makeTempDir({ prefix: "bench_kernels_" });

/** Runs ffmpeg; returns its output on stderr, throwing on failure. */
async function run(args: string[]): Promise<string> {
  const { code, stderr } = await new Deno.Command(ffmpeg, {
    args: ["-nostdin", "-hide_banner", "-nostats", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed: ${text}`);
  return text;
}

/** CPU seconds (user + system) that `ffmpeg -benchmark` reports for `args`. */
async function ffmpegCpu(args: string[]): Promise<number> {
  const text = await run(["-benchmark", "-threads", "1", "-filter_threads", "1", ...args]);
  const match = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(text);
  if (match === null) throw new Error(`no -benchmark line from ffmpeg: ${text}`);
  return Number(match[1]) + Number(match[2]);
}

/** CPU milliseconds per call of `fn`, over `count` calls after three to warm up. */
function oursCpu(fn: () => unknown, count: number): number {
  for (let i = 0; i < 3; i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / count;
}

/** Makes `PICTURES` frames of testsrc2 in `pixFmt` as a raw file; returns its path. */
async function rawVideo(pixFmt: string): Promise<string> {
  const path = `${dir}/in_${pixFmt}.raw`;
  // deno-fmt-ignore
  await run(["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=${W}x${H}:rate=25`,
    "-frames:v", String(PICTURES), "-pix_fmt", pixFmt, "-f", "rawvideo", path]);
  return path;
}

/** The frames of a raw file as VideoFrames. */
async function frames(path: string, format: "RGBA" | "I420" | "NV12"): Promise<VideoFrame[]> {
  const bytes = await Deno.readFile(path);
  const size = bytes.length / PICTURES;
  return Array.from({ length: PICTURES }, (_, i) => {
    const frame = createVideoFrame({ format, codedWidth: W, codedHeight: H });
    frame.data.set(bytes.subarray(i * size, (i + 1) * size));
    return frame;
  });
}

/** One comparison. */
interface Case {
  readonly name: string;
  readonly unit: string;
  /** Our time for one unit, ms. */
  ours(): number | Promise<number>;
  /** ffmpeg's time for one unit, ms: filter run minus null run. */
  theirs(): Promise<number>;
  readonly filter: string;
}

/** ffmpeg's ms a frame for `filter` on `FRAMES` frames of a raw file in `pixFmt`. */
function videoFilter(path: string, pixFmt: string, filter: string): () => Promise<number> {
  const loops = Math.max(0, Math.ceil(FRAMES / PICTURES) - 1);
  const frameCount = PICTURES * (loops + 1);
  // deno-fmt-ignore
  const args = (vf: string): string[] => ["-stream_loop", String(loops), "-f", "rawvideo",
    "-pix_fmt", pixFmt, "-s", `${W}x${H}`, "-i", path, "-vf", vf, "-f", "null", "-"];
  return async () =>
    ((await ffmpegCpu(args(filter))) - (await ffmpegCpu(args("null")))) * 1000 / frameCount;
}

/** Our ms a frame for `fn` over the frames in turn. */
function videoOurs(input: VideoFrame[], fn: (frame: VideoFrame) => unknown): () => number {
  let i = 0;
  return () => oursCpu(() => fn(input[i++ % input.length]!), FRAMES);
}

const rgbaPath = await rawVideo("rgba");
const rgba = await frames(rgbaPath, "RGBA");
const gbrapPath = await rawVideo("gbrap");
const i420Path = await rawVideo("yuv420p");
const i420 = (await frames(i420Path, "I420")).map((f) => ({
  ...f,
  colorSpace: { matrix: "bt709" as const, fullRange: false },
}));

const nv12Path = await rawVideo("nv12");
const nv12 = (await frames(nv12Path, "NV12")).map((f) => ({
  ...f,
  colorSpace: { matrix: "bt709" as const, fullRange: false },
}));

const cases: Case[] = [
  {
    name: "blur gaussian sigma 4 fast, 1080p RGBA",
    unit: "frame",
    ours: videoOurs(rgba, (f) => blurFrame(f, { sigma: 4, method: "fast" })),
    theirs: videoFilter(gbrapPath, "gbrap", "gblur=sigma=4"),
    filter: "gblur (gbrap)",
  },
  {
    name: "blur gaussian sigma 4 exact, 1080p RGBA",
    unit: "frame",
    ours: videoOurs(rgba, (f) => blurFrame(f, { sigma: 4, method: "exact" })),
    theirs: videoFilter(gbrapPath, "gbrap", "gblur=sigma=4"),
    filter: "gblur (gbrap)",
  },
  {
    name: "blur box radius 6, 1080p RGBA",
    unit: "frame",
    ours: videoOurs(rgba, (f) => blurFrame(f, { mode: "box", radius: 6 })),
    theirs: videoFilter(gbrapPath, "gbrap", "boxblur=6:1:6:1:6:1"),
    filter: "boxblur (gbrap)",
  },
  {
    name: "convert RGBA → I420 BT.709, 1080p",
    unit: "frame",
    ours: videoOurs(rgba, (f) => convertFrame(f, "I420", { matrix: "bt709" })),
    theirs: videoFilter(
      rgbaPath,
      "rgba",
      "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
    ),
    filter: "scale to yuv420p",
  },
  {
    name: "convert I420 → RGBA BT.709, 1080p",
    unit: "frame",
    ours: videoOurs(i420, (f) => convertFrame(f, "RGBA")),
    theirs: videoFilter(i420Path, "yuv420p", "scale=in_color_matrix=bt709:in_range=tv,format=rgba"),
    filter: "scale to rgba",
  },
  {
    name: "convert NV12 → BGRA BT.709, 1080p",
    unit: "frame",
    ours: videoOurs(nv12, (f) => convertFrame(f, "BGRA")),
    theirs: videoFilter(nv12Path, "nv12", "scale=in_color_matrix=bt709:in_range=tv,format=bgra"),
    filter: "scale to bgra",
  },
  {
    name: "scale bilinear 1080p → 720p RGBA",
    unit: "frame",
    ours: videoOurs(rgba, (f) => scaleFrame(f, 1280, 720, "bilinear")),
    theirs: videoFilter(rgbaPath, "rgba", "scale=1280:720:flags=bilinear"),
    filter: "scale bilinear",
  },
  {
    name: "scale area 1080p → 720p RGBA",
    unit: "frame",
    ours: videoOurs(rgba, (f) => scaleFrame(f, 1280, 720, "area")),
    theirs: videoFilter(rgbaPath, "rgba", "scale=1280:720:flags=area"),
    filter: "scale area",
  },
  resampleCase(),
  mixCase(),
];

/**
 * 10 s of stereo noise at 44.1 kHz → 48 kHz, quality 4 (102 taps) against 102 taps: ffmpeg's
 * default `filter_size` is 32, a shorter, lower-quality filter than even our quality 0 (46 taps),
 * so it gets `filter_size=102`, the same work (its Kaiser β 9 window with cutoff 0.97, against
 * our 80 dB design with a 0.9–1.0 transition: comparable quality).
 */
function resampleCase(): Case {
  const seconds = 10;
  const noise = (seed: number): Float32Array => {
    let state = seed;
    return Float32Array.from({ length: seconds * 44_100 }, () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 1_073_741_824 - 1;
    });
  };
  const left = noise(1), right = noise(2);
  const raw = `${dir}/noise.f32`;
  const interleaved = new Float32Array(2 * left.length);
  for (let i = 0; i < left.length; i++) {
    interleaved[2 * i] = left[i]!;
    interleaved[2 * i + 1] = right[i]!;
  }
  Deno.writeFileSync(raw, new Uint8Array(interleaved.buffer));
  // deno-fmt-ignore
  const args = (af: string): string[] => ["-f", "f32le", "-ar", "44100", "-ac", "2", "-i", raw,
    "-af", af, "-c:a", "pcm_f32le", "-f", "null", "-"];
  return {
    name: "resample 10 s stereo 44.1 → 48 kHz, 102 taps both",
    unit: "10 s",
    ours: () => oursCpu(() => resampleAudio([left, right], 44_100, 48_000, 4), 5),
    theirs: async () =>
      ((await ffmpegCpu(args("aresample=48000:filter_size=102"))) -
        (await ffmpegCpu(args("anull")))) * 1000,
    filter: "aresample filter_size=102",
  };
}

const replayContract = {
  type: "replay",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
} as const satisfies Contract;

/** Sends `count` stereo 1024-sample buffers, cycling through pre-made data. */
class Replay extends Actor<typeof replayContract> {
  static override contract: typeof replayContract = replayContract;
  constructor(readonly chunks: readonly Float32Array[], readonly count: number) {
    super();
  }
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    this.outputs.out.write(createAudioBuffer({
      sampleRate: 48_000,
      numberOfChannels: 2,
      numberOfFrames: 1024,
      data: this.chunks[n % this.chunks.length],
      position: n * 1024,
      clockId: tick.clockId,
    }));
    if (n + 1 >= this.count) this.end();
  }
}

/** Sixteen stereo 48 kHz inputs, 10 s, in 1024-sample buffers. */
function mixCase(): Case {
  const inputs = 16;
  const seconds = 10;
  const buffers = Math.round(seconds * 48_000 / 1024);
  const tone = (hz: number): Float32Array[] =>
    Array.from({ length: 47 }, (_, k) => {
      const data = new Float32Array(2048);
      for (let i = 0; i < 1024; i++) {
        data[i] = data[1024 + i] = 0.05 * Math.sin(2 * Math.PI * hz * (k * 1024 + i) / 48_000);
      }
      return data;
    });
  const tones = Array.from({ length: inputs }, (_, i) => tone(220 + 55 * i));
  const mix = async (): Promise<void> => {
    const pipeline = new Pipeline({ mode: "offline" });
    const mixer = pipeline.add(new AudioMixer({ samplesPerBuffer: 1024 }), { name: "mix" });
    for (let i = 0; i < inputs; i++) {
      pipeline.add(new Replay(tones[i]!, buffers), { name: `src${i}` });
      pipeline.connect(`src${i}.out`, `mix.sink_${i}`);
    }
    pipeline.connect(mixer.outputs.out, pipeline.add(new NullSink()).inputs.in);
    await pipeline.run();
  };
  const source = `anullsrc=r=48000:cl=stereo:n=1024,atrim=duration=${seconds}`;
  const graph = Array.from({ length: inputs }, (_, i) => `${source}[a${i}]`).join(";") + ";" +
    Array.from({ length: inputs }, (_, i) => `[a${i}]`).join("") +
    `amix=inputs=${inputs}:normalize=0[out]`;
  // deno-fmt-ignore
  const args = (g: string): string[] => ["-filter_complex_threads", "1", "-filter_complex", g,
    "-map", "[out]", "-c:a", "pcm_f32le", "-f", "null", "-"];
  return {
    name: "mix 16 stereo 48 kHz inputs, 10 s",
    unit: "10 s",
    // Three runs after one to warm up: one run is short enough for a collection to weigh.
    ours: async () => {
      await mix();
      const start = process.cpuUsage();
      for (let i = 0; i < 3; i++) await mix();
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000 / 3;
    },
    theirs: async () =>
      ((await ffmpegCpu(args(graph))) - (await ffmpegCpu(args(`${source},anull[out]`)))) * 1000,
    filter: "amix",
  };
}

const load = (): string => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const out = (line: string): void => {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const range = (values: number[]): string =>
  `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

out(`bench:kernels ${ROUNDS} rounds, ${FRAMES} frames a round; load average ${load()}`);
const results: Array<{ c: Case; ours: number[]; theirs: number[] }> = [];
for (const c of cases) {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    theirs.push(await c.theirs());
    ours.push(await c.ours());
  }
  out(
    `${c.name.padEnd(46)} streamlib ${range(ours).padStart(11)} ms, ffmpeg ${c.filter} ${
      range(theirs)
    } ms a ${c.unit}`,
  );
  results.push({ c, ours, theirs });
}
await Deno.remove(dir, { recursive: true });
out(`load average ${load()}`);
const ratios: number[] = [];
for (const { c, ours, theirs } of results) {
  const [o, t] = [median(ours), median(theirs)];
  ratios.push(t / o);
  out(
    `kernels: ${c.name}: streamlib ${o.toFixed(1)} ms, ffmpeg ${c.filter} ${
      t.toFixed(1)
    } ms a ${c.unit}, ratio ${(t / o).toFixed(2)}×`,
  );
}
const geomean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
out(
  `bench:kernels: ${ratios.filter((r) => r >= 1).length} of ${ratios.length} kernels at least ` +
    `as fast as ffmpeg, ratios ${Math.min(...ratios).toFixed(2)}–${
      Math.max(...ratios).toFixed(2)
    }×, geometric mean ${geomean.toFixed(2)}×; load average ${load()}`,
);
