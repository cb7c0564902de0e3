/**
 * One round trip of a clock exchange, NTP-style, in µs: `t1` our clock when the ping left,
 * `t2` the other clock when it arrived, `t3` the other clock when the pong left, `t4` our
 * clock when the pong arrived.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClockSample } from "@streamlib/net";
 * const s: ClockSample = { t1: 0, t2: 1_000_050, t3: 1_000_060, t4: 110 };
 * assert.ok(s.t4 > s.t1);
 * ```
 */
export interface ClockSample {
  /** Our clock when the ping left. */
  readonly t1: number;
  /** Their clock when the ping arrived. */
  readonly t2: number;
  /** Their clock when the pong left. */
  readonly t3: number;
  /** Our clock when the pong arrived. */
  readonly t4: number;
}

/**
 * What {@linkcode ClockSync} knows: the other clock minus ours, give or take `boundUs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClockEstimate } from "@streamlib/net";
 * const e: ClockEstimate = { offsetUs: 1_000_000, boundUs: 40, rttUs: 80, samples: 8 };
 * assert.ok(e.boundUs === e.rttUs / 2);
 * ```
 */
export interface ClockEstimate {
  /** Their clock − ours, in µs. */
  readonly offsetUs: number;
  /** The most the offset can be off: half the round trip it came from, in µs. */
  readonly boundUs: number;
  /** That round trip, less the time the other side held the ping, in µs. */
  readonly rttUs: number;
  /** Samples behind the estimate. */
  readonly samples: number;
}

/**
 * Options of {@linkcode ClockSync}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClockSyncOptions } from "@streamlib/net";
 * const o: ClockSyncOptions = { window: 16, driftPpm: 10 };
 * assert.ok(o.window === 16);
 * ```
 */
export interface ClockSyncOptions {
  /** Samples kept; the estimate comes from the one with the shortest round trip (default 16). */
  readonly window?: number;
  /**
   * How fast the two clocks may drift apart, in parts per million (default 10: two clocks kept
   * by NTP): a sample's bound grows by this much of its age, so a fresh sample with a slightly
   * longer round trip can win over a stale one.
   */
  readonly driftPpm?: number;
}

/**
 * Estimates another node's clock offset NTP-style, with min-RTT filtering: of the last
 * `window` exchanges, the one whose round trip was shortest (its age's drift allowance added)
 * gives the offset, `((t2 − t1) + (t3 − t4)) / 2`, and the bound, half its round trip: the true
 * offset lies within `offset ± bound` whatever the delays each way were. Queueing delays only
 * lengthen round trips, so the shortest is the least disturbed.
 *
 * @example Two clocks a second apart, with 100 µs each way
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClockSync } from "@streamlib/net";
 * const sync = new ClockSync();
 * sync.add({ t1: 0, t2: 1_000_100, t3: 1_000_110, t4: 210 });
 * sync.add({ t1: 1_000, t2: 1_002_000, t3: 1_002_010, t4: 2_010 }); // slow: ignored
 * const e = sync.estimate(210)!; // our clock now
 * assert.ok(e.offsetUs === 1_000_000 && e.boundUs === 100);
 * ```
 */
export class ClockSync {
  readonly #window: number;
  readonly #drift: number;
  #samples: ClockSample[] = [];
  #total = 0;

  /**
   * Creates an estimator with no samples.
   *
   * @param options Window and drift allowance.
   */
  constructor(options: ClockSyncOptions = {}) {
    this.#window = Math.max(1, Math.floor(options.window ?? 16));
    this.#drift = (options.driftPpm ?? 10) * 1e-6;
  }

  /**
   * Adds one exchange; one whose times cannot be right (pong before ping) is ignored.
   *
   * @param sample Its four times.
   */
  add(sample: ClockSample): void {
    if (!(sample.t4 >= sample.t1) || !(sample.t3 >= sample.t2)) return;
    if (sample.t4 - sample.t1 < sample.t3 - sample.t2) return;
    this.#samples.push(sample);
    if (this.#samples.length > this.#window) this.#samples.shift();
    this.#total++;
  }

  /**
   * Forgets every sample (the other side is a new process).
   */
  reset(): void {
    this.#samples = [];
  }

  /**
   * The estimate, or `undefined` before the first sample.
   *
   * @param now Our clock now, to age samples (default: the newest sample's `t4`).
   * @returns Offset, bound and round trip.
   */
  estimate(now?: number): ClockEstimate | undefined {
    if (this.#samples.length === 0) return undefined;
    const at = now ?? this.#samples[this.#samples.length - 1]!.t4;
    let best: ClockSample | undefined;
    let bestCost = Infinity;
    for (const s of this.#samples) {
      const rtt = (s.t4 - s.t1) - (s.t3 - s.t2);
      const cost = rtt / 2 + Math.max(0, at - s.t4) * this.#drift;
      if (cost < bestCost) {
        bestCost = cost;
        best = s;
      }
    }
    const s = best!;
    const rtt = (s.t4 - s.t1) - (s.t3 - s.t2);
    return {
      offsetUs: ((s.t2 - s.t1) + (s.t3 - s.t4)) / 2,
      boundUs: bestCost,
      rttUs: rtt,
      samples: this.#total,
    };
  }
}
