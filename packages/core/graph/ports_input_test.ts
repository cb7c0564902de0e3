import assert from "node:assert/strict";
import { Actor } from "./actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "./spec.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { createVideoFrame, type DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { data, Hold, Pusher } from "../_testing.ts";

/** A running live pipeline on a manual clock: pusher → hold, with an optional input policy. */
async function setup(
  policy?:
    | "latest"
    | `queue:${number}`
    | `queue:${number}:drop-oldest`
    | `queue:${number}:drop-newest`,
): Promise<{ pipeline: Pipeline; pusher: Pusher; hold: Hold }> {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher(), { name: "pusher" });
  const hold = pipeline.add(new Hold(), {
    name: "hold",
    ...(policy ? { inputs: { in: { policy } } } : {}),
  });
  pipeline.connect(pusher.outputs.out, hold.inputs.in);
  await pipeline.start();
  return { pipeline, pusher, hold };
}

Deno.test("Input.read() takes the oldest message of a queue; peek() shows it and leaves it", async () => {
  const { pipeline, pusher, hold } = await setup();
  const input = hold.inputs.in;
  assert.equal(input.peek(), undefined);
  assert.equal(input.read(), undefined);
  const sent = [data("a"), data("b"), data("c")];
  for (const m of sent) pusher.outputs.out.write(m);
  await pipeline.idle();
  assert.equal(input.size, 3);
  assert.equal(input.peek(), sent[0]);
  assert.equal(input.peek(), sent[0]);
  assert.equal(input.size, 3, "peek() takes nothing");
  assert.equal(input.read(), sent[0]);
  assert.equal(input.size, 2);
  assert.equal(input.peek(), sent[1]);
  assert.equal(input.read(), sent[1]);
  assert.equal(input.read(), sent[2]);
  assert.equal(input.size, 0);
  assert.equal(input.read(), undefined);
  assert.equal(input.peek(), undefined);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Input.read() inside process() gets every message in order", async () => {
  const { pipeline, pusher, hold } = await setup();
  hold.drain = true;
  for (let i = 0; i < 20; i++) await pusher.outputs.out.write(data(i));
  await pipeline.idle();
  assert.deepEqual(hold.read.map((m) => m.value), [...Array(20).keys()]);
  assert.ok(hold.calls >= 1);
  assert.equal(hold.inputs.in.size, 0);
  pusher.end();
  assert.equal((await pipeline.done).status, "eos");
});

