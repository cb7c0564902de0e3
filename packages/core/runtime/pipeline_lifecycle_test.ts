/**
 * Lifecycle regression tests: restarts, aborts, removals and adapters racing with each other
 * (each once a defect found in review). Tests that could hang are guarded: they wait a bounded number of macrotasks (no real sleeps)
 * and then check `pipeline.state` / whether `done` settled.
 */
import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { createDataMessage, type DataMessage } from "../messages.ts";
import { Pipeline } from "./pipeline.ts";
import type { RunResult } from "./pipeline_types.ts";
import type { ActorStats } from "./stats.ts";
import { UpstreamClock } from "../clock/upstream_clock.ts";
import { _nextMacrotask } from "../async/_yield.ts";
import { data, Faulty, Head, SlowSink } from "../_testing.ts";

/** Watches `done` without ever leaving it unhandled. */
function watch(pipeline: Pipeline): { settled: () => boolean; outcome: () => string } {
  let outcome = "pending";
  pipeline.done.then(
    (r: RunResult) => outcome = `resolved:${r.status}`,
    (e: unknown) => outcome = `rejected:${(e as { code?: string }).code ?? String(e)}`,
  );
  return { settled: () => outcome !== "pending", outcome: () => outcome };
}

/** Lets the event loop turn `n` times (bounded; never a real sleep). */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await _nextMacrotask();
}

function statsOf(pipeline: Pipeline, name: string): ActorStats | undefined {
  return pipeline.stats().actors.find((a) => a.name === name);
}

// ---------------------------------------------------------------------------------------------
// 1. A tick source that is restarting when it is asked to end never finishes.

const flakySrcContract = {
  type: "flakysrc",
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** A tick source that throws once on `failAt`, otherwise writes the frame number. */
class FlakySource extends Actor<typeof flakySrcContract> {
  static override contract = flakySrcContract;
  failAt: number;
  failed = false;
  starts = 0;
  stops = 0;
  constructor(failAt: number) {
    super();
    this.failAt = failAt;
  }
  override start(): void {
    this.starts++;
  }
  override stop(): void {
    this.stops++;
  }
  process(tick: TimedTick): void {
    if (tick.frameNumber === this.failAt && !this.failed) {
      this.failed = true;
      throw new Error("flaky");
    }
    this.outputs.out.write(createDataMessage(tick.frameNumber, { timestamp: tick.timestamp }));
  }
}

Deno.test("stop({mode:'drain'}) while a tick source is restarting ends it once restarted, and done settles", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new FlakySource(2), {
    name: "src",
    fps: 10,
    supervision: { policy: "restart", initialDelayMs: 100 },
  });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  pipeline.connect(src.outputs.out, sink.inputs.in);
  const w = watch(pipeline);
  await pipeline.start();
  await clock.advance(200_000); // frame 2 throws at 200 ms: restarting
  assert.equal(statsOf(pipeline, "src")!.state, "restarting");
  void pipeline.stop(); // drain: the source is asked to end while it restarts
  await clock.advance(1_000_000); // backoff over, restarted
  await pipeline.idle();
  await turns();
  assert.equal(src.starts, 2, "restarted");
  assert.ok(
    w.settled(),
    `done never settles: state ${pipeline.state}, src ${statsOf(pipeline, "src")!.state}`,
  );
});

Deno.test("A tick source restarting when its only downstream finishes is ended once restarted", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new FlakySource(1), {
    name: "src",
    fps: 10,
    supervision: { policy: "restart", initialDelayMs: 100 },
  });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  pipeline.connect(src.outputs.out, sink.inputs.in);
  const w = watch(pipeline);
  await pipeline.start();
  await clock.advance(100_000); // frame 1 throws: restarting
  assert.equal(statsOf(pipeline, "src")!.state, "restarting");
  sink.end(); // the only downstream finishes: end-of-stream should flow back to the source
  await pipeline.idle();
  assert.equal(statsOf(pipeline, "sink")!.state, "finished");
  await clock.advance(1_000_000); // backoff over, restarted
  await pipeline.idle();
  await turns();
  assert.ok(
    w.settled(),
    `done never settles: state ${pipeline.state}, src ${statsOf(pipeline, "src")!.state}`,
  );
});

