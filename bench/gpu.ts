/**
 * Frames a second of the GPU actors against their CPU counterparts of `@streamlib/video`, in the
 * same run, at 1920×1080 RGBA:
 *
 *   blur       Gaussian σ = 4: `blur method=exact` (CPU; the filter `gpublur` computes) / `gpublur`;
 *   composite  4 layers (an opaque base and three opaque overlays at opacity 0.5, as in
 *              `bench:compositor`): `compositor` (CPU) / `gpucompositor`.
 *
 * Each GPU actor is timed two ways:
 *   resident   its input frames are already in GPU memory and its output stays there (a GPU
 *              sink drops it): the time a chain of GPU actors spends in this stage. The clock
 *              stops once the device has finished all the work (`onSubmittedWorkDone`);
 *   readback   a download per frame (`gpudownload`, inserted by the pipeline) into a CPU sink,
 *              and for blur an upload per frame too (`gpuupload`, inserted): the cost of a GPU
 *              stage inside an otherwise CPU pipeline.
 *
 * Sources replay one pre-made picture (uploaded once for the resident runs), so they cost next
 * to nothing. Each measurement runs about `SECONDS` seconds (frame counts sized from a short
 * trial) and the best of `ROUNDS` rounds is kept. Ends with one summary line per job, starting
 * `gpu:` and naming the adapter. On a software adapter (Mesa's lavapipe: the GPU is emulated on
 * the CPU cores) the lines say so: the figures show that it works, not how fast a GPU is.
 *
 * Run: deno task bench:gpu [seconds per round, default 1.5] [rounds, default 2]
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createVideoFrame,
  type GpuVideoFrame,
  NullSink,
  Pipeline,
  type TimedTick,
  timingOf,
  type VideoFrame,
} from "@streamlib/core";
import { Blur, Compositor, type CompositorLayer } from "@streamlib/video";
import { type Gpu, GpuBlur, GpuCompositor, requestGpu, uploadFrame } from "@streamlib/gpu";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:gpu");

const SECONDS = Number(Deno.args[0] ?? 1.5);
const ROUNDS = Number(Deno.args[1] ?? 2);
const W = 1920;
const H = 1080;

const stillContract = {
  type: "still",
  outputs: { out: { kind: "video", formats: ["RGBA"] } },
} as const satisfies Contract;

/** Sends `count` frames that share one CPU picture, stamped with their ticks. */
class Still extends Actor<typeof stillContract> {
  static override contract: typeof stillContract = stillContract;
  constructor(readonly picture: VideoFrame, readonly count: number) {
    super();
  }
  process(tick: TimedTick): void {
    this.outputs.out.write({ ...this.picture, ...timingOf(tick) });
    if (tick.frameNumber + 1 >= this.count) this.end();
  }
}

const gpuStillContract = {
  type: "gpustill",
  outputs: { out: { kind: "video", formats: ["RGBA"], capabilities: ["gpu"] } },
} as const satisfies Contract;

/** Sends `count` frames that share one picture in GPU memory (read-only, so shared safely). */
class GpuStill extends Actor<typeof gpuStillContract> {
  static override contract: typeof gpuStillContract = gpuStillContract;
  constructor(readonly picture: GpuVideoFrame, readonly count: number) {
    super();
  }
  process(tick: TimedTick): void {
    this.outputs.out.write({ ...this.picture, ...timingOf(tick) });
    if (tick.frameNumber + 1 >= this.count) this.end();
  }
}

const gpuSinkContract = {
  type: "gpusink",
  inputs: { in: { kind: "video", formats: ["RGBA"], capabilities: ["gpu"] } },
} as const satisfies Contract;

/** Drops GPU frames without reading them back. */
class GpuSink extends Actor<typeof gpuSinkContract> {
  static override contract: typeof gpuSinkContract = gpuSinkContract;
  received = 0;
  process(): void {
    while (this.inputs.in.read() !== undefined) this.received++;
  }
}

/** A `W` × `H` RGBA picture of pseudo-random opaque colours. */
function picture(seed: number): VideoFrame {
  const frame = createVideoFrame({ format: "RGBA", codedWidth: W, codedHeight: H });
  const words = new Uint32Array(frame.data.buffer, frame.data.byteOffset, W * H);
  let x = seed;
  for (let i = 0; i < words.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    words[i] = ((x >>> 8) & 0xffffff) | (255 << 24);
  }
  return frame;
}

type Where = "cpu" | "resident" | "readback";

