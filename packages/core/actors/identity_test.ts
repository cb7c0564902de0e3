import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import {
  createAudioBuffer,
  createVideoFrame,
  type DataMessage,
  type Message,
} from "../messages.ts";
import { createMouseEvent } from "../create_messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Collect } from "./collect.ts";
import { DataSource } from "./data_source.ts";
import { Identity } from "./identity.ts";

const mixedContract = {
  type: "mixed",
  outputs: {
    video: { kind: "video" },
    audio: { kind: "audio" },
    event: { kind: "event" },
  },
  params: { count: { type: "integer", default: 1 } },
} as const satisfies Contract;

/** Writes one video frame, one audio buffer and one mouse event a tick, `count` ticks. */
class Mixed extends Actor<typeof mixedContract> {
  static override contract: typeof mixedContract = mixedContract;
  readonly sent: Message[] = [];
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    const video = createVideoFrame({ format: "I420", codedWidth: 4, codedHeight: 2, position: n });
    const audio = createAudioBuffer({
      sampleRate: 8000,
      numberOfChannels: 1,
      numberOfFrames: 80,
      position: n * 80,
    });
    const event = createMouseEvent({ type: "click", x: n, y: n, position: n });
    this.sent.push(video, audio, event);
    this.outputs.video.write(video);
    this.outputs.audio.write(audio);
    this.outputs.event.write(event);
    if (n + 1 >= this.params.count) this.end();
  }
}

const slowContract = {
  type: "slowsink",
  inputs: { in: { kind: "any" } },
} as const satisfies Contract;

/** Reads one message a call and takes a few microtasks over it, so that its queue fills up. */
class SlowSink extends Actor<typeof slowContract> {
  static override contract: typeof slowContract = slowContract;
  readonly messages: Message[] = [];
  maxDepth = 0;
  onProcess: () => void = () => {};
  async process(_tick: TimedTick): Promise<void> {
    this.onProcess();
    this.maxDepth = Math.max(this.maxDepth, this.inputs.in.size);
    const m = this.inputs.in.read();
    if (m === undefined) return;
    this.messages.push(m);
    for (let i = 0; i < 3; i++) await Promise.resolve();
  }
}

Deno.test("Identity passes every message through, in order", async () => {
  const sink = new Collect<DataMessage<number>>();
  const result = await new Pipeline({ mode: "offline" })
    .pipe(new DataSource({ count: 100 }), new Identity(), sink)
    .run();
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [...Array(100).keys()]);
});

Deno.test("Identity forwards the same message objects, unchanged", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 10, topic: "t" }));
  const direct = pipeline.add(new Collect());
  const identity = pipeline.add(new Identity());
  const through = pipeline.add(new Collect());
  pipeline.connect(src.outputs.out, direct.inputs.in);
  pipeline.connect(src.outputs.out, identity.inputs.in);
  pipeline.connect(identity.outputs.out, through.inputs.in);
  await pipeline.run();
  assert.equal(through.messages.length, 10);
  through.messages.forEach((m, i) => {
    assert.equal(m, direct.messages[i], `message ${i} is not the same object`);
  });
  assert.deepEqual(
    through.messages.map((m) => ({ ...m })),
    direct.messages.map((m) => ({ ...m })),
  );
});

Deno.test("Identity chains keep references across several hops", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 5 }));
  const direct = pipeline.add(new Collect());
  const end = new Collect();
  pipeline.connect(src.outputs.out, direct.inputs.in);
  pipeline.pipe(src, new Identity(), new Identity(), new Identity(), end);
  await pipeline.run();
  end.messages.forEach((m, i) => assert.equal(m, direct.messages[i]));
});

