import assert from "node:assert/strict";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Collect } from "./collect.ts";
import { DataSource } from "./data_source.ts";
import { Tee } from "./tee.ts";
import { SlowSink } from "../_testing.ts";

Deno.test("Tee sends every message, by reference, to every branch", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const tee = pipeline.add(new Tee(), { name: "t" });
  const a = pipeline.add(new Collect<DataMessage>());
  const b = pipeline.add(new Collect<DataMessage>());
  pipeline.pipe(new DataSource({ count: 4 }), tee, a);
  pipeline.connect("t.out", b.inputs.in);
  await pipeline.run();
  assert.deepEqual(a.messages.map((m) => m.value), [0, 1, 2, 3]);
  a.messages.forEach((m, i) => assert.equal(m, b.messages[i]));
});

Deno.test("A slow 'latest' branch of a tee never holds the other branch back", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const tee = pipeline.add(new Tee(), { name: "t" });
  const fast = pipeline.add(new Collect<DataMessage>());
  const slow = pipeline.add(new SlowSink({ costUs: 250_000 }), {
    inputs: { in: { policy: "latest" } },
  });
  pipeline.pipe(new DataSource({ count: 20, fps: 20 }), tee, fast);
  pipeline.connect("t.out", slow.inputs.in);
  await pipeline.start();
  await clock.advance(1_000_000);
  assert.equal(fast.messages.length, 20);
  assert.ok(slow.values.length <= 5, `${slow.values.length}`);
  await pipeline.stop({ mode: "abort" });
});
