/**
 * The last N values of a measure (latency), and their median and 99th percentile. Internal to
 * the link code.
 *
 * @module
 */

/** A ring of the last values, summarised on demand. */
export class _Percentiles {
  readonly #values: Float64Array;
  #count = 0;
  #total = 0;

  constructor(size: number) {
    this.#values = new Float64Array(size);
  }

  add(value: number): void {
    this.#values[this.#count % this.#values.length] = value;
    this.#count++;
    this.#total++;
  }

  /** p50 and p99 of what the ring holds, and how many values came in all. */
  summary(): { p50: number; p99: number; samples: number } | undefined {
    const n = Math.min(this.#count, this.#values.length);
    if (n === 0) return undefined;
    const sorted = this.#values.slice(0, n).sort();
    const at = (q: number): number => sorted[Math.min(n - 1, Math.floor(q * n))]!;
    return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), samples: this.#total };
  }
}
