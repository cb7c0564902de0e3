import assert from "node:assert/strict";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { BusEvent } from "../runtime/bus.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage, VideoFrame } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { WorkerPool } from "./worker_pool.ts";
import { _liveWorkers } from "./_worker_thread.ts";
import { _memory } from "./_frame_memory.ts";
import { Actor } from "../graph/actor.ts";
import type { Contract } from "../graph/spec.ts";
import { FrameSource, Hang, Mark, MathActor } from "../testdata/worker_actors.ts";

type ErrorEvent = Extract<BusEvent, { type: "error" }>;

/** Waits for what a Worker does in its own time (loading a module), for at most 10 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i === 2_000) throw new Error("timed out waiting for a Worker");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const module = new URL("../testdata/worker_actors.ts", import.meta.url).href;
const inWorker = { dispatch: "worker" as const, module };

/** Runs source → math → collect offline, the math actor where `dispatch` says. */
async function runMath(
  params: ConstructorParameters<typeof MathActor>[0],
  options: Parameters<Pipeline["add"]>[1],
  count = 10,
): Promise<{ values: number[]; pipeline: Pipeline; errors: ErrorEvent[]; failure?: unknown }> {
  const pipeline = new Pipeline({ mode: "offline" });
  const errors: ErrorEvent[] = [];
  pipeline.bus.on("error", (e) => errors.push(e));
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(
    pipeline.add(new DataSource({ count })),
    pipeline.add(new MathActor(params), { name: "math", ...options }),
    pipeline.add(sink),
  );
  let failure: unknown;
  await pipeline.run().catch((error) => failure = error);
  return { values: sink.messages.map((m) => m.value), pipeline, errors, failure };
}

Deno.test("An actor in a Worker processes every message in order, seeing the pipeline's clock, mode and address", async () => {
  const { values, pipeline } = await runMath({ factor: 3 }, inWorker, 50);
  assert.deepEqual(values, [...Array(50).keys()].map((n) => n * 3));
  const stats = pipeline.stats().actors.find((a) => a.name === "math")!;
  assert.equal(stats.processed, 50);
  assert.equal(stats.inputs.in!.received, 50);
  assert.equal(stats.state, "finished");
  assert.equal(_liveWorkers(), 0, "no Worker is left");
});

Deno.test("The actor in its Worker gets the same clock id, mode and address as on the main thread", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 1 })),
    pipeline.add(new MathActor(), { name: "m", ...inWorker }),
    pipeline.add(sink),
  );
  await pipeline.run();
  assert.equal(sink.messages[0]!.topic, `${pipeline.clock.id}|offline|actor://local/math/m`);
});

Deno.test("Frames cross to a Worker, from it to another and back in shared memory, fan-out included", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const last = new Collect<VideoFrame>();
  const tap = new Collect<VideoFrame>();
  pipeline.add(new FrameSource({ count: 40 }), { name: "src" });
  pipeline.add(new Mark({ add: 1 }), { name: "one", ...inWorker });
  pipeline.add(new Mark({ add: 2 }), { name: "two", ...inWorker });
  pipeline.add(last, { name: "last" });
  pipeline.add(tap, { name: "tap" });
  pipeline.connect("src.out", "one.in");
  pipeline.connect("one.out", "two.in");
  pipeline.connect("one.out", "tap.in"); // fan-out: the same frame to a Worker and to the main thread
  pipeline.connect("two.out", "last.in");
  await pipeline.run();
  assert.equal(last.messages.length, 40);
  assert.equal(tap.messages.length, 40);
  last.messages.forEach((frame, n) => {
    assert.equal(frame.data[0], n + 3);
    assert.equal(frame.timestamp, n * 100_000);
    assert.equal(frame.data[frame.data.length - 1], 1, "the second Worker read shared memory");
    assert.ok(frame.data.buffer instanceof SharedArrayBuffer);
    assert.equal(frame.data.length, 640 * 360 * 4);
  });
  // Frames held on the main thread keep their pixels while later frames reuse the pools.
  tap.messages.forEach((frame, n) => assert.equal(frame.data[0], n + 1));
  assert.equal(_liveWorkers(), 0);
});

Deno.test("A blocking queue holds the writer back across the thread boundary; nothing is lost", async () => {
  const { values, pipeline } = await runMath({}, {
    ...inWorker,
    inputs: { in: { policy: "queue:2:block" } },
  }, 200);
  assert.deepEqual(values, [...Array(200).keys()].map((n) => n * 2));
  const stats = pipeline.stats().actors.find((a) => a.name === "math")!;
  assert.equal(stats.inputs.in!.capacity, 2);
  assert.equal(stats.dropped, 0);
});

