import assert from "node:assert/strict";
import type { VideoPixelFormat } from "@streamlib/core";
import { convertFrame } from "@streamlib/video";
import { downloadFrame, uploadFrame } from "./transfer_frames.ts";
import { gpuConvertFrame } from "./convert.ts";
import { gpuTest, maxDiff, randomFrame } from "./_testing.ts";

const formats: readonly VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];

for (const [width, height] of [[641, 479], [6, 4], [1, 1]] as const) {
  gpuTest(
    `gpuConvertFrame() gives the CPU converter's bytes in every direction on random ${width}×${height} frames`,
    async (gpu) => {
      let seed = 1;
      for (const from of formats) {
        for (const to of formats) {
          for (
            const options of [{}, { matrix: "bt709", fullRange: true }, {
              matrix: "bt601",
              fullRange: false,
            }] as const
          ) {
            const frame = randomFrame(from, width, height, seed++);
            const cpu = convertFrame(frame, to, options);
            const gpuFrame = gpuConvertFrame(gpu, uploadFrame(gpu, frame), to, options);
            const back = await downloadFrame(gpu, gpuFrame);
            const diff = maxDiff(cpu, back);
            assert.equal(
              diff.max,
              0,
              `${from} → ${to} ${JSON.stringify(options)}: ${JSON.stringify(diff)}`,
            );
            assert.deepEqual(gpuFrame.colorSpace, cpu.colorSpace, `${from} → ${to}`);
          }
        }
      }
    },
  );
}

gpuTest("gpuConvertFrame() reads a YUV frame's colour space as the CPU does", async (gpu) => {
  const rgba = randomFrame("RGBA", 33, 17, 9);
  const yuv = convertFrame(rgba, "NV12", { matrix: "bt709", fullRange: true });
  const cpu = convertFrame(yuv, "RGBA");
  const back = await downloadFrame(gpu, gpuConvertFrame(gpu, uploadFrame(gpu, yuv), "RGBA"));
  assert.equal(maxDiff(cpu, back).max, 0);
  assert.throws(() => gpuConvertFrame(gpu, uploadFrame(gpu, rgba), "YUY2" as VideoPixelFormat), {
    code: "SL_PARAM_INVALID",
  });
});
