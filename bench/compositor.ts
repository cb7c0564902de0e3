/**
 * Frames a second of the compositor at 1920×1080, side by side in the same run with the same
 * 2-layer BGRA job in GStreamer's `compositor`.
 *
 *   streamlib:  layer sources → compositor → sink      (offline pipeline, as fast as it goes)
 *   gstreamer:  videotestsrc ×2 → compositor → fakesink (gst-launch-1.0)
 *
 * streamlib cases (each layer a full 1920×1080 frame unless said otherwise; sources replay
 * pre-made frames, so they cost next to nothing; every output frame is a fresh buffer):
 *   2 layers      opaque base + an opaque overlay at opacity 0.5 (the GStreamer job), BGRA;
 *   4 layers      opaque base + three opaque overlays at opacity 0.5, RGBA;
 *   4 translucent four overlays at opacity 0.5 over the black background, RGBA;
 *   4 pip         opaque base + three 640×360 overlays with varying per-pixel alpha, RGBA.
 *
 * GStreamer: `videotestsrc ! BGRA 1080p ! compositor sink_1::alpha=0.5 ! fakesink`, timed
 * with gst-launch-1.0 as a whole: its time includes its two test sources and its start-up.
 * The same sources into fakesinks with no compositor are timed too, and compositor-only fps =
 * frames / (time with − time without) is printed as an estimate. GStreamer's compositor uses
 * both cores (max-threads=0, auto); streamlib's runs on one. Skipped, with a note, when
 * gst-launch-1.0 is not installed.
 *
 * Each measurement runs about `SECONDS` seconds (frame counts sized from a short trial) and the
 * best of `ROUNDS` rounds is kept. Ends with one summary line; its ratio is streamlib's 2-layer
 * fps over GStreamer's whole run, then over the compositor-only estimate.
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
): VideoFrame {
  const frame = createVideoFrame({ format, codedWidth: width, codedHeight: height });
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
  readonly layers: ReadonlyArray<{ picture: VideoFrame; place: CompositorLayer }>;
}

/** Composites `count` frames offline; returns frames a second. */
async function streamlibRun(c: Case, count: number): Promise<number> {
  const pipeline = new Pipeline({ mode: "offline" });
  const mix = pipeline.add(
    new Compositor({
      width: W,
      height: H,
      fps: 30,
      format: c.format as "RGBA" | "BGRA",
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
  if (sink.received !== count) throw new Error(`compositor wrote ${sink.received} of ${count}`);
  return count / seconds;
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

function gstSources(count: number): string[][] {
  const caps = `video/x-raw,format=BGRA,width=${W},height=${H},framerate=30/1`;
  return [
    ["videotestsrc", `num-buffers=${count}`, "pattern=smpte", "!", caps],
    ["videotestsrc", `num-buffers=${count}`, "pattern=ball", "!", caps],
  ];
}

function gstWith(count: number): string[] {
  const [a, b] = gstSources(count);
  return [
    "compositor",
    "name=c",
    "sink_1::alpha=0.5",
    "!",
    `video/x-raw,format=BGRA,width=${W},height=${H}`,
    "!",
    "fakesink",
    ...a!,
    "!",
    "c.sink_0",
    ...b!,
    "!",
    "c.sink_1",
  ];
}

function gstWithout(count: number): string[] {
  const [a, b] = gstSources(count);
  return [...a!, "!", "fakesink", ...b!, "!", "fakesink"];
}

function hasGst(): boolean {
  try {
    return new Deno.Command("gst-inspect-1.0", { args: ["compositor"], stdout: "null" })
      .outputSync().success;
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
const cases: Case[] = [
  {
    name: "2 layers",
    format: "BGRA",
    layers: [
      { picture: picture("BGRA", W, H, 1), place: base },
      { picture: picture("BGRA", W, H, 2), place: half },
    ],
  },
  {
    name: "4 layers",
    format: "RGBA",
    layers: [1, 2, 3, 4].map((seed) => ({
      picture: picture("RGBA", W, H, seed),
      place: seed === 1 ? base : half,
    })),
  },
  {
    name: "4 translucent",
    format: "RGBA",
    layers: [1, 2, 3, 4].map((seed) => ({ picture: picture("RGBA", W, H, seed), place: half })),
  },
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
    `streamlib ${c.name.padEnd(14)} ${fps.toFixed(0).padStart(5)} fps  (${
      (1000 / fps).toFixed(2)
    } ms a frame)`,
  );
}

let gstFps: number | undefined;
/** GStreamer's compositor alone, frames / (time with − time without); absent when unclear. */
let gstOnlyFps: number | undefined;
if (hasGst()) {
  const withTime = async (count: number): Promise<number> => count / await gstRun(gstWith(count));
  gstFps = await best(withTime);
  const count = Math.max(20, Math.round(gstFps * SECONDS));
  let tWith = Infinity;
  let tWithout = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    tWith = Math.min(tWith, await gstRun(gstWith(count)));
    tWithout = Math.min(tWithout, await gstRun(gstWithout(count)));
  }
  if (tWith > tWithout * 1.05) gstOnlyFps = count / (tWith - tWithout);
  await out(
    `gstreamer 2 layers       ${
      gstFps.toFixed(0).padStart(5)
    } fps  (whole gst-launch run: sources and start-up included)`,
  );
  await out(
    `gstreamer sources only   ${(count / tWithout).toFixed(0).padStart(5)} fps  (${count} frames)`,
  );
  await out(
    gstOnlyFps === undefined
      ? "gstreamer compositor-only estimate: not meaningful (times with and without too close)"
      : `gstreamer compositor-only estimate ${
        gstOnlyFps.toFixed(0)
      } fps = frames / (time with − time without)`,
  );
} else {
  await out("gstreamer: gst-launch-1.0 or its compositor not installed; comparison skipped");
}

const two = results.get("2 layers")!;
const four = results.get("4 layers")!;
const ratio = (fps: number): string => `${(two / fps).toFixed(1)}×`;
await out(
  `compositor: 2 layers 1080p ${two.toFixed(0)} fps, 4 layers ${four.toFixed(0)} fps, ` +
    (gstFps === undefined
      ? "gstreamer 2 layers skipped (not installed)"
      : gstOnlyFps === undefined
      ? `gstreamer 2 layers ${gstFps.toFixed(0)} fps (compositor-only estimate not ` +
        `meaningful), ratio ${ratio(gstFps)}`
      : `gstreamer 2 layers ${gstFps.toFixed(0)} fps (compositor-only estimate ` +
        `${gstOnlyFps.toFixed(0)} fps), ratio ${ratio(gstFps)} (${ratio(gstOnlyFps)} vs the ` +
        `estimate)`),
);