Deno.test("Identity works with any kind: video, audio and events", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new Mixed({ count: 3 }));
  const sinks: Collect[] = [];
  for (const port of ["video", "audio", "event"] as const) {
    const identity = pipeline.add(new Identity());
    const sink = pipeline.add(new Collect());
    pipeline.connect(src.outputs[port], identity.inputs.in);
    const link = pipeline.connect(identity.outputs.out, sink.inputs.in);
    assert.equal(link.formats, "any");
    sinks.push(sink);
  }
  await pipeline.run();
  const [video, audio, event] = sinks.map((s) => s.messages);
  assert.deepEqual(video!.map((m) => m.kind), ["video", "video", "video"]);
  assert.deepEqual(audio!.map((m) => m.kind), ["audio", "audio", "audio"]);
  assert.deepEqual(event!.map((m) => m.kind), ["event", "event", "event"]);
  for (let n = 0; n < 3; n++) {
    assert.equal(video![n], src.sent[3 * n]);
    assert.equal(audio![n], src.sent[3 * n + 1]);
    assert.equal(event![n], src.sent[3 * n + 2]);
  }
});

Deno.test("Identity holds its upstream back when its downstream queue is full, losing nothing", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 200 }), { name: "src" });
  const identity = pipeline.add(new Identity(), {
    name: "identity",
    inputs: { in: { policy: "queue:1" } },
  });
  const sink = pipeline.add(new SlowSink(), {
    name: "sink",
    inputs: { in: { policy: "queue:1" } },
  });
  pipeline.connect(src.outputs.out, identity.inputs.in);
  pipeline.connect(identity.outputs.out, sink.inputs.in);
  const blocked = new Set<string>();
  sink.onProcess = (): void => {
    for (const a of pipeline.stats().actors) if (a.state === "blocked") blocked.add(a.name);
  };
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.deepEqual(
    sink.messages.map((m) => (m as DataMessage<number>).value),
    [...Array(200).keys()],
  );
  // The queue never held more than one message…
  assert.ok(sink.maxDepth <= 1);
  const stats = Object.fromEntries(result.stats.actors.map((a) => [a.name, a]));
  assert.equal(stats.sink!.inputs.in!.policy, "queue:1:block");
  assert.equal(stats.sink!.dropped, 0);
  assert.equal(stats.identity!.dropped, 0);
  assert.equal(stats.identity!.outputs.out!.written, 200);
  // …because Identity waited for space, and in turn held the source back.
  assert.ok(blocked.has("identity"), `blocked actors seen: ${[...blocked].join(", ")}`);
  assert.ok(blocked.has("src"), `blocked actors seen: ${[...blocked].join(", ")}`);
});

Deno.test("Identity on a live clock waits with its write while the sink is full", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const src = pipeline.add(new DataSource({ fps: 10 }));
  const identity = pipeline.add(new Identity(), { name: "identity" });
  const held: DataMessage[] = [];
  const holdContract = {
    type: "hold",
    inputs: { in: { kind: "any" } },
  } as const satisfies Contract;
  class Hold extends Actor<typeof holdContract> {
    static override contract: typeof holdContract = holdContract;
    process(): void {}
  }
  const sink = pipeline.add(new Hold(), { inputs: { in: { policy: "queue:2" } } });
  pipeline.connect(src.outputs.out, identity.inputs.in);
  pipeline.connect(identity.outputs.out, sink.inputs.in);
  await pipeline.start();
  await clock.advance(300_000); // ticks 0…3
  await pipeline.idle();
  const stats = (): Record<string, ReturnType<Pipeline["stats"]>["actors"][number]> =>
    Object.fromEntries(pipeline.stats().actors.map((a) => [a.name, a]));
  assert.equal(sink.inputs.in.size, 2);
  assert.equal(stats().identity!.state, "blocked");
  assert.equal(stats().identity!.outputs.out!.waiting, 1);
  assert.equal(stats().identity!.outputs.out!.written, 3);
  assert.equal(stats().identity!.inputs.in!.depth, 1);
  // Reading makes room: the waiting write lands and Identity goes on.
  for (let m = sink.inputs.in.read(); m !== undefined; m = sink.inputs.in.read()) {
    held.push(m as DataMessage);
  }
  await pipeline.idle();
  for (let m = sink.inputs.in.read(); m !== undefined; m = sink.inputs.in.read()) {
    held.push(m as DataMessage);
  }
  assert.deepEqual(held.map((m) => m.value), [0, 1, 2, 3]);
  assert.equal(sink.inputs.in.dropped, 0);
  await pipeline.stop({ mode: "abort" });
});
