import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { Identity } from "../actors/identity.ts";
import { NullSink } from "../actors/null_sink.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { isStreamlibError } from "../errors.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { createVideoFrame, type DataMessage } from "../messages.ts";
import { createDataMessage } from "../create_messages.ts";
import { Pipeline } from "./pipeline.ts";
import { data, Head, Pass } from "../_testing.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

Deno.test("Pipeline runs an offline chain to end-of-stream with every message in order", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 1000, fps: 25 }), new Pass(), new Pass(), sink);
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.equal(pipeline.state, "done");
  assert.deepEqual(sink.messages.map((m) => m.value), [...Array(1000).keys()]);
  assert.deepEqual(
    sink.messages.map((m) => m.timestamp),
    [...Array(1000).keys()].map((n) => Math.round(n * 1e6 / 25)),
  );
  assert.ok(sink.messages.every((m, i) => m.position === i && m.duration === 40_000));
});

Deno.test("Pipeline delivers the same message object to every input of a fan-out (no copy)", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 5 }));
  const a = pipeline.add(new Collect());
  const b = pipeline.add(new Collect());
  pipeline.connect(src.outputs.out, a.inputs.in);
  pipeline.connect(src.outputs.out, b.inputs.in);
  await pipeline.run();
  assert.equal(a.messages.length, 5);
  for (let i = 0; i < 5; i++) assert.equal(a.messages[i], b.messages[i]);
});

Deno.test("Pipeline settles done only after every sink has run stop()", async () => {
  const events: string[] = [];
  const contract = {
    type: "tracked",
    inputs: { in: { kind: "data" } },
  } as const satisfies Contract;
  class Tracked extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      while (this.inputs.in.read()) events.push(`${this.name} message`);
    }
    override async stop(): Promise<void> {
      await Promise.resolve();
      events.push(`${this.name} stopped`);
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 2 }), { name: "src" });
  pipeline.connect(src.outputs.out, pipeline.add(new Tracked(), { name: "a" }).inputs.in);
  pipeline.connect(src.outputs.out, pipeline.add(new Tracked(), { name: "b" }).inputs.in);
  pipeline.bus.on("eos", (e) => events.push(`eos ${e.actor}`));
  await pipeline.run();
  events.push("done");
  assert.equal(events.at(-1), "done");
  assert.ok(events.includes("a stopped") && events.includes("b stopped"));
  assert.ok(events.indexOf("a stopped") < events.indexOf("eos actor://local/tracked/a"));
});

Deno.test("Pipeline starts sinks before sources", async () => {
  const order: string[] = [];
  const make = (type: string, inputs: boolean, outputs: boolean) => {
    const contract: Contract = {
      type,
      ...(inputs ? { inputs: { in: { kind: "data" } } } : {}),
      ...(outputs ? { outputs: { out: { kind: "data" } } } : {}),
    };
    return class extends Actor {
      static override contract = contract;
      override start(): void {
        order.push(type);
      }
      process(_tick: TimedTick): void {
        if (!inputs) this.end();
        while ((this.inputs as Record<string, { read(): unknown }>).in?.read());
      }
    };
  };
  const [Src, Mid, Sink] = [
    make("src", false, true),
    make("mid", true, true),
    make("sink", true, false),
  ];
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(new Src(), new Mid(), new Sink());
  await pipeline.run();
  assert.deepEqual(order, ["sink", "mid", "src"]);
});

Deno.test("An actor that ends early ends its endless upstream (end-of-stream flows back)", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = new DataSource({ count: 0 });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(src, new Head({ count: 5 }), sink);
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2, 3, 4]);
});

Deno.test("A second write while the first waits for space throws SL_WRITE_PENDING", async () => {
  const contract = {
    type: "burst",
    outputs: { out: { kind: "data" } },
  } as const satisfies Contract;
  let error: unknown;
  class Burst extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      try {
        for (let i = 0; i < 3; i++) this.outputs.out.write(data(i));
      } catch (e) {
        error = e;
      }
      this.end();
    }
  }
  // A consumer that reads nothing until told to: its one-slot queue fills at once.
  const held = { type: "held", inputs: { in: { kind: "data" } } } as const satisfies Contract;
  let open = false;
  const got: unknown[] = [];
  class Held extends Actor<typeof held> {
    static override contract = held;
    process(): void {
      for (let m = open ? this.inputs.in.read() : undefined; m; m = this.inputs.in.read()) {
        got.push(m.value);
      }
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(new Held(), { inputs: { in: { policy: "queue:1" } } });
  pipeline.connect(pipeline.add(new Burst()).outputs.out, sink.inputs.in);
  await pipeline.start();
  await pipeline.idle();
  assert.ok(isStreamlibError(error, "SL_WRITE_PENDING"));
  open = true;
  sink.inputs.in.read(); // make room: the waiting write lands and the actor runs again
  await pipeline.done;
  assert.deepEqual(got, [1]);
});

