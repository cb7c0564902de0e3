/**
 * Keeps the last `size` samples and reports percentiles over them: recent behaviour, fixed
 * memory, O(1) to record. @internal
 */
export class _LatencyWindow {
  readonly #samples: Float64Array;
  #count = 0;

  constructor(size = 512) {
    this.#samples = new Float64Array(size);
  }

  record(value: number): void {
    this.#samples[this.#count++ % this.#samples.length] = value;
  }

  get count(): number {
    return this.#count;
  }

  percentiles(): { p50: number; p99: number; samples: number } {
    const n = Math.min(this.#count, this.#samples.length);
    if (n === 0) return { p50: 0, p99: 0, samples: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number): number => sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!;
    return { p50: at(0.5), p99: at(0.99), samples: this.#count };
  }
}