// ---------------------------------------------------------------------------------------------
// 2. Offline: stop({ mode: "drain", timeoutMs }) aborts at once.

Deno.test("Offline stop({mode:'drain', timeoutMs}) drains instead of aborting at once", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 0 }), sink); // endless
  await pipeline.start();
  await _nextMacrotask();
  const timeBefore = pipeline.runningTime();
  const result = await pipeline.stop({ mode: "drain", timeoutMs: 60_000 });
  // A drain of a source → sink chain takes a few microtasks, far less than 60 s of anything.
  assert.equal(result.status, "eos");
  // And the timeout must not move the virtual time of the run by 60 s.
  assert.ok(pipeline.runningTime() - timeBefore < 60_000_000);
});

// ---------------------------------------------------------------------------------------------
// 3. start()/stop() ordering: an actor added while running whose async start() is in flight.

const lifeContract = {
  type: "life",
  inputs: { in: { kind: "data" } },
} as const satisfies Contract;

/** Records start/stop order; start() waits until `release()` is called. */
class Life extends Actor<typeof lifeContract> {
  static override contract = lifeContract;
  readonly log: string[] = [];
  #release: (() => void) | undefined;
  gate = false;
  release(): void {
    this.#release?.();
  }
  override async start(): Promise<void> {
    this.log.push("start:begin");
    if (this.gate) await new Promise<void>((r) => this.#release = r);
    this.log.push("start:end");
  }
  override stop(): void {
    this.log.push("stop");
  }
  process(): void {
    while (this.inputs.in.read()) { /* drain */ }
  }
}

Deno.test("stop({mode:'abort'}) stops an actor whose start() is in flight only after start() ends", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), new Collect());
  await pipeline.start();
  const late = new Life();
  late.gate = true;
  pipeline.add(late, { name: "late" });
  await _nextMacrotask();
  assert.deepEqual(late.log, ["start:begin"]);
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  late.release();
  await turns(3);
  // stop() must come after start() has completed (and exactly once).
  assert.deepEqual(late.log, ["start:begin", "start:end", "stop"]);
});

Deno.test("remove() of an actor whose start() is in flight stops it once start() ends", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), new Collect());
  await pipeline.start();
  const late = new Life();
  late.gate = true;
  pipeline.add(late, { name: "late" });
  await _nextMacrotask();
  await pipeline.remove(late);
  late.release();
  await turns(3);
  await pipeline.stop({ mode: "abort" });
  // Started, so it must be stopped once: either remove() waits for start(), or stops it after.
  assert.deepEqual(late.log, ["start:begin", "start:end", "stop"]);
});

Deno.test("remove() during a restart backoff keeps the actor from starting again", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new FlakySource(1), {
    name: "src",
    fps: 10,
    supervision: { policy: "restart", initialDelayMs: 100 },
  });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  pipeline.connect(src.outputs.out, sink.inputs.in);
  // Another branch keeps the pipeline running.
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), new Collect());
  await pipeline.start();
  await clock.advance(100_000); // frame 1 throws: stop() #1, then backoff
  assert.equal(statsOf(pipeline, "src")!.state, "restarting");
  assert.equal(src.stops, 1);
  await pipeline.remove(src);
  await clock.advance(1_000_000); // the backoff ends after the removal
  await pipeline.idle();
  await turns();
  assert.equal(
    src.starts - src.stops,
    0,
    `starts ${src.starts}, stops ${src.stops}: a removed actor must not be left started`,
  );
  await pipeline.stop({ mode: "abort" });
  assert.equal(src.starts - src.stops, 0, `after abort: starts ${src.starts}, stops ${src.stops}`);
});

// ---------------------------------------------------------------------------------------------
// 4. End-of-stream flowing back: the last open link goes away, the rest lead to finished actors.