Deno.test("Awaited writes let one process() call write many messages through a small queue", async () => {
  const contract = {
    type: "burst",
    outputs: { out: { kind: "data" } },
  } as const satisfies Contract;
  class Burst extends Actor<typeof contract> {
    static override contract = contract;
    async process(): Promise<void> {
      for (let i = 0; i < 50; i++) await this.outputs.out.write(data(i));
      this.end();
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(new Collect<DataMessage>(), { inputs: { in: { policy: "queue:2" } } });
  pipeline.connect(pipeline.add(new Burst()).outputs.out, sink.inputs.in);
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => m.value), [...Array(50).keys()]);
  assert.equal(pipeline.stats().actors[1]!.dropped, 0);
});

Deno.test("Pipeline.start() twice fails with SL_STATE, and a finished pipeline refuses changes", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(new DataSource({ count: 1 }), new NullSink());
  await pipeline.start();
  await assert.rejects(pipeline.start(), code("SL_STATE"));
  await pipeline.done;
  assert.throws(() => pipeline.add(new NullSink()), code("SL_STATE"));
  assert.throws(() => pipeline.connect("datasrc0.out", "nullsink0.in"), code("SL_STATE"));
});

Deno.test("An empty pipeline is done as soon as it starts", async () => {
  const pipeline = new Pipeline();
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
});

Deno.test("Stopping a pipeline that never started resolves done as aborted", async () => {
  const pipeline = new Pipeline();
  pipeline.add(new DataSource());
  const result = await pipeline.stop();
  assert.equal(result.status, "aborted");
  assert.equal(pipeline.state, "done");
});

Deno.test("Pipeline.stats() counts processed messages, input depth and drops", async () => {
  const pipeline = new Pipeline({ mode: "offline", statsSampleEvery: 1 });
  pipeline.pipe(new DataSource({ count: 20 }), new Pass(), new NullSink());
  const result = await pipeline.run();
  const [src, pass, sink] = result.stats.actors;
  assert.equal(src!.processed, 20);
  assert.equal(src!.outputs.out!.written, 20);
  assert.equal(pass!.inputs.in!.received, 20);
  assert.equal(pass!.inputs.in!.depth, 0);
  assert.equal(pass!.inputs.in!.policy, "queue:8:block");
  assert.equal(sink!.dropped, 0);
  assert.equal(sink!.state, "finished");
  assert.ok(pass!.processingTimeUs.samples >= 20);
  assert.ok(pass!.processingTimeUs.p99 >= pass!.processingTimeUs.p50);
  assert.equal(result.stats.mode, "offline");
});

Deno.test("Messages of every kind pass through an any-kind chain untouched", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const frame = createVideoFrame({ format: "RGBA", codedWidth: 2, codedHeight: 2 });
  const contract = {
    type: "vsrc",
    outputs: { out: { kind: "video" } },
  } as const satisfies Contract;
  class VSrc extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      this.outputs.out.write(frame);
      this.end();
    }
  }
  const sink = new Collect();
  pipeline.pipe(new VSrc(), new Identity(), sink);
  await pipeline.run();
  assert.equal(sink.messages[0], frame);
  assert.equal(pipeline.toJSON().links[0]!.formats, "any");
});

Deno.test("Actors added while running start at once and receive data", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new DataSource({ count: 10, fps: 10 }));
  const first = pipeline.add(new Collect<DataMessage>());
  pipeline.connect(src.outputs.out, first.inputs.in);
  await pipeline.start();
  await clock.advance(300_000);
  const late = pipeline.add(new Collect<DataMessage>());
  pipeline.connect(src.outputs.out, late.inputs.in);
  await clock.advance(1_000_000);
  await pipeline.done;
  assert.equal(first.messages.length, 10);
  assert.deepEqual(late.messages.map((m) => m.value), [4, 5, 6, 7, 8, 9]);
});

