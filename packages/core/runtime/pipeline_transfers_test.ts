import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import type { Contract } from "../graph/spec.ts";
import { isStreamlibError } from "../errors.ts";
import { createVideoFrame, type GpuVideoFrame, isGpuFrame, type VideoFrame } from "../messages.ts";
import type { TimedTick } from "../clock/clock.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { Pipeline } from "./pipeline.ts";
import type { TransferProvider } from "./transfers.ts";

// Stand-ins for @streamlib/gpu: "GPU memory" is an object holding the bytes, so that core's
// insertion logic is tested without a GPU (the gpu package tests the real transfers).

const formats = ["RGBA", "I420"] as const;

const srcContract = {
  type: "vsrc",
  outputs: { out: { kind: "video", formats } },
  params: { count: { type: "integer", default: 3 } },
} as const satisfies Contract;

class VSrc extends Actor<typeof srcContract> {
  static override contract = srcContract;
  process(tick: TimedTick): void {
    const frame = createVideoFrame({ format: "RGBA", codedWidth: 1, codedHeight: 1 });
    frame.data[0] = tick.frameNumber;
    this.outputs.out.write({ ...frame, position: tick.frameNumber });
    if (tick.frameNumber + 1 >= this.params.count) this.end();
  }
}

const gpuContract = {
  type: "gpuadd",
  inputs: { in: { kind: "video", formats, capabilities: ["gpu"] } },
  outputs: { out: { kind: "video", formats, capabilities: ["gpu"] } },
} as const satisfies Contract;

/** Adds 10 to the first byte, "on the GPU". */
class GpuAdd extends Actor<typeof gpuContract> {
  static override contract = gpuContract;
  process(): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    assert.ok(isGpuFrame(frame), "a GPU actor got a CPU frame");
    const bytes = (frame.gpu as { bytes: Uint8Array }).bytes.slice();
    bytes[0]! += 10;
    this.outputs.out.write({ ...frame, gpu: { bytes } });
  }
}

const upContract = {
  type: "fakeupload",
  inputs: { in: { kind: "video", formats } },
  outputs: { out: { kind: "video", formats, capabilities: ["gpu"] } },
} as const satisfies Contract;

class FakeUpload extends Actor<typeof upContract> {
  static override contract = upContract;
  process(): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const { data: _data, layout: _layout, ...rest } = frame;
    const gpu: GpuVideoFrame = { ...rest, memory: "gpu", gpu: { bytes: frame.data.slice() } };
    this.outputs.out.write(gpu);
  }
}

const downContract = {
  type: "fakedownload",
  inputs: { in: { kind: "video", formats, capabilities: ["gpu"] } },
  outputs: { out: { kind: "video", formats } },
} as const satisfies Contract;

class FakeDownload extends Actor<typeof downContract> {
  static override contract = downContract;
  process(): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const { gpu, memory: _memory, ...rest } = frame;
    this.outputs.out.write(
      createVideoFrame({ ...rest, data: (gpu as { bytes: Uint8Array }).bytes }),
    );
  }
}

const transfers: readonly TransferProvider[] = [
  { type: "fakeupload", from: "cpu", to: "gpu", kinds: ["video"], create: () => new FakeUpload() },
  {
    type: "fakedownload",
    from: "gpu",
    to: "cpu",
    kinds: ["video"],
    create: () => new FakeDownload(),
  },
];

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

