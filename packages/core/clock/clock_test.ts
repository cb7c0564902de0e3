import assert from "node:assert/strict";
import { tickTime } from "./clock.ts";

Deno.test("tickTime() puts tick n at round(n × 10⁶ / fps) microseconds", () => {
  assert.equal(tickTime(0, 30), 0);
  assert.equal(tickTime(3, 30), 100_000);
  assert.equal(tickTime(1, 30), 33_333);
  assert.equal(tickTime(2, 30), 66_667);
  assert.equal(tickTime(1, 25), 40_000);
  assert.equal(tickTime(1_000_000, 29.97), 33_366_700_033);
});

Deno.test("tickTime() does not drift at NTSC rates however far the stream runs", () => {
  const fps = 30_000 / 1001;
  // The exact time is n × 1001 × 100 / 3 µs; its fraction is 0, 1/3 or 2/3, never a tie.
  const exact = (n: number): number => Math.round(n * 1e6 * 1001 / 30_000);
  for (const n of [1, 2, 1_000, 29_970, 1_000_000, 10_000_001, 123_456_789, 2_592_000_000]) {
    assert.equal(tickTime(n, fps), exact(n), `n = ${n}`);
  }
  for (let n = 0; n < 100_000; n++) {
    if (tickTime(n, fps) !== exact(n)) assert.fail(`tick ${n}: ${tickTime(n, fps)} ≠ ${exact(n)}`);
  }
  // A day at 29.97 fps is 2 589 408 frames: 86 399 913 600 µs exactly, not a period sum.
  assert.equal(tickTime(2_589_408, fps), 86_399_913_600);
});

Deno.test("tickTime() is strictly increasing for common frame rates", () => {
  for (const fps of [1, 23.976, 24, 25, 30_000 / 1001, 30, 50, 60_000 / 1001, 60, 120, 1000]) {
    let previous = -1;
    for (let n = 0; n < 20_000; n++) {
      const t = tickTime(n, fps);
      if (!(t > previous)) assert.fail(`fps ${fps}: tick ${n} at ${t} after ${previous}`);
      previous = t;
    }
  }
});

Deno.test("tickTime() gives consecutive periods that differ by at most 1 µs", () => {
  const fps = 30_000 / 1001;
  const periods = new Set<number>();
  for (let n = 1; n < 10_000; n++) periods.add(tickTime(n, fps) - tickTime(n - 1, fps));
  assert.deepEqual([...periods].sort(), [33_366, 33_367]);
});
