import assert from "node:assert/strict";
import { scaleFrame, type ScaleMethod } from "./scale.ts";
import { setSimdMode } from "@streamlib/core";
import { _randomFrame, _strided } from "./_filters_testing.ts";

const formats = ["RGBA", "BGRA", "I420", "NV12"] as const;
const cases: Array<[from: [number, number], to: [number, number]]> = [
  [[1, 1], [3, 2]],
  [[7, 5], [1, 1]],
  [[19, 11], [8, 6]],
  [[32, 18], [21, 12]],
  [[13, 9], [40, 27]],
  [[64, 36], [64, 20]],
  [[50, 7], [17, 7]],
];

Deno.test("scaleFrame() gives the same samples with its SIMD kernels, shrinking and enlarging", () => {
  try {
    for (const format of formats) {
      cases.forEach(([[w, h], [tw, th]], i) => {
        for (const method of ["bilinear", "area"] as ScaleMethod[]) {
          const packed = _randomFrame(format, w, h, 13 * i + 5);
          for (const frame of [packed, _strided(packed, 9)]) {
            setSimdMode("off");
            const expected = scaleFrame(frame, tw, th, method);
            setSimdMode("auto");
            const got = scaleFrame(frame, tw, th, method);
            assert.deepEqual(
              got.data,
              expected.data,
              `${format} ${w}×${h} → ${tw}×${th} ${method}`,
            );
          }
        }
      });
    }
  } finally {
    setSimdMode("auto");
  }
});
