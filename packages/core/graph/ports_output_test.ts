import assert from "node:assert/strict";
import { Actor } from "./actor.ts";
import { Collect } from "../actors/collect.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "./spec.ts";
import { isStreamlibError } from "../errors.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { createDataMessage } from "../create_messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { data, Hold, Pusher } from "../_testing.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

const twinContract = {
  type: "twin",
  outputs: { a: { kind: "data" }, b: { kind: "data" } },
  params: {
    endAAfter: { type: "integer", default: 2 },
    count: { type: "integer", default: 6 },
  },
} as const satisfies Contract;

/** Writes the frame number to `a` and `b` each tick; ends `a` alone after `endAAfter` ticks. */
class Twin extends Actor<typeof twinContract> {
  static override contract: typeof twinContract = twinContract;
  readonly errors: unknown[] = [];
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    const message = createDataMessage(n, { timestamp: tick.timestamp, position: n });
    if (n < this.params.endAAfter) {
      this.outputs.a.write(message);
      if (n + 1 === this.params.endAAfter) this.outputs.a.end();
    } else {
      try {
        this.outputs.a.write(message);
      } catch (error) {
        this.errors.push(error);
      }
    }
    this.outputs.b.write(message);
    if (n + 1 >= this.params.count) this.end();
  }
}

/** A running live pipeline on a manual clock: pusher → hold, with an optional input policy. */
async function setup(
  policy?: `queue:${number}`,
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

Deno.test("Output.write() returns undefined when every input took the message at once", async () => {
  const { pipeline, pusher, hold } = await setup();
  const m = data(1);
  assert.equal(pusher.outputs.out.write(m), undefined);
  assert.equal(hold.inputs.in.peek(), m, "delivered by reference, not copied");
  assert.equal(pusher.outputs.out.written, 1);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Output.write() with nothing connected returns undefined and still counts", () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher());
  assert.equal(pusher.outputs.out.connected, false);
  assert.equal(pusher.outputs.out.write(data(1)), undefined);
  assert.equal(pusher.outputs.out.write(data(2)), undefined);
  assert.equal(pusher.outputs.out.written, 2);
});

Deno.test("Output.write() returns a promise when it had to wait, resolved once the input took it", async () => {
  const { pipeline, pusher, hold } = await setup("queue:2");
  const out = pusher.outputs.out;
  assert.equal(out.write(data(0)), undefined);
  assert.equal(out.write(data(1)), undefined);
  const waiting = out.write(data(2));
  assert.ok(waiting instanceof Promise);
  assert.equal(out.written, 3, "a waiting write counts as written");
  let landed = false;
  waiting.then(() => landed = true);
  await pipeline.idle();
  assert.equal(landed, false);
  assert.equal(pipeline.stats().actors[0]!.outputs.out!.waiting, 1);
  assert.equal(hold.inputs.in.read()?.value, 0);
  assert.equal(await waiting, undefined);
  assert.equal(landed, true);
  assert.equal(pipeline.stats().actors[0]!.outputs.out!.waiting, 0);
  assert.deepEqual([hold.inputs.in.read()?.value, hold.inputs.in.read()?.value], [1, 2]);
  // Room again: the next write lands at once.
  assert.equal(out.write(data(3)), undefined);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Output.write() while a write waits throws SL_WRITE_PENDING", async () => {
  const { pipeline, pusher, hold } = await setup("queue:1");
  const out = pusher.outputs.out;
  out.write(data(0));
  const waiting = out.write(data(1));
  assert.ok(waiting instanceof Promise);
  assert.throws(() => out.write(data(2)), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_WRITE_PENDING"));
    assert.match(e.message, /"pusher\.out"/);
    return true;
  });
  assert.equal(out.written, 2, "the refused write is not counted");
  assert.equal(hold.inputs.in.read()?.value, 0);
  await waiting;
  assert.equal(hold.inputs.in.read()?.value, 1);
  // Once the waiting write has landed, writing works again.
  assert.equal(out.write(data(2)), undefined);
  assert.equal(out.written, 3);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Output.write() to several inputs waits for the last one to take the message", async () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher());
  const free = pipeline.add(new Hold());
  const tight = pipeline.add(new Hold(), { inputs: { in: { policy: "queue:1" } } });
  pipeline.connect(pusher.outputs.out, free.inputs.in);
  pipeline.connect(pusher.outputs.out, tight.inputs.in);
  await pipeline.start();
  const out = pusher.outputs.out;
  assert.equal(out.write(data(0)), undefined);
  const waiting = out.write(data(1));
  assert.ok(waiting instanceof Promise);
  // The input with room has it already; the full one will get it once it has space.
  assert.equal(free.inputs.in.size, 2);
  assert.equal(tight.inputs.in.size, 1);
  assert.equal(tight.inputs.in.read()?.value, 0);
  await waiting;
  assert.equal(tight.inputs.in.read()?.value, 1);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("A waiting write is released when the pipeline is aborted", async () => {
  const { pipeline, pusher } = await setup("queue:1");
  pusher.outputs.out.write(data(0));
  const waiting = pusher.outputs.out.write(data(1));
  assert.ok(waiting instanceof Promise);
  await pipeline.stop({ mode: "abort" });
  assert.equal(await waiting, undefined);
});

Deno.test("Output.connected follows connect() and disconnect()", () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher());
  const a = pipeline.add(new Hold());
  const b = pipeline.add(new Hold());
  const out = pusher.outputs.out;
  assert.equal(out.connected, false);
  pipeline.connect(out, a.inputs.in);
  pipeline.connect(out, b.inputs.in);
  assert.equal(out.connected, true);
  pipeline.disconnect(out, a.inputs.in);
  assert.equal(out.connected, true);
  pipeline.disconnect(out, b.inputs.in);
  assert.equal(out.connected, false);
});

