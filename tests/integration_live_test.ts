import assert from "node:assert/strict";
import { DataSource, ManualClock, type Pipeline } from "@streamlib/core";
import { buildGraph } from "./_graph.ts";

/**
 * Each processor has answered every message it received, or waits for room downstream (which
 * only the clock can make).
 */
function settled(pipeline: Pipeline): boolean {
  return pipeline.stats().actors.filter((a) => a.name === "double" || a.name === "square")
    .every((a) =>
      a.state === "blocked" || (a.inputs.in!.depth === 0 && a.processed === a.inputs.in!.received)
    );
}

for (const workers of [false, true]) {
  Deno.test(
    `The multi-branch graph live: 'latest' drops while 'queue' backpressures, memory bounded${
      workers ? ", its processors in Workers" : ""
    }`,
    async () => {
      const run = async (policy: "latest" | "queue:4:block") => {
        const clock = new ManualClock();
        const { pipeline, join } = buildGraph(new DataSource({ count: 300, fps: 100 }), {
          clock,
          policy,
          workers,
          costUs: 15_000, // the join needs 15 ms a message, 30 ms a pair: a third of the rate
        });
        await pipeline.start();
        let inFlightMax = 0;
        while (pipeline.state !== "done") {
          await clock.advance(5_000);
          // Work in a Worker takes real time while the manual clock stands still: before the
          // next step, let the processors finish what they were given (a bounded wait).
          for (let wait = 0; workers && wait < 5_000 && !settled(pipeline); wait++) {
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          const stats = pipeline.stats().actors;
          const written = stats.find((a) => a.name === "src")!.outputs.out!.written;
          const joinStats = stats.find((a) => a.name === "join")!;
          const consumed = join.a.length + join.b.length;
          const dropped = joinStats.inputs.a!.dropped + joinStats.inputs.b!.dropped;
          // Messages written to both branches that are neither consumed nor dropped yet.
          inFlightMax = Math.max(inFlightMax, written * 2 - consumed - dropped);
        }
        const stats = pipeline.stats().actors;
        return {
          join,
          src: stats.find((a) => a.name === "src")!,
          joinStats: stats.find((a) => a.name === "join")!,
          inFlightMax,
          elapsed: clock.now(),
        };
      };

      const latest = await run("latest");
      assert.equal(latest.src.outputs.out!.written, 300, "the source never waits");
      assert.equal(latest.src.skippedTicks, 0);
      assert.ok(latest.joinStats.dropped > 300, `dropped ${latest.joinStats.dropped}`);
      assert.equal(latest.join.a.length + latest.join.b.length + latest.joinStats.dropped, 600);
      for (const branch of [latest.join.a, latest.join.b]) {
        assert.ok(
          branch.every((m, i) => i === 0 || m.position > branch[i - 1]!.position),
          "never stale",
        );
      }
      assert.ok(latest.inFlightMax <= 2 + 2, `in flight ${latest.inFlightMax}`); // a ring each + a message each in the processors
      if (!workers) {
        // With Workers, end-of-stream takes real time (flush and stop are calls to them) while
        // the loop moves the manual clock on; the source's pace is checked above (every
        // message written, no tick skipped).
        assert.ok(latest.elapsed < 3_100_000, "a live run keeps its pace");
      }

      const queue = await run("queue:4:block");
      const written = queue.src.outputs.out!.written;
      assert.equal(queue.joinStats.dropped, 0, "nothing lost");
      assert.equal(queue.join.a.length, written);
      assert.equal(queue.join.b.length, written);
      assert.ok(
        queue.src.skippedTicks > 100,
        `the source was held back (${queue.src.skippedTicks} skipped)`,
      );
      // Bounded by the queues: per branch the processor's queue (8), the join's (4), and one write
      // waiting for space at each of the two hops.
      assert.ok(queue.inFlightMax <= 2 * (8 + 4 + 2), `in flight ${queue.inFlightMax}`);
      for (const branch of [queue.join.a, queue.join.b]) {
        assert.ok(branch.every((m, i) => i === 0 || m.position > branch[i - 1]!.position));
      }
    },
  );
}
