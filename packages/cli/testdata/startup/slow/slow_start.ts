import { Actor, type Contract, type TimedTick } from "@streamlib/core";

// The pipeline cannot run before this module has loaded: a test stops it in between.
// deno-lint-ignore no-console -- the line the test waits for, on the pipeline's stdout
console.log("slowstart: loading");
await new Promise((resolve) => setTimeout(resolve, 60_000));

/** The contract of {@linkcode SlowStart}. */
export const slowStartContract = {
  type: "slowstart",
  description: "A sink whose module says it is loading, then takes a minute to load",
  inputs: { in: { kind: "any" } },
} as const satisfies Contract;

/** A sink that reads and drops what it gets, once its module has loaded. */
export class SlowStart extends Actor<typeof slowStartContract> {
  static override contract: typeof slowStartContract = slowStartContract;

  process(_tick: TimedTick): void {
    while (this.inputs.in.read() !== undefined);
  }
}
