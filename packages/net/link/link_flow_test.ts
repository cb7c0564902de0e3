import assert from "node:assert/strict";
import {
  Actor,
  type Contract,
  DataSource,
  type Message,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { NetSink, NetSrc } from "./mod.ts";

const slowContract = {
  type: "slowsink",
  description: "Takes one message every 20 ms (tests)",
  classification: "Sink/Any",
  inputs: { in: { kind: "any", policy: "queue:1:block" } },
} as const satisfies Contract;

/** A receiver that takes one message every 20 ms, noting what the sender had sent by then. */
class Slow extends Actor<typeof slowContract> {
  static override contract: typeof slowContract = slowContract;
  readonly taken: Message[] = [];
  readonly ahead: number[] = [];
  readonly ages: number[] = [];
  sentBy: () => number = () => 0;
  ageOf: (m: Message) => number = () => 0;
  async process(_tick: TimedTick): Promise<void> {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    this.taken.push(m);
    this.ahead.push(this.sentBy() - this.taken.length);
    this.ages.push(this.ageOf(m));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function slowReceiver(): Promise<{ pipeline: Pipeline; src: NetSrc; slow: Slow }> {
  const pipeline = new Pipeline();
  // Timestamps stay the sender's: a frame's age is the sender's clock now less its timestamp.
  const src = pipeline.add(new NetSrc({ listen: "tcp://127.0.0.1:0", timestamps: "remote" }));
  const slow = pipeline.add(new Slow());
  pipeline.link(src, slow);
  await pipeline.start();
  return { pipeline, src, slow };
}

Deno.test("queue: a slow receiver slows the sender; what is in flight stays within the credit", async () => {
  const { pipeline, src, slow } = await slowReceiver();
  // Offline: the source would go as fast as it can.
  const sender = new Pipeline({ mode: "offline" });
  const sink = new NetSink({ to: src.url!, policy: "queue:4" });
  slow.sentBy = () => sink.remoteLink().sent;
  sender.pipe(new DataSource({ count: 40 }), sink);
  await sender.run();
  await pipeline.done;
  assert.equal(slow.taken.length, 40, "nothing lost");
  assert.equal(sink.remoteLink().dropped, 0);
  // Never more than the window (4), the actors' one-message queues and one in hand ahead.
  assert.ok(Math.max(...slow.ahead) <= 8, `ahead ${Math.max(...slow.ahead)}`);
});

Deno.test("latest: a slow receiver gets recent frames, and the stale ones are dropped and counted", async () => {
  const { pipeline, src, slow } = await slowReceiver();
  const sender = new Pipeline();
  const sink = new NetSink({ to: src.url!, policy: "latest" });
  slow.ageOf = (m) => sender.clock.now() - m.timestamp;
  sender.pipe(new TestPattern({ width: 64, height: 36, fps: 200, frames: 200 }), sink);
  await sender.run();
  await pipeline.done;
  const taken = slow.taken.length;
  const dropped = sink.remoteLink().dropped + src.remoteLink().dropped;
  assert.ok(taken < 150, `took ${taken}`);
  assert.ok(dropped > 0, "drops are counted");
  // Each frame taken is recent: made a few periods before it is taken (a queue here would make
  // the last ones seconds old: 200 frames sent in 1 s, taken one every 20 ms).
  const oldest = Math.max(...slow.ages);
  assert.ok(oldest < 500_000, `a frame ${oldest} µs old`);
});
