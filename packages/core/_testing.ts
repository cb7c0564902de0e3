/**
 * Actors and clocks for this package's tests. Not published.
 *
 * @module
 */

import { Actor } from "./graph/actor.ts";
import type { Clock, TimedTick } from "./clock/clock.ts";
import { _abortReason } from "./clock/_clock_helpers.ts";
import type { Contract } from "./graph/spec.ts";
import type { DataMessage } from "./messages.ts";
import { createDataMessage } from "./create_messages.ts";
import type { Pipeline } from "./runtime/pipeline.ts";
import type { RunResult } from "./runtime/pipeline_types.ts";
import type { ActorStats } from "./runtime/stats.ts";
import { _nextMacrotask } from "./_yield.ts";

/**
 * A clock whose sleeps all wake at once when the test jumps, however far past their time: it
 * makes ticks late on purpose.
 */
export class JumpClock implements Clock {
  readonly id = "jump";
  #now = 0;
  #sleepers: Array<{ time: number; resolve: () => void }> = [];
  now(): number {
    return this.#now;
  }
  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (time <= this.#now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper = { time, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(_abortReason(signal));
      }, { once: true });
    });
  }
  /** Sets the time to `time`, then wakes every sleeper due by then. */
  jumpTo(time: number): void {
    this.#now = time;
    const due = this.#sleepers.filter((s) => s.time <= time);
    this.#sleepers = this.#sleepers.filter((s) => s.time > time);
    for (const s of due) s.resolve();
  }
}

/** Passes messages through: the core `identity` actor. */
export { Identity as Pass } from "./actors/identity.ts";

const slowContract = {
  type: "slow",
  inputs: { in: { kind: "data" } },
  params: { costUs: { type: "number", default: 10_000 } },
} as const satisfies Contract;

/** A sink that takes `costUs` of the pipeline clock for each message it reads. */
export class SlowSink extends Actor<typeof slowContract> {
  static override contract: typeof slowContract = slowContract;
  readonly values: unknown[] = [];
  async process(_tick: TimedTick): Promise<void> {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    this.values.push(m.value);
    await this.clock.sleepUntil(this.clock.now() + this.params.costUs);
  }
}

const faultyContract = {
  type: "faulty",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** Forwards data but throws for values listed in `failOn`; counts lifecycle calls. */
export class Faulty extends Actor<typeof faultyContract> {
  static override contract: typeof faultyContract = faultyContract;
  readonly failOn: Set<unknown>;
  starts = 0;
  stops = 0;
  failStarts = 0;
  constructor(failOn: unknown[] = []) {
    super();
    this.failOn = new Set(failOn);
  }
  override start(): void {
    this.starts++;
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error("cannot open");
    }
  }
  override stop(): void {
    this.stops++;
  }
  process(_tick: TimedTick): void {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    if (this.failOn.has(m.value)) throw new Error(`bad value ${m.value}`);
    this.outputs.out.write(m);
  }
}

const headContract = {
  type: "head",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  params: { count: { type: "integer", default: 1 } },
} as const satisfies Contract;

/** Forwards the first `count` messages, then ends (like `head -n`). */
export class Head extends Actor<typeof headContract> {
  static override contract: typeof headContract = headContract;
  #seen = 0;
  process(_tick: TimedTick): void {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    this.outputs.out.write(m);
    if (++this.#seen >= this.params.count) this.end();
  }
}

/** Data message with `value` stamped at `timestamp`. */
export function data(value: unknown, timestamp = 0, duration = 0): DataMessage {
  return createDataMessage(value, { timestamp, duration, position: 0 });
}

const pusherContract = {
  type: "pusher",
  outputs: { out: { kind: "data" } },
  schedule: "external",
} as const satisfies Contract;

/** A source driven by the test: it writes into `outputs.out` by hand. */
export class Pusher extends Actor<typeof pusherContract> {
  static override contract: typeof pusherContract = pusherContract;
  process(_tick: TimedTick): void {}
}

const holdContract = {
  type: "hold",
  inputs: { in: { kind: "data" } },
} as const satisfies Contract;

/** A sink that leaves its messages in its input for the test to look at, until `drain`. */
export class Hold extends Actor<typeof holdContract> {
  static override contract: typeof holdContract = holdContract;
  drain = false;
  calls = 0;
  readonly read: DataMessage[] = [];
  process(_tick: TimedTick): void {
    this.calls++;
    if (!this.drain) return;
    for (let m = this.inputs.in.read(); m !== undefined; m = this.inputs.in.read()) {
      this.read.push(m);
    }
  }
}

/** Watches `done` without ever leaving it unhandled. */
export function watch(pipeline: Pipeline): { settled: () => boolean; outcome: () => string } {
  let outcome = "pending";
  pipeline.done.then(
    (r: RunResult) => outcome = `resolved:${r.status}`,
    (e: unknown) => outcome = `rejected:${(e as { code?: string }).code ?? String(e)}`,
  );
  return { settled: () => outcome !== "pending", outcome: () => outcome };
}

/** Lets the event loop turn `n` times (bounded; never a real sleep). */
export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await _nextMacrotask();
}

/** The stats of the actor named `name`. */
export function statsOf(pipeline: Pipeline, name: string): ActorStats | undefined {
  return pipeline.stats().actors.find((a) => a.name === name);
}
