import assert from "node:assert/strict";
import { isStreamlibError } from "../errors.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Collect } from "./collect.ts";
import { DataSource } from "./data_source.ts";

Deno.test("Collect keeps every message, in arrival order", async () => {
  const sink = new Collect<DataMessage<number>>();
  await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 50 }), sink).run();
  assert.deepEqual(sink.messages.map((m) => m.value), [...Array(50).keys()]);
  assert.deepEqual(sink.messages.map((m) => m.position), [...Array(50).keys()]);
});

Deno.test("Collect keeps the very message objects it received", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 5 }));
  const a = pipeline.add(new Collect());
  const b = pipeline.add(new Collect());
  pipeline.connect(src.outputs.out, a.inputs.in);
  pipeline.connect(src.outputs.out, b.inputs.in);
  await pipeline.run();
  assert.equal(a.messages.length, 5);
  a.messages.forEach((m, i) => assert.equal(m, b.messages[i]));
});

Deno.test("Collect keeps messages from several upstreams as they arrive", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = pipeline.add(new Collect<DataMessage<number>>());
  const slow = pipeline.add(new DataSource({ count: 2, fps: 5, topic: "slow" }));
  const fast = pipeline.add(new DataSource({ count: 4, fps: 10, topic: "fast" }));
  pipeline.connect(slow.outputs.out, sink.inputs.in);
  pipeline.connect(fast.outputs.out, sink.inputs.in);
  await pipeline.start();
  await clock.advance(300_000);
  await pipeline.done;
  const seen = sink.messages.map((m) => `${m.topic}@${m.timestamp}`);
  // Interleaved by arrival time (ties in either order), each upstream in its own order.
  assert.deepEqual(seen.slice(2), ["fast@100000", ...seen.slice(3, 5), "fast@300000"]);
  assert.deepEqual(seen.slice(0, 2).sort(), ["fast@0", "slow@0"]);
  assert.deepEqual(seen.slice(3, 5).sort(), ["fast@200000", "slow@200000"]);
  assert.deepEqual(sink.messages.filter((m) => m.topic === "fast").map((m) => m.value), [
    0,
    1,
    2,
    3,
  ]);
  assert.deepEqual(sink.messages.filter((m) => m.topic === "slow").map((m) => m.value), [0, 1]);
});

Deno.test("Collect with a limit keeps only the newest messages", async () => {
  const sink = new Collect<DataMessage<number>>({ limit: 3 });
  await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 10 }), sink).run();
  assert.deepEqual(sink.messages.map((m) => m.value), [7, 8, 9]);
});

Deno.test("Collect's limit holds while messages are still coming in", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>({ limit: 2 });
  pipeline.pipe(new DataSource({ fps: 10 }), sink);
  await pipeline.start();
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((m) => m.value), [0]);
  await clock.advance(100_000);
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1]);
  await clock.advance(400_000);
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((m) => m.value), [4, 5]);
  await pipeline.stop();
});

Deno.test("Collect with a limit larger than the stream keeps everything", async () => {
  const sink = new Collect<DataMessage<number>>({ limit: 100 });
  await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 4 }), sink).run();
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2, 3]);
});

Deno.test("Collect's limit defaults to 0 (keep all) and refuses negative values", () => {
  assert.equal(new Collect().params.limit, 0);
  assert.throws(
    () => new Collect({ limit: -1 }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
  assert.throws(
    () => new Collect({ limit: 1.5 }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});

Deno.test("Collect.ended resolves with the messages once end-of-stream arrived", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(new DataSource({ count: 3, fps: 10 }), sink);
  let settled = false;
  sink.ended.then(() => settled = true);
  await pipeline.start();
  await clock.advance(100_000);
  await pipeline.idle();
  assert.equal(sink.messages.length, 2);
  assert.equal(settled, false, "ended must wait for end-of-stream");
  await clock.advance(100_000);
  const messages = await sink.ended;
  assert.equal(messages, sink.messages);
  assert.deepEqual(messages.map((m) => m.value), [0, 1, 2]);
  assert.equal((await pipeline.done).status, "eos");
});

Deno.test("Collect.ended resolves with the kept messages when a limit applies", async () => {
  const sink = new Collect<DataMessage<number>>({ limit: 2 });
  const pipeline = new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 5 }), sink);
  await pipeline.start();
  const messages = await sink.ended;
  assert.deepEqual(messages.map((m) => m.value), [3, 4]);
});

Deno.test("Collect.ended resolves with what arrived when the pipeline is aborted", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new Collect<DataMessage<number>>();
  pipeline.pipe(new DataSource({ fps: 10 }), sink);
  await pipeline.start();
  await clock.advance(200_000);
  await pipeline.idle();
  const result = await pipeline.stop({ mode: "abort" });
  assert.equal(result.status, "aborted");
  assert.deepEqual((await sink.ended).map((m) => m.value), [0, 1, 2]);
});
