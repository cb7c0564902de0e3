import assert from "node:assert/strict";
import type { VideoPixelFormat } from "@streamlib/core";
import { convertFrame } from "./convert.ts";
import { _instantiate, _setSimdMode } from "./_simd.ts";
import { _BLUR_WASM, _BLUR_WASM_RELAXED } from "./_blur_wasm.ts";
import { _randomFrame, _strided } from "./_filters_testing.ts";

const formats: VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];
const sizes: Array<[number, number]> = [[1, 1], [2, 2], [3, 5], [17, 9], [33, 4], [40, 7], [64, 2]];
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
              _setSimdMode("off");
              const expected = convertFrame(frame, to, options);
              _setSimdMode("auto");
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
    _setSimdMode("auto");
  }
});

Deno.test("_instantiate() picks relaxed SIMD where it validates, else standard, else null", () => {
  // Deno's V8 validates relaxed SIMD, so the relaxed module wins unless told otherwise.
  assert.equal(_instantiate(_BLUR_WASM, _BLUR_WASM_RELAXED)?.variant, "relaxed");
  assert.equal(_instantiate(_BLUR_WASM, _BLUR_WASM_RELAXED, "standard")?.variant, "standard");
  // A relaxed module that does not validate falls back to the standard one.
  assert.equal(_instantiate(_BLUR_WASM, btoa("not wasm"))?.variant, "standard");
  assert.equal(_instantiate(btoa("not wasm")), null);
  assert.equal(_instantiate(btoa("not wasm"), btoa("nor this")), null);
});
