import type { PipelineStats } from "@streamlib/core";

/**
 * The per-actor lines `streamlib run --stats` adds below the progress line: each actor's name
 * and type, the messages it processed per second since the previous snapshot, and how many it
 * has dropped in all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineStats } from "@streamlib/core";
 * import { formatActorStats } from "@streamlib/cli";
 * const at = (processed: number, dropped: number) =>
 *   ({ actors: [{ name: "src", type: "datasrc", processed, dropped }] }) as unknown as PipelineStats;
 * const lines = formatActorStats(at(130, 2), at(100, 0), 1);
 * assert.ok(lines[0] === "  src (datasrc)  30.0/s  dropped 2");
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
    return [
      `${a.name} (${a.type})`,
      `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)}/s`,
      a.dropped,
    ];
  }) as Array<[string, string, number]>;
  const nameWidth = Math.max(0, ...rows.map((r) => r[0].length));
  const rateWidth = Math.max(0, ...rows.map((r) => r[1].length));
  return rows.map(([name, rate, dropped]) =>
    `  ${name.padEnd(nameWidth)}  ${rate.padStart(rateWidth)}  dropped ${dropped}`
  );
}
