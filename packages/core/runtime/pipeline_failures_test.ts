/**
 * Failure regression tests: in-flight process() calls that reject, the skip policy, stats after
 * errors, idle() during restarts, and the Web Streams adapters when a run fails or never starts
 * (each once a defect found in review). Bounded waits only, no real sleeps.
 */
import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { Contract } from "../graph/spec.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "./pipeline.ts";
import type { RunResult } from "./pipeline_types.ts";
import { _nextMacrotask } from "../_yield.ts";
import { data, Faulty } from "../_testing.ts";
import { statsOf, turns, watch } from "../_testing.ts";

// ---------------------------------------------------------------------------------------------
// 5. Web streams.

const boomContract = {
  type: "boom",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

class BoomOn extends Actor<typeof boomContract> {
  static override contract = boomContract;
  constructor(readonly value: number) {
    super();
  }
  process(): void {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    if (m.value === this.value) throw new Error("boom");
    this.outputs.out.write(m);
  }
}

Deno.test("A readable errors instead of closing cleanly when the pipeline fails", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 10 }), { name: "src" });
  const boom = pipeline.add(new BoomOn(3), { name: "boom" });
  pipeline.connect(src.outputs.out, boom.inputs.in);
  const stream = pipeline.readable<DataMessage>("boom.out");
  const w = watch(pipeline);
  await pipeline.start();
  const values: unknown[] = [];
  let streamError: unknown;
  try {
    for await (const m of stream) values.push(m.value);
  } catch (e) {
    streamError = e;
  }
  await turns(3);
  assert.equal(w.outcome(), "rejected:SL_ACTOR_FAILED");
  // (A failure aborts the run, so messages still queued may be discarded: only 0 is certain.)
  assert.equal(values[0], 0);
  assert.ok(
    streamError !== undefined,
    "a reader must not see a clean end when the run failed (the stream should error)",
  );
});

Deno.test("A writable refuses writes after the pipeline was aborted", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  const writer = pipeline.writable<DataMessage>("sink.in").getWriter();
  await pipeline.start();
  await writer.write(data(1));
  await pipeline.idle();
  assert.equal(sink.messages.length, 1);
  await pipeline.stop({ mode: "abort" });
  let error: unknown;
  try {
    await writer.write(data(2));
  } catch (e) {
    error = e;
  }
  assert.equal(sink.messages.length, 1);
  assert.ok(error !== undefined, "write() after the run was aborted must fail, not vanish");
});

// ---------------------------------------------------------------------------------------------
// 6. idle() during a restart.

Deno.test("idle() waits for a restart's async start()", async () => {
  const contract = {
    type: "slowstart",
    inputs: { in: { kind: "data" } },
  } as const satisfies Contract;
  let starts = 0;
  class SlowStart extends Actor<typeof contract> {
    static override contract = contract;
    override async start(): Promise<void> {
      starts++;
      if (starts > 1) {
        // An asynchronous open that takes a few turns of the event loop.
        for (let i = 0; i < 5; i++) await _nextMacrotask();
      }
    }
    process(): void {
      const m = this.inputs.in.read();
      if (m?.value === 1) throw new Error("once");
    }
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 0, fps: 10 }), { name: "src" });
  pipeline.add(new SlowStart(), {
    name: "s",
    supervision: { policy: "restart", initialDelayMs: 0 },
  });
  pipeline.connect("src.out", "s.in");
  await pipeline.start();
  await clock.advance(100_000); // value 1 throws; restart with no backoff
  await pipeline.idle();
  assert.equal(starts, 2);
  assert.equal(
    statsOf(pipeline, "s")!.state,
    "running",
    "idle() must wait for the restart's start() (a start in progress is not idle)",
  );
  await pipeline.stop({ mode: "abort" });
});

// ---------------------------------------------------------------------------------------------
// 8. Races between abort / remove and an in-flight async process().

const ioContract = {
  type: "io",
  inputs: { in: { kind: "data" } },
} as const satisfies Contract;

