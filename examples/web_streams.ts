// deno-lint-ignore-file no-console
/**
 * streamlib composes with Web Streams: a pipeline's output becomes an HTTP-style body, and a
 * stream from anywhere (fetch, a file) feeds a pipeline's input.
 *
 *   deno run examples/web_streams.ts
 *
 * @module
 */
import {
  Collect,
  createDataMessage,
  type DataMessage,
  DataSource,
  Pipeline,
} from "@streamlib/core";

// Output → ReadableStream → NDJSON body.
const pipeline = new Pipeline({ mode: "offline" });
const source = pipeline.add(new DataSource({ count: 5, pattern: "random", seed: 7 }));
const body = pipeline.readable<DataMessage>(source.outputs.out)
  .pipeThrough(
    new TransformStream<DataMessage, string>({
      transform(m, out): void {
        out.enqueue(JSON.stringify({ t: m.timestamp, value: m.value }) + "\n");
      },
    }),
  )
  .pipeThrough(new TextEncoderStream());
await pipeline.start();
console.log(await new Response(body).text());

// ReadableStream → WritableStream into a pipeline input.
const sinkPipeline = new Pipeline({ mode: "offline" });
const sink = sinkPipeline.add(new Collect<DataMessage>(), { name: "sink" });
await sinkPipeline.start();
await ReadableStream.from(["a", "b", "c"])
  .pipeThrough(
    new TransformStream<string, DataMessage>({
      transform(text, out): void {
        out.enqueue(createDataMessage(text.toUpperCase()));
      },
    }),
  )
  .pipeTo(sinkPipeline.writable<DataMessage>("sink.in"));
await sinkPipeline.done;
console.log(sink.messages.map((m) => m.value).join(" "));
