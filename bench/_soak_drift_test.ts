import assert from "node:assert/strict";
import { _drift } from "./_soak_drift.ts";

Deno.test("_drift() compares the samples after the warm-up with the first of them", () => {
  const drift = _drift([50, 80, 100, 104, 97, 102], 2, 10);
  assert.equal(drift.baseline, 100);
  assert.ok(Math.abs(drift.drift - 2) < 1e-9);
  assert.ok(Math.abs(drift.max - 4) < 1e-9);
  assert.equal(drift.within, true);
});

Deno.test("_drift() keeps the sign of the farthest sample and fails past the limit", () => {
  const drift = _drift([100, 95, 88, 99], 0, 10);
  assert.ok(Math.abs(drift.max + 12) < 1e-9);
  assert.equal(drift.within, false);
});

Deno.test("_drift() refuses a series with nothing after its warm-up", () => {
  assert.throws(() => _drift([1, 2], 2, 10), RangeError);
});
