import assert from "node:assert/strict";
import { scaleFrame } from "@streamlib/video";
import { downloadFrame, uploadFrame } from "./transfer_frames.ts";
import { gpuScaleFrame } from "./scale.ts";
import { gpuTest, maxDiff, randomFrame } from "./_testing.ts";

const sizes: ReadonlyArray<readonly [number, number, number, number]> = [
  [641, 479, 1280, 720], // enlarging: bilinear
  [641, 479, 320, 240], // shrinking: area
  [641, 479, 700, 200], // wider and shorter: bilinear
  [64, 48, 63, 47],
];

for (const [sw, sh, dw, dh] of sizes) {
  gpuTest(
    `gpuScaleFrame() ${sw}×${sh} → ${dw}×${dh} is the CPU scaler within ±1 for every method`,
    async (gpu) => {
      for (const method of ["auto", "bilinear", "area"] as const) {
        const frame = randomFrame(method === "area" ? "BGRA" : "RGBA", sw, sh, dw + dh);
        const cpu = scaleFrame(frame, dw, dh, method);
        const back = await downloadFrame(
          gpu,
          gpuScaleFrame(gpu, uploadFrame(gpu, frame), dw, dh, method),
        );
        const diff = maxDiff(cpu, back);
        assert.ok(diff.max <= 1, `${method}: ${JSON.stringify(diff)}`);
      }
    },
  );
}

gpuTest(
  "gpuScaleFrame() returns a frame already at the size as it is, and refuses bad sizes",
  (gpu) => {
    const frame = uploadFrame(gpu, randomFrame("RGBA", 8, 8, 1));
    assert.equal(gpuScaleFrame(gpu, frame, 8, 8), frame);
    assert.throws(() => gpuScaleFrame(gpu, frame, 0, 8), { code: "SL_PARAM_INVALID" });
    assert.throws(() => gpuScaleFrame(gpu, uploadFrame(gpu, randomFrame("I420", 8, 8, 1)), 4, 4), {
      code: "SL_CAPS_MISMATCH",
    });
  },
);
