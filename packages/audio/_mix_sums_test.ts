import assert from "node:assert/strict";
import { type _Clip, _mixSums, type _Whole } from "./_mix_sums.ts";
import { setSimdMode } from "@streamlib/core";
import { random } from "./_feed_testing.ts";

/** Sums of random parts: `wholes` whole-buffer parts four at a time, then partial ones. */
function mix(channels: number, frames: number, seed: number, clip: _Clip): Float32Array {
  const next = random(seed);
  const part = (stride: number, loud: number): Float32Array =>
    Float32Array.from({ length: channels * stride }, () => (next() * 2 - 1) * loud);
  const sums = _mixSums(channels, frames);
  for (let group = 0; group < 3; group++) {
    const parts: _Whole[] = Array.from({ length: 4 }, () => {
      const stride = frames + Math.floor(next() * 5);
      return { data: part(stride, 0.4), stride, at: stride - frames, gain: next() * 1.5 };
    });
    sums.addFour(parts);
  }
  for (let k = 0; k < 3; k++) {
    const stride = frames + 3;
    const count = Math.max(1, Math.floor(next() * frames));
    const at = Math.floor(next() * (frames - count + 1));
    sums.addScaled(at, part(stride, 0.7), stride, 2, Math.min(count, stride - 2), 0.3 + next());
  }
  return sums.finish(clip);
}

Deno.test("The mixer's sums are the same with and without its SIMD kernels, clipped either way", () => {
  let clipped = 0;
  try {
    for (const [channels, frames] of [[1, 1], [1, 7], [2, 1024], [3, 33], [2, 480]]) {
      for (const clip of ["hard", "soft"] as const) {
        for (const seed of [1, 2, 3]) {
          setSimdMode("off");
          const expected = mix(channels!, frames!, seed, clip);
          setSimdMode("auto");
          const got = mix(channels!, frames!, seed, clip);
          assert.deepEqual(got, expected, `${channels} × ${frames} ${clip} seed ${seed}`);
          clipped += expected.filter((x) => Math.abs(x) > 0.9).length;
        }
      }
    }
  } finally {
    setSimdMode("auto");
  }
  assert.ok(clipped > 100, `${clipped} sums past the knee`);
});

Deno.test("The mixer's hard clip clamps to ±1 and keeps NaN, with and without SIMD", () => {
  try {
    for (const simd of [false, true]) {
      setSimdMode(simd ? "auto" : "off");
      const sums = _mixSums(1, 6);
      const data = new Float32Array([NaN, 2, -3, 0.5, 1, -1]);
      sums.addScaled(0, data, 6, 0, 6, 1);
      const out = sums.finish("hard");
      assert.ok(Number.isNaN(out[0]), `simd ${simd}`);
      assert.deepEqual([...out.subarray(1)], [1, -1, 0.5, 1, -1]);
    }
  } finally {
    setSimdMode("auto");
  }
});

Deno.test("The mixer's soft clip finds a loud sum wherever it lies, with and without SIMD", () => {
  try {
    for (const at of [0, 3, 7, 8, 12, 16, 18]) {
      const results = [false, true].map((simd) => {
        setSimdMode(simd ? "auto" : "off");
        const data = new Float32Array(19).fill(0.5);
        data[at] = -1.4;
        const sums = _mixSums(1, 19);
        sums.addScaled(0, data, 19, 0, 19, 1);
        return sums.finish("soft");
      });
      assert.deepEqual(results[1], results[0], `at ${at}`);
      assert.ok(results[1]![at]! > -1 && results[1]![at]! < -0.9, `at ${at}: ${results[1]![at]}`);
      assert.equal(results[1]![(at + 1) % 19], 0.5);
    }
  } finally {
    setSimdMode("auto");
  }
});
