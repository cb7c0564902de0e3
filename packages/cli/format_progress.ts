import type { PipelineStats } from "@streamlib/core";

/**
 * The progress line of `streamlib run`: units done of the total, the percentage and ETA when the
 * total is known, the rate, and the elapsed time. When several actors report progress (several
 * sources), the line follows the one the run waits for longest — an endless one, else the one
 * with the largest total — and names it (`longest of 2`): their frames are not added up, since
 * a composite of two 90-frame sources is 90 frames long, not 180. Without progress reports it
 * shows the elapsed time alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineStats } from "@streamlib/core";
 * import { formatProgress } from "@streamlib/cli";
 * const stats = {
 *   state: "running",
 *   mode: "live",
 *   runningTime: 4_000_000,
 *   actors: [{ progress: { done: 120, total: 300 } }],
 * } as unknown as PipelineStats;
 * assert.ok(formatProgress(stats, 4_000) === "120/300 (40%)  30.0/s  elapsed 0:04  ETA 0:06");
 * ```
 *
 * @param stats A stats snapshot.
 * @param elapsedMs Wall time since the pipeline started, in ms.
 * @returns One line, without a newline.
 */
export function formatProgress(stats: PipelineStats, elapsedMs: number): string {
  const reporting = stats.actors.filter((a) => a.progress !== undefined);
  // The run lasts as long as its longest source: an endless one, else the largest total.
  const longest = reporting.reduce<typeof reporting[number] | undefined>((best, actor) => {
    if (best === undefined) return actor;
    const [p, q] = [actor.progress!, best.progress!];
    if ((p.total === undefined) !== (q.total === undefined)) {
      return p.total === undefined ? actor : best;
    }
    if (p.total === undefined || q.total === undefined) return p.done > q.done ? actor : best;
    return p.total > q.total || (p.total === q.total && p.done < q.done) ? actor : best;
  }, undefined);
  const elapsed = `elapsed ${formatDuration(elapsedMs)}`;
  if (longest === undefined) return elapsed;
  const { done, total } = longest.progress!;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const parts = [
    total === undefined
      ? `${done}`
      : `${done}/${total} (${total > 0 ? Math.floor(100 * done / total) : 100}%)`,
    ...(reporting.length > 1 ? [`${longest.name}, longest of ${reporting.length}`] : []),
    `${_rate(rate)}/s`,
    elapsed,
  ];
  if (total !== undefined && done < total && rate > 0) {
    parts.push(`ETA ${formatDuration(1000 * Math.max(0, total - done) / rate)}`);
  }
  return parts.join("  ");
}

/**
 * Formats a duration as `m:ss`, or `h:mm:ss` from an hour on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "@streamlib/cli";
 * assert.ok(formatDuration(6_400) === "0:06");
 * assert.ok(formatDuration(3_723_000) === "1:02:03");
 * ```
 *
 * @param ms The duration in ms.
 * @returns The text.
 */
export function formatDuration(ms: number): string {
  const total = Math.round(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function _rate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}
