import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import type { Input } from "../graph/ports.ts";
import type { DataMessage } from "../messages.ts";
import type { Contract } from "../graph/spec.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { Pipeline } from "./pipeline.ts";
import { Weigh } from "../testdata/worker_actors.ts";
import { _liveWorkers } from "../threads/_worker_thread.ts";

const contract = {
  type: "merge",
  inputs: { "in_%u": { kind: "data", presence: "request" } },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** Forwards every input; remembers which request inputs were released. */
class Merge extends Actor<typeof contract> {
  static override contract = contract;
  readonly released: string[] = [];
  process(): void {
    for (const input of Object.values(this.inputs) as Input<DataMessage>[]) {
      for (let m = input.read(); m !== undefined; m = input.read()) this.outputs.out.write(m);
    }
  }
  override inputReleased(name: string): void {
    this.released.push(name);
  }
}

Deno.test("A request input is released when what fed it is removed; a rewire in one step keeps it", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  for (const name of ["a", "b", "c"]) pipeline.add(new DataSource({ fps: 10 }), { name });
  const merge = pipeline.add(new Merge(), { name: "m" });
  const sink = pipeline.add(new Collect(), { name: "sink" });
  pipeline.link("a", "m");
  pipeline.link("b", "m");
  pipeline.link("m", "sink");
  await pipeline.start();
  await clock.advance(100_000);
  await pipeline.idle();
  assert.deepEqual(Object.keys(merge.inputs), ["in_0", "in_1"]);

  // Disconnect and connect in the same step: in_1 changes hands and stays.
  pipeline.disconnect("b.out", "m.in_1");
  pipeline.connect("c.out", "m.in_1");
  await pipeline.idle();
  assert.deepEqual(Object.keys(merge.inputs), ["in_0", "in_1"]);
  assert.deepEqual(merge.released, []);

  await pipeline.remove("c");
  await pipeline.idle();
  assert.deepEqual(Object.keys(merge.inputs), ["in_0"]);
  assert.deepEqual(merge.released, ["in_1"]);
  const stats = pipeline.stats().actors.find((s) => s.name === "m")!;
  assert.deepEqual(Object.keys(stats.inputs), ["in_0"]);

  // The rest runs on, and a new link gets the freed name again.
  const before = sink.messages.length;
  await clock.advance(100_000);
  await pipeline.idle();
  assert.ok(sink.messages.length > before);
  pipeline.link("b", "m");
  assert.deepEqual(Object.keys(merge.inputs), ["in_0", "in_1"]);
  assert.equal(pipeline.state, "running");
  await pipeline.stop({ mode: "abort" });
});

Deno.test("An always-present input stays when it is disconnected and connected again in one step", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new Merge(), { name: "m" });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  pipeline.add(new DataSource({ count: 3 }), { name: "a" });
  pipeline.link("a", "m");
  pipeline.link("m", "sink");
  pipeline.disconnect("m.out", "sink.in");
  pipeline.connect("m.out", "sink.in");
  await Promise.resolve();
  assert.deepEqual(Object.keys(sink.inputs), ["in"]);
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2]);
});

Deno.test("A request input of an actor in a Worker is released there too: the actor hears of it", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const module = new URL("../testdata/worker_actors.ts", import.meta.url).href;
  const weigh = pipeline.add(new Weigh(), { name: "w", dispatch: "worker", module });
  pipeline.add(new DataSource({ fps: 100 }), { name: "a" });
  pipeline.add(new DataSource({ fps: 100 }), { name: "b" });
  const sink = pipeline.add(new Collect<DataMessage<number>>(), { name: "sink" });
  pipeline.link("a", "w.in_0");
  pipeline.link("b", "w.in_1");
  pipeline.link("w", "sink");
  await pipeline.start();
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    for (let i = 0; !ok(); i++) {
      if (i === 2_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await until("the first messages", () => sink.messages.length >= 2);
  await pipeline.remove("b");
  await pipeline.idle();
  assert.deepEqual(Object.keys(weigh.inputs), ["in_0"]);
  await until("the release", () => sink.messages.some((m) => m.topic === "released|in_1"));
  // The rest runs on through the Worker.
  const before = sink.messages.length;
  await clock.advance(10_000);
  await until("more messages", () => sink.messages.length > before);
  await pipeline.stop({ mode: "abort" });
  assert.equal(_liveWorkers(), 0);
});
