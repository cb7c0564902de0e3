/**
 * Frames a second of the compositor at 1920×1080, side by side in the same run with the same
 * jobs in GStreamer's `compositor`.
 *
 *   streamlib:  layer sources → compositor → sink      (offline pipeline, as fast as it goes)
 *   gstreamer:  (videotestsrc ! imagefreeze) ×N → compositor → fakesink (gst-launch-1.0)
 *
 * streamlib cases (each layer a full 1920×1080 frame unless said otherwise; sources replay
 * pre-made frames, so they cost next to nothing; every output frame is a fresh buffer):
 *   2 layers          opaque base + an opaque overlay at opacity 0.5 (the GStreamer job), BGRA;
 *   4 layers          opaque base + three opaque overlays at opacity 0.5, RGBA;
 *   4 translucent     four overlays at opacity 0.5 over the black background, RGBA;
 *   4 pip             opaque base + three 640×360 overlays with varying per-pixel alpha, RGBA;
 *   … shared          the same job with its layers in shared memory, as frames from Worker
 *                     actors are, and `threads=2`: a helper Worker blends the lower rows.
 *
 * GStreamer: each source is one `videotestsrc` picture repeated by `imagefreeze` (the same
 * buffer pushed again), so its sources cost nothing and the run times the compositor (the four
 * sources alone into fakesinks are timed too, to show it); 2 layers (alpha 1 and 0.5) and 4
 * translucent (alpha 0.5 ×4 over black), BGRA. GStreamer's compositor uses both cores
 * (max-threads=0, auto); its times include gst-launch's start-up (tens of ms a round). Skipped,
 * with a note, when gst-launch-1.0 or imagefreeze (gstreamer1.0-plugins-good) is missing.
 *
 * Each measurement runs about `SECONDS` seconds (frame counts sized from a short trial) and the
 * best of `ROUNDS` rounds is kept. Then the 4-translucent job with shared layers runs live at
 * 30 fps for 3 s, once with `threads=1` and once with `threads=2`, and the compositor's own time
 * a frame (p50, p99 from the pipeline's stats) is reported: what the split buys in latency where
 * the machine is not saturated. Ends with one summary line.
 *
 * Run: deno run -A bench/compositor.ts [seconds per round, default 1.5] [rounds, default 3]
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createVideoFrame,
  NullSink,
  Pipeline,
  type TimedTick,
  timingOf,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";
import { Compositor, type CompositorLayer } from "@streamlib/video";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:compositor");

const SECONDS = Number(Deno.args[0] ?? 1.5);
const ROUNDS = Number(Deno.args[1] ?? 3);
const W = 1920;
const H = 1080;

const stillContract = {
  type: "still",
  outputs: { out: { kind: "video", formats: ["RGBA", "BGRA"] } },
  params: { count: { type: "integer", default: 100 } },
} as const satisfies Contract;

/** Sends `count` frames that share one picture, stamped with its ticks. */
class Still extends Actor<typeof stillContract> {
  static override contract: typeof stillContract = stillContract;
  readonly picture: VideoFrame;
  constructor(picture: VideoFrame, count: number) {
    super({ count });
    this.picture = picture;
  }
  process(tick: TimedTick): void {
    this.outputs.out.write({ ...this.picture, ...timingOf(tick) });
    if (tick.frameNumber + 1 >= this.params.count) this.end();
  }
}

/** A `width` × `height` picture of pseudo-random colours; alpha 255, or varying with `alpha`. */
function picture(
  format: VideoPixelFormat,
  width: number,
  height: number,
  seed: number,
  alpha = false,
  shared = false,
): VideoFrame {
  const frame = createVideoFrame({
    format,
    codedWidth: width,
    codedHeight: height,
    ...(shared ? { data: new Uint8Array(new SharedArrayBuffer(width * height * 4)) } : {}),
  });
  const words = new Uint32Array(frame.data.buffer);
  let x = seed;
  for (let i = 0; i < words.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const a = alpha ? (i % width < width / 4 ? 0 : i % width < width / 2 ? x >>> 24 : 255) : 255;
    words[i] = ((x >>> 8) & 0xffffff) | (a << 24);
  }
  return frame;
}

interface Case {
  readonly name: string;
  readonly format: VideoPixelFormat;
  /** The compositor's `threads` (default 1). */
  readonly threads?: 1 | 2;
  readonly layers: ReadonlyArray<{ picture: VideoFrame; place: CompositorLayer }>;
}

