import assert from "node:assert/strict";
import { Collect } from "../actors/collect.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { DataSource } from "../actors/data_source.ts";
import { isStreamlibError, StreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Hang, MathActor } from "../testdata/worker_actors.ts";
import { WorkerPool } from "./worker_pool.ts";
import { _liveWorkers } from "./_worker_thread.ts";

const testdata = new URL("../testdata/", import.meta.url);
const actors = new URL("worker_actors.ts", testdata).href;
/** Exports MathActor and runs a live pipeline at top level that never ends. */
const runsForever = new URL("top_level_run.ts", testdata).href;
/** Exports MathActor and runs it in a Worker at top level. */
const startsItself = new URL("top_level_worker.ts", testdata).href;

/** Runs source → math → collect offline, the math actor built in a Worker from `module`. */
async function runMath(
  module: string,
  dispatch: "worker" | WorkerPool = "worker",
): Promise<{ failure: unknown; values: number[] }> {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 3 })),
    pipeline.add(new MathActor(), { name: "math", dispatch, module, export: "MathActor" }),
    pipeline.add(sink),
  );
  let failure: unknown;
  await pipeline.run().catch((error) => failure = error);
  return { failure, values: sink.messages.map((m) => m.value) };
}

/** The error a failed run's `SL_ACTOR_FAILED` was caused by. */
function causeOf(failure: unknown): StreamlibError {
  assert.ok(isStreamlibError(failure, "SL_ACTOR_FAILED"), String(failure));
  const cause = failure.cause;
  assert.ok(cause instanceof StreamlibError, String(cause));
  return cause;
}

Deno.test("A Worker whose module never finishes its top-level code fails the actor's start with SL_WORKER_START and is ended", async () => {
  const clock = new ManualClock();
  const pool = new WorkerPool({ clock, startTimeoutMs: 5_000 });
  const running = runMath(runsForever, pool);
  await waitFor(() => clock.pending === 1); // the deadline is set
  await clock.advance(4_999_999);
  assert.equal(pool.workers, 1, "still waiting, 1 µs before the deadline");
  await clock.advance(1);
  const { failure, values } = await running;
  const cause = causeOf(failure);
  assert.equal(cause.code, "SL_WORKER_START");
  assert.ok(cause.message.includes(runsForever), cause.message);
  assert.match(cause.message, /within 5000 ms/);
  assert.match(cause.message, /guard it with `if \(import\.meta\.main\)`/);
  assert.equal(cause.details.module, runsForever);
  assert.equal(cause.details.timeoutMs, 5_000);
  assert.deepEqual(values, []);
  assert.equal(pool.workers, 0);
  assert.equal(_liveWorkers(), 0, "no Worker is left");
});

Deno.test("A shared Worker in which one actor never comes up is ended with all its actors, leaving no Worker", async () => {
  const clock = new ManualClock();
  const pool = new WorkerPool({ size: 1, clock });
  const pipeline = new Pipeline({ mode: "offline" });
  const codes: string[] = [];
  pipeline.bus.on("error", (e) => codes.push((e.error as StreamlibError).code));
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 3 })),
    pipeline.add(new MathActor(), { dispatch: pool, module: actors }),
    pipeline.add(new MathActor(), { name: "stuck", dispatch: pool, module: runsForever }),
    pipeline.add(new Collect()),
  );
  const running = pipeline.run().then(() => undefined, (error) => error);
  // The first actor came up and the second's start began, in the same Worker.
  await waitFor(() =>
    pipeline.stats().actors.find((a) => a.name === "stuck")!.worker !== undefined
  );
  assert.equal(clock.pending, 1);
  await clock.advance(10_000_000);
  const failure = await running;
  assert.equal(causeOf(failure).code, "SL_WORKER_START");
  assert.deepEqual(codes, ["SL_WORKER_START"]);
  assert.equal(pool.workers, 0);
  assert.equal(_liveWorkers(), 0);
});