Deno.test("An actor that throws in a Worker is restarted per its policy, in a fresh Worker, as on the main thread", async () => {
  const supervision = { policy: "restart" as const, maxRestarts: 2, initialDelayMs: 0 };
  const main = await runMath({ failOn: 3 }, { supervision });
  const worker = await runMath({ failOn: 3 }, { supervision, ...inWorker });
  assert.deepEqual(worker.values, main.values);
  assert.deepEqual(worker.values, [0, 2, 4, 8, 10, 12, 14, 16, 18]);
  const stats = worker.pipeline.stats().actors.find((a) => a.name === "math")!;
  assert.equal(stats.restarts, 1);
  assert.equal(stats.errors, 1);
  assert.equal(worker.errors.length, 1);
  assert.equal(worker.errors[0]!.actor, "actor://local/math/math");
  assert.equal(worker.errors[0]!.action, "restart");
  assert.match(String((worker.errors[0]!.error as Error).message), /fails on 3/);
  assert.equal(_liveWorkers(), 0);
});

Deno.test("A restart builds a fresh Worker", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const seen = new Set<number>();
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 6 })),
    pipeline.add(new MathActor({ failOn: 2 }), {
      name: "m",
      supervision: { policy: "restart", initialDelayMs: 0 },
      ...inWorker,
    }),
    pipeline.add(sink),
  );
  pipeline.bus.on("error", () => seen.add(pipeline.stats().actors[1]!.worker ?? -1));
  pipeline.bus.on("eos", () => seen.add(pipeline.stats().actors[1]!.worker ?? -1));
  const before = new Set<number>();
  const off = pipeline.bus.on("state", () => {
    const w = pipeline.stats().actors[1]!.worker;
    if (w !== undefined) before.add(w);
  });
  await pipeline.run();
  off();
  const ids = [...seen, ...before].filter((id) => id > 0);
  assert.ok(new Set(ids).size >= 2, `Workers seen: ${ids.join(", ")}`);
});

Deno.test("The skip policy drops what a Worker's actor choked on, as on the main thread", async () => {
  const supervision = { policy: "skip" as const };
  const main = await runMath({ failOn: 4 }, { supervision });
  const worker = await runMath({ failOn: 4 }, { supervision, ...inWorker });
  assert.deepEqual(worker.values, main.values);
  assert.equal(worker.pipeline.stats().actors.find((a) => a.name === "math")!.skipped, 1);
});

Deno.test("A Worker that dies is reported with the actor's address and stops the pipeline under 'stop'", async () => {
  const { failure, errors, values } = await runMath({ crashOn: 2 }, inWorker);
  assert.deepEqual(values, [0, 2]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.actor, "actor://local/math/math");
  assert.equal((errors[0]!.error as { code?: string }).code, "SL_WORKER_DIED");
  assert.match(String((errors[0]!.error as Error).message), /actor:\/\/local\/math\/math.*crashed/);
  assert.equal((failure as { code?: string }).code, "SL_ACTOR_FAILED");
  assert.equal(_liveWorkers(), 0);
});

Deno.test("A Worker that dies is restarted in a new one under 'restart'", async () => {
  const supervision = { policy: "restart" as const, initialDelayMs: 0 };
  const { failure, values, pipeline } = await runMath({ crashOn: 2 }, { supervision, ...inWorker });
  assert.equal(failure, undefined);
  assert.deepEqual(values, [0, 2, 6, 8, 10, 12, 14, 16, 18]);
  assert.equal(pipeline.stats().actors.find((a) => a.name === "math")!.restarts, 1);
  assert.equal(_liveWorkers(), 0);
});

Deno.test("A tick source in a Worker ticks on the pipeline's manual clock and ends by itself", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<VideoFrame>();
  pipeline.pipe(
    pipeline.add(new FrameSource({ count: 3, fps: 10 }), inWorker),
    pipeline.add(sink),
  );
  await pipeline.start();
  // The Worker works in real time while the manual clock stands still: each step waits for
  // the frame of the tick it made before moving the clock again.
  const waitFor = async (n: number): Promise<void> => {
    while (sink.messages.length < n) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  await waitFor(1);
  await clock.advance(100_000);
  await waitFor(2);
  await clock.advance(100_000);
  await waitFor(3);
  await clock.advance(100_000); // the fourth tick ends the stream
  const result = await pipeline.done;
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((f) => f.timestamp), [0, 100_000, 200_000]);
  assert.deepEqual(sink.messages.map((f) => f.data[0]), [0, 1, 2]);
  assert.equal(_liveWorkers(), 0);
});