/** Composites `count` frames offline; returns frames a second. */
async function streamlibRun(c: Case, count: number): Promise<number> {
  const { fps } = await composite(c, count, "offline");
  return fps;
}

/**
 * The compositor's own time a frame (p50 and p99 of its `process`, from the pipeline's stats)
 * in a live pipeline at 30 fps, where the event loop turns between frames as it does for a
 * camera or a display.
 */
async function liveRun(c: Case, count: number): Promise<{ p50: number; p99: number }> {
  const { stats } = await composite(c, count, "live");
  return { p50: stats.p50 / 1000, p99: stats.p99 / 1000 };
}

async function composite(
  c: Case,
  count: number,
  mode: "live" | "offline",
): Promise<{ fps: number; stats: { p50: number; p99: number } }> {
  const pipeline = new Pipeline({ mode });
  const mix = pipeline.add(
    new Compositor({
      width: W,
      height: H,
      fps: 30,
      format: c.format as "RGBA" | "BGRA",
      threads: c.threads ?? 1,
      layers: Object.fromEntries(c.layers.map((l, i) => [`layer_${i}`, l.place])),
    }),
    { name: "mix" },
  );
  c.layers.forEach((layer, i) => {
    pipeline.add(new Still(layer.picture, count), { name: `src${i}` });
    pipeline.connect(`src${i}.out`, `mix.layer_${i}`);
  });
  const sink = pipeline.add(new NullSink());
  pipeline.connect(mix.outputs.out, sink.inputs.in);
  const t0 = performance.now();
  await pipeline.run();
  const seconds = (performance.now() - t0) / 1000;
  if (mode === "offline" && sink.received !== count) {
    throw new Error(`compositor wrote ${sink.received} of ${count}`);
  }
  const mixStats = pipeline.stats().actors.find((actor) => actor.name === "mix")!;
  return { fps: count / seconds, stats: mixStats.processingTimeUs };
}