Deno.test("A source whose remaining links all lead to finished actors after a disconnect is ended", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 0, fps: 10 }), { name: "src" }); // endless
  pipeline.add(new Head({ count: 1 }), { name: "head" });
  pipeline.add(new Collect(), { name: "headsink" });
  pipeline.add(new Collect(), { name: "sink" });
  pipeline.connect("src.out", "head.in");
  pipeline.connect("head.out", "headsink.in");
  pipeline.connect("src.out", "sink.in");
  const w = watch(pipeline);
  await pipeline.start();
  await clock.advance(200_000);
  assert.equal(statsOf(pipeline, "head")!.state, "finished");
  assert.equal(statsOf(pipeline, "src")!.state, "running"); // still feeds "sink"
  // Now the only open branch goes away: the source's every link leads to a finished actor.
  pipeline.disconnect("src.out", "sink.in");
  await clock.advance(500_000);
  await pipeline.idle();
  assert.equal(statsOf(pipeline, "sink")!.state, "finished");
  assert.equal(
    statsOf(pipeline, "src")!.state,
    "finished",
    "every downstream of src has finished, so src should be ended",
  );
  assert.ok(w.settled(), `done never settles: state ${pipeline.state}`);
});

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
// 7. UpstreamClock leaks an abort listener per completed sleep.

Deno.test("UpstreamClock.sleepUntil() removes its abort listener when the sleep resolves", async () => {
  const clock = new UpstreamClock();
  const upstream = {};
  clock.track(upstream);
  let listeners = 0;
  const signal = {
    aborted: false,
    reason: undefined,
    addEventListener: () => listeners++,
    removeEventListener: () => listeners--,
  } as unknown as AbortSignal;
  for (let i = 1; i <= 1000; i++) {
    const sleep = clock.sleepUntil(i, signal);
    clock.observe(upstream, i);
    await sleep;
  }
  // The pipeline passes one abort signal, alive for the whole run, to every tick's sleep:
  // a listener left per tick grows without bound.
  assert.equal(listeners, 0, `${listeners} listeners still attached after 1000 completed sleeps`);
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
// 9. Upstream-clock actors: the last ticks the inputs still cover are lost.

const holdContract = {
  type: "hold",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  schedule: "tick",
  clock: "upstream",
} as const satisfies Contract;

/** Upsamples: on every tick, emits the newest input value whose time has come (sample & hold). */
class Hold extends Actor<typeof holdContract> {
  static override contract = holdContract;
  #last: unknown = undefined;
  process(tick: TimedTick): void {
    for (
      let m = this.inputs.in.peek();
      m && m.timestamp <= tick.timestamp;
      m = this.inputs.in.peek()
    ) {
      this.#last = this.inputs.in.read()!.value;
    }
    this.outputs.out.write(
      createDataMessage(this.#last, { timestamp: tick.timestamp, position: tick.frameNumber }),
    );
  }
}

Deno.test("An upstream-clock actor produces every tick its inputs cover before finishing (upsampling keeps the tail)", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage>();
  // 3 values at 10 fps cover 0–300 ms; sampled at 20 fps that is ticks 0..5 (0, 50, …, 250 ms).
  const hold = pipeline.add(new Hold(), { fps: 20 });
  pipeline.pipe(new DataSource({ count: 3, fps: 10 }), hold, sink);
  const w = watch(pipeline);
  await pipeline.start();
  await pipeline.idle();
  await turns();
  assert.equal(w.outcome(), "resolved:eos");
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [
    0,
    50_000,
    100_000,
    150_000,
    200_000,
    250_000,
  ]);
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 0, 1, 1, 2, 2]);
});

// ---------------------------------------------------------------------------------------------
// 10. A source added while draining is never ended.

Deno.test("A source added while the pipeline drains is ended, so the drain completes", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const first = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), first);
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  await pipeline.start();
  await clock.advance(100_000);
  const w = watch(pipeline);
  void pipeline.stop(); // drain
  // add() is still allowed while stopping: a new endless source joins.
  pipeline.add(new DataSource({ count: 0, fps: 10 }), { name: "late" });
  pipeline.connect("late.out", "sink.in");
  await clock.advance(1_000_000);
  await pipeline.idle();
  await turns();
  assert.ok(
    w.settled(),
    `drain never completes: state ${pipeline.state}, late ${statsOf(pipeline, "late")?.state}, ` +
      `sink got ${sink.messages.length}`,
  );
});

// ---------------------------------------------------------------------------------------------
// 11. Restart while blocked: an unblock during the backoff finishes the actor mid-restart.

