import assert from "node:assert/strict";
import { levelAt, peakFrequency } from "./_testing.ts";

Deno.test("peakFrequency() and levelAt() read a known sine", () => {
  const rate = 48_000;
  const samples = Float32Array.from(
    { length: 8192 },
    (_, i) => 0.5 * Math.sin(2 * Math.PI * 1000 * i / rate),
  );
  assert.ok(Math.abs(peakFrequency(samples, rate) - 1000) < 1);
  assert.ok(Math.abs(levelAt(samples, rate, 1000) - 20 * Math.log10(0.5)) < 1.5);
  assert.ok(levelAt(samples, rate, 5000) < -80);
});