Deno.test("A latest input gives the newest message and counts the ones it overwrote as dropped", async () => {
  const { pipeline, pusher, hold } = await setup("latest");
  const input = hold.inputs.in;
  assert.equal(input.policy, "latest");
  const sent = [data(1), data(2), data(3)];
  for (const m of sent) assert.equal(pusher.outputs.out.write(m), undefined);
  await pipeline.idle();
  assert.equal(input.size, 1);
  assert.equal(input.peek(), sent[2]);
  assert.equal(input.read(), sent[2]);
  assert.equal(input.read(), undefined, "nothing newer since the last read");
  assert.equal(input.size, 0);
  assert.equal(input.dropped, 2);
  assert.equal(input.received, 3);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("A drop-oldest queue keeps the newest messages and counts the others as dropped", async () => {
  const { pipeline, pusher, hold } = await setup("queue:2:drop-oldest");
  const input = hold.inputs.in;
  assert.equal(input.policy, "queue:2:drop-oldest");
  for (let i = 0; i < 5; i++) assert.equal(pusher.outputs.out.write(data(i)), undefined);
  await pipeline.idle();
  assert.equal(input.size, 2);
  assert.equal(input.dropped, 3);
  assert.equal(input.received, 5);
  assert.deepEqual([input.read()?.value, input.read()?.value], [3, 4]);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("A drop-newest queue keeps the oldest messages and counts the others as dropped", async () => {
  const { pipeline, pusher, hold } = await setup("queue:2:drop-newest");
  const input = hold.inputs.in;
  for (let i = 0; i < 5; i++) assert.equal(pusher.outputs.out.write(data(i)), undefined);
  await pipeline.idle();
  assert.equal(input.size, 2);
  assert.equal(input.dropped, 3);
  assert.deepEqual([input.read()?.value, input.read()?.value], [0, 1]);
  // received counts every accepted offer, so that received = read + waiting + dropped.
  assert.equal(input.received, 5);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Input.received counts what entered; a blocked write counts once it is let in", async () => {
  const { pipeline, pusher, hold } = await setup("queue:2");
  const input = hold.inputs.in;
  assert.equal(input.received, 0);
  pusher.outputs.out.write(data(0));
  pusher.outputs.out.write(data(1));
  const waiting = pusher.outputs.out.write(data(2));
  assert.ok(waiting instanceof Promise);
  await pipeline.idle();
  assert.equal(input.size, 2);
  assert.equal(input.received, 2, "the waiting message has not entered yet");
  assert.equal(input.dropped, 0);
  assert.equal(input.read()?.value, 0);
  assert.equal(input.received, 3);
  assert.equal(input.size, 2);
  await waiting;
  assert.deepEqual([input.read()?.value, input.read()?.value], [1, 2]);
  assert.equal(input.dropped, 0);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Input.dropped counts messages left unread and writes left waiting when the actor is stopped", async () => {
  const { pipeline, pusher, hold } = await setup("queue:2");
  const input = hold.inputs.in;
  pusher.outputs.out.write(data(0));
  pusher.outputs.out.write(data(1));
  const waiting = pusher.outputs.out.write(data(2));
  await pipeline.idle();
  assert.equal(input.dropped, 0);
  await pipeline.stop({ mode: "abort" });
  await waiting; // released, undelivered
  assert.equal(input.size, 0);
  assert.equal(input.dropped, 3);
  assert.equal(input.received, 2);
  assert.equal(input.read(), undefined);
});

Deno.test("Input.eos turns true at end-of-stream while messages still wait; ended once they are read", async () => {
  const { pipeline, pusher, hold } = await setup();
  const input = hold.inputs.in;
  assert.equal(input.eos, false);
  assert.equal(input.ended, false);
  pusher.outputs.out.write(data("last"));
  pusher.end();
  await pipeline.idle();
  assert.equal(input.eos, true);
  assert.equal(input.ended, false, "a message still waits");
  assert.equal(input.size, 1);
  assert.equal(input.read()?.value, "last");
  assert.equal(input.ended, true);
  assert.equal(input.eos, true);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Input.eos waits for end-of-stream from every upstream", async () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const a = pipeline.add(new Pusher());
  const b = pipeline.add(new Pusher());
  const sink = pipeline.add(new Collect());
  pipeline.connect(a.outputs.out, sink.inputs.in);
  pipeline.connect(b.outputs.out, sink.inputs.in);
  await pipeline.start();
  const input = sink.inputs.in;
  a.end();
  await pipeline.idle();
  assert.equal(input.eos, false);
  assert.equal(input.ended, false);
  assert.equal(pipeline.state, "running");
  b.outputs.out.write(data("from b"));
  b.end();
  assert.equal((await pipeline.done).status, "eos");
  assert.equal(input.eos, true);
  assert.equal(input.ended, true);
  assert.deepEqual(sink.messages.map((m) => (m as DataMessage).value), ["from b"]);
});

Deno.test("Input.connected follows connect() and disconnect(); an input with no link is at eos", async () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher());
  const hold = pipeline.add(new Hold());
  const input = hold.inputs.in;
  assert.equal(input.connected, false);
  assert.equal(input.eos, true);
  assert.equal(input.ended, true);
  pipeline.connect(pusher.outputs.out, input);
  assert.equal(input.connected, true);
  assert.equal(input.eos, false);
  assert.equal(input.ended, false);
  pipeline.disconnect(pusher.outputs.out, input);
  assert.equal(input.connected, false);
  assert.equal(input.eos, true);
  await pipeline.stop();
});

Deno.test("An input connected to an output that already ended is at eos at once", () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher());
  const hold = pipeline.add(new Hold());
  pusher.outputs.out.end();
  pipeline.connect(pusher.outputs.out, hold.inputs.in);
  assert.equal(hold.inputs.in.connected, true);
  assert.equal(hold.inputs.in.eos, true);
  assert.equal(hold.inputs.in.ended, true);
});

