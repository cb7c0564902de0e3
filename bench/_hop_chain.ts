/**
 * The chain `deno task bench` times: a source writing `n` small data messages through five
 * pass-through actors to a null sink, offline. Shared with `bench:control`, which times the same
 * chain with the control API served and idle.
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createDataMessage,
  Identity,
  NullSink,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";

/** Links a message crosses: source → identity ×5 → sink. */
export const HOPS = 6;

const message = createDataMessage(1);

const sourceContract = {
  type: "benchsrc",
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

class BenchSource extends Actor<typeof sourceContract> {
  static override contract: typeof sourceContract = sourceContract;
  limit = 0;
  process(tick: TimedTick): void {
    this.outputs.out.write(message);
    if (tick.frameNumber + 1 >= this.limit) this.end();
  }
}

/** The chain, not started, and its sink (to count what arrived). */
export function hopChain(n: number): { pipeline: Pipeline; sink: NullSink } {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new NullSink();
  const source = new BenchSource();
  source.limit = n;
  pipeline.pipe(
    source,
    new Identity(),
    new Identity(),
    new Identity(),
    new Identity(),
    new Identity(),
    sink,
  );
  return { pipeline, sink };
}

/** Runs a chain made by {@linkcode hopChain}; ns per hop. */
export async function runChain(
  chain: { pipeline: Pipeline; sink: NullSink },
  n: number,
): Promise<number> {
  const t0 = performance.now();
  await chain.pipeline.run();
  const ms = performance.now() - t0;
  if (chain.sink.received !== n) {
    throw new Error(`streamlib delivered ${chain.sink.received} of ${n}`);
  }
  return ms * 1e6 / (n * HOPS);
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
