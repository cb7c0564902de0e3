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

Deno.test("formatActorStats() shows the ticks a live source skipped or ran late when it fell behind", () => {
  const now = snapshot(["src", "videotestsrc", 50, 0], ["blur0", "blur", 50, 0]);
  const behind: PipelineStats = {
    ...now,
    actors: [{ ...now.actors[0]!, skippedTicks: 40, lateTicks: 3 }, now.actors[1]!],
  };
  assert.deepEqual(formatActorStats(behind, undefined, 0), [
    "  src (videotestsrc)  0.0/s  dropped 0, skipped 40 ticks (behind), 3 ticks late",
    "  blur0 (blur)        0.0/s  dropped 0",
  ]);
});
