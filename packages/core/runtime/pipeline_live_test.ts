import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "./pipeline.ts";
import { JumpClock, SlowSink } from "../_testing.ts";

Deno.test("Live ticks fire at start + n/fps exactly, with drift-free timestamps", async () => {
  const clock = new ManualClock({ start: 5_000_000 });
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 0, fps: 30000 / 1001 }), sink);
  const seen: Array<[number, number]> = [];
  const contract = { type: "probe", inputs: { in: { kind: "data" } } } as const satisfies Contract;
  class Probe extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      for (let m = this.inputs.in.read(); m; m = this.inputs.in.read()) {
        seen.push([m.timestamp, this.clock.now()]);
      }
    }
  }
  pipeline.connect("datasrc0.out", pipeline.add(new Probe()).inputs.in);
  await pipeline.start();
  await clock.advance(10_000_000);
  await pipeline.stop();
  assert.equal(seen.length, 300); // 10 s at 29.97 fps: ticks 0..299
  seen.forEach(([timestamp, wokeAt], n) => {
    assert.equal(timestamp, Math.round(n * 1e6 * 1001 / 30000));
    assert.equal(wokeAt, 5_000_000 + timestamp);
  });
  assert.equal(sink.messages[299]!.clockId, clock.id);
});

Deno.test("Late ticks are skipped by default and flagged with late: 'flag'", async () => {
  for (const late of ["skip", "flag"] as const) {
    const clock = new JumpClock();
    const pipeline = new Pipeline({ clock });
    const ticks: TimedTick[] = [];
    const contract = {
      type: "ticker",
      outputs: { out: { kind: "data" } },
    } as const satisfies Contract;
    class Ticker extends Actor<typeof contract> {
      static override contract = contract;
      process(tick: TimedTick): void {
        ticks.push({ ...tick });
      }
    }
    pipeline.add(new Ticker(), { fps: 10, late });
    await pipeline.start();
    await pipeline.idle();
    clock.jumpTo(350_000); // 3.5 periods late for tick 1
    await pipeline.idle();
    const stats = pipeline.stats().actors[0]!;
    if (late === "skip") {
      assert.deepEqual(ticks.map((t) => [t.frameNumber, t.timestamp, t.late]), [
        [0, 0, false],
        [3, 300_000, false],
      ]);
      assert.equal(stats.skippedTicks, 2);
    } else {
      assert.deepEqual(ticks.map((t) => [t.frameNumber, t.late]), [
        [0, false],
        [1, true],
        [2, true],
        [3, false],
      ]);
      assert.equal(stats.lateTicks, 2);
    }
    await pipeline.stop({ mode: "abort" });
  }
});

Deno.test("With a slow consumer, 'latest' drops frames while 'queue' backpressures, memory bounded", async () => {
  const run = async (policy: "latest" | "queue:4:block") => {
    const clock = new ManualClock();
    const pipeline = new Pipeline({ clock });
    const src = pipeline.add(new DataSource({ count: 100, fps: 100 }));
    const sink = pipeline.add(new SlowSink({ costUs: 35_000 }), { inputs: { in: { policy } } });
    pipeline.connect(src.outputs.out, sink.inputs.in);
    await pipeline.start();
    let maxDepth = 0;
    while (pipeline.state !== "done") {
      await clock.advance(5_000);
      maxDepth = Math.max(maxDepth, pipeline.stats().actors[1]!.inputs.in!.depth);
    }
    const [source, consumer] = pipeline.stats().actors;
    return { values: sink.values as number[], source: source!, consumer: consumer!, maxDepth };
  };

  const latest = await run("latest");
  // The source never waits: it sends all 100 in one second.
  assert.equal(latest.source.outputs.out!.written, 100);
  assert.equal(latest.source.skippedTicks, 0);
  // The sink reads the newest value whenever it is free: increasing, never stale…
  assert.ok(latest.values.length >= 28 && latest.values.length <= 31, `${latest.values.length}`);
  assert.ok(latest.values.every((v, i) => i === 0 || v > latest.values[i - 1]!));
  assert.equal(latest.values.at(-1), 99);
  // …and every value it did not read is counted as dropped.
  assert.equal(latest.consumer.inputs.in!.dropped, 100 - latest.values.length);
  assert.ok(latest.maxDepth <= 1);

  const queue = await run("queue:4:block");
  // Nothing lost: the sink read every message the source wrote, in order…
  const written = queue.source.outputs.out!.written;
  assert.equal(queue.values.length, written);
  assert.equal(queue.consumer.dropped, 0);
  assert.ok(queue.values.every((v, i) => i === 0 || v > queue.values[i - 1]!));
  // …because the source was held back: it skipped the ticks it could not deliver.
  assert.ok(queue.source.skippedTicks > 50, `${queue.source.skippedTicks}`);
  // (A skip may carry the frame number past `count`, which ends the source.)
  assert.ok(written + queue.source.skippedTicks >= 100);
  assert.ok(queue.maxDepth <= 4);
});

Deno.test("A tick-driven actor on an upstream clock produces frame n only once inputs reached it", async () => {
  const contract = {
    type: "sampler",
    inputs: { in: { kind: "data" } },
    outputs: { out: { kind: "data" } },
    schedule: "tick",
    clock: "upstream",
  } as const satisfies Contract;
  const log: string[] = [];
  class Sampler extends Actor<typeof contract> {
    static override contract = contract;
    process(tick: TimedTick): void {
      let latest: DataMessage | undefined;
      for (
        let m = this.inputs.in.peek();
        m && m.timestamp <= tick.timestamp;
        m = this.inputs.in.peek()
      ) {
        latest = this.inputs.in.read();
      }
      log.push(`tick ${tick.frameNumber} @${tick.timestamp} saw ${latest?.value}`);
      if (latest) {
        this.outputs.out.write({
          ...latest,
          timestamp: tick.timestamp,
          position: tick.frameNumber,
        });
      }
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage>();
  // 10 fps input sampled at 5 fps: every other value.
  const sampler = pipeline.add(new Sampler(), { fps: 5 });
  pipeline.pipe(new DataSource({ count: 10, fps: 10 }), sampler, sink);
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 2, 4, 6, 8]);
  assert.equal(log[0], "tick 0 @0 saw 0");
});

Deno.test("Sources present at start tick from running time 0 even when the clock moves meanwhile", async () => {
  // Every read of this clock finds it 3 µs later, as a real clock would be.
  class Creeping extends ManualClock {
    #reads = 0;
    override now(): number {
      return super.now() + 3 * ++this.#reads;
    }
  }
  const clock = new Creeping();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 3, fps: 10 }), sink);
  await pipeline.start();
  await clock.advance(1_000_000);
  await pipeline.done;
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [0, 100_000, 200_000]);
});

Deno.test("A live source that falls behind skips ticks, not messages: count=3 still sends 3", async () => {
  const clock = new JumpClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage>();
  const source = new DataSource({ count: 3, fps: 10 });
  pipeline.pipe(source, sink);
  const done = pipeline.run();
  await pipeline.idle();
  clock.jumpTo(450_000); // tick 1 is 3.5 periods late: ticks 1 to 3 are skipped
  await pipeline.idle();
  clock.jumpTo(550_000);
  await done;
  const stats = pipeline.stats().actors.find((a) => a.name === "datasrc0")!;
  assert.equal(stats.skippedTicks, 3);
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [0, 400_000, 500_000]);
});
