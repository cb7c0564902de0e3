import assert from "node:assert/strict";
import { DataSource } from "@streamlib/core";
import { _liveWorkers } from "../packages/core/threads/_worker_thread.ts";
import { buildGraph } from "./_graph.ts";

for (const workers of [false, true]) {
  Deno.test(
    `A multi-branch graph runs offline to end-of-stream with every message in order${
      workers ? ", its processors in Workers" : ""
    }`,
    async () => {
      const count = 2_000;
      const { pipeline, join } = buildGraph(new DataSource({ count, fps: 30 }), {
        mode: "offline",
        workers,
      });
      const result = await pipeline.run();

      assert.equal(result.status, "eos");
      const expectedTimestamps = [...Array(count).keys()].map((n) => Math.round(n * 1e6 / 30));
      // Branch a: every message, in order, doubled, with the source's timestamps.
      assert.deepEqual(join.a.map((m) => m.value), [...Array(count).keys()].map((n) => n * 2));
      assert.deepEqual(join.a.map((m) => m.timestamp), expectedTimestamps);
      assert.ok(join.a.every((m, n) => m.position === n && m.topic === "double"));
      // Branch b: the same for squares, through an asynchronous processor.
      assert.deepEqual(join.b.map((m) => m.value), [...Array(count).keys()].map((n) => n * n));
      assert.deepEqual(join.b.map((m) => m.timestamp), expectedTimestamps);
      // Nothing dropped anywhere: offline inputs are lossless queues.
      for (const actor of result.stats.actors) {
        assert.equal(actor.dropped, 0, `${actor.name} dropped messages`);
        assert.equal(actor.state, "finished");
        for (const input of Object.values(actor.inputs)) {
          assert.equal(input.policy, "queue:8:block");
        }
      }
      // Queues stayed within their capacity.
      assert.ok(join.maxDepth <= 8);
      if (workers) {
        const processors = result.stats.actors.filter((a) =>
          a.name === "double" || a.name === "square"
        );
        assert.equal(processors.length, 2);
        for (const actor of processors) assert.equal(actor.processed, count);
        assert.equal(_liveWorkers(), 0, "no Worker is left");
      }
    },
  );
}
