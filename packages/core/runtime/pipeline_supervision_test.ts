import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { BusEvent } from "./bus.ts";
import type { ActorStats } from "./stats.ts";
import type { Contract } from "../graph/spec.ts";
import { isStreamlibError } from "../errors.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "./pipeline.ts";
import { Faulty } from "../_testing.ts";

function statsOf(pipeline: Pipeline, name: string): ActorStats {
  return pipeline.stats().actors.find((a) => a.name === name)!;
}

function record(pipeline: Pipeline): BusEvent[] {
  const events: BusEvent[] = [];
  pipeline.bus.on("*", (e) => {
    if (e.type !== "state") events.push(e);
  });
  return events;
}

Deno.test("An actor that throws stops the pipeline by default; done rejects naming it", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const faulty = new Faulty([3]);
  const sink = new Collect();
  pipeline.pipe(new DataSource({ count: 10 }), faulty, sink);
  const events = record(pipeline);
  await pipeline.start();
  await assert.rejects(pipeline.done, (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_ACTOR_FAILED"));
    assert.equal(
      e.message,
      'Actor "actor://local/faulty/faulty0" failed in process(): bad value 3',
    );
    assert.equal((e.cause as Error).message, "bad value 3");
    assert.equal(e.details.actor, "actor://local/faulty/faulty0");
    return true;
  });
  assert.equal(pipeline.state, "failed");
  assert.equal(faulty.stops, 1, "stop() ran once");
  const error = events.find((e) => e.type === "error");
  assert.ok(
    error && error.type === "error" && error.action === "stop" && error.phase === "process",
  );
});

Deno.test("The skip policy drops the failing message, counts it, and goes on", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const faulty = pipeline.add(new Faulty([2, 5]), { supervision: "skip" });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 8 }), faulty, sink);
  const events = record(pipeline);
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 3, 4, 6, 7]);
  const stats = result.stats.actors.find((a) => a.name === "faulty0")!;
  assert.equal(stats.errors, 2);
  assert.equal(stats.skipped, 2);
  assert.equal(stats.dropped, 2);
  assert.deepEqual(
    events.filter((e) => e.type === "error").map((e) => e.type === "error" && e.action),
    ["skip", "skip"],
  );
});

Deno.test("The restart policy restarts after an exponential backoff on the pipeline clock", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const faulty = pipeline.add(new Faulty([1, 2]), {
    supervision: { policy: "restart", initialDelayMs: 100, factor: 3 },
  });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 6, fps: 100 }), faulty, sink);
  const events = record(pipeline);
  await pipeline.start();
  await clock.advance(10_000); // value 1 fails at 10 ms
  assert.equal(statsOf(pipeline, "faulty0").state, "restarting");
  assert.equal(faulty.stops, 1);
  await clock.advance(99_000);
  assert.equal(faulty.starts, 1, "still waiting for its backoff");
  await clock.advance(1_000); // 110 ms: restarted, reads value 2 (queued), fails again
  assert.equal(faulty.starts, 2);
  await clock.advance(300_000); // second backoff: 100 × 3
  await pipeline.done;
  assert.equal(faulty.starts, 3);
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 3, 4, 5]);
  assert.deepEqual(
    events.filter((e) => e.type === "restart").map((e) =>
      e.type === "restart" && [e.attempt, e.delayMs]
    ),
    [[1, 100], [2, 300]],
  );
  assert.equal(statsOf(pipeline, "faulty0").restarts, 2);
});

Deno.test("The restart policy gives up after maxRestarts and fails the pipeline", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const faulty = pipeline.add(new Faulty([0, 1, 2, 3]), {
    supervision: { policy: "restart", maxRestarts: 2, initialDelayMs: 10 },
  });
  pipeline.pipe(new DataSource({ count: 10, fps: 100 }), faulty, new Collect());
  await pipeline.start();
  for (let i = 0; i < 10 && pipeline.state === "running"; i++) await clock.advance(10_000);
  await assert.rejects(pipeline.done, (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_ACTOR_FAILED"));
    assert.match(e.message, /gave up after 2 restarts/);
    return true;
  });
});

Deno.test("A start() that fails is retried under the restart policy", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const faulty = new Faulty();
  faulty.failStarts = 2;
  pipeline.add(faulty, { supervision: { policy: "restart", initialDelayMs: 50 } });
  const sink = new Collect();
  pipeline.pipe(new DataSource({ count: 2, fps: 10 }), faulty, sink);
  const starting = pipeline.start();
  await clock.advance(50_000);
  await clock.advance(100_000);
  await starting;
  assert.equal(faulty.starts, 3);
  await clock.advance(200_000);
  await pipeline.done;
  assert.equal(sink.messages.length, 2);
});

Deno.test("A start() that fails under the stop policy rejects start() and done", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const faulty = new Faulty();
  faulty.failStarts = 1;
  const sink = new Collect();
  pipeline.pipe(new DataSource({ count: 2 }), faulty, sink);
  await assert.rejects(pipeline.start(), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_ACTOR_FAILED"));
    assert.match(e.message, /failed in start\(\): cannot open/);
    return true;
  });
  await assert.rejects(pipeline.done, (e: unknown) => isStreamlibError(e, "SL_ACTOR_FAILED"));
  assert.equal(faulty.stops, 0, "stop() is not called on an actor that never started");
});

Deno.test("A rejected async process() is supervised like a throw", async () => {
  const contract = {
    type: "async-fail",
    inputs: { in: { kind: "data" } },
  } as const satisfies Contract;
  class AsyncFail extends Actor<typeof contract> {
    static override contract = contract;
    seen: unknown[] = [];
    async process(): Promise<void> {
      const m = this.inputs.in.read();
      await Promise.resolve();
      if (m?.value === 1) throw new Error("async failure");
      if (m) this.seen.push(m.value);
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(new AsyncFail(), { supervision: "skip" });
  pipeline.pipe(new DataSource({ count: 4 }), sink);
  const result = await pipeline.run();
  assert.deepEqual(sink.seen, [0, 2, 3]);
  assert.equal(result.stats.actors.find((a) => a.name === "async-fail0")!.errors, 1);
});

Deno.test("A stop() that throws fails the run, or is only reported under skip", async () => {
  for (const supervision of ["stop", "skip"] as const) {
    const contract = {
      type: "bad-stop",
      inputs: { in: { kind: "data" } },
    } as const satisfies Contract;
    class BadStop extends Actor<typeof contract> {
      static override contract = contract;
      process(): void {
        while (this.inputs.in.read());
      }
      override stop(): void {
        throw new Error("cannot finalise");
      }
    }
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.add(new BadStop(), { supervision });
    pipeline.pipe(new DataSource({ count: 2 }), pipeline.actor("bad-stop0")!);
    const events = record(pipeline);
    await pipeline.start();
    if (supervision === "stop") {
      await assert.rejects(pipeline.done, /failed in stop\(\): cannot finalise/);
    } else {
      assert.equal((await pipeline.done).status, "eos");
      assert.ok(
        events.some((e) => e.type === "error" && e.phase === "stop" && e.action === "report"),
      );
    }
  }
});

Deno.test("A throwing bus listener does not disturb the pipeline", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.bus.on("eos", () => {
    throw new Error("listener bug");
  });
  const sink = new Collect();
  pipeline.pipe(new DataSource({ count: 3 }), sink);
  assert.equal((await pipeline.run()).status, "eos");
  assert.equal(sink.messages.length, 3);
});
