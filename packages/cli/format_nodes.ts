/**
 * One running node as `streamlib nodes` shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeRow } from "@streamlib/cli";
 * const row: NodeRow = {
 *   name: "videotestsrc-1", pid: 4242, startedAt: 0, actors: 3, state: "running",
 *   serves: "/run/user/1000/streamlib/videotestsrc-1.sock", summary: "videotestsrc ! display",
 * };
 * assert.ok(row.actors === 3);
 * ```
 */
export interface NodeRow {
  /** The node's name. */
  readonly name: string;
  /** Its process id. */
  readonly pid: number;
  /** When it started serving, ms since 1970. */
  readonly startedAt: number;
  /** Its actors now (or when it started, if it did not answer). */
  readonly actors: number;
  /** The pipeline's state, or `not answering`. */
  readonly state: string;
  /** Where it serves: its socket, and its TCP address. */
  readonly serves: string;
  /** The pipeline in a line. */
  readonly summary: string;
}

/**
 * The table `streamlib nodes` prints: name, pid, uptime, actors, state and where each node
 * serves, then its pipeline indented below; a line saying so when none runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNodes } from "@streamlib/cli";
 * const text = formatNodes([{
 *   name: "datasrc-1", pid: 42, startedAt: 0, actors: 2, state: "running",
 *   serves: "/tmp/streamlib-1000/datasrc-1.sock", summary: "datasrc ! log",
 * }], 3_723_000);
 * assert.equal(text.split("\n")[1], "datasrc-1  42   1:02:03  2       running  /tmp/streamlib-1000/datasrc-1.sock");
 * assert.equal(formatNodes([], 0), "no nodes are running\n");
 * ```
 *
 * @param rows The nodes.
 * @param now The time now, ms since 1970.
 * @returns The text, ending with a newline.
 */
export function formatNodes(rows: readonly NodeRow[], now: number): string {
  if (rows.length === 0) return "no nodes are running\n";
  const table = [
    ["NAME", "PID", "UPTIME", "ACTORS", "STATE", "SERVES"],
    ...rows.map((r) => [
      r.name,
      String(r.pid),
      _uptime(now - r.startedAt),
      String(r.actors),
      r.state,
      r.serves,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines: string[] = [];
  table.forEach((row, i) => {
    lines.push(
      row.map((cell, j) => j === row.length - 1 ? cell : cell.padEnd(widths[j]!)).join("  "),
    );
    if (i > 0 && rows[i - 1]!.summary) lines.push(`  ${rows[i - 1]!.summary}`);
  });
  return `${lines.join("\n")}\n`;
}

/** `h:mm:ss`, or `m:ss` under an hour. */
function _uptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
