import assert from "node:assert/strict";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "./pipeline.ts";
import { data, Pass } from "../_testing.ts";

Deno.test("Pipeline.readable() streams an output's messages and closes at end-of-stream", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 50 }));
  const stream = pipeline.readable<DataMessage>(src.outputs.out);
  await pipeline.start();
  const values: unknown[] = [];
  for await (const m of stream) values.push(m.value);
  assert.deepEqual(values, [...Array(50).keys()]);
  assert.equal((await pipeline.done).status, "eos");
});

Deno.test("A slow reader of Pipeline.readable() holds the pipeline back without losing messages", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 100 }));
  const reader = pipeline.readable<DataMessage>(src.outputs.out, { highWaterMark: 4 }).getReader();
  await pipeline.start();
  await pipeline.idle();
  // 4 in the sink's queue, 1 in the stream, 1 held by the blocked source at most.
  const written = pipeline.stats().actors[0]!.outputs.out!.written;
  assert.ok(written <= 6, `source wrote ${written} before anyone read`);
  const values: unknown[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    values.push(value.value);
  }
  assert.deepEqual(values, [...Array(100).keys()]);
});

Deno.test("Cancelling a readable ends that branch and its endless source", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 0 }));
  const reader = pipeline.readable<DataMessage>(src.outputs.out).getReader();
  await pipeline.start();
  const first = await reader.read();
  assert.equal(first.value?.value, 0);
  await reader.cancel();
  assert.equal((await pipeline.done).status, "eos");
});

Deno.test("Cancelled readables of a live output take their sinks and links out: a reader a client leaves nothing behind", async () => {
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const src = pipeline.add(new DataSource({ fps: 10 }), { name: "src" });
  pipeline.link(src, pipeline.add(new Collect(), { name: "keep" }));
  await pipeline.start();
  for (let i = 0; i < 20; i++) {
    const reader = pipeline.readable<DataMessage>("src.out").getReader();
    assert.equal(pipeline.actors.length, 3);
    await reader.cancel();
    await pipeline.idle();
  }
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["src", "keep"]);
  assert.equal(pipeline.toJSON().links.length, 1);
  await pipeline.stop({ mode: "abort" });
});

Deno.test("Pipeline.writable() feeds an input with backpressure; closing sends end-of-stream", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  const writable = pipeline.writable<DataMessage>("sink.in");
  await pipeline.start();
  const source = ReadableStream.from([1, 2, 3, 4, 5].map((v) => data(v)));
  await source.pipeTo(writable);
  assert.equal((await pipeline.done).status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.value), [1, 2, 3, 4, 5]);
});

Deno.test("Writes into a writable before start() wait, then flow once the pipeline runs", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const pass = pipeline.add(new Pass(), { name: "pass", inputs: { in: { policy: "queue:2" } } });
  const sink = pipeline.add(new Collect<DataMessage>());
  pipeline.connect(pass.outputs.out, sink.inputs.in);
  const writer = pipeline.writable<DataMessage>("pass.in").getWriter();
  const writes = [0, 1, 2, 3, 4, 5].map((v) => writer.write(data(v)));
  const closed = writer.close();
  await pipeline.start();
  await Promise.all([...writes, closed]);
  await pipeline.done;
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2, 3, 4, 5]);
});

Deno.test("A readable composes with fetch's Response: a pipeline's output becomes a body", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 3, pattern: "counter" }));
  const body = pipeline.readable<DataMessage>(src.outputs.out)
    .pipeThrough(
      new TransformStream<DataMessage, string>({
        transform(m, controller): void {
          controller.enqueue(`${m.timestamp} ${m.value}\n`);
        },
      }),
    )
    .pipeThrough(new TextEncoderStream());
  await pipeline.start();
  const text = await new Response(body).text();
  assert.equal(text, "0 0\n33333 1\n66667 2\n");
});
