import assert from "node:assert/strict";
import type { ActorStats, PipelineStats } from "@streamlib/core";
import { ProgressDisplay } from "./progress_display.ts";

function stats(done: number, processed = done): PipelineStats {
  return {
    state: "running",
    mode: "live",
    runningTime: 0,
    actors: [
      { name: "src", type: "datasrc", processed, dropped: 0, progress: { done, total: 100 } },
    ] as unknown as ActorStats[],
  };
}

function display(
  terminal: boolean,
  extra: { stats?: boolean; columns?: number } = {},
): { out: string[]; progress: ProgressDisplay; advance: (ms: number) => number } {
  const out: string[] = [];
  let now = 0;
  const progress = new ProgressDisplay({
    write: (text) => out.push(text),
    terminal,
    now: () => now,
    ...extra,
  });
  return { out, progress, advance: (ms: number) => now += ms };
}

Deno.test("ProgressDisplay off a terminal prints a plain line every 2 s and at the end", () => {
  const { out, progress, advance } = display(false);
  advance(500);
  progress.update({ t: 500, stats: stats(10) });
  advance(500);
  progress.update({ t: 1_000, stats: stats(20) });
  assert.deepEqual(out, [], "nothing before 2 s have passed");
  advance(1_000);
  progress.update({ t: 2_000, stats: stats(40) });
  assert.deepEqual(out, ["progress: 40/100 (40%)  20.0/s  elapsed 0:02  ETA 0:03\n"]);
  advance(500);
  progress.update({ t: 2_500, stats: stats(50) });
  assert.equal(out.length, 1);
  progress.finish({ t: 5_000, stats: stats(100) });
  assert.equal(out[1], "progress: 100/100 (100%)  20.0/s  elapsed 0:05\n");
  assert.ok(!String(out).includes("\x1b"), "no control codes");
});

Deno.test("ProgressDisplay on a terminal redraws its lines in place", () => {
  const { out, progress } = display(true, { stats: true });
  progress.update({ t: 1_000, stats: stats(10) });
  assert.deepEqual(out, [
    "\r\x1b[2Kprogress: 10/100 (10%)  10.0/s  elapsed 0:01  ETA 0:09\n\r\x1b[2K  src (datasrc)  10.0/s  dropped 0",
  ]);
  out.length = 0;
  progress.update({ t: 2_000, stats: stats(30) });
  assert.equal(out[0], "\r\x1b[2K\x1b[1A\x1b[2K", "the two lines are erased");
  assert.equal(
    out[1],
    "\r\x1b[2Kprogress: 30/100 (30%)  15.0/s  elapsed 0:02  ETA 0:05\n\r\x1b[2K  src (datasrc)  20.0/s  dropped 0",
  );
  out.length = 0;
  progress.finish({ t: 3_000, stats: stats(100) });
  assert.equal(out.at(-1), "\n", "the last lines stay on screen");
});

Deno.test("ProgressDisplay.around() clears the progress line for other output and redraws it", () => {
  const { out, progress } = display(true);
  progress.around(() => out.push("before anything is shown\n"));
  assert.deepEqual(out, ["before anything is shown\n"]);
  progress.update({ t: 1_000, stats: stats(10) });
  out.length = 0;
  progress.around(() => out.push("log0: a line\n"));
  assert.equal(out[0], "\r\x1b[2K");
  assert.equal(out[1], "log0: a line\n");
  assert.ok(out[2]?.startsWith("\r\x1b[2Kprogress: 10/100"));
  out.length = 0;
  progress.clear();
  assert.deepEqual(out, ["\r\x1b[2K"]);
});

Deno.test("ProgressDisplay on a terminal cuts lines to its width so they redraw in place", () => {
  const { out, progress } = display(true, { columns: 20 });
  progress.update({ t: 1_000, stats: stats(10) });
  assert.equal(out[0], "\r\x1b[2Kprogress: 10/100 (…");
});
