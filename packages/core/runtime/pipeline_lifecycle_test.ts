/**
 * Lifecycle regression tests: starts, stops, drains, aborts and removals racing with each other
 * and with restarts (each once a defect found in review). Tests that could hang are guarded: they
 * wait a bounded number of macrotasks (no real sleeps) and then check `pipeline.state` / whether
 * `done` settled.
 */
import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { createDataMessage } from "../create_messages.ts";
import { Pipeline } from "./pipeline.ts";
import { _nextMacrotask } from "../_yield.ts";
import { Faulty, Head, SlowSink } from "../_testing.ts";
import { statsOf, turns, watch } from "../_testing.ts";

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
  readonly calls: string[] = [];
  #release: (() => void) | undefined;
  gate = false;
  release(): void {
    this.#release?.();
  }
  override async start(): Promise<void> {
    this.calls.push("start:begin");
    if (this.gate) await new Promise<void>((r) => this.#release = r);
    this.calls.push("start:end");
  }
  override stop(): void {
    this.calls.push("stop");
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
  assert.deepEqual(late.calls, ["start:begin"]);
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  late.release();
  await turns(3);
  // stop() must come after start() has completed (and exactly once).
  assert.deepEqual(late.calls, ["start:begin", "start:end", "stop"]);
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
  assert.deepEqual(late.calls, ["start:begin", "start:end", "stop"]);
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
  readonly calls: string[] = [];
  constructor(readonly failAt: number) {
    super();
  }
  override start(): void {
    this.calls.push("start");
  }
  override flush(): void {
    this.calls.push("flush");
  }
  override stop(): void {
    this.calls.push("stop");
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
  assert.deepEqual(src.calls, ["start", "stop", "start", "flush", "stop"]);
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