Deno.test("Output ports are named after the contract and belong to their actor", () => {
  const twin = new Twin();
  assert.deepEqual(Object.keys(twin.outputs), ["a", "b"]);
  assert.equal(twin.outputs.a.name, "a");
  assert.equal(twin.outputs.a.actor, twin);
  assert.equal(twin.outputs.a.spec.kind, "data");
  assert.equal(twin.outputs.a.written, 0);
  assert.equal(twin.outputs.a.ended, false);
});

Deno.test("Output.end() ends one output while the actor goes on writing the other", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const twin = pipeline.add(new Twin({ endAAfter: 2, count: 6 }), { name: "twin", fps: 10 });
  const sinkA = pipeline.add(new Collect<DataMessage<number>>(), { name: "sinkA" });
  const sinkB = pipeline.add(new Collect<DataMessage<number>>(), { name: "sinkB" });
  pipeline.connect(twin.outputs.a, sinkA.inputs.in);
  pipeline.connect(twin.outputs.b, sinkB.inputs.in);
  let aEnded = false;
  sinkA.ended.then(() => aEnded = true);
  await pipeline.start();
  await clock.advance(100_000); // ticks 0 and 1: a ends after tick 1
  await pipeline.idle();
  assert.equal(twin.outputs.a.ended, true);
  assert.equal(twin.outputs.b.ended, false);
  assert.equal(aEnded, true, "the downstream of the ended output finished");
  const state = (name: string): string =>
    pipeline.stats().actors.find((a) => a.name === name)!.state;
  assert.equal(state("sinkA"), "finished");
  assert.equal(state("sinkB"), "running");
  assert.equal(state("twin"), "running");
  assert.equal(pipeline.state, "running");

  await clock.advance(300_000); // ticks 2…4
  await pipeline.idle();
  assert.deepEqual(sinkA.messages.map((m) => m.value), [0, 1]);
  assert.deepEqual(sinkB.messages.map((m) => m.value), [0, 1, 2, 3, 4]);

  await clock.advance(100_000); // tick 5, the last
  assert.equal((await pipeline.done).status, "eos");
  assert.deepEqual(sinkB.messages.map((m) => m.value), [0, 1, 2, 3, 4, 5]);
  assert.equal(twin.outputs.a.written, 2);
  assert.equal(twin.outputs.b.written, 6);
  assert.equal(twin.outputs.b.ended, true, "Actor.end() ends the remaining output");
  // Each write to the ended output threw SL_STATE.
  assert.equal(twin.errors.length, 4);
  assert.ok(twin.errors.every(code("SL_STATE")));
});

Deno.test("Output.write() after end() throws SL_STATE naming the port", () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const pusher = pipeline.add(new Pusher(), { name: "cam" });
  const out = pusher.outputs.out;
  out.write(data(0));
  out.end();
  assert.equal(out.ended, true);
  assert.throws(() => out.write(data(1)), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_STATE"));
    assert.match(e.message, /"cam\.out" has ended/);
    return true;
  });
  assert.equal(out.written, 1);
});

Deno.test("Output.end() twice is harmless and sends end-of-stream once", async () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const a = pipeline.add(new Pusher());
  const b = pipeline.add(new Pusher());
  const sink = pipeline.add(new Collect());
  pipeline.connect(a.outputs.out, sink.inputs.in);
  pipeline.connect(b.outputs.out, sink.inputs.in);
  await pipeline.start();
  a.outputs.out.end();
  a.outputs.out.end();
  assert.equal(a.outputs.out.ended, true);
  // Counted twice, the second end would pass for b's end-of-stream.
  assert.equal(sink.inputs.in.eos, false);
  await pipeline.idle();
  assert.equal(pipeline.state, "running");
  b.outputs.out.write(data("b"));
  b.outputs.out.end();
  assert.equal(sink.inputs.in.eos, true);
  a.end();
  b.end();
  assert.equal((await pipeline.done).status, "eos");
  assert.equal(sink.messages.length, 1);
});

Deno.test("Actor.end() on an actor outside a pipeline ends every output", () => {
  const twin = new Twin();
  twin.end();
  assert.equal(twin.outputs.a.ended, true);
  assert.equal(twin.outputs.b.ended, true);
  assert.throws(() => twin.outputs.b.write(data(0)), code("SL_STATE"));
});

Deno.test("Output.written in Pipeline.stats() matches the port", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const twin = pipeline.add(new Twin({ endAAfter: 1, count: 3 }), { name: "twin", fps: 10 });
  pipeline.connect(twin.outputs.a, pipeline.add(new Collect()).inputs.in);
  pipeline.connect(twin.outputs.b, pipeline.add(new Collect()).inputs.in);
  await pipeline.start();
  await clock.advance(200_000);
  const result = await pipeline.done;
  const stats = result.stats.actors.find((a) => a.name === "twin")!.outputs;
  assert.equal(stats.a!.written, twin.outputs.a.written);
  assert.equal(stats.b!.written, twin.outputs.b.written);
  assert.deepEqual([stats.a!.written, stats.b!.written], [1, 3]);
  assert.deepEqual([stats.a!.links, stats.b!.links], [1, 1]);
});