Deno.test("Disconnecting then connecting in one step rewires without ending the sink", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 0, fps: 10, topic: "a" }), { name: "a" });
  pipeline.add(new DataSource({ count: 0, fps: 10, topic: "b" }), { name: "b" });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  const other = pipeline.add(new Collect<DataMessage>(), { name: "other" });
  pipeline.connect("a.out", "sink.in");
  pipeline.connect("b.out", "other.in");
  await pipeline.start();
  await clock.advance(200_000);
  pipeline.disconnect("a.out", "sink.in");
  pipeline.connect("b.out", "sink.in");
  await clock.advance(200_000);
  await pipeline.idle();
  assert.equal(pipeline.stats().actors[2]!.state, "running");
  const topics = sink.messages.map((m) => m.topic);
  assert.deepEqual(topics, ["a", "a", "a", "b", "b"]);
  // The other branch never noticed.
  assert.deepEqual(other.messages.map((m) => m.value), [0, 1, 2, 3, 4]);
  // Disconnecting the last link ends the sink; the other branch goes on.
  pipeline.disconnect("b.out", "sink.in");
  await clock.advance(100_000);
  await pipeline.idle();
  assert.equal(pipeline.stats().actors[2]!.state, "finished");
  assert.equal(pipeline.stats().actors[3]!.state, "running");
  assert.equal(other.messages.length, 6);
  await pipeline.stop();
  assert.equal(other.messages.length, 6);
});

Deno.test("Pipeline.remove() stops an actor and its downstream sees end-of-stream", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new DataSource({ count: 0, fps: 10 }));
  const sink = pipeline.add(new Collect<DataMessage>());
  pipeline.connect(src.outputs.out, sink.inputs.in);
  await pipeline.start();
  await clock.advance(100_000);
  await pipeline.remove(src);
  const result = await pipeline.done;
  assert.equal(result.status, "eos");
  assert.equal(sink.messages.length, 2);
  assert.equal(pipeline.registry.has("actor://local/datasrc/datasrc0"), false);
  assert.throws(() => pipeline.actor("datasrc0")!.name, TypeError);
});

Deno.test("stop({ mode: 'drain' }) ends sources and lets every message reach the sinks", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 0, fps: 100 }), new Pass(), sink);
  await pipeline.start();
  await clock.advance(50_000);
  const result = await pipeline.stop();
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2, 3, 4, 5]);
});

Deno.test("stop({ mode: 'abort' }) runs every stop() hook and discards what waits", async () => {
  let stops = 0;
  const contract = { type: "stuck", inputs: { in: { kind: "data" } } } as const satisfies Contract;
  class Stuck extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {}
    override stop(): void {
      stops++;
    }
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.pipe(new DataSource({ count: 0, fps: 100 }), new Stuck());
  await pipeline.start();
  await clock.advance(200_000);
  assert.equal(pipeline.stats().actors[1]!.inputs.in!.depth, 8);
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  assert.equal(stops, 1);
  assert.equal(clock.pending, 0);
});

Deno.test("stop() with a timeout aborts a drain that cannot finish", async () => {
  const contract = { type: "stuck", inputs: { in: { kind: "data" } } } as const satisfies Contract;
  class Stuck extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {}
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.pipe(new DataSource({ count: 0, fps: 100 }), new Stuck());
  await pipeline.start();
  await clock.advance(200_000);
  const stopping = pipeline.stop({ timeoutMs: 500 });
  await clock.advance(499_000);
  assert.equal(pipeline.state, "stopping");
  await clock.advance(1_000);
  assert.equal((await stopping).status, "aborted");
});