Deno.test("Stopping a pipeline leaves no Worker running, and setParams reaches the actor in its Worker", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>();
  const pool = new WorkerPool({ size: 1 });
  const math = new MathActor({ factor: 2 });
  pipeline.pipe(
    pipeline.add(new DataSource({ fps: 100 })),
    pipeline.add(math, { dispatch: pool, module }),
    pipeline.add(new MathActor({ factor: 10 }), { dispatch: pool, module }),
    pipeline.add(sink),
  );
  await pipeline.start();
  assert.equal(pool.workers, 1, "two actors share the pool's one Worker");
  const waitFor = async (n: number): Promise<void> => {
    while (sink.messages.length < n) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  const step = async (n: number): Promise<void> => {
    await clock.advance(10_000);
    await waitFor(n);
  };
  await waitFor(1);
  await step(2);
  math.setParams({ factor: 3 });
  await step(3);
  await step(4);
  await pipeline.stop();
  const values = sink.messages.map((m) => m.value);
  assert.deepEqual(values.slice(0, 2), [0, 20]);
  assert.equal(values[3], 90, `values: ${values.join(", ")}`);
  assert.equal(_liveWorkers(), 0);
  assert.equal(pool.workers, 0);
});

Deno.test("Worker dispatch needs a module that exports the class", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  assert.throws(
    () => pipeline.add(new MathActor(), { dispatch: "worker" }),
    (e: Error & { code?: string }) =>
      e.code === "SL_PARAM_INVALID" && /options\.module/.test(e.message),
  );
  assert.throws(
    () => pipeline.add(new MathActor(), { dispatch: "elsewhere" as "worker", module }),
    (e: Error & { code?: string }) => e.code === "SL_PARAM_INVALID",
  );
  const wrongExport = await runMath({}, { ...inWorker, export: "Nothing" });
  assert.equal((wrongExport.failure as { code?: string }).code, "SL_ACTOR_FAILED");
  assert.equal(
    ((wrongExport.failure as Error).cause as { code?: string }).code,
    "SL_WORKER_MODULE",
  );
  const missing = await runMath({}, { dispatch: "worker", module: module + ".missing.ts" });
  assert.equal(((missing.failure as Error).cause as { code?: string }).code, "SL_WORKER_MODULE");
  assert.throws(
    () => new WorkerPool({ size: 0 }),
    (e: Error & { code?: string }) => e.code === "SL_PARAM_INVALID",
  );
  assert.equal(_liveWorkers(), 0);
});

Deno.test("stop({ mode: 'abort' }) ends a Worker whose actor never returns from start()", async (t) => {
  for (const where of ["start", "start-loop"]) {
    await t.step(where, async () => {
      const stopFile = await Deno.makeTempFile();
      const pipeline = new Pipeline({ mode: "offline" });
      pipeline.pipe(
        pipeline.add(new DataSource({ count: 3 })),
        pipeline.add(new Hang({ where, stopFile }), { name: "hang", ...inWorker }),
      );
      const started = pipeline.start();
      await until(() => Deno.readTextFileSync(stopFile) === "starting");
      const result = await pipeline.stop({ mode: "abort" });
      assert.equal(result.status, "aborted");
      await started;
      assert.equal(_liveWorkers(), 0);
      assert.equal(await Deno.readTextFile(stopFile), "starting", "stop() is not called");
      await Deno.remove(stopFile);
    });
  }
});

Deno.test("stop({ mode: 'abort' }) stops an actor whose process() never returns in its Worker", async () => {
  const stopFile = await Deno.makeTempFile();
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 3 })),
    pipeline.add(new Hang({ where: "process", stopFile }), { name: "hang", ...inWorker }),
  );
  await pipeline.start();
  await until(() => Deno.readTextFileSync(stopFile) === "processing");
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  assert.equal(await Deno.readTextFile(stopFile), "stopped", "the actor's stop() ran");
  await Deno.remove(stopFile);
  assert.equal(_liveWorkers(), 0);
});

Deno.test("stop({ mode: 'abort' }) returns when a Worker actor is stuck in a busy loop: it leaves its Worker after a grace", async () => {
  const stopFile = await Deno.makeTempFile();
  const pipeline = new Pipeline({ mode: "offline" });
  const errors: string[] = [];
  pipeline.bus.on("error", (event) => errors.push(String((event.error as Error)?.message)));
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 3 })),
    // Longer than the grace: the abort must not wait for it (and cannot end it).
    pipeline.add(new Hang({ where: "process-loop", stopFile, loopMs: 6_000 }), {
      name: "hang",
      ...inWorker,
    }),
  );
  await pipeline.start();
  await until(() => Deno.readTextFileSync(stopFile) === "processing");
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  assert.equal(_liveWorkers(), 0);
  assert.equal(await Deno.readTextFile(stopFile), "processing", "stop() could not run");
  assert.ok(
    errors.some((e) =>
      /"actor:\/\/local\/hang\/hang" did not answer within 2000 ms of the abort/.test(e)
    ),
    errors.join("\n"),
  );
  await Deno.remove(stopFile);
});

