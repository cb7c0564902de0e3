import assert from "node:assert/strict";
import type { TimedTick } from "../clock/clock.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Collect } from "./collect.ts";
import { DataSource } from "./data_source.ts";
import { NullSink } from "./null_sink.ts";

type Params = ConstructorParameters<typeof DataSource>[0];

/** Runs a DataSource offline into a Collect and returns what arrived. */
async function collect(params: Params): Promise<DataMessage<number>[]> {
  const sink = new Collect<DataMessage<number>>();
  const result = await new Pipeline({ mode: "offline" }).pipe(new DataSource(params), sink).run();
  assert.equal(result.status, "eos");
  return sink.messages;
}

Deno.test("DataSource counts 0, 1, 2… by default", async () => {
  const messages = await collect({ count: 5 });
  assert.deepEqual(messages.map((m) => m.value), [0, 1, 2, 3, 4]);
  assert.ok(messages.every((m) => m.kind === "data"));
});

Deno.test("DataSource's sine pattern is sin(2π·frequency·timestamp/1e6)", async () => {
  const messages = await collect({ count: 16, fps: 7, pattern: "sine", frequency: 3 });
  assert.equal(messages.length, 16);
  for (const m of messages) {
    assert.equal(m.value, Math.sin(2 * Math.PI * 3 * m.timestamp / 1e6));
  }
  // Not a constant: the wave actually moves between ticks.
  assert.ok(new Set(messages.map((m) => m.value)).size > 10);
});

Deno.test("DataSource's sine pattern uses a 1 Hz frequency by default", async () => {
  const messages = await collect({ count: 4, fps: 4, pattern: "sine" });
  assert.deepEqual(messages.map((m) => m.timestamp), [0, 250_000, 500_000, 750_000]);
  assert.deepEqual(
    messages.map((m) => m.value),
    [0, 0.25, 0.5, 0.75].map((t) => Math.sin(2 * Math.PI * t)),
  );
});

Deno.test("DataSource's random pattern is reproducible for a seed, different for another, in [0, 1)", async () => {
  const a = (await collect({ count: 200, pattern: "random", seed: 42 })).map((m) => m.value);
  const b = (await collect({ count: 200, pattern: "random", seed: 42 })).map((m) => m.value);
  const c = (await collect({ count: 200, pattern: "random", seed: 43 })).map((m) => m.value);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.every((v, i) => v !== c[i]), "another seed gives another sequence");
  for (const v of [...a, ...c]) {
    assert.equal(typeof v, "number");
    assert.ok(v >= 0 && v < 1, `${v} is outside [0, 1)`);
  }
  // Noise, not a constant or a counter.
  assert.ok(new Set(a).size > 190);
  const mean = a.reduce((sum, v) => sum + v, 0) / a.length;
  assert.ok(mean > 0.35 && mean < 0.65, `mean ${mean}`);
});

Deno.test("DataSource's random pattern follows mulberry32 from the seed", async () => {
  const mulberry32 = (seed: number): () => number => {
    let state = seed >>> 0;
    return (): number => {
      let t = (state = (state + 0x6d2b79f5) >>> 0);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };
  const next = mulberry32(12345);
  const expected = Array.from({ length: 10 }, () => next());
  const actual = (await collect({ count: 10, pattern: "random", seed: 12345 })).map((m) => m.value);
  assert.deepEqual(actual, expected);
});

Deno.test("DataSource sends exactly count messages, then end-of-stream", async () => {
  for (const count of [1, 2, 7]) {
    const messages = await collect({ count });
    assert.deepEqual(messages.map((m) => m.position), [...Array(count).keys()]);
  }
});

Deno.test("DataSource ends right after its last tick on a live clock", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(new DataSource({ count: 3, fps: 10 }), sink);
  await pipeline.start();
  await clock.advance(100_000);
  await pipeline.idle();
  assert.equal(sink.messages.length, 2);
  assert.equal(pipeline.state, "running");
  await clock.advance(100_000); // tick 2, the last one
  await pipeline.idle();
  // No further tick was needed to end: the source ended with its last message.
  assert.equal(pipeline.state, "done");
  assert.equal((await pipeline.done).status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2]);
  assert.equal(pipeline.stats().actors[0]!.outputs.out!.written, 3);
});

Deno.test("DataSource with count: 0 never ends by itself; pipeline.stop() ends it", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(new DataSource({ count: 0, fps: 10 }), sink);
  await pipeline.start();
  await clock.advance(5_000_000);
  await pipeline.idle();
  assert.equal(pipeline.state, "running");
  assert.equal(sink.messages.length, 51); // ticks 0…50
  assert.deepEqual(sink.messages.map((m) => m.value), [...Array(51).keys()]);
  const result = await pipeline.stop();
  assert.equal(result.status, "eos");
  assert.equal(await sink.ended, sink.messages);
  assert.equal(sink.messages.length, 51);
});