Deno.test("A module that runs its own actor in a Worker at top level fails at once with SL_WORKER_START, before the deadline", async () => {
  // The default deadline (10 s) is far off: this is the Worker below noticing the loop.
  const { failure } = await runMath(startsItself);
  const cause = causeOf(failure);
  assert.equal(cause.code, "SL_WORKER_START");
  assert.equal(cause.details.timeoutMs, undefined, "not the deadline");
  assert.equal(cause.details.module, startsItself);
  assert.match(cause.message, /runs a pipeline with its actor in a Worker when it is imported/);
  assert.match(cause.message, /guard it with `if \(import\.meta\.main\)`/);
  assert.equal(_liveWorkers(), 0);
});

Deno.test("A module that throws on import or lacks the export still fails with SL_WORKER_MODULE, not the deadline", async () => {
  const throws = await runMath(new URL("throws_on_import.ts", testdata).href);
  assert.equal(causeOf(throws.failure).code, "SL_WORKER_MODULE");
  assert.match(causeOf(throws.failure).message, /imported too early/);
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 1 })),
    pipeline.add(new MathActor(), { dispatch: "worker", module: actors, export: "Missing" }),
  );
  const missing = await pipeline.run().then(() => undefined, (error) => error);
  assert.equal(causeOf(missing).code, "SL_WORKER_MODULE");
  assert.equal(_liveWorkers(), 0);
});

Deno.test("The deadline covers the Worker coming up, not the actor's own start()", async () => {
  // Hang's start() never returns; an abort ends it, not SL_WORKER_START.
  const clock = new ManualClock();
  const stopFile = await Deno.makeTempFile();
  const pipeline = new Pipeline({ mode: "offline" });
  const codes: string[] = [];
  pipeline.bus.on("error", (e) => codes.push((e.error as StreamlibError).code));
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 1 })),
    pipeline.add(new Hang({ stopFile }), { dispatch: new WorkerPool({ clock }), module: actors }),
  );
  const started = pipeline.start();
  await waitFor(() => Deno.readTextFileSync(stopFile) === "starting");
  // start() runs, so the Worker came up: its deadline goes, and time may pass.
  await waitFor(() => clock.pending === 0);
  await clock.advance(60_000_000);
  assert.equal(pipeline.state, "starting");
  const result = await pipeline.stop({ mode: "abort" });
  await started;
  assert.equal(result.status, "aborted");
  assert.ok(!codes.includes("SL_WORKER_START"), codes.join());
  assert.equal(_liveWorkers(), 0);
  await Deno.remove(stopFile);
});

Deno.test("An actor whose start() never returns holds up no other actor in its Worker", async () => {
  const pool = new WorkerPool({ size: 1 });
  const stopFile = await Deno.makeTempFile();
  const stuck = new Pipeline({ mode: "offline" });
  stuck.pipe(
    stuck.add(new DataSource({ count: 1 })),
    stuck.add(new Hang({ stopFile }), { dispatch: pool, module: actors }),
  );
  const started = stuck.start();
  await waitFor(() => Deno.readTextFileSync(stopFile) === "starting");
  const { values, failure } = await runMath(actors, pool);
  assert.equal(failure, undefined);
  assert.deepEqual(values, [0, 2, 4]);
  await stuck.stop({ mode: "abort" });
  await started;
  assert.equal(_liveWorkers(), 0);
  await Deno.remove(stopFile);
});

Deno.test("WorkerPool takes a start deadline of 1 ms to 2^31 - 1 ms, 10 s by default", () => {
  assert.equal(new WorkerPool().startTimeoutMs, 10_000);
  assert.equal(new WorkerPool({ startTimeoutMs: 1 }).startTimeoutMs, 1);
  assert.equal(new WorkerPool({ startTimeoutMs: 2 ** 31 - 1 }).startTimeoutMs, 2 ** 31 - 1);
  for (const bad of [0, -1, 1.5, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new WorkerPool({ startTimeoutMs: bad }),
      (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID") && /startTimeoutMs/.test(e.message),
      String(bad),
    );
  }
});

/** Waits for what a Worker does in its own time (loading a module), for at most 10 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i === 2_000) throw new Error("timed out waiting for a Worker");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