Deno.test("pipe() of cpu → gpu → gpu → cpu inserts exactly two transfers, and frames stay on the GPU between", async () => {
  const pipeline = new Pipeline({ mode: "offline", transfers });
  const sink = new Collect<VideoFrame>();
  pipeline.pipe(new VSrc(), new GpuAdd(), new GpuAdd(), sink);
  const graph = pipeline.toJSON();
  assert.deepEqual(
    graph.actors.map((a) => [a.name, a.inserted ?? false]),
    [
      ["vsrc0", false],
      ["gpuadd0", false],
      ["gpuadd1", false],
      ["collect0", false],
      ["fakeupload0", true],
      ["fakedownload0", true],
    ],
  );
  assert.deepEqual(graph.links.map((l) => `${l.from} → ${l.to}`), [
    "vsrc0.out → fakeupload0.in",
    "gpuadd0.out → gpuadd1.in",
    "gpuadd1.out → fakedownload0.in",
    "fakeupload0.out → gpuadd0.in",
    "fakedownload0.out → collect0.in",
  ]);
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => m.data[0]), [20, 21, 22]);
  assert.ok(sink.messages.every((m) => !isGpuFrame(m)));
  const stats = pipeline.stats().actors.map((a) => [a.name, a.processed]);
  assert.deepEqual(stats.filter(([n]) => String(n).startsWith("fake")), [
    ["fakeupload0", 3],
    ["fakedownload0", 3],
  ]);
});

Deno.test("connect() between cpu and gpu ports names the transfer in via, and toDot draws it dashed", () => {
  const pipeline = new Pipeline({ transfers });
  pipeline.add(new VSrc(), { name: "src" });
  pipeline.add(new GpuAdd(), { name: "add" });
  const link = pipeline.connect("src.out", "add.in", { policy: "queue:4" });
  assert.deepEqual(link, {
    from: "src.out",
    to: "add.in",
    kind: "video",
    policy: "queue:4:block",
    formats: ["RGBA", "I420"],
    via: "fakeupload0",
  });
  // The transfer's own input takes the same policy: the link stays lossless.
  assert.equal(
    pipeline.toJSON().links.find((l) => l.to === "fakeupload0.in")?.policy,
    "queue:4:block",
  );
  assert.match(pipeline.toDot(), /"fakeupload0" \[label=".*", style=dashed\];/);
  assert.doesNotMatch(pipeline.toDot(), /"add" \[label=".*", style=dashed\]/);
});

Deno.test("Removing the GPU actor removes the transfers inserted for its links", async () => {
  const pipeline = new Pipeline({ transfers });
  const add = new GpuAdd();
  pipeline.pipe(new VSrc(), add, new Collect());
  assert.equal(pipeline.actors.length, 5);
  await pipeline.remove(add);
  await pipeline.idle();
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["vsrc0", "collect0"]);
  assert.deepEqual(pipeline.toJSON().links, []);
});

Deno.test("disconnect() of the two ports removes the transfer between them, and a rewire inserts a new one", async () => {
  const pipeline = new Pipeline({ transfers });
  pipeline.add(new VSrc(), { name: "src" });
  pipeline.add(new GpuAdd(), { name: "add" });
  pipeline.connect("src.out", "add.in");
  pipeline.disconnect("src.out", "add.in");
  await pipeline.idle();
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["src", "add"]);
  assert.equal(pipeline.connect("src.out", "add.in").via, "fakeupload1");
  // Disconnecting one of the transfer's own links takes it away too.
  pipeline.disconnect("src.out", "fakeupload1.in");
  await pipeline.idle();
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["src", "add"]);
});

Deno.test("link() prefers ports that fit directly to ports that need a transfer", () => {
  const both = {
    type: "both",
    outputs: {
      cpu: { kind: "video", formats },
      gpu: { kind: "video", formats, capabilities: ["gpu"] },
    },
  } as const satisfies Contract;
  class Both extends Actor<typeof both> {
    static override contract = both;
    process(): void {}
  }
  const pipeline = new Pipeline({ transfers });
  pipeline.add(new Both(), { name: "b" });
  pipeline.add(new GpuAdd(), { name: "add" });
  const link = pipeline.link("b", "add");
  assert.equal(link.from, "b.gpu");
  assert.equal(link.via, undefined);
});

