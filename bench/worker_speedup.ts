/**
 * Parallel speed-up from actor Workers: a source of 1080p RGBA frames, two blur stages, a
 * sink, offline (as fast as the slowest stage). Both stages on the main thread, then each in
 * a Worker of its own (`dispatch: "worker"`), in the same run, alternating, best of `rounds`.
 * The source and sink stay on the main thread; frames go to the first Worker, from it to the
 * second and back through shared pools. While Workers run, the frames the source makes are
 * allocated in shared memory, so none is copied on the way.
 *
 * Throughput is taken in the steady state: from the sink's 10th frame to its last, so Worker
 * start-up (loading the module) is not counted.
 *
 * Run: deno run -A bench/worker_speedup.ts [frames, default 150] [rounds, default 3]
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createVideoFrame,
  Pipeline,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { Blur } from "@streamlib/video";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:workers");

const FRAMES = Number(Deno.args[0] ?? 150);
const ROUNDS = Number(Deno.args[1] ?? 3);
const WARM = 10;
const BLUR = { mode: "box", radius: 6 } as const;

const sourceContract = {
  type: "frames",
  outputs: { out: { kind: "video", formats: ["RGBA"] } },
} as const satisfies Contract;

/** Writes `FRAMES` new 1080p frames, copies of two alternating pictures. */
class Frames extends Actor<typeof sourceContract> {
  static override contract: typeof sourceContract = sourceContract;
  #n = 0;
  readonly #pictures: VideoFrame[] = [0, 1].map((i) => {
    const frame = createVideoFrame({ format: "RGBA", codedWidth: 1920, codedHeight: 1080 });
    for (let p = 0; p < frame.data.length; p++) frame.data[p] = (p * 7 + i * 31) & 255;
    return frame;
  });
  process(tick: TimedTick): void | Promise<void> {
    if (this.#n === FRAMES) return this.end();
    const picture = this.#pictures[this.#n++ % 2]!;
    const frame = createVideoFrame({ ...picture, data: undefined, timestamp: tick.timestamp });
    frame.data.set(picture.data);
    return this.outputs.out.write(frame);
  }
}

const sinkContract = {
  type: "arrivals",
  inputs: { in: { kind: "video" } },
} as const satisfies Contract;

/** Notes when each frame arrives. */
class Arrivals extends Actor<typeof sinkContract> {
  static override contract: typeof sinkContract = sinkContract;
  readonly times: number[] = [];
  process(): void {
    if (this.inputs.in.read() !== undefined) this.times.push(performance.now());
  }
}

async function run(workers: boolean): Promise<number> {
  const pipeline = new Pipeline({ mode: "offline" });
  const dispatch = workers
    ? { dispatch: "worker" as const, module: import.meta.resolve("@streamlib/video") }
    : {};
  const sink = new Arrivals();
  pipeline.pipe(
    pipeline.add(new Frames()),
    pipeline.add(new Blur(BLUR), dispatch),
    pipeline.add(new Blur(BLUR), dispatch),
    pipeline.add(sink),
  );
  await pipeline.run();
  const t = sink.times;
  return (t.length - 1 - WARM) / ((t[t.length - 1]! - t[WARM]!) / 1000);
}

const write = (text: string): void => void Deno.stdout.writeSync(new TextEncoder().encode(text));
let main = 0;
let workers = 0;
for (let round = 0; round < ROUNDS; round++) {
  const m = await run(false);
  const w = await run(true);
  write(`round ${round + 1}: main thread ${m.toFixed(1)} fps, two Workers ${w.toFixed(1)} fps\n`);
  main = Math.max(main, m);
  workers = Math.max(workers, w);
}
write(
  `worker-speedup: two box-blur stages (radius ${BLUR.radius}) on 1080p RGBA, ${FRAMES} frames: ` +
    `main thread ${main.toFixed(1)} fps, each stage in a Worker ${workers.toFixed(1)} fps, ` +
    `speed-up ${(workers / main).toFixed(2)}× (target ≥ 1.7× on 2 cores)\n`,
);
