import assert from "node:assert/strict";
import { Collect, DataSource, Pipeline } from "@streamlib/core";
import { startNetNode } from "./mod.ts";
import { needsNats, TestNats } from "./_nats_testing.ts";

/** Waits (on real time: the clocks measure real time) until `ready()`. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 20));
}

for (const transport of ["direct", "nats"] as const) {
  const define = transport === "nats" ? needsNats : (t: Deno.TestDefinition) => t;
  Deno.test(define({
    name: `a NetClock follows another node's pipeline clock (${transport}), within its bound`,
    fn: async () => {
      await using nats = transport === "nats" ? await TestNats.start() : undefined;
      const master = new Pipeline();
      master.pipe(new DataSource({ count: 1_000_000, fps: 10 }), new Collect({ limit: 1 }));
      const masterNode = await startNetNode({
        name: "master",
        pipeline: master,
        install: false,
        ...(nats === undefined ? {} : { nats: nats.url, listen: "" }),
      });
      await master.start();
      // The follower starts later: its own clock is behind the master's running time.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const follower = await startNetNode({
        name: "follower",
        install: false,
        ...(nats === undefined
          ? { peers: { master: masterNode.address! } }
          : { nats: nats.url, listen: "" }),
      });
      const { clock, sync } = follower.clockOf("master");
      await until(() => (sync.estimate()?.samples ?? 0) >= 3);
      for (let i = 0; i < 10; i++) {
        const bound = sync.estimate()!.boundUs;
        const error = Math.abs(clock.now() - master.clock.now());
        // The clock's reading and the master's are taken a moment apart: allow 1 ms for that.
        assert.ok(error <= bound + 1_000, `error ${error} µs, bound ${bound} µs`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await follower.close();
      await master.stop({ mode: "abort" });
      await masterNode.close();
    },
  }));
}
