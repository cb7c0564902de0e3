import assert from "node:assert/strict";
import {
  type BusEvent,
  Collect,
  isStreamlibError,
  Pipeline,
  type VideoFrame,
} from "@streamlib/core";
import { configureGpu, requestGpu } from "./device.ts";
import { GpuBlur } from "./blur.ts";
import { gpuTest, randomFrames, Replay } from "./_testing.ts";

Deno.test("Without an adapter, requestGpu() rejects with SL_GPU_UNAVAILABLE saying what to install", async () => {
  const asked: GPURequestAdapterOptions[] = [];
  configureGpu({
    powerPreference: "low-power",
    requestAdapter: (options) => {
      asked.push(options);
      return Promise.resolve(null);
    },
  });
  try {
    await assert.rejects(requestGpu(), (error: unknown) => {
      assert.ok(isStreamlibError(error, "SL_GPU_UNAVAILABLE"));
      assert.match(error.message, /No WebGPU adapter: no GPU or driver answered/);
      assert.match(error.message, /apt-get install mesa-vulkan-drivers libvulkan1/);
      return true;
    });
    assert.deepEqual(asked, [{ powerPreference: "low-power" }]);
    // Not a silent null: every actor that needs the GPU fails to start with the same code.
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.pipe(new Replay(randomFrames("RGBA", 4, 4, 1, 1)), new GpuBlur(), new Collect());
    const error = await pipeline.run().then(() => undefined, (e: unknown) => e);
    assert.ok(isStreamlibError(error, "SL_ACTOR_FAILED"));
    assert.ok(isStreamlibError((error as Error).cause, "SL_GPU_UNAVAILABLE"));
  } finally {
    configureGpu({});
  }
});

Deno.test("Without an adapter while DENO_WEBGPU_BACKEND is set, SL_GPU_UNAVAILABLE names the variable too", async () => {
  const before = Deno.env.get("DENO_WEBGPU_BACKEND");
  Deno.env.set("DENO_WEBGPU_BACKEND", "metal"); // hides Vulkan and GL on Linux: no adapter
  configureGpu({ requestAdapter: () => Promise.resolve(null) });
  try {
    await assert.rejects(requestGpu(), (error: unknown) => {
      assert.ok(isStreamlibError(error, "SL_GPU_UNAVAILABLE"));
      assert.match(error.message, /DENO_WEBGPU_BACKEND=metal/);
      assert.match(error.message, /apt-get install mesa-vulkan-drivers libvulkan1/);
      assert.equal((error.details as { backend?: string }).backend, "metal");
      return true;
    });
  } finally {
    configureGpu({});
    if (before === undefined) Deno.env.delete("DENO_WEBGPU_BACKEND");
    else Deno.env.set("DENO_WEBGPU_BACKEND", before);
  }
});

Deno.test("An adapter request that throws is SL_GPU_UNAVAILABLE too, with the cause", async () => {
  const cause = new Error("driver crashed");
  configureGpu({ requestAdapter: () => Promise.reject(cause) });
  try {
    await assert.rejects(requestGpu(), (error: unknown) => {
      assert.ok(isStreamlibError(error, "SL_GPU_UNAVAILABLE"));
      assert.equal(error.cause, cause);
      assert.match(error.message, /driver crashed/);
      return true;
    });
  } finally {
    configureGpu({});
  }
});

gpuTest(
  "requestGpu() shares one device, names the adapter, and makes a new one once it is lost",
  async () => {
    configureGpu({});
    const gpu = await requestGpu();
    assert.equal(await requestGpu(), gpu);
    assert.ok(gpu.adapter.length > 0);
    gpu.device.destroy();
    const info = await gpu.whenLost;
    assert.equal(info.reason, "destroyed");
    assert.ok(gpu.lost);
    assert.throws(() => gpu.check("blur0"), (e: unknown) => {
      assert.ok(isStreamlibError(e, "SL_GPU_DEVICE_LOST"));
      assert.match(e.message, /"blur0" was lost \(destroyed/);
      return true;
    });
    const next = await requestGpu();
    assert.notEqual(next, gpu);
    assert.ok(!next.lost);
  },
);

gpuTest(
  "A lost device fails the GPU actors with SL_GPU_DEVICE_LOST, and restarting them gets a new device",
  async () => {
    configureGpu({});
    const first = await requestGpu();
    const frames = randomFrames("RGBA", 32, 24, 40, 1);
    const pipeline = new Pipeline({ mode: "offline" });
    const sink = new Collect<VideoFrame>();
    const source = pipeline.add(new Replay(frames));
    const blur = pipeline.add(new GpuBlur({ sigma: 1 }), {
      supervision: { policy: "restart", initialDelayMs: 10, maxRestarts: 20 },
    });
    pipeline.link(source, blur); // gpuupload0, with blur's supervision
    pipeline.link(blur, pipeline.add(sink)); // gpudownload0, likewise
    const errors: Array<Extract<BusEvent, { type: "error" }>> = [];
    pipeline.bus.on("error", (e) => errors.push(e));
    let destroyed = false;
    const watch = setInterval(() => {
      if (!destroyed && sink.messages.length >= 5) {
        destroyed = true;
        first.device.destroy(); // as a driver reset would
      }
    }, 1);
    try {
      const result = await pipeline.run();
      assert.equal(result.status, "eos");
    } finally {
      clearInterval(watch);
    }
    assert.ok(destroyed);
    assert.ok(errors.length > 0, "no actor failed");
    for (const e of errors) {
      assert.equal(e.action, "restart");
      assert.ok(isStreamlibError(e.error, "SL_GPU_DEVICE_LOST"), String(e.error));
    }
    // Frames from before the loss and from after the restart came through, the last one too.
    const positions = sink.messages.map((m) => m.position);
    assert.ok(positions.includes(0) && positions.includes(39), positions.join());
    const now = await requestGpu();
    assert.notEqual(now, first);
  },
);
