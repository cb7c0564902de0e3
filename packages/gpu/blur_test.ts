import assert from "node:assert/strict";
import { blurFrame } from "@streamlib/video";
import { downloadFrame, uploadFrame } from "./transfer_frames.ts";
import { gpuBlurFrame } from "./blur.ts";
import { gpuTest, maxDiff, randomFrame } from "./_testing.ts";

for (const [width, height] of [[641, 479], [64, 48]] as const) {
  gpuTest(
    `gpuBlurFrame() gaussian is the CPU blur within ±1 on random ${width}×${height} frames`,
    async (gpu) => {
      for (
        const [format, sigma, seed] of [["RGBA", 4, 1], ["BGRA", 1.3, 2], ["RGBA", 0.4, 3]] as const
      ) {
        const frame = randomFrame(format, width, height, seed);
        const cpu = blurFrame(frame, { sigma, method: "exact" });
        const back = await downloadFrame(
          gpu,
          gpuBlurFrame(gpu, uploadFrame(gpu, frame), { sigma }),
        );
        const diff = maxDiff(cpu, back);
        assert.ok(diff.max <= 1, `${format} sigma ${sigma}: ${JSON.stringify(diff)}`);
      }
    },
  );

  gpuTest(
    `gpuBlurFrame() box is the CPU blur to the byte on random ${width}×${height} frames`,
    async (gpu) => {
      for (
        const [format, radius, seed] of [["RGBA", 3, 4], ["BGRA", 1, 5], ["RGBA", 40, 6]] as const
      ) {
        const frame = randomFrame(format, width, height, seed);
        const cpu = blurFrame(frame, { mode: "box", radius });
        const back = await downloadFrame(
          gpu,
          gpuBlurFrame(gpu, uploadFrame(gpu, frame), { mode: "box", radius }),
        );
        assert.deepEqual(maxDiff(cpu, back).max, 0, `${format} radius ${radius}`);
      }
    },
  );
}
