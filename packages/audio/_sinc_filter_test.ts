import assert from "node:assert/strict";
import { _SincFilter } from "./_sinc_filter.ts";
import { measureFilter } from "./_resample_testing.ts";

// The figures documented on `Resampler`, by quality.
const RIPPLE = [
  0.083,
  0.03,
  0.0095,
  0.0025,
  0.00096,
  0.00031,
  0.00009,
  0.000028,
  0.0000098,
  0.0000028,
  0.00000095,
];
const STOPBAND = [39, 49, 59, 69, 79, 89, 99, 109, 119, 129, 139];

function check(from: number, to: number, quality: number, interpolate = false): void {
  const { rippleDb, stopbandDb } = measureFilter(new _SincFilter(from, to, quality, interpolate));
  const what = `${from} → ${to} at quality ${quality}`;
  assert.ok(rippleDb <= RIPPLE[quality]!, `${what}: ripple ±${rippleDb} dB`);
  assert.ok(stopbandDb >= STOPBAND[quality]!, `${what}: stopband ${stopbandDb} dB`);
}

Deno.test("The resampling filter meets its documented ripple and stopband at every quality", () => {
  for (let quality = 0; quality <= 10; quality++) {
    for (
      const [from, to] of [[44_100, 48_000], [48_000, 16_000], [8000, 48_000], [48_000, 32_000]]
    ) {
      check(from!, to!, quality);
    }
  }
});

Deno.test("The resampling filter meets its documented figures at 48 kHz → 44.1 kHz and 22.05 kHz → 48 kHz", () => {
  for (const quality of [0, 4, 10]) {
    check(48_000, 44_100, quality);
    check(22_050, 48_000, quality);
  }
});

Deno.test("Interpolated filter rows meet the same figures as exact ones", () => {
  for (const quality of [0, 4, 10]) check(44_100, 48_000, quality, true);
  const exact = new _SincFilter(44_100, 48_000, 10);
  const interpolated = new _SincFilter(44_100, 48_000, 10, true);
  const a = new Float64Array(exact.taps);
  const b = new Float64Array(exact.taps);
  let error = 0;
  for (let phase = 0; phase < exact.L; phase++) {
    exact.row(phase, a);
    interpolated.row(phase, b);
    for (let m = 0; m < a.length; m++) error = Math.max(error, Math.abs(a[m]! - b[m]!));
  }
  assert.ok(error < 1e-8, `largest coefficient error ${error}`);
});

Deno.test("Filter rows sum to 1 and mirror each other", () => {
  for (const filter of [new _SincFilter(44_100, 48_000, 4), new _SincFilter(44_100, 47_999, 4)]) {
    const row = new Float64Array(filter.taps);
    const mirror = new Float64Array(filter.taps);
    for (const phase of [0, 1, 17, filter.L >> 1]) {
      filter.row(phase, row);
      assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - 1) < 1e-12);
      if (phase === 0 || filter.table === undefined) continue;
      // Phase L − φ is phase φ reversed: the filter is symmetric, hence zero-phase.
      filter.row(filter.L - phase, mirror);
      let error = 0;
      for (let m = 0; m < filter.taps; m++) {
        error = Math.max(error, Math.abs(row[m]! - mirror[filter.taps - 1 - m]!));
      }
      assert.ok(error < 1e-15, `phase ${phase}: ${error}`);
    }
  }
});
