import assert from "node:assert/strict";
import { createVideoFrame, type VideoPixelFormat } from "@streamlib/core";
import { convertFrame } from "./convert.ts";
import { instantiateWasmKernels, setSimdMode } from "@streamlib/core";
import { _BLUR_WASM, _BLUR_WASM_RELAXED } from "./_blur_wasm.ts";
import { _randomFrame, _strided } from "./_filters_testing.ts";

const formats: VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];
const sizes: Array<[number, number]> = [
  [1, 1],
  [2, 2],
  [3, 5],
  [17, 9],
  [33, 4],
  [40, 7],
  [64, 2],
  [37, 35],
  [50, 32],
];
const spaces = [
  { matrix: "bt601", fullRange: false },
  { matrix: "bt601", fullRange: true },
  { matrix: "bt709", fullRange: false },
  { matrix: "bt709", fullRange: true },
] as const;

Deno.test("convertFrame() gives the same samples with and without its SIMD kernels, every pair of formats", () => {
  try {
    for (const from of formats) {
      for (const to of formats) {
        if (from === to) continue;
        sizes.forEach(([w, h], i) => {
          for (const options of spaces) {
            const packed = _randomFrame(from, w, h, 7 * i + 1);
            for (const frame of [packed, _strided(packed, 5)]) {
              setSimdMode("off");
              const expected = convertFrame(frame, to, options);
              setSimdMode("auto");
              const got = convertFrame(frame, to, options);
              assert.deepEqual(
                got.data,
                expected.data,
                `${from} → ${to} ${w}×${h} ${JSON.stringify(options)}`,
              );
              assert.deepEqual(got.colorSpace, expected.colorSpace);
            }
          }
        });
      }
    }
  } finally {
    setSimdMode("auto");
  }
});

Deno.test("instantiateWasmKernels() picks relaxed SIMD where it validates, else standard, else null", () => {
  // Deno's V8 validates relaxed SIMD, so the relaxed module wins unless told otherwise.
  assert.equal(instantiateWasmKernels(_BLUR_WASM, _BLUR_WASM_RELAXED)?.variant, "relaxed");
  assert.equal(
    instantiateWasmKernels(_BLUR_WASM, _BLUR_WASM_RELAXED, "standard")?.variant,
    "standard",
  );
  // A relaxed module that does not validate falls back to the standard one.
  assert.equal(instantiateWasmKernels(_BLUR_WASM, btoa("not wasm"))?.variant, "standard");
  assert.equal(instantiateWasmKernels(btoa("not wasm")), null);
  assert.equal(instantiateWasmKernels(btoa("not wasm"), btoa("nor this")), null);
});

Deno.test("convertFrame() turns every Y, U, V into RGB within 1 of the exact equations", () => {
  // 4096 × 4096 pixels: each 2×2 block has its own U, V (2^16 pairs, 64 blocks each) and four
  // of the 256 Y values, so that the frame holds all 2^24 triples once.
  const size = 4096;
  const half = size / 2;
  const frame = createVideoFrame({ format: "I420", codedWidth: size, codedHeight: size });
  const [yPlane, uPlane, vPlane] = frame.layout.map(({ offset }, i) =>
    frame.data.subarray(offset, offset + (i === 0 ? size * size : half * half))
  ) as [Uint8Array, Uint8Array, Uint8Array];
  for (let b = 0; b < half * half; b++) {
    uPlane[b] = (b >> 8) & 255;
    vPlane[b] = b & 255;
    const cx = b % half, cy = (b - cx) / half;
    const y0 = (b >>> 16) * 4;
    yPlane[2 * cy * size + 2 * cx] = y0;
    yPlane[2 * cy * size + 2 * cx + 1] = y0 + 1;
    yPlane[(2 * cy + 1) * size + 2 * cx] = y0 + 2;
    yPlane[(2 * cy + 1) * size + 2 * cx + 1] = y0 + 3;
  }
  for (const { matrix, fullRange } of spaces) {
    const [kr, kb] = matrix === "bt709" ? [0.2126, 0.0722] : [0.299, 0.114];
    const kg = 1 - kr - kb;
    const yk = 255 / (fullRange ? 255 : 219);
    const ck = 255 / (fullRange ? 255 : 224);
    const yOffset = fullRange ? 0 : 16;
    const [rv, gu, gv, bu] = [
      2 * (1 - kr),
      -2 * (1 - kb) * kb / kg,
      -2 * (1 - kr) * kr / kg,
      2 * (1 - kb),
    ]
      .map((k) => k * ck) as [number, number, number, number];
    const rgba = convertFrame(frame, "RGBA", { matrix, fullRange }).data;
    const exact = (x: number): number => Math.min(255, Math.max(0, Math.round(x)));
    let worst = 0;
    let off = 0;
    for (let i = 0, p = 0; i < size * size; i++, p += 4) {
      const x = i % size, row = (i - x) / size;
      const c = (row >> 1) * half + (x >> 1);
      const Y = (yPlane[i]! - yOffset) * yk, U = uPlane[c]! - 128, V = vPlane[c]! - 128;
      const dr = Math.abs(rgba[p]! - exact(Y + rv * V));
      const dg = Math.abs(rgba[p + 1]! - exact(Y + gu * U + gv * V));
      const db = Math.abs(rgba[p + 2]! - exact(Y + bu * U));
      worst = Math.max(worst, dr, dg, db);
      off += (dr > 0 ? 1 : 0) + (dg > 0 ? 1 : 0) + (db > 0 ? 1 : 0);
    }
    assert.ok(worst <= 1, `${matrix} ${fullRange}: off by ${worst}`);
    // Under 1% of the bytes are off by one.
    assert.ok(off < 0.01 * 3 * size * size, `${matrix} ${fullRange}: ${off} bytes off by one`);
  }
});
