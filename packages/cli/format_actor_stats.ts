import type { PipelineStats } from "@streamlib/core";

/**
 * The per-actor lines `streamlib run --stats` adds below the progress line: each actor's name
 * and type, the messages it processed per second since the previous snapshot, how many it has
 * dropped in all and, for a live source that fell behind, the ticks it skipped (frames never
 * made: where a live pipeline too slow for its sources loses frames) and the ticks it ran late.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineStats } from "@streamlib/core";
 * import { formatActorStats } from "@streamlib/cli";
 * const at = (processed: number, dropped: number, skippedTicks = 0) =>
 *   ({ actors: [{ name: "src", type: "datasrc", processed, dropped, skippedTicks, lateTicks: 0 }] }) as unknown as PipelineStats;
 * const lines = formatActorStats(at(130, 2), at(100, 0), 1);
 * assert.ok(lines[0] === "  src (datasrc)  30.0/s  dropped 2");
 * assert.ok(formatActorStats(at(130, 0, 40), undefined, 0)[0]!.endsWith("skipped 40 ticks (behind)"));
 * ```
 *
 * @param current The newest snapshot.
 * @param previous The one before, if any (else rates count from zero).
 * @param seconds Time between the two, in seconds.
 * @returns One line per actor, without newlines.
 */
export function formatActorStats(
  current: PipelineStats,
  previous: PipelineStats | undefined,
  seconds: number,
): string[] {
  const before = new Map(previous?.actors.map((a) => [a.name, a.processed]) ?? []);
  const rows = current.actors.map((a) => {
    const delta = a.processed - (before.get(a.name) ?? 0);
    const rate = seconds > 0 ? Math.max(0, delta) / seconds : 0;
    const behind = [
      a.skippedTicks ? `skipped ${a.skippedTicks} ticks (behind)` : "",
      a.lateTicks ? `${a.lateTicks} ticks late` : "",
    ].filter(Boolean).join(", ");
    return [
      `${a.name} (${a.type})`,
      `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)}/s`,
      a.dropped,
      behind,
    ];
  }) as Array<[string, string, number, string]>;
  const nameWidth = Math.max(0, ...rows.map((r) => r[0].length));
  const rateWidth = Math.max(0, ...rows.map((r) => r[1].length));
  return rows.map(([name, rate, dropped, behind]) =>
    `  ${name.padEnd(nameWidth)}  ${rate.padStart(rateWidth)}  dropped ${dropped}` +
    (behind ? `, ${behind}` : "")
  );
}
