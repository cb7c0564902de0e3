/**
 * What a large main-thread heap costs frames that pass through Workers. Shared frame buffers
 * come back to their pools when collections find their views gone; a full collection takes
 * longer the more the thread holds, so the main thread of an application with a large heap could
 * stall every frame in flight. Here 400 frames of 640×360 RGBA go from a main-thread source
 * through two Worker actors to a main-thread sink, offline, first with a small main heap, then
 * with about 150 MB of live objects on it, in the same run; the wall time and the longest gap
 * between two frames at the sink are reported for each.
 *
 * Run: deno run -A bench/worker_stalls.ts [objects, default 1500000]
 *
 * @module
 */

import { Actor, type Contract, Pipeline } from "@streamlib/core";
import { FrameSource, Mark } from "../packages/core/testdata/worker_actors.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:worker-stalls");

const OBJECTS = Number(Deno.args[0] ?? 1_500_000);
const FRAMES = 400;
const module = new URL("../packages/core/testdata/worker_actors.ts", import.meta.url).href;

const contract = { type: "times", inputs: { in: { kind: "video" } } } as const satisfies Contract;

/** Notes when each frame arrives. */
class Times extends Actor<typeof contract> {
  static override contract: typeof contract = contract;
  readonly times: number[] = [];
  process(): void {
    if (this.inputs.in.read() !== undefined) this.times.push(performance.now());
  }
}

/** Wall time and longest gap at the sink (after the first 20 frames), in ms. */
async function run(): Promise<{ wall: number; gap: number }> {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Times();
  pipeline.pipe(
    pipeline.add(new FrameSource({ count: FRAMES })),
    pipeline.add(new Mark(), { dispatch: "worker", module }),
    pipeline.add(new Mark(), { dispatch: "worker", module }),
    pipeline.add(sink),
  );
  const start = performance.now();
  await pipeline.run();
  const t = sink.times;
  const gaps = t.slice(20).map((time, i) => time - t[i + 19]!);
  return { wall: performance.now() - start, gap: Math.max(...gaps) };
}

const write = (text: string): void => void Deno.stdout.writeSync(new TextEncoder().encode(text));
const small = await run();
const held: unknown[] = Array.from({ length: OBJECTS }, (_, i) => ({ i, s: `x${i}` }));
const large = await run();
const heap = Deno.memoryUsage().heapUsed / 2 ** 20;
write(
  `worker-stalls: ${FRAMES} frames through two Workers: small main heap ${
    small.wall.toFixed(0)
  } ms (longest gap ${small.gap.toFixed(1)} ms), ${heap.toFixed(0)} MB main heap ${
    large.wall.toFixed(0)
  } ms (longest gap ${large.gap.toFixed(1)} ms), ${
    (large.wall / small.wall).toFixed(2)
  }× (${held.length} objects held)\n`,
);
