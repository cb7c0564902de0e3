import assert from "node:assert/strict";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Collect } from "./collect.ts";
import { DataSource } from "./data_source.ts";
import { RateLimit } from "./rate_limit.ts";

Deno.test("RateLimit keeps the first message of each 1/rate slot of stream time", async () => {
  const limit = new RateLimit({ rate: 4 });
  const sink = new Collect<DataMessage>();
  await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 20, fps: 10 }), limit, sink)
    .run();
  // 10 fps for 2 s at 4 a second: slots of 250 ms, starting 0, 0.3, 0.5, 0.8, 1.0, …
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [
    0,
    300_000,
    500_000,
    800_000,
    1_000_000,
    1_300_000,
    1_500_000,
    1_800_000,
  ]);
  assert.equal(limit.discarded, 12);
});

Deno.test("RateLimit passes everything when the stream is slower than the rate", async () => {
  const limit = new RateLimit({ rate: 100 });
  const sink = new Collect();
  await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 30, fps: 30 }), limit, sink)
    .run();
  assert.equal(sink.messages.length, 30);
  assert.equal(limit.discarded, 0);
});
