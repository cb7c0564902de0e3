// deno-lint-ignore-file no-console
/**
 * A custom actor in about 30 lines: a moving average over a data stream.
 *
 *   deno run examples/custom_actor.ts
 *
 * @module
 */
import {
  Actor,
  DataSource,
  defineContract,
  Logger,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";

// 1. The contract: ports and parameters, readable without running anything.
const contract = defineContract({
  type: "average",
  description: "Moving average of the last `window` numbers",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  params: { window: { type: "integer", default: 5, minimum: 1 } },
});

class MovingAverage extends Actor<typeof contract> {
  static override contract = contract;
  #values: number[] = [];

  // 2. Lifecycle: (re)initialise state.
  override start(): void {
    this.#values = [];
  }

  // 3. process(): read, compute, write. Timestamps travel with the message.
  process(_tick: TimedTick): void {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    this.#values.push(m.value as number);
    if (this.#values.length > this.params.window) this.#values.shift();
    const mean = this.#values.reduce((a, b) => a + b, 0) / this.#values.length;
    this.outputs.out.write({ ...m, topic: "average", value: Number(mean.toFixed(3)) });
  }
}

// Wire it like a Unix pipe and run it: 10 ticks of a 1 Hz sine at 10 fps, as fast as possible.
const pipeline = new Pipeline({ mode: "offline" });
pipeline.pipe(
  new DataSource({ pattern: "sine", fps: 10, count: 10 }),
  new MovingAverage({ window: 3 }),
  new Logger(),
);
const result = await pipeline.run();
console.log(`finished: ${result.status}`);