/** A tick source that writes its frame, then throws once on `failAt` (after a blocked write). */
class WriteThenThrow extends Actor<typeof flakySrcContract> {
  static override contract = flakySrcContract;
  failed = false;
  readonly log: string[] = [];
  constructor(readonly failAt: number) {
    super();
  }
  override start(): void {
    this.log.push("start");
  }
  override flush(): void {
    this.log.push("flush");
  }
  override stop(): void {
    this.log.push("stop");
  }
  process(tick: TimedTick): void {
    this.outputs.out.write(createDataMessage(tick.frameNumber, { timestamp: tick.timestamp }));
    if (tick.frameNumber === this.failAt && !this.failed) {
      this.failed = true;
      throw new Error("after a blocked write");
    }
  }
}

Deno.test("A blocked source that is restarting is not finished by its unblock", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new WriteThenThrow(2), {
    name: "src",
    fps: 10,
    supervision: { policy: "restart", initialDelayMs: 100 },
  });
  const sink = pipeline.add(new SlowSink({ costUs: 250_000 }), {
    name: "sink",
    inputs: { in: { policy: "queue:1:block" } },
  });
  pipeline.connect(src.outputs.out, sink.inputs.in);
  const w = watch(pipeline);
  await pipeline.start();
  await clock.advance(200_000); // f0 read (busy to 250 ms), f1 queued, f2 blocks, then throws
  assert.equal(statsOf(pipeline, "src")!.state, "restarting");
  void pipeline.stop(); // drain: the source is asked to end while restarting
  await clock.advance(2_000_000);
  await pipeline.idle();
  await turns();
  assert.ok(w.settled(), `state ${pipeline.state}`);
  // Lifecycle of one restart: start, stop (restart), start, then flush and stop when it ends.
  assert.deepEqual(src.log, ["start", "stop", "start", "flush", "stop"]);
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
// 14. An actor added while the pipeline is starting is never started.

Deno.test("An actor added while start() is in progress is started too", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const slow = new Life();
  slow.gate = true;
  pipeline.add(slow, { name: "slow" });
  pipeline.add(new DataSource({ count: 3 }), { name: "src" });
  pipeline.connect("src.out", "slow.in");
  const starting = pipeline.start();
  await _nextMacrotask();
  assert.equal(pipeline.state, "starting");
  // e.g. `const s = pipeline.readable("src.out")` right after start(), before awaiting it
  const late = pipeline.add(new Collect<DataMessage>(), { name: "late" });
  pipeline.connect("src.out", "late.in");
  slow.release();
  await starting;
  const w = watch(pipeline);
  await pipeline.idle();
  await turns();
  assert.notEqual(statsOf(pipeline, "late")!.state, "idle", "the late actor was never started");
  assert.ok(w.settled(), `done never settles: state ${pipeline.state}`);
  assert.equal(late.messages.length, 3);
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
// 17. Abort while a restart's start() is in flight.

Deno.test("stop({mode:'abort'}) while a restart's start() is in flight stops the actor once started", async () => {
  const contract = {
    type: "reopen",
    inputs: { in: { kind: "data" } },
  } as const satisfies Contract;
  const log: string[] = [];
  let release!: () => void;
  class Reopen extends Actor<typeof contract> {
    static override contract = contract;
    #starts = 0;
    override async start(): Promise<void> {
      log.push("start");
      if (++this.#starts === 2) await new Promise<void>((r) => release = r);
      log.push("started");
    }
    override stop(): void {
      log.push("stop");
    }
    process(): void {
      const m = this.inputs.in.read();
      if (m?.value === 1) throw new Error("once");
    }
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 0, fps: 10 }), { name: "src" });
  pipeline.add(new Reopen(), { name: "r", supervision: { policy: "restart", initialDelayMs: 0 } });
  pipeline.connect("src.out", "r.in");
  await pipeline.start();
  await clock.advance(100_000); // value 1 throws: stop, then start #2 hangs
  await turns(3);
  assert.deepEqual(log, ["start", "started", "stop", "start"]);
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  release();
  await turns(3);
  assert.deepEqual(log, ["start", "started", "stop", "start", "started", "stop"]);
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

// ---------------------------------------------------------------------------------------------
// 20. Upstream clock: a write admitted after its link's end-of-stream re-tracks the input.

const demuxContract = {
  type: "demux",
  outputs: { video: { kind: "data" }, audio: { kind: "data" } },
} as const satisfies Contract;

/** Video ends after 3 frames (Output.end(), as documented for demuxers); audio goes on to 20. */
class Demux extends Actor<typeof demuxContract> {
  static override contract = demuxContract;
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    const opts = { timestamp: tick.timestamp, duration: tick.duration, position: n };
    if (n < 3) {
      this.outputs.video.write(createDataMessage(`v${n}`, opts));
      if (n === 2) this.outputs.video.end(); // the last video frame may still wait for space
    }
    this.outputs.audio.write(createDataMessage(`a${n}`, opts));
    if (n === 19) this.end();
  }
}

const zipContract = {
  type: "zip",
  inputs: { a: { kind: "data" }, b: { kind: "data" } },
  schedule: "tick",
  clock: "upstream",
} as const satisfies Contract;

class Zip extends Actor<typeof zipContract> {
  static override contract = zipContract;
  readonly frames: string[] = [];
  process(tick: TimedTick): void {
    const got: string[] = [];
    for (const input of [this.inputs.a, this.inputs.b]) {
      for (let m = input.peek(); m && m.timestamp <= tick.timestamp; m = input.peek()) {
        got.push(String(input.read()!.value));
      }
    }
    this.frames.push(got.join(","));
  }
}

Deno.test("An upstream clock is not frozen by a write admitted after its input ended", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const demux = pipeline.add(new Demux(), { name: "demux", fps: 10 });
  const zip = pipeline.add(new Zip(), {
    name: "zip",
    fps: 10,
    inputs: { a: { policy: "queue:1:block" } },
  });
  pipeline.connect(demux.outputs.video, zip.inputs.a);
  pipeline.connect(demux.outputs.audio, zip.inputs.b);
  const w = watch(pipeline);
  await pipeline.start();
  await pipeline.idle();
  await turns();
  const frames = zip.frames.length;
  const outcome = w.outcome();
  if (!w.settled()) await pipeline.stop({ mode: "abort" });
  assert.equal(outcome, "resolved:eos", `stuck after ${frames} zip frames`);
  assert.equal(frames, 20);
});

