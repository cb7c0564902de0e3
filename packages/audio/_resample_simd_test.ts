import assert from "node:assert/strict";
import { resampleAudio } from "./resample.ts";
import { setSimdMode } from "@streamlib/core";
import { random } from "./_feed_testing.ts";

/**
 * resampleAudio() with the TypeScript loop (doubles), then with the kernel (f32): relaxed SIMD
 * (fused multiply-adds where the runtime has them) and standard SIMD.
 */
function all(
  channels: Float32Array[],
  from: number,
  to: number,
  quality: number,
): [Float32Array[], Float32Array[], Float32Array[]] {
  try {
    setSimdMode("off");
    const expected = resampleAudio(channels, from, to, quality);
    setSimdMode("standard");
    const standard = resampleAudio(channels, from, to, quality);
    setSimdMode("auto");
    return [expected, standard, resampleAudio(channels, from, to, quality)];
  } finally {
    setSimdMode("auto");
  }
}

Deno.test("resampleAudio() with its SIMD kernels stays within 1e-6 of full scale of the double-precision loop", () => {
  const next = random(11);
  let worst = 0;
  for (const [from, to] of [[44_100, 48_000], [48_000, 44_100], [48_000, 16_000], [8000, 48_000]]) {
    for (const quality of [0, 4, 10]) {
      for (const count of [1, 2, 3]) {
        const channels = Array.from(
          { length: count },
          () => Float32Array.from({ length: 3001 }, () => next() * 2 - 1),
        );
        const [expected, ...kernels] = all(channels, from!, to!, quality);
        for (const got of kernels) {
          expected.forEach((channel, c) => {
            assert.equal(got[c]!.length, channel.length);
            channel.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - got[c]![k]!))));
          });
        }
      }
    }
  }
  assert.ok(worst < 1e-6, `largest difference ${worst}`);
});

Deno.test("resampleAudio() interpolates rows in TypeScript where the ratio has no table: same samples", () => {
  const next = random(5);
  const tone = Float32Array.from({ length: 2000 }, () => next() - 0.5);
  const [expected, standard, relaxed] = all([tone, tone], 44_100, 47_999, 4);
  assert.deepEqual(standard, expected);
  assert.deepEqual(relaxed, expected);
});