const firstsContract = {
  type: "firsts",
  inputs: { in: { kind: "video" } },
} as const satisfies Contract;

/**
 * Keeps what `Mark` wrote in each frame (not the frame) and the most pool bytes the main
 * thread held.
 */
class Firsts extends Actor<typeof firstsContract> {
  static override contract: typeof firstsContract = firstsContract;
  readonly numbers: number[] = [];
  readonly workerMiB: number[] = [];
  mainBytes = 0;
  shared = 0;
  process(): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.numbers.push(frame.data[0]!);
    this.workerMiB.push(frame.data[1]!);
    this.shared += frame.data[frame.data.length - 1]!;
    this.mainBytes = Math.max(this.mainBytes, _memory.ownBytes);
  }
}

Deno.test("Frame memory stays within its limit on both threads, and each policy keeps its meaning", async (t) => {
  const frame = 640 * 360 * 4;
  const limit = 8 * frame; // two pools of four frames
  // The main thread's pools last as long as the process: earlier tests made some.
  const cap = _memory.capBytes;
  const before = _memory.ownBytes;
  _memory.capBytes = before + limit;
  try {
    for (const policy of ["queue:2:block", "latest"] as const) {
      await t.step(policy, async () => {
        const pool = new WorkerPool({ frameMemory: limit });
        const pipeline = new Pipeline({ mode: "offline" });
        const sink = new Firsts();
        pipeline.pipe(
          pipeline.add(new FrameSource({ count: 100 })),
          pipeline.add(new Mark({ add: 1 }), {
            dispatch: pool,
            module,
            inputs: { in: { policy } },
          }),
          pipeline.add(sink, { inputs: { in: { policy } } }),
        );
        await pipeline.run();
        const sent = [...Array(100).keys()].map((n) => n + 1);
        if (policy === "latest") {
          // Never blocks: frames are dropped, never repeated or reordered; the last one arrives.
          const at = sink.numbers.map((n) => sent.indexOf(n));
          assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]!)), `${at}`);
          assert.equal(sink.numbers.at(-1), sent.at(-1));
        } else {
          assert.deepEqual(sink.numbers, sent, "nothing lost");
          // Checked over all 100 frames: under latest, which few frames survive, and whether a
          // pool buffer had come back for them, depends on when collections ran.
          assert.ok(sink.shared > 0, "frames reached the Worker in shared memory");
        }
        assert.ok(sink.mainBytes <= before + limit, `main thread: ${sink.mainBytes} bytes`);
        assert.ok(Math.max(...sink.workerMiB) <= Math.ceil(limit / 2 ** 20), `${sink.workerMiB}`);
        assert.equal(_liveWorkers(), 0);
      });
    }
    await t.step("a sink that keeps every frame", async () => {
      // The Worker's pools cannot hold them all: past the limit, frames leave by a copy.
      const pipeline = new Pipeline({ mode: "offline" });
      const sink = new Collect<VideoFrame>();
      pipeline.pipe(
        pipeline.add(new FrameSource({ count: 24 })),
        pipeline.add(new Mark({ add: 1 }), {
          dispatch: new WorkerPool({ frameMemory: limit }),
          module,
        }),
        pipeline.add(sink),
      );
      await pipeline.run();
      assert.deepEqual(
        sink.messages.map((f) => f.data[0]),
        [...Array(24).keys()].map((n) => n + 1),
      );
      const mib = sink.messages.map((f) => f.data[1]!);
      assert.ok(Math.max(...mib) <= Math.ceil(limit / 2 ** 20), `${mib}`);
      assert.ok(sink.messages.some((f) => !(f.data.buffer instanceof SharedArrayBuffer)));
    });
  } finally {
    _memory.capBytes = cap;
  }
  assert.throws(
    () => new WorkerPool({ frameMemory: -1 }),
    (e: Error & { code?: string }) => e.code === "SL_PARAM_INVALID",
  );
});

Deno.test("A source in a Worker counts what it wrote: count= ends it and progress says how far", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage<number>>();
  const core = new URL("../mod.ts", import.meta.url).href;
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 4 }), { name: "src", dispatch: "worker", module: core }),
    pipeline.add(sink),
  );
  // Were it never to end, it is stopped and fails the test instead of hanging it.
  const deadline = setTimeout(() => pipeline.stop({ mode: "abort" }), 30_000);
  const result = await pipeline.run().finally(() => clearTimeout(deadline));
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2, 3]);
  assert.deepEqual(pipeline.stats().actors.find((a) => a.name === "src")!.progress, {
    done: 4,
    total: 4,
  });
  assert.equal(_liveWorkers(), 0);
});