Deno.test("Input.policy shows the default policy of the kind and mode, or the one chosen", () => {
  const videoContract = {
    type: "vsink",
    inputs: { in: { kind: "video" } },
  } as const satisfies Contract;
  class VSink extends Actor<typeof videoContract> {
    static override contract: typeof videoContract = videoContract;
    process(): void {}
  }
  const live = new Pipeline({ clock: new ManualClock() });
  assert.equal(live.add(new Hold()).inputs.in.policy, "queue:8:block");
  assert.equal(live.add(new VSink()).inputs.in.policy, "latest");
  const chosen = live.add(new Hold(), { inputs: { in: { policy: "queue:3:drop-oldest" } } });
  assert.equal(chosen.inputs.in.policy, "queue:3:drop-oldest");
  const viaConnect = live.add(new Hold());
  live.connect(live.add(new Pusher()).outputs.out, viaConnect.inputs.in, { policy: "latest" });
  assert.equal(viaConnect.inputs.in.policy, "latest");

  const offline = new Pipeline({ mode: "offline" });
  assert.equal(offline.add(new Hold()).inputs.in.policy, "queue:8:block");
  assert.equal(offline.add(new VSink()).inputs.in.policy, "queue:8:block");
});

Deno.test("Input ports are named after the contract and belong to their actor", () => {
  const hold = new Hold();
  assert.equal(hold.inputs.in.name, "in");
  assert.equal(hold.inputs.in.actor, hold);
  assert.equal(hold.inputs.in.spec.kind, "data");
  assert.equal(hold.inputs.in.size, 0);
  assert.equal(hold.inputs.in.received, 0);
  assert.equal(hold.inputs.in.dropped, 0);
});

Deno.test("A latest video input on a live clock keeps only the newest frame for a slow reader", async () => {
  const videoContract = {
    type: "vsrc",
    outputs: { out: { kind: "video" } },
  } as const satisfies Contract;
  class VSrc extends Actor<typeof videoContract> {
    static override contract: typeof videoContract = videoContract;
    process(tick: TimedTick): void {
      this.outputs.out.write(createVideoFrame({
        format: "RGBA",
        codedWidth: 1,
        codedHeight: 1,
        position: tick.frameNumber,
      }));
    }
  }
  const sinkContract = {
    type: "vsink",
    inputs: { in: { kind: "video" } },
  } as const satisfies Contract;
  class Watch extends Actor<typeof sinkContract> {
    static override contract: typeof sinkContract = sinkContract;
    process(): void {}
  }
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const watch = pipeline.add(new Watch());
  pipeline.pipe(pipeline.add(new VSrc(), { fps: 10 }), watch);
  await pipeline.start();
  await clock.advance(400_000);
  await pipeline.idle();
  const input = watch.inputs.in;
  assert.equal(input.policy, "latest");
  assert.equal(input.received, 5);
  assert.equal(input.size, 1);
  assert.equal(input.read()?.position, 4);
  assert.equal(input.dropped, 4);
  await pipeline.stop();
});

Deno.test("Input stats in Pipeline.stats() match the port's own numbers", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect();
  pipeline.pipe(new DataSource({ count: 12 }), sink);
  const result = await pipeline.run();
  const stats = result.stats.actors.find((a) => a.type === "collect")!.inputs.in!;
  assert.equal(stats.received, sink.inputs.in.received);
  assert.equal(stats.received, 12);
  assert.equal(stats.dropped, sink.inputs.in.dropped);
  assert.equal(stats.policy, sink.inputs.in.policy);
  assert.equal(stats.depth, 0);
});
