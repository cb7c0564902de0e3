import assert from "node:assert/strict";
import type { ActorStats, PipelineStats } from "@streamlib/core";
import { formatActorStats } from "./format_actor_stats.ts";

function snapshot(...actors: Array<[string, string, number, number]>): PipelineStats {
  return {
    state: "running",
    mode: "live",
    runningTime: 0,
    actors: actors.map(([name, type, processed, dropped]) =>
      ({ name, type, processed, dropped }) as ActorStats
    ),
  };
}

Deno.test("formatActorStats() gives each actor's rate since the last snapshot and its drops, aligned", () => {
  const before = snapshot(["src", "datasrc", 100, 0], ["display0", "log", 90, 3]);
  const now = snapshot(["src", "datasrc", 115, 0], ["display0", "log", 95, 12]);
  assert.deepEqual(formatActorStats(now, before, 0.5), [
    "  src (datasrc)   30.0/s  dropped 0",
    "  display0 (log)  10.0/s  dropped 12",
  ]);
});

Deno.test("formatActorStats() counts from zero without a previous snapshot, and for new actors", () => {
  const now = snapshot(["a", "datasrc", 250, 0], ["b", "log", 10, 0]);
  assert.deepEqual(formatActorStats(now, snapshot(["a", "datasrc", 0, 0]), 2), [
    "  a (datasrc)  125/s  dropped 0",
    "  b (log)      5.0/s  dropped 0",
  ]);
  assert.deepEqual(formatActorStats(now, undefined, 0), [
    "  a (datasrc)  0.0/s  dropped 0",
    "  b (log)      0.0/s  dropped 0",
  ]);
});