/** Runs gst-launch-1.0; returns its wall time in seconds. */
async function gstRun(args: string[]): Promise<number> {
  const t0 = performance.now();
  const { code, stderr } = await new Deno.Command("gst-launch-1.0", {
    args: ["-q", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`gst-launch-1.0 failed: ${new TextDecoder().decode(stderr)}`);
  return seconds;
}

/**
 * A GStreamer source that costs nothing a frame: one test picture, repeated by `imagefreeze`
 * (the same buffer pushed again), so that the run times the compositor alone.
 */
function gstSource(count: number, pattern: string): string[] {
  const caps = `video/x-raw,format=BGRA,width=${W},height=${H},framerate=30/1`;
  // deno-fmt-ignore
  return [
    "videotestsrc", "num-buffers=1", `pattern=${pattern}`, "!", caps, "!",
    "imagefreeze", `num-buffers=${count}`,
  ];
}

/** `alphas.length` full-frame layers with these alphas into GStreamer's compositor. */
function gstWith(count: number, alphas: readonly number[]): string[] {
  const pads = alphas.map((alpha, i) => `sink_${i}::alpha=${alpha}`);
  // deno-fmt-ignore
  return [
    "compositor", "name=c", "background=black", ...pads, "!",
    `video/x-raw,format=BGRA,width=${W},height=${H}`, "!", "fakesink",
    ...alphas.flatMap((_, i) => [
      ...gstSource(count, ["smpte", "ball", "snow", "checkers-8"][i % 4]!), "!", `c.sink_${i}`,
    ]),
  ];
}

/** The same sources into fakesinks: shows that they cost next to nothing. */
function gstWithout(count: number, layers: number): string[] {
  return Array.from({ length: layers }, () => [...gstSource(count, "smpte"), "!", "fakesink"])
    .flat();
}

function hasGst(): boolean {
  try {
    return ["compositor", "imagefreeze"].every((element) =>
      new Deno.Command("gst-inspect-1.0", { args: [element], stdout: "null", stderr: "null" })
        .outputSync().success
    );
  } catch {
    return false;
  }
}

/** Best fps of `ROUNDS` rounds of about `SECONDS` each, sized from a short trial. */
async function best(trial: (count: number) => Promise<number>): Promise<number> {
  const estimate = await trial(20);
  const count = Math.max(20, Math.round(estimate * SECONDS));
  let fps = 0;
  for (let round = 0; round < ROUNDS; round++) fps = Math.max(fps, await trial(count));
  return fps;
}

const out = (line: string): Promise<number> =>
  Deno.stdout.write(new TextEncoder().encode(line + "\n"));

const base = { x: 0, y: 0 };
const half = { opacity: 0.5 };
const twoLayers = (shared: boolean): Case["layers"] => [
  { picture: picture("BGRA", W, H, 1, false, shared), place: base },
  { picture: picture("BGRA", W, H, 2, false, shared), place: half },
];
const translucent = (shared: boolean): Case["layers"] =>
  [1, 2, 3, 4].map((seed) => ({
    picture: picture("RGBA", W, H, seed, false, shared),
    place: half,
  }));
const cases: Case[] = [
  { name: "2 layers", format: "BGRA", layers: twoLayers(false) },
  { name: "2 layers shared", format: "BGRA", layers: twoLayers(true), threads: 2 },
  {
    name: "4 layers",
    format: "RGBA",
    layers: [1, 2, 3, 4].map((seed) => ({
      picture: picture("RGBA", W, H, seed),
      place: seed === 1 ? base : half,
    })),
  },
  { name: "4 translucent", format: "RGBA", layers: translucent(false) },
  { name: "4 transl. shared", format: "RGBA", layers: translucent(true), threads: 2 },
  {
    name: "4 pip",
    format: "RGBA",
    layers: [
      { picture: picture("RGBA", W, H, 1), place: base },
      ...[0, 1, 2].map((i) => ({
        picture: picture("RGBA", 640, 360, 10 + i, true),
        place: { x: 40 + i * 620, y: 680, opacity: 0.9 },
      })),
    ],
  },
];

const results = new Map<string, number>();
for (const c of cases) {
  const fps = await best((count) => streamlibRun(c, count));
  results.set(c.name, fps);
  await out(
    `streamlib ${c.name.padEnd(16)} ${fps.toFixed(0).padStart(5)} fps  (${
      (1000 / fps).toFixed(2)
    } ms a frame)`,
  );
}

const LIVE_FRAMES = 90;
const live = new Map<number, { p50: number; p99: number }>();
for (const threads of [1, 2] as const) {
  const c: Case = { name: "live", format: "RGBA", layers: translucent(true), threads };
  const times = await liveRun(c, LIVE_FRAMES);
  live.set(threads, times);
  await out(
    `streamlib live 4 transl. shared, threads=${threads}: compositor ${
      times.p50.toFixed(2)
    } ms a frame p50, ${times.p99.toFixed(2)} ms p99 (${LIVE_FRAMES} frames at 30 fps)`,
  );
}

/** GStreamer's fps for the 2-layer and the 4-translucent jobs; absent when not installed. */
const gst = new Map<string, number>();
if (hasGst()) {
  const jobs: Array<[string, number[]]> = [["2 layers", [1, 0.5]], ["4 translucent", [
    0.5,
    0.5,
    0.5,
    0.5,
  ]]];
  for (const [name, alphas] of jobs) {
    const fps = await best(async (count) => count / await gstRun(gstWith(count, alphas)));
    gst.set(name, fps);
    await out(
      `gstreamer ${name.padEnd(14)} ${fps.toFixed(0).padStart(5)} fps  (imagefreeze sources)`,
    );
  }
  const count = 300;
  const free = count / await gstRun(gstWithout(count, 4));
  await out(
    `gstreamer sources alone   ${free.toFixed(0).padStart(5)} fps  (4 imagefreeze sources, no ` +
      `compositor: what the sources cost)`,
  );
} else {
  await out("gstreamer: gst-launch-1.0, compositor or imagefreeze not installed; skipped");
}

const two = results.get("2 layers")!;
const twoShared = results.get("2 layers shared")!;
const four = results.get("4 translucent")!;
const fourShared = results.get("4 transl. shared")!;
const vs = (ours: number, name: string): string => {
  const theirs = gst.get(name);
  return theirs === undefined
    ? "gstreamer skipped"
    : `gstreamer ${theirs.toFixed(0)} fps, ${(ours / theirs).toFixed(2)}×`;
};
await out(
  `compositor: 1080p 2 layers ${two.toFixed(0)} fps (${vs(two, "2 layers")}), ` +
    `4 translucent ${four.toFixed(0)} fps (${vs(four, "4 translucent")}); ` +
    `layers in shared memory, threads=2: 2 layers ${twoShared.toFixed(0)} fps ` +
    `(${vs(twoShared, "2 layers")}), 4 translucent ${fourShared.toFixed(0)} fps ` +
    `(${vs(fourShared, "4 translucent")}); live 4 translucent p50 ${
      live.get(1)!.p50.toFixed(1)
    } ms one thread, ${live.get(2)!.p50.toFixed(1)} ms threads=2`,
);
