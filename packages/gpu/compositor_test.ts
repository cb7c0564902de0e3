import assert from "node:assert/strict";
import { Collect, Identity, Pipeline, type VideoFrame } from "@streamlib/core";
import { GpuUpload } from "./transfers.ts";
import { Compositor } from "@streamlib/video";
import { GpuCompositor, type GpuCompositorLayer } from "./compositor.ts";
import { gpuTest, maxDiff, randomFrames, Replay } from "./_testing.ts";

interface Layer {
  readonly frames: VideoFrame[];
  readonly place: GpuCompositorLayer;
}

/** Runs the same layers through the CPU compositor and the GPU one; both outputs, on the CPU. */
async function both(
  layers: readonly Layer[],
  params: { width: number; height: number; background: string; format?: "RGBA" | "BGRA" },
): Promise<[VideoFrame[], VideoFrame[]]> {
  const run = async (mix: Compositor | GpuCompositor): Promise<VideoFrame[]> => {
    const pipeline = new Pipeline({ mode: "offline" });
    const sink = new Collect<VideoFrame>();
    pipeline.add(mix, { name: "mix" });
    for (const layer of layers) {
      // The GPU run has a gpuupload between each source and the compositor: the CPU run gets an
      // identity there, so that end-of-stream reaches both compositors after the same hop.
      const hop = pipeline.add(mix instanceof Compositor ? new Identity() : new GpuUpload());
      pipeline.link(pipeline.add(new Replay(layer.frames)), hop);
      pipeline.link(hop, mix);
    }
    pipeline.link(mix, pipeline.add(sink));
    await pipeline.run();
    return sink.messages;
  };
  const placed = Object.fromEntries(layers.map((l, i) => [`layer_${i}`, l.place]));
  const settings = { ...params, fps: 25, layers: placed };
  return [await run(new Compositor(settings)), await run(new GpuCompositor(settings))];
}

gpuTest(
  "gpucompositor blends 4 layers over an opaque background as the CPU compositor does (641×479)",
  async () => {
    const [w, h] = [641, 479];
    const [cpu, gpu] = await both([
      { frames: randomFrames("RGBA", w, h, 3, 1, () => 255), place: {} },
      { frames: randomFrames("RGBA", 200, 151, 3, 10), place: { x: 40, y: 30, opacity: 0.7 } },
      {
        frames: randomFrames("RGBA", w, h, 3, 20),
        place: { x: 300, y: 200, width: 320, height: 240, zorder: 5 },
      },
      { frames: randomFrames("BGRA", 333, 101, 3, 30), place: { x: -50, y: 400, opacity: 0.8 } },
      { frames: randomFrames("RGBA", 50, 50, 3, 40), place: { visible: false } },
      {
        frames: randomFrames("RGBA", 90, 31, 3, 50),
        place: { x: 500, y: 5, width: 181, height: 97 },
      },
    ], { width: w, height: h, background: "black" });
    assert.equal(gpu.length, 3);
    assert.equal(cpu.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(gpu[i]!.timestamp, cpu[i]!.timestamp);
      const diff = maxDiff(cpu[i]!, gpu[i]!);
      assert.ok(diff.max <= 1, `frame ${i}: ${JSON.stringify(diff)}`);
    }
  },
);

gpuTest(
  "gpucompositor matches the CPU compositor over a translucent background, BGRA out",
  async () => {
    const [w, h] = [97, 61];
    const [cpu, gpu] = await both([
      { frames: randomFrames("RGBA", w, h, 2, 60), place: { opacity: 0.9 } },
      { frames: randomFrames("BGRA", 40, 30, 2, 70), place: { x: 30, y: 20 } },
    ], { width: w, height: h, background: "#20406080", format: "BGRA" });
    for (let i = 0; i < 2; i++) {
      // Where the result is fully transparent, its colour bytes are not the picture.
      const opaqueEnough = (j: number): boolean => cpu[i]!.data[(j & ~3) + 3]! !== 0;
      const diff = maxDiff(cpu[i]!, gpu[i]!, opaqueEnough);
      assert.ok(diff.max <= 1, `frame ${i}: ${JSON.stringify(diff)}`);
    }
  },
);

gpuTest("gpucompositor ends when its layers end, and changes a layer while running", async () => {
  const mix = new GpuCompositor({ width: 8, height: 8, fps: 25 });
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<VideoFrame>();
  pipeline.add(mix);
  pipeline.link(pipeline.add(new Replay(randomFrames("RGBA", 8, 8, 4, 1, () => 255))), mix);
  pipeline.link(mix, pipeline.add(sink));
  mix.setLayer("layer_0", { opacity: 0 });
  await pipeline.run();
  assert.equal(sink.messages.length, 4);
  assert.ok(sink.messages.every((f) => f.data.every((v, i) => v === (i % 4 === 3 ? 255 : 0))));
});