Deno.test("link() still picks the main ports out → in when they need a transfer and a side port fits as it is", () => {
  const fx = {
    type: "fx",
    outputs: {
      out: { kind: "video", formats, capabilities: ["gpu"] },
      errors: { kind: "data" },
    },
  } as const satisfies Contract;
  class Fx extends Actor<typeof fx> {
    static override contract = fx;
    process(): void {}
  }
  const pipeline = new Pipeline({ transfers });
  pipeline.add(new Fx(), { name: "fx" });
  pipeline.add(new Collect(), { name: "sink" });
  const link = pipeline.link("fx", "sink");
  assert.equal(link.from, "fx.out");
  assert.equal(link.via, "fakedownload0");
});

Deno.test("Without a known transfer, cpu into gpu is refused with SL_CAPS_MISMATCH saying what to import", () => {
  const pipeline = new Pipeline();
  pipeline.add(new VSrc(), { name: "src" });
  pipeline.add(new GpuAdd(), { name: "add" });
  assert.throws(() => pipeline.connect("src.out", "add.in"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CAPS_MISMATCH"));
    assert.match(e.message, /no common capability \(memory\), and no transfer from cpu to gpu/);
    assert.match(e.message, /import @streamlib\/gpu/);
    return true;
  });
  assert.throws(() => pipeline.link("src", "add"), code("SL_PIPE_NO_MATCH"));
  assert.equal(pipeline.actors.length, 2);
});

Deno.test("A transfer does not bridge formats: ports with no common format are still refused", () => {
  const yuv = {
    type: "yuvgpu",
    inputs: { in: { kind: "video", formats: ["NV12"], capabilities: ["gpu"] } },
  } as const satisfies Contract;
  class YuvGpu extends Actor<typeof yuv> {
    static override contract = yuv;
    process(): void {}
  }
  const pipeline = new Pipeline({ transfers });
  pipeline.add(new VSrc(), { name: "src" });
  pipeline.add(new YuvGpu(), { name: "g" });
  assert.throws(() => pipeline.connect("src.out", "g.in"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CAPS_MISMATCH"));
    assert.match(e.message, /no common format/);
    return true;
  });
  assert.equal(pipeline.actors.length, 2);
});

Deno.test("A failed link through a transfer leaves no transfer behind", async () => {
  const pipeline = new Pipeline({ transfers });
  pipeline.add(new VSrc(), { name: "a" });
  pipeline.add(new VSrc(), { name: "b" });
  pipeline.add(new GpuAdd(), { name: "add" });
  pipeline.connect("a.out", "add.in");
  assert.throws(() => pipeline.connect("b.out", "add.in"), code("SL_ALREADY_CONNECTED"));
  await pipeline.idle();
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["a", "b", "add", "fakeupload0"]);
});

Deno.test("An actor with GPU ports cannot run in a Worker", () => {
  const pipeline = new Pipeline({ transfers });
  assert.throws(
    () => pipeline.add(new GpuAdd(), { dispatch: "worker", module: import.meta.url }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID") && /main thread/.test(e.message),
  );
});

Deno.test("Transfers are inserted while the pipeline runs, and frames flow through them", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock, transfers });
  const src = pipeline.add(new VSrc({ count: 3 }), { name: "src" });
  const sink = pipeline.add(new Collect<VideoFrame>(), { name: "sink" });
  pipeline.connect("src.out", "sink.in");
  await pipeline.start();
  await clock.advance(0);
  await pipeline.idle();
  const add = pipeline.add(new GpuAdd(), { name: "add" });
  pipeline.disconnect("src.out", "sink.in");
  assert.equal(pipeline.link(src, add).via, "fakeupload0");
  assert.equal(pipeline.link(add, sink).via, "fakedownload0");
  for (let i = 0; i < 3; i++) await clock.advance(40_000);
  assert.equal((await pipeline.done).status, "eos");
  assert.deepEqual(sink.messages.map((m) => m.data[0]), [0, 11, 12]);
});