/** An async process() waiting on I/O that stop() closes (rejecting the pending operation). */
class Io extends Actor<typeof ioContract> {
  static override contract = ioContract;
  stops = 0;
  #reject: ((e: Error) => void) | undefined;
  process(): Promise<void> | void {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    return new Promise<void>((_resolve, reject) => this.#reject = reject);
  }
  override stop(): void {
    this.stops++;
    this.#reject?.(new Error("connection closed"));
  }
}

Deno.test("stop({mode:'abort'}) resolves done even when an in-flight process() rejects because of stop()", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const io = new Io();
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), io);
  const w = watch(pipeline);
  await pipeline.start();
  await clock.advance(0);
  let result: RunResult | undefined;
  let error: unknown;
  try {
    result = await pipeline.stop({ mode: "abort" });
  } catch (e) {
    error = e;
  }
  await turns(3);
  assert.equal(error, undefined, `stop({mode:"abort"}) rejected: ${error}`);
  assert.equal(result?.status, "aborted");
  assert.equal(w.outcome(), "resolved:aborted");
  assert.equal(pipeline.state, "done");
});

Deno.test("stop({mode:'abort'}) calls stop() once on a restart-policy actor whose in-flight process() rejects", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const io = pipeline.add(new Io(), { supervision: "restart" });
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), io);
  await pipeline.start();
  await clock.advance(0);
  await pipeline.stop({ mode: "abort" }).catch(() => {});
  await turns(3);
  assert.equal(io.stops, 1);
});

Deno.test("remove() of an actor whose in-flight process() then rejects leaves the pipeline running", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 0, fps: 10 }), { name: "src" });
  pipeline.add(new Io(), { name: "io" });
  pipeline.add(new Collect(), { name: "other" });
  pipeline.connect("src.out", "io.in");
  pipeline.connect("src.out", "other.in");
  const w = watch(pipeline);
  await pipeline.start();
  await clock.advance(0);
  await pipeline.remove("io"); // stop() closes the I/O; the pending process() rejects
  await turns(3);
  assert.equal(w.outcome(), "pending", `removing an actor ended the run: ${w.outcome()}`);
  assert.equal(pipeline.state, "running");
  await pipeline.stop({ mode: "abort" });
});

// ---------------------------------------------------------------------------------------------
// 12. Stats: an error in a sampled process() call stops processing-time sampling for good.

Deno.test("processingTimeUs keeps sampling after a skipped error on a timed call", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  // The very first call is always timed; make it throw.
  const faulty = pipeline.add(new Faulty([0]), { name: "faulty", supervision: "skip" });
  pipeline.pipe(new DataSource({ count: 500 }), faulty, new Collect());
  const result = await pipeline.run();
  const stats = result.stats.actors.find((a) => a.name === "faulty")!;
  assert.equal(stats.skipped, 1);
  assert.ok(
    stats.processingTimeUs.samples > 0,
    `499 successful calls, ${stats.processingTimeUs.samples} timed`,
  );
});

// ---------------------------------------------------------------------------------------------
// 13. An input-driven actor with only request inputs (a mixer) ends at start.

const mixContract = {
  type: "mix",
  inputs: { "in_%u": { kind: "data", presence: "request" } },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

class Mix extends Actor<typeof mixContract> {
  static override contract = mixContract;
  process(): void {
    for (const input of Object.values(this.inputs) as Array<{ read(): DataMessage | undefined }>) {
      for (let m = input.read(); m; m = input.read()) this.outputs.out.write(m);
    }
  }
}

Deno.test("A mixer with only request inputs waits to be connected", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 3, fps: 10 }), { name: "src" });
  pipeline.add(new Mix(), { name: "mix" });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  pipeline.connect("mix.out", "sink.in");
  await pipeline.start();
  await pipeline.idle();
  // Like an actor with a never-connected input, it should wait to be connected.
  assert.equal(statsOf(pipeline, "mix")!.state, "running");
  pipeline.connect("src.out", "mix.in_0");
  await clock.advance(1_000_000);
  await pipeline.done;
  // Tick 0 fired at start(), before the mixer was connected: it went to no one.
  assert.deepEqual(sink.messages.map((m) => m.value), [1, 2]);
});

// ---------------------------------------------------------------------------------------------
// 15. Skip policy when process() throws before reading: the message is never dropped.

