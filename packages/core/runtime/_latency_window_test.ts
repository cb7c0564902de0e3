import assert from "node:assert/strict";
import { _LatencyWindow } from "./_latency_window.ts";

/** A window holding `values`, recorded in order. */
function windowOf(values: readonly number[], size?: number): _LatencyWindow {
  const window = new _LatencyWindow(size);
  for (const v of values) window.record(v);
  return window;
}

/** Nearest-rank percentile: the smallest value with at least q of the samples at or below it. */
function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

Deno.test("_LatencyWindow gives zeros while empty", () => {
  const window = new _LatencyWindow();
  assert.deepEqual(window.percentiles(), { p50: 0, p99: 0, samples: 0 });
  assert.equal(window.count, 0);
  assert.deepEqual(new _LatencyWindow(1).percentiles(), { p50: 0, p99: 0, samples: 0 });
});

Deno.test("_LatencyWindow with one sample reports it as every percentile", () => {
  assert.deepEqual(windowOf([42]).percentiles(), { p50: 42, p99: 42, samples: 1 });
});

Deno.test("_LatencyWindow uses nearest-rank percentiles: 1…100 gives p50 50 and p99 99", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(windowOf(values).percentiles(), { p50: 50, p99: 99, samples: 100 });
});

Deno.test("_LatencyWindow's p50 of an even count is the lower middle value, not a mean", () => {
  assert.deepEqual(windowOf([1, 2, 3, 4]).percentiles(), { p50: 2, p99: 4, samples: 4 });
  assert.deepEqual(windowOf([10, 20]).percentiles(), { p50: 10, p99: 20, samples: 2 });
});

Deno.test("_LatencyWindow's p99 of fewer than 100 samples is the largest", () => {
  const values = [5, 1, 9, 3, 7, 2, 8, 6, 4, 10];
  assert.deepEqual(windowOf(values).percentiles(), { p50: 5, p99: 10, samples: 10 });
});

Deno.test("_LatencyWindow sorts numerically, not as text, whatever the recording order", () => {
  // As text, 100 and 1000 would sort before 7, 80 and 9.
  assert.deepEqual(windowOf([100, 9, 1000, 7, 80]).percentiles(), {
    p50: 80,
    p99: 1000,
    samples: 5,
  });
  assert.deepEqual(windowOf([0.5, -2, 12.25]).percentiles(), { p50: 0.5, p99: 12.25, samples: 3 });
});

Deno.test("_LatencyWindow matches nearest-rank percentiles for a spread of sizes", () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  for (const n of [1, 2, 3, 7, 50, 99, 100, 101, 199, 200, 201, 512]) {
    const values = Array.from({ length: n }, () => Math.round(random() * 10_000) / 10);
    const { p50, p99, samples } = windowOf(values, 512).percentiles();
    assert.equal(p50, nearestRank(values, 0.5), `p50 of ${n}`);
    assert.equal(p99, nearestRank(values, 0.99), `p99 of ${n}`);
    assert.equal(samples, n);
  }
});

Deno.test("_LatencyWindow keeps only the newest `size` samples", () => {
  const window = windowOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4);
  // The window holds 7, 8, 9, 10.
  assert.deepEqual(window.percentiles(), { p50: 8, p99: 10, samples: 10 });
  // Old outliers are forgotten once pushed out.
  const spiky = windowOf([1_000_000, 1, 1, 1], 3);
  assert.deepEqual(spiky.percentiles(), { p50: 1, p99: 1, samples: 4 });
});

Deno.test("_LatencyWindow holds 512 samples by default", () => {
  const window = windowOf(Array.from({ length: 1000 }, (_, i) => i + 1));
  // 489…1000 remain: p50 is the 256th of them, p99 the 507th.
  assert.deepEqual(window.percentiles(), { p50: 744, p99: 995, samples: 1000 });
  const full = windowOf(Array.from({ length: 512 }, (_, i) => i + 1));
  assert.deepEqual(full.percentiles(), { p50: 256, p99: 507, samples: 512 });
});

Deno.test("_LatencyWindow's samples and count include records already pushed out", () => {
  const window = new _LatencyWindow(2);
  for (let i = 1; i <= 5; i++) {
    window.record(i);
    assert.equal(window.count, i);
    assert.equal(window.percentiles().samples, i);
  }
});

Deno.test("_LatencyWindow can be read while recording goes on", () => {
  const window = new _LatencyWindow(3);
  window.record(30);
  window.record(10);
  assert.deepEqual(window.percentiles(), { p50: 10, p99: 30, samples: 2 });
  // Reading sorted a copy: the order of the ring is untouched, so 30 is the next to go.
  window.record(20);
  window.record(40);
  assert.deepEqual(window.percentiles(), { p50: 20, p99: 40, samples: 4 });
  window.record(50);
  assert.deepEqual(window.percentiles(), { p50: 40, p99: 50, samples: 5 });
});