Deno.test("Changing parameters while running takes effect and calls paramsChanged()", async () => {
  const changed: string[][] = [];
  class Watched extends DataSource {
    override paramsChanged(names: readonly string[]): void {
      changed.push([...names]);
    }
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = new Watched({ count: 4, fps: 10 });
  const sink = new Collect<DataMessage>();
  pipeline.pipe(src, sink);
  await pipeline.start();
  await clock.advance(100_000);
  src.setParams({ topic: "later" });
  assert.throws(() => src.setParams({ topic: 3 as unknown as string }), code("SL_PARAM_INVALID"));
  assert.throws(() => src.setParams({ nope: 1 } as never), code("SL_PARAM_UNKNOWN"));
  await clock.advance(300_000);
  await pipeline.done;
  assert.deepEqual(sink.messages.map((m) => m.topic), ["", "", "later", "later"]);
  assert.deepEqual(changed, [["topic"]]);
});

Deno.test("A failing pipeline nobody awaits does not raise an unhandled rejection", async () => {
  const contract = { type: "boom", outputs: { out: { kind: "data" } } } as const satisfies Contract;
  class Boom extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      throw new Error("boom");
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(new Boom(), new NullSink());
  await pipeline.start();
  await pipeline.idle();
  assert.equal(pipeline.state, "failed");
});

Deno.test("Data messages carry what createDataMessage() was given", () => {
  const m = createDataMessage({ a: 1 }, { topic: "t", timestamp: 5 });
  assert.equal(m.kind, "data");
  assert.deepEqual(m.value, { a: 1 });
});

Deno.test("An actor with a never-connected input waits to be connected, even after an await", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.add(new DataSource({ count: 5, fps: 10 }), { name: "src" });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  await pipeline.start();
  await clock.advance(150_000);
  assert.equal(pipeline.stats().actors[1]!.state, "running");
  pipeline.connect("src.out", "sink.in");
  await clock.advance(1_000_000);
  await pipeline.done;
  assert.deepEqual(sink.messages.map((m) => m.value), [2, 3, 4]);
});

Deno.test("A sink left unconnected ends once every source has ended, so done settles", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const used = new Collect();
  pipeline.pipe(new DataSource({ count: 3 }), used);
  const dangling = pipeline.add(new Collect());
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.equal(used.messages.length, 3);
  assert.equal(dangling.messages.length, 0);
});

Deno.test("A pipeline of sinks only waits for writers, and stop() drains it", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  await pipeline.start();
  await pipeline.idle();
  assert.equal(pipeline.state, "running");
  const writer = pipeline.writable<DataMessage>("sink.in").getWriter();
  await writer.write(data(1));
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((m) => m.value), [1]);
  const other = pipeline.add(new Collect(), { name: "other" });
  const result = await pipeline.stop();
  assert.equal(result.status, "eos");
  assert.equal(other.messages.length, 0);
});

Deno.test("process() runs once per message, plus once when one of several inputs ends first", async () => {
  const calls: Array<[number, boolean, boolean]> = [];
  const contract = {
    type: "two",
    inputs: { a: { kind: "data" }, b: { kind: "data" } },
  } as const satisfies Contract;
  class Two extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      const got = (this.inputs.a.read() ? 1 : 0) + (this.inputs.b.read() ? 1 : 0);
      calls.push([got, this.inputs.a.eos, this.inputs.b.eos]);
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const single = new NullSink();
  const two = pipeline.add(new Two());
  pipeline.pipe(pipeline.add(new DataSource({ count: 2 }), { name: "short" }), single);
  pipeline.connect("short.out", "two0.a");
  pipeline.connect(
    pipeline.add(new DataSource({ count: 4 }), { name: "long" }).outputs.out,
    two.inputs.b,
  );
  const result = await pipeline.run();
  assert.equal(result.stats.actors.find((a) => a.name === "nullsink0")!.processed, 2);
  // Six messages; a call that reads nothing only ever reports an input that has just ended.
  assert.equal(calls.reduce((n, [got]) => n + got, 0), 6);
  const empty = calls.filter(([got]) => got === 0);
  assert.ok(empty.length <= 1);
  assert.ok(empty.every(([, aEnded, bEnded]) => aEnded && !bEnded));
  // The actor heard of "a" ending while "b" was still open.
  assert.ok(calls.some(([, aEnded, bEnded]) => aEnded && !bEnded));
});

const probingContract = {
  type: "probing",
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** A source that learns its tick rate in start(), as a file reader does from its file. */
class Probing extends Actor<typeof probingContract> {
  static override contract = probingContract;
  #fps = 0;
  rate = 4;
  override get fps(): number {
    return this.#fps || 30;
  }
  override start(): void {
    this.#fps = this.rate;
  }
  process(tick: TimedTick): void {
    this.outputs.out.write(data(tick.frameNumber, tick.timestamp, tick.duration));
    if (tick.frameNumber === 2) this.end();
  }
}

Deno.test("Pipeline reads a source's fps again after start()", async () => {
  const sink = new Collect<DataMessage>();
  await new Pipeline({ mode: "offline" }).pipe(new Probing(), sink).run();
  assert.deepEqual(sink.messages.map((m) => [m.timestamp, m.duration]), [
    [0, 250_000],
    [250_000, 250_000],
    [500_000, 250_000],
  ]);
});

Deno.test("Pipeline keeps the fps given to add() over the one a source learns in start()", async () => {
  const sink = new Collect<DataMessage>();
  const pipeline = new Pipeline({ mode: "offline" });
  const source = pipeline.add(new Probing(), { fps: 2 });
  pipeline.link(source, pipeline.add(sink));
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [0, 500_000, 1_000_000]);
});

