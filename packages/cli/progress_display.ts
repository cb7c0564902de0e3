import type { PipelineStats } from "@streamlib/core";
import { formatActorStats } from "./format_actor_stats.ts";
import { formatProgress } from "./format_progress.ts";

/**
 * Options of a {@linkcode ProgressDisplay}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProgressDisplayOptions } from "@streamlib/cli";
 * const options: ProgressDisplayOptions = { write: () => {}, terminal: false, stats: true };
 * assert.ok(options.stats);
 * ```
 */
export interface ProgressDisplayOptions {
  /** Where the text goes (stderr). */
  readonly write: (text: string) => void;
  /** On a terminal one block of lines is redrawn in place; elsewhere lines are appended. */
  readonly terminal: boolean;
  /** Add a line per actor: processed per second and drops (`--stats`). */
  readonly stats?: boolean;
  /** Off a terminal, print at most once in this many ms (default 2000). */
  readonly everyMs?: number;
  /** On a terminal, its width: longer lines are cut so that redrawing stays in place. */
  readonly columns?: number;
  /** The wall clock in ms (default `performance.now`). */
  readonly now?: () => number;
}

/**
 * A stats snapshot and when it was taken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineStats } from "@streamlib/core";
 * import type { ProgressSnapshot } from "@streamlib/cli";
 * const snapshot: ProgressSnapshot = { t: 500, stats: { actors: [] } as unknown as PipelineStats };
 * assert.ok(snapshot.t === 500);
 * ```
 */
export interface ProgressSnapshot {
  /** Wall time since the pipeline started, in ms. */
  readonly t: number;
  /** The stats. */
  readonly stats: PipelineStats;
}

/**
 * Shows how a run is going on stderr. On a terminal: one progress line (plus one line per actor
 * with `stats`) redrawn in place at each snapshot, cleared before other output is printed and
 * redrawn after it. Elsewhere: the same lines appended every `everyMs` (about 2 s), so logs stay
 * readable. `finish()` prints the last snapshot in either case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineStats } from "@streamlib/core";
 * import { ProgressDisplay } from "@streamlib/cli";
 * let out = "";
 * const display = new ProgressDisplay({ write: (text) => out += text, terminal: false });
 * const stats = { actors: [{ progress: { done: 5, total: 5 } }] } as unknown as PipelineStats;
 * display.finish({ t: 1_000, stats });
 * assert.ok(out === "progress: 5/5 (100%)  5.0/s  elapsed 0:01\n");
 * ```
 */
export class ProgressDisplay {
  readonly #options: ProgressDisplayOptions;
  readonly #now: () => number;
  #shown = 0;
  #lastPrint: number;
  #previous: ProgressSnapshot | undefined;
  #latest: ProgressSnapshot | undefined;
  #lines: string[] = [];

  /**
   * Creates the display; nothing is printed until the first snapshot.
   *
   * @param options Where to write, and how.
   */
  constructor(options: ProgressDisplayOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#lastPrint = this.#now();
  }

  /**
   * Takes a new snapshot: redraws on a terminal, else prints when `everyMs` has passed.
   *
   * @param snapshot The stats and their time.
   */
  update(snapshot: ProgressSnapshot): void {
    this.#take(snapshot);
    if (this.#options.terminal) return this.#draw();
    const now = this.#now();
    if (now - this.#lastPrint < (this.#options.everyMs ?? 2_000)) return;
    this.#lastPrint = now;
    this.#options.write(this.#lines.map((line) => `${line}\n`).join(""));
  }

  /**
   * Prints the final snapshot and leaves it on screen.
   *
   * @param snapshot The stats at the end and their time.
   */
  finish(snapshot: ProgressSnapshot): void {
    this.#take(snapshot);
    if (this.#options.terminal) {
      this.#draw();
      this.#options.write("\n");
      this.#shown = 0;
    } else {
      this.#options.write(this.#lines.map((line) => `${line}\n`).join(""));
    }
  }

  /**
   * Prints other text (a message, the user's output) without mixing it into the progress
   * lines: on a terminal they are cleared first and redrawn after.
   *
   * @param write Writes the text.
   */
  around(write: () => void): void {
    if (!this.#options.terminal || this.#shown === 0) return write();
    this.#erase();
    write();
    this.#draw();
  }

  /** Erases the progress lines from a terminal (at the end of a run that failed). */
  clear(): void {
    if (this.#options.terminal && this.#shown !== 0) this.#erase();
  }

  #take(snapshot: ProgressSnapshot): void {
    this.#previous = this.#latest;
    this.#latest = snapshot;
    this.#lines = [`progress: ${formatProgress(snapshot.stats, snapshot.t)}`];
    if (this.#options.stats) {
      const previous = this.#previous;
      const seconds = (snapshot.t - (previous?.t ?? 0)) / 1000;
      this.#lines.push(...formatActorStats(snapshot.stats, previous?.stats, seconds));
    }
  }

  #erase(): void {
    this.#options.write("\r\x1b[2K" + "\x1b[1A\x1b[2K".repeat(this.#shown - 1));
    this.#shown = 0;
  }

  #draw(): void {
    if (this.#shown !== 0) this.#erase();
    const columns = this.#options.columns ?? Infinity;
    const lines = this.#lines.map((line) =>
      line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`
    );
    this.#options.write(lines.map((line) => `\r\x1b[2K${line}`).join("\n"));
    this.#shown = this.#lines.length;
  }
}