Deno.test("The skip policy drops the message a process() throws on before reading it", async () => {
  const contract = {
    type: "validator",
    inputs: { in: { kind: "data" } },
    outputs: { out: { kind: "data" } },
  } as const satisfies Contract;
  class Validator extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      const m = this.inputs.in.peek();
      if (m === undefined) return;
      if (m.value === 2) throw new Error("invalid message");
      this.outputs.out.write(this.inputs.in.read()!);
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage>();
  pipeline.add(new Validator(), { name: "v", supervision: "skip" });
  pipeline.pipe(new DataSource({ count: 5 }), pipeline.actor("v")!, sink);
  let errors = 0;
  pipeline.bus.on("error", () => errors++);
  const w = watch(pipeline);
  await pipeline.start();
  await turns(20);
  const settled = w.outcome();
  await pipeline.stop({ mode: "abort" });
  assert.equal(errors, 1, `one bad message, ${errors} errors`);
  assert.equal(settled, "resolved:eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 3, 4]);
});

// ---------------------------------------------------------------------------------------------
// 16. stop() on a pipeline that never started leaves the web-stream adapters hanging.

Deno.test("stop() before start() settles a writable write waiting for space", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new Collect(), { name: "sink", inputs: { in: { policy: "queue:1:block" } } });
  const writer = pipeline.writable<DataMessage>("sink.in").getWriter();
  await writer.write(data(1)); // fits
  let settled = false;
  writer.write(data(2)).then(() => settled = true, () => settled = true); // waits for space
  await turns(3);
  assert.equal(settled, false);
  const result = await pipeline.stop();
  assert.equal(result.status, "aborted");
  await turns(3);
  assert.ok(settled, "the pending write neither resolved nor rejected after the pipeline ended");
});

Deno.test("stop() before start() ends a readable", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new DataSource({ count: 3 }), { name: "src" });
  const reader = pipeline.readable("src.out").getReader();
  let settled = false;
  reader.read().then(() => settled = true, () => settled = true);
  await pipeline.stop();
  await turns(3);
  assert.ok(settled, "read() neither resolved nor rejected after the pipeline ended");
});

// ---------------------------------------------------------------------------------------------
// 18. writable() whose connect fails leaves its hidden external source in the pipeline.

Deno.test("A writable() whose connect throws leaves no hidden source behind", async () => {
  const contract = {
    type: "one",
    inputs: { in: { kind: "data", multiple: false } },
  } as const satisfies Contract;
  class One extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      while (this.inputs.in.read()) { /* drain */ }
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new DataSource({ count: 3 }), { name: "src" });
  pipeline.add(new One(), { name: "one" });
  pipeline.connect("src.out", "one.in");
  assert.throws(() => pipeline.writable("one.in"), /SL_ALREADY_CONNECTED|accepts one link/);
  const names = pipeline.actors.map((a) => a.name);
  const w = watch(pipeline);
  await pipeline.start();
  await pipeline.idle();
  await turns();
  assert.equal(w.outcome(), "resolved:eos", `state ${pipeline.state}; actors ${names}`);
  assert.deepEqual(names, ["src", "one"], "nothing left behind");
});

// ---------------------------------------------------------------------------------------------
// 19. A process() returning a non-promise value must not crash the scheduler (an early fast
// path called .then() on any returned value).

Deno.test("A process() that returns a non-promise value does not crash the one-input path", async () => {
  const contract = {
    type: "counter",
    inputs: { in: { kind: "data" } },
  } as const satisfies Contract;
  class Counter extends Actor<typeof contract> {
    static override contract = contract;
    readonly seen: unknown[] = [];
    process(): void {
      const m = this.inputs.in.read();
      // Plain JavaScript actors often return whatever their last expression gave.
      if (m) return this.seen.push(m.value) as unknown as void;
    }
  }
  const uncaught: unknown[] = [];
  const onError = (e: ErrorEvent): void => {
    uncaught.push(e.error);
    e.preventDefault();
  };
  globalThis.addEventListener("error", onError);
  try {
    const pipeline = new Pipeline({ mode: "offline" });
    const counter = new Counter();
    // Enough messages for process() to become cheap, so that calls take the fast path.
    pipeline.pipe(new DataSource({ count: 2000 }), counter);
    const w = watch(pipeline);
    await pipeline.start();
    await pipeline.idle();
    await turns(5);
    await pipeline.stop({ mode: "abort" });
    assert.deepEqual(uncaught.map(String), [], "an uncaught error escaped the scheduler");
    assert.equal(w.outcome(), "resolved:eos");
    assert.equal(counter.seen.length, 2000);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});
