import assert from "node:assert/strict";
import { DataSource } from "../actors/data_source.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";
import { Actor } from "../graph/actor.ts";
import type { Contract } from "../graph/spec.ts";
import { Pipeline } from "./pipeline.ts";
import type { InputStats } from "./stats.ts";

const contract = { type: "unread", inputs: { in: { kind: "data" } } } as const satisfies Contract;

/** A sink that never reads: what arrives stays waiting for as long as its input keeps it. */
class Unread extends Actor<typeof contract> {
  static override contract: typeof contract = contract;
  process(): void {}
}

/** The sink's input after a 100 fps source has written five messages it never read. */
async function afterFive(policy: DeliveryPolicy): Promise<InputStats> {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  pipeline.pipe(
    pipeline.add(new DataSource({ fps: 100 })),
    pipeline.add(new Unread(), { name: "sink", inputs: { in: { policy } } }),
  );
  await pipeline.start();
  await clock.advance(45_000); // ticks at 0, 10, 20, 30 and 40 ms
  const stats = pipeline.stats().actors.find((a) => a.name === "sink")!.inputs.in!;
  await pipeline.stop({ mode: "abort" });
  return stats;
}

Deno.test("stats() gives a latest input a capacity of 1: the one newest message that can wait there", async () => {
  // Three slots inside (the message waiting, the one the reader holds, the one being written),
  // but a reader only ever finds one message waiting.
  const stats = await afterFive("latest");
  assert.deepEqual(stats, {
    policy: "latest",
    depth: 1,
    capacity: 1,
    received: 5,
    dropped: 4,
    links: 1,
  });
});

Deno.test("stats() gives a queue:N input a capacity of N, and its depth reaches it", async () => {
  const stats = await afterFive("queue:3:drop-oldest");
  assert.equal(stats.capacity, 3);
  assert.equal(stats.depth, 3);
  assert.equal(stats.dropped, 2);
});