/** Runs `count` frames through `build`'s pipeline offline; returns frames a second. */
async function timed(
  gpu: Gpu,
  count: number,
  build: (pipeline: Pipeline) => { received: () => number },
): Promise<number> {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = build(pipeline);
  const t0 = performance.now();
  await pipeline.run();
  await gpu.device.queue.onSubmittedWorkDone(); // resident work may still be queued
  const seconds = (performance.now() - t0) / 1000;
  if (sink.received() !== count) throw new Error(`got ${sink.received()} of ${count} frames`);
  return count / seconds;
}

/** The end of a pipeline: a GPU sink for resident runs, else a CPU one. */
function sinkFor(pipeline: Pipeline, where: Where): { actor: Actor; received: () => number } {
  if (where === "resident") {
    const sink = pipeline.add(new GpuSink());
    return { actor: sink, received: () => sink.received };
  }
  const sink = pipeline.add(new NullSink());
  return { actor: sink, received: () => sink.received };
}

/** A run of `count` frames. */
type Run = (count: number) => Promise<number>;

function blurRun(gpu: Gpu, where: Where, cpu: VideoFrame, resident: GpuVideoFrame): Run {
  return (count: number): Promise<number> =>
    timed(gpu, count, (pipeline) => {
      const sink = sinkFor(pipeline, where);
      const source = where === "resident" ? new GpuStill(resident, count) : new Still(cpu, count);
      const blur = where === "cpu"
        ? new Blur({ sigma: 4, method: "exact" })
        : new GpuBlur({ sigma: 4 });
      pipeline.pipe(source, blur, sink.actor);
      return sink;
    });
}

const base: CompositorLayer = { x: 0, y: 0 };
const half: CompositorLayer = { opacity: 0.5 };
const placed = { layer_0: base, layer_1: half, layer_2: half, layer_3: half };

function compositeRun(
  gpu: Gpu,
  where: Where,
  cpu: readonly VideoFrame[],
  resident: readonly GpuVideoFrame[],
): Run {
  return (count: number): Promise<number> =>
    timed(gpu, count, (pipeline) => {
      const params = { width: W, height: H, fps: 30, format: "RGBA" as const, layers: placed };
      const mix = pipeline.add(
        where === "cpu" ? new Compositor(params) : new GpuCompositor(params),
        { name: "mix" },
      );
      for (let i = 0; i < 4; i++) {
        const source = where === "cpu"
          ? new Still(cpu[i]!, count)
          : new GpuStill(resident[i]!, count);
        pipeline.add(source, { name: `src${i}` });
        pipeline.connect(`src${i}.out`, `mix.layer_${i}`);
      }
      const sink = sinkFor(pipeline, where);
      pipeline.link(mix, sink.actor);
      return sink;
    });
}

/** Best fps of `ROUNDS` rounds of about `SECONDS` each, sized from a short trial. */
async function best(trial: (count: number) => Promise<number>): Promise<number> {
  const estimate = await trial(4);
  const count = Math.max(4, Math.round(estimate * SECONDS));
  let fps = 0;
  for (let round = 0; round < ROUNDS; round++) fps = Math.max(fps, await trial(count));
  return fps;
}

const out = (line: string): Promise<number> =>
  Deno.stdout.write(new TextEncoder().encode(line + "\n"));

const gpu = await requestGpu();
const label = gpu.software
  ? `${gpu.adapter}: a software adapter, figures show correctness, not GPU speed`
  : gpu.adapter;
await out(`adapter: ${label}`);

const pictures = [1, 2, 3, 4].map(picture);
const uploaded = pictures.map((p) => uploadFrame(gpu, p));

const fps = (n: number): string => n.toFixed(n < 10 ? 2 : 1);
const summaries: string[] = [];
for (
  const [job, run, aim] of [
    [
      "1080p gaussian blur σ=4",
      (where: Where) => blurRun(gpu, where, pictures[0]!, uploaded[0]!),
      "aim ≥ 10× cpu on a GPU",
    ],
    [
      "1080p 4-layer composite",
      (where: Where) => compositeRun(gpu, where, pictures, uploaded),
      "aim ≥ 500 fps resident on a GPU",
    ],
  ] as const
) {
  const figures = {} as Record<Where, number>;
  for (const where of ["cpu", "resident", "readback"] as const) {
    figures[where] = await best(run(where));
    await out(`  ${job}, ${where}: ${fps(figures[where])} fps`);
  }
  const ratio = (figures.resident / figures.cpu).toFixed(2);
  summaries.push(
    `gpu: ${job} on ${gpu.adapter}: resident ${fps(figures.resident)} fps, with readback ` +
      `${fps(figures.readback)} fps, cpu actor ${fps(figures.cpu)} fps (resident ${ratio}× cpu; ` +
      (gpu.software ? "software adapter: correctness, not speed)" : `${aim})`),
  );
}
for (const line of summaries) await out(line);