// ---------------------------------------------------------------------------------------------
// 21. An abort resolves done while a stop() hook started earlier is still running.

Deno.test("A drain timeout waits for a sink's stop() that is finalising", async () => {
  const contract = { type: "file", inputs: { in: { kind: "data" } } } as const satisfies Contract;
  let release!: () => void;
  let finalised = false;
  class FileSink extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      while (this.inputs.in.read()) { /* write to the file */ }
    }
    override async stop(): Promise<void> {
      await new Promise<void>((r) => release = r); // e.g. flushing and closing a file
      finalised = true;
    }
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), new FileSink());
  await pipeline.start();
  await clock.advance(100_000);
  const stopping = pipeline.stop({ timeoutMs: 500 }); // drain: the sink's stop() starts now
  await turns(3);
  let resolvedWhileFinalising: boolean | undefined;
  stopping.then(() => resolvedWhileFinalising ??= !finalised, () => {});
  await clock.advance(500_000); // the timeout aborts
  await turns(3);
  release();
  await turns(3);
  assert.equal((await stopping).status, "aborted");
  assert.equal(
    resolvedWhileFinalising,
    false,
    "done/stop() resolved before the sink's stop() hook had finished",
  );
});

// ---------------------------------------------------------------------------------------------
// 22. stop({ mode: "abort" }) during start() waits out a start retry's backoff.

Deno.test("stop({mode:'abort'}) while start() waits on a restart backoff aborts at once", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const faulty = new Faulty();
  faulty.failStarts = 1;
  pipeline.add(faulty, { supervision: { policy: "restart", initialDelayMs: 5_000 } });
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), faulty, new Collect());
  const starting = pipeline.start().catch(() => {});
  await turns(3);
  assert.equal(pipeline.state, "starting"); // the first start() failed; a retry waits 5 s
  let stopped = false;
  const stopping = pipeline.stop({ mode: "abort" }).then(
    () => stopped = true,
    () => stopped = true,
  );
  await turns(5);
  const abortedPromptly = stopped;
  await clock.advance(10_000_000); // let it finish either way
  await starting;
  await stopping;
  assert.ok(abortedPromptly, "abort had to wait for the 5 s backoff of a start() retry");
});
