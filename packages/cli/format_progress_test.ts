import assert from "node:assert/strict";
import type { ActorStats, PipelineStats } from "@streamlib/core";
import { formatDuration, formatProgress } from "./format_progress.ts";

function stats(...progress: Array<ActorStats["progress"]>): PipelineStats {
  return {
    state: "running",
    mode: "live",
    runningTime: 0,
    actors: progress.map((p, i) =>
      ({ name: `src${i}`, ...(p === undefined ? {} : { progress: p }) }) as ActorStats
    ),
  };
}

Deno.test("formatProgress() shows done/total, percentage, rate, elapsed time and ETA", () => {
  assert.equal(
    formatProgress(stats({ done: 120, total: 300 }), 4_000),
    "120/300 (40%)  30.0/s  elapsed 0:04  ETA 0:06",
  );
});

Deno.test("formatProgress() follows the longest of several sources and names it, not their sum", () => {
  assert.equal(
    formatProgress(stats({ done: 10, total: 20 }, undefined, { done: 30, total: 80 }), 2_000),
    "30/80 (37%)  src2, longest of 2  15.0/s  elapsed 0:02  ETA 0:03",
  );
  // Two 90-frame sources into a compositor: 90 frames in all, not 180.
  assert.equal(
    formatProgress(stats({ done: 90, total: 90 }, { done: 90, total: 90 }), 3_000),
    "90/90 (100%)  src0, longest of 2  30.0/s  elapsed 0:03",
  );
  assert.equal(
    formatProgress(stats({ done: 45, total: 90 }, { done: 40, total: 90 }), 1_000),
    "40/90 (44%)  src1, longest of 2  40.0/s  elapsed 0:01  ETA 0:01",
  );
});

Deno.test("formatProgress() follows an endless source, without percentage and ETA", () => {
  assert.equal(
    formatProgress(stats({ done: 10, total: 20 }, { done: 500, total: undefined }), 10_000),
    "500  src1, longest of 2  50.0/s  elapsed 0:10",
  );
});

Deno.test("formatProgress() shows the elapsed time alone when no actor reports progress", () => {
  assert.equal(formatProgress(stats(undefined), 65_000), "elapsed 1:05");
});

Deno.test("formatProgress() leaves out the ETA once done, and copes with no time elapsed", () => {
  assert.equal(
    formatProgress(stats({ done: 5, total: 5 }), 1_000),
    "5/5 (100%)  5.0/s  elapsed 0:01",
  );
  assert.equal(formatProgress(stats({ done: 0, total: 5 }), 0), "0/5 (0%)  0.0/s  elapsed 0:00");
  assert.equal(formatProgress(stats({ done: 0, total: 0 }), 10), "0/0 (100%)  0.0/s  elapsed 0:00");
  assert.equal(
    formatProgress(stats({ done: 1000, total: 2000 }), 1_000),
    "1000/2000 (50%)  1000/s  elapsed 0:01  ETA 0:01",
  );
});

Deno.test("formatDuration() writes m:ss, and h:mm:ss from an hour on", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(59_499), "0:59");
  assert.equal(formatDuration(600_000), "10:00");
  assert.equal(formatDuration(3_600_000), "1:00:00");
  assert.equal(formatDuration(-5), "0:00");
});
