import assert from "node:assert/strict";
import { isStreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Collect } from "./collect.ts";
import { DataSource } from "./data_source.ts";
import { Queue } from "./queue.ts";

Deno.test("Queue takes its input policy from capacity and leaky", () => {
  const pipeline = new Pipeline();
  const cases = [["no", "block"], ["upstream", "drop-newest"], [
    "downstream",
    "drop-oldest",
  ]] as const;
  for (const [leaky, full] of cases) {
    const queue = pipeline.add(new Queue({ capacity: 3, leaky }));
    assert.equal(queue.inputs.in.policy, `queue:3:${full}`);
  }
});

Deno.test("An explicit input policy given to Pipeline.add() overrides the queue's own", () => {
  const queue = new Pipeline().add(new Queue({ capacity: 3 }), {
    inputs: { in: { policy: "latest" } },
  });
  assert.equal(queue.inputs.in.policy, "latest");
});

Deno.test("A lossless Queue passes every message in order", async () => {
  const sink = new Collect<DataMessage>();
  await new Pipeline({ mode: "offline" }).pipe(
    new DataSource({ count: 50 }),
    new Queue({ capacity: 1 }),
    sink,
  ).run();
  assert.deepEqual(sink.messages.map((m) => m.value), [...Array(50).keys()]);
});

Deno.test("Queue rejects a capacity below 1 and an unknown leaky mode", () => {
  assert.throws(
    () => new Queue({ capacity: 0 }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
  assert.throws(
    () => new Queue({ leaky: "sideways" as "no" }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});
