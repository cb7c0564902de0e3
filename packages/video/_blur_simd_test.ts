import assert from "node:assert/strict";
import type { VideoFrame } from "@streamlib/core";
import { blurFrame, type BlurOptions } from "./blur.ts";
import { setSimdMode } from "@streamlib/core";
import { _planeBytes, _randomFrame, _strided } from "./_filters_testing.ts";

const formats = ["RGBA", "BGRA", "I420", "NV12"] as const;
const sizes: Array<[number, number]> = [[1, 1], [3, 2], [13, 7], [37, 21], [70, 5]];

/**
 * blurFrame() with the TypeScript code, then with the kernels: relaxed SIMD (where the runtime
 * has it) and standard SIMD, which must agree exactly.
 */
function both(frame: VideoFrame, options: BlurOptions): [VideoFrame, VideoFrame] {
  try {
    setSimdMode("off");
    const expected = blurFrame(frame, options);
    setSimdMode("standard");
    const standard = blurFrame(frame, options);
    setSimdMode("auto");
    const got = blurFrame(frame, options);
    assert.deepEqual(got.data, standard.data, "relaxed and standard SIMD differ");
    return [expected, got];
  } finally {
    setSimdMode("auto");
  }
}

Deno.test("blurFrame() box gives the same samples with its SIMD kernel, f32 and f64 division alike", () => {
  for (const format of formats) {
    sizes.forEach(([w, h], i) => {
      for (const radius of [1, 2, 6, 31, 63, 64, 300]) {
        const packed = _randomFrame(format, w, h, 31 * i + radius);
        for (const frame of [packed, _strided(packed, 7)]) {
          const [expected, got] = both(frame, { mode: "box", radius });
          assert.deepEqual(got.data, expected.data, `${format} ${w}×${h} radius ${radius}`);
        }
      }
    });
  }
});

Deno.test("blurFrame() box with the kernel divides exactly at the largest sums", () => {
  // All 255: every sum is 255·A, the largest; a sum one below rounds down only past the half.
  for (const radius of [63, 64, 1024]) {
    const frame = _randomFrame("RGBA", 9, 4);
    frame.data.fill(255);
    frame.data[0] = 254;
    const [expected, got] = both(frame, { mode: "box", radius });
    assert.deepEqual(got.data, expected.data, `radius ${radius}`);
  }
});

Deno.test("blurFrame() gaussian with its SIMD kernels stays within 1 of the TypeScript blur", () => {
  for (const format of formats) {
    sizes.forEach(([w, h], i) => {
      // Half-widths 1, 2, 12, 31 (16-bit kernel) and 33, 60 (f32 kernel); chroma at half.
      for (const sigma of [0.1, 0.6, 4, 10.3, 11, 20]) {
        const packed = _randomFrame(format, w, h, 17 * i + 3);
        for (const frame of [packed, _strided(packed, 3)]) {
          const [expected, got] = both(frame, { sigma });
          const a = _planeBytes(expected), b = _planeBytes(got);
          a.forEach((plane, p) =>
            plane.forEach((v, k) => {
              const d = Math.abs(v - b[p]![k]!);
              assert.ok(
                d <= 1,
                `${format} ${w}×${h} σ ${sigma} plane ${p} sample ${k}: ${v} ${b[p]![k]}`,
              );
            })
          );
        }
      }
    });
  }
});

Deno.test("blurFrame() gaussian with the 16-bit kernel keeps flat areas and hard edges within 1", () => {
  // A checkerboard of 0 and 255 gives the widest spread of rounding errors, at the
  // largest half-width the 16-bit kernel takes (σ 10.3: R = 31).
  const frame = _randomFrame("RGBA", 97, 67);
  for (let i = 0; i < frame.data.length; i++) {
    frame.data[i] = ((i >> 2) + (i / 388 | 0)) & 1 ? 255 : 0;
  }
  for (const sigma of [1.5, 10.3]) {
    const [expected, got] = both(frame, { sigma });
    got.data.forEach((v, k) => assert.ok(Math.abs(v - expected.data[k]!) <= 1, `σ ${sigma} ${k}`));
  }
  const flat = _randomFrame("I420", 40, 30);
  flat.data.fill(201);
  for (const sigma of [0.3, 4, 10.3, 15]) {
    assert.ok(blurFrame(flat, { sigma }).data.every((v) => v === 201), `σ ${sigma}`);
  }
});