Deno.test("Pipeline fails a source whose start() leaves an invalid fps", async () => {
  const source = new Probing();
  source.rate = -1;
  const pipeline = new Pipeline({ mode: "offline" }).pipe(source, new Collect());
  await assert.rejects(pipeline.run(), code("SL_ACTOR_FAILED"));
});

const samplerContract = {
  type: "sampler",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  schedule: "tick",
  params: { fps: { type: "number", default: 25 } },
} as const satisfies Contract;

/** At each tick, passes on the newest message stamped at or before the tick (a compositor). */
class Sampler extends Actor<typeof samplerContract> {
  static override contract = samplerContract;
  process(tick: TimedTick): void {
    let newest: DataMessage | undefined;
    for (
      let m = this.inputs.in.peek();
      m && m.timestamp <= tick.timestamp;
      m = this.inputs.in.peek()
    ) {
      newest = this.inputs.in.read();
    }
    if (newest) this.outputs.out.write(data(newest.value, tick.timestamp));
    else if (this.inputs.in.eos) this.end();
  }
}

Deno.test("Pipeline keeps an offline tick actor going when a faster input fills its queue", async () => {
  // 250 messages a second into 25 ticks a second: ten arrive per tick, the queue holds eight.
  const sink = new Collect<DataMessage>();
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(new DataSource({ count: 100, fps: 250 }), new Sampler(), sink);
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
});

const slowSourceContract = {
  type: "slowsrc",
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** An endless source whose every step takes `ms` of CPU, as a large frame's drawing does. */
class SlowSource extends Actor<typeof slowSourceContract> {
  static override contract = slowSourceContract;
  constructor(readonly ms: number) {
    super();
  }
  process(tick: TimedTick): void {
    const until = performance.now() + this.ms;
    while (performance.now() < until) { /* busy, as real work is */ }
    this.outputs.out.write(createDataMessage(tick.frameNumber, { timestamp: tick.timestamp }));
  }
}

Deno.test("An offline pipeline of slow steps gives timers a turn within a few steps, so stop() acts at once", async () => {
  const pipeline = new Pipeline({ mode: "offline" }).pipe(new SlowSource(10), new NullSink());
  await pipeline.start();
  const asked = performance.now();
  const fired = await new Promise<number>((resolve) =>
    setTimeout(() => resolve(performance.now()), 20)
  );
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  // Checking the time only every 256 steps, the timer came 2.5 s late here.
  assert.ok(fired - asked < 1_000, `the timer came ${fired - asked} ms after it was set`);
  assert.ok(performance.now() - fired < 1_000, `stopped ${performance.now() - fired} ms late`);
});

Deno.test("A refused add() leaves nothing behind: the name stays free and the actor can be added again", () => {
  const pipeline = new Pipeline();
  const sink = new NullSink();
  assert.throws(
    () => pipeline.add(sink, { name: "out", inputs: { in: { policy: "queue:0:block" } } }),
    (e) => isStreamlibError(e, "SL_POLICY_INVALID"),
  );
  assert.equal(pipeline.actors.length, 0);
  assert.equal(
    pipeline.add(sink, { name: "out", inputs: { in: { policy: "queue:4:block" } } }),
    sink,
  );
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["out"]);
});

Deno.test("A Worker actor's module given as a relative path is refused with the URL to write instead", () => {
  const pipeline = new Pipeline();
  for (const module of ["./square.ts", "../lib/square.ts"]) {
    assert.throws(
      () => pipeline.add(new Identity(), { dispatch: "worker", module }),
      (e) =>
        isStreamlibError(e, "SL_PARAM_INVALID") &&
        e.message.endsWith(`not a path: new URL(${JSON.stringify(module)}, import.meta.url)`),
    );
  }
  assert.deepEqual(pipeline.actors, []);
});