Deno.test("DataSource stamps timestamp, duration and position from fps", async () => {
  const messages = await collect({ count: 7, fps: 3 });
  assert.deepEqual(
    messages.map((m) => m.timestamp),
    [0, 333_333, 666_667, 1_000_000, 1_333_333, 1_666_667, 2_000_000],
  );
  // Durations tile time exactly: each message ends where the next starts.
  assert.deepEqual(
    messages.map((m) => m.duration),
    [333_333, 333_334, 333_333, 333_333, 333_334, 333_333, 333_333],
  );
  messages.forEach((m, i) => {
    assert.equal(m.position, i);
    if (i > 0) assert.equal(messages[i - 1]!.timestamp + messages[i - 1]!.duration, m.timestamp);
  });
});

Deno.test("DataSource ticks at 30 fps by default", async () => {
  const messages = await collect({ count: 3 });
  assert.deepEqual(messages.map((m) => m.timestamp), [0, 33_333, 66_667]);
  assert.deepEqual(messages.map((m) => m.duration), [33_333, 33_334, 33_333]);
});

Deno.test("DataSource's fps paces live ticks on the pipeline clock", async () => {
  const clock = new ManualClock({ start: 1_000_000 });
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(new DataSource({ fps: 4 }), sink);
  await pipeline.start();
  await clock.advance(999_999);
  await pipeline.idle();
  // Running time starts at 0 when the pipeline starts, whatever the clock reads.
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [0, 250_000, 500_000, 750_000]);
  assert.ok(sink.messages.every((m) => m.duration === 250_000));
  await pipeline.stop();
});

Deno.test("DataSource sets the topic of its messages (empty by default)", async () => {
  assert.ok((await collect({ count: 2 })).every((m) => m.topic === ""));
  assert.ok(
    (await collect({ count: 2, topic: "temperature" })).every((m) => m.topic === "temperature"),
  );
});

Deno.test("DataSource stamps messages with the pipeline clock's id", async () => {
  const offline = new Pipeline({ mode: "offline" });
  const offlineSink = new Collect<DataMessage>();
  await offline.pipe(new DataSource({ count: 2 }), offlineSink).run();
  assert.ok(offline.clock.id !== "");
  assert.ok(offlineSink.messages.every((m) => m.clockId === offline.clock.id));

  const clock = new ManualClock({ id: "studio" });
  const live = new Pipeline({ clock });
  const liveSink = new Collect<DataMessage>();
  live.pipe(new DataSource({ count: 2, fps: 10 }), liveSink);
  await live.start();
  await clock.advance(100_000);
  await live.done;
  assert.equal(live.clock.id, "studio");
  assert.deepEqual(liveSink.messages.map((m) => m.clockId), ["studio", "studio"]);
});

Deno.test("DataSource re-seeds its generator on start(), so a restarted source repeats its noise", async () => {
  class FailsOnce extends DataSource {
    failed = false;
    starts = 0;
    override start(): void {
      this.starts++;
      super.start();
    }
    override process(tick: TimedTick): void {
      if (!this.failed && tick.frameNumber === 3) {
        this.failed = true;
        throw new Error("boom");
      }
      super.process(tick);
    }
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const source = pipeline.add(new FailsOnce({ pattern: "random", seed: 9, fps: 10, count: 6 }), {
    supervision: { policy: "restart", initialDelayMs: 0 },
  });
  const sink = pipeline.add(new Collect<DataMessage<number>>());
  pipeline.connect(source.outputs.out, sink.inputs.in);
  await pipeline.start();
  await clock.advance(1_000_000);
  assert.equal((await pipeline.done).status, "eos");
  assert.equal(source.starts, 2);
  assert.equal(pipeline.stats().actors[0]!.restarts, 1);

  const fresh = (await collect({ count: 3, pattern: "random", seed: 9 })).map((m) => m.value);
  // Before the failure: the sequence from the seed; after the restart: the same sequence again.
  assert.deepEqual(sink.messages.map((m) => m.value), [...fresh, ...fresh]);
  assert.deepEqual(sink.messages.map((m) => m.position), [0, 1, 2, 3, 4, 5]);
});

Deno.test({
  name: "DataSource's random pattern differs between seed 0 and seed 1",
  fn: async () => {
    const zero = (await collect({ count: 5, pattern: "random", seed: 0 })).map((m) => m.value);
    const one = (await collect({ count: 5, pattern: "random", seed: 1 })).map((m) => m.value);
    assert.notDeepEqual(zero, one);
  },
});

Deno.test("DataSource reports its progress, and stats() carries it", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = new DataSource({ count: 5 });
  pipeline.pipe(src, new NullSink());
  assert.deepEqual(src.progress(), { done: 0, total: 5 });
  const result = await pipeline.run();
  assert.deepEqual(result.stats.actors[0]!.progress, { done: 5, total: 5 });
  assert.deepEqual(new DataSource().progress(), { done: 0, total: undefined });
  assert.equal(result.stats.actors[1]!.progress, undefined);
});
