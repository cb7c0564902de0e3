import assert from "node:assert/strict";
import { Catalogue, Collect, ManualClock, Pipeline, type VideoFrame } from "@streamlib/core";
import { blurFrame } from "@streamlib/video";
import { GpuBlur } from "./blur.ts";
import { GpuScale } from "./scale.ts";
import { GpuDownload, GpuUpload } from "./transfers.ts";
import { downloadFrame, uploadFrame } from "./transfer_frames.ts";
import { gpuTest, maxDiff, randomFrames, Replay } from "./_testing.ts";

const inserted = (pipeline: Pipeline): string[] =>
  pipeline.toJSON().actors.filter((a) => a.inserted).map((a) => a.name);

gpuTest(
  "pipe() of cpu → gpublur → gpuscale → cpu inserts exactly one upload and one download, and gives the CPU blur's pixels",
  async () => {
    const frames = randomFrames("RGBA", 641, 479, 3, 7);
    const pipeline = new Pipeline({ mode: "offline" });
    const sink = new Collect<VideoFrame>();
    pipeline.pipe(new Replay(frames), new GpuBlur({ sigma: 3 }), new GpuScale(), sink);
    assert.deepEqual(inserted(pipeline), ["gpuupload0", "gpudownload0"]);
    const links = pipeline.toJSON().links.map((l) => `${l.from} → ${l.to}`);
    assert.deepEqual(links.sort(), [
      "gpublur0.out → gpuscale0.in", // GPU to GPU: no readback in between
      "gpudownload0.out → collect0.in",
      "gpuscale0.out → gpudownload0.in",
      "gpuupload0.out → gpublur0.in",
      "replay0.out → gpuupload0.in",
    ]);
    assert.match(pipeline.toDot(), /"gpuupload0" \[label=".*", style=dashed\];/);
    assert.match(pipeline.toDot(), /"gpudownload0" \[label=".*", style=dashed\];/);
    await pipeline.run();
    assert.equal(sink.messages.length, 3);
    sink.messages.forEach((out, n) => {
      assert.equal(out.position, n);
      const diff = maxDiff(out, blurFrame(frames[n]!, { sigma: 3, method: "exact" }));
      assert.ok(diff.max <= 1, `frame ${n}: ${JSON.stringify(diff)}`);
    });
    const stats = new Map(pipeline.stats().actors.map((a) => [a.name, a.processed]));
    assert.equal(stats.get("gpuupload0"), 3);
    assert.equal(stats.get("gpudownload0"), 3);
  },
);

gpuTest(
  "Pipeline text cpu ! gpublur ! gpuscale ! cpu gets exactly two transfers, and removing the GPU actors removes them",
  async () => {
    const catalogue = Catalogue.withCore();
    await catalogue.load(import.meta.resolve("@streamlib/video/manifest.json"));
    await catalogue.load(new URL("./manifest.json", import.meta.url));
    const pipeline = await catalogue.build(
      "videotestsrc width=64 height=48 format=RGBA frames=2 ! gpublur name=blur sigma=4 " +
        "! gpuscale name=scale ! collect name=out",
      { mode: "offline" },
    );
    assert.deepEqual(inserted(pipeline), ["gpuupload0", "gpudownload0"]);
    const graph = pipeline.toJSON();
    assert.ok(graph.links.some((l) => l.from === "blur.out" && l.to === "scale.in"));
    await pipeline.remove("blur");
    await pipeline.idle();
    assert.deepEqual(inserted(pipeline), ["gpudownload0"]); // still between scale and out
    await pipeline.remove("scale");
    await pipeline.idle();
    assert.deepEqual(inserted(pipeline), []);
    assert.deepEqual(pipeline.actors.map((a) => a.name), ["videotestsrc0", "out"]);
  },
);

gpuTest("A transfer placed by hand is used as is: nothing more is inserted", async () => {
  const frames = randomFrames("I420", 33, 17, 2, 3);
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<VideoFrame>();
  pipeline.pipe(new Replay(frames), new GpuUpload(), new GpuDownload({ buffers: 1 }), sink);
  assert.deepEqual(inserted(pipeline), []);
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => [...m.data]), frames.map((f) => [...f.data]));
});

gpuTest("gpudownload keeps frames in order with several readbacks on their way", async () => {
  const frames = randomFrames("RGBA", 67, 5, 12, 11);
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<VideoFrame>();
  pipeline.pipe(new Replay(frames), new GpuUpload(), new GpuDownload({ buffers: 3 }), sink);
  await pipeline.run();
  assert.deepEqual(sink.messages.map((m) => m.position), frames.map((f) => f.position));
  sink.messages.forEach((m, n) => assert.deepEqual(m.data, frames[n]!.data));
});

gpuTest(
  "uploadFrame() and downloadFrame() round-trip every format, padded YUV planes too",
  async (gpu) => {
    for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
      const [frame] = randomFrames(format, 641, 479, 1, 5);
      const back = await downloadFrame(gpu, uploadFrame(gpu, frame!));
      assert.deepEqual(back.data, frame!.data, format);
      assert.equal(back.timestamp, frame!.timestamp);
    }
  },
);

gpuTest(
  "Removing the GPU actor from a running pipeline removes its transfers, and the rest runs on",
  async () => {
    const clock = new ManualClock();
    const pipeline = new Pipeline({ clock });
    const frames = randomFrames("RGBA", 16, 8, 6, 9);
    const source = pipeline.add(new Replay(frames), { name: "src" });
    const blur = pipeline.add(new GpuBlur({ sigma: 1 }), { name: "blur" });
    const sink = pipeline.add(new Collect<VideoFrame>(), { name: "sink" });
    pipeline.link(source, blur);
    pipeline.link(blur, sink);
    await pipeline.start();
    await clock.advance(0);
    await pipeline.idle();
    assert.deepEqual(inserted(pipeline), ["gpuupload0", "gpudownload0"]);
    const removed = pipeline.remove("blur");
    pipeline.connect("src.out", "sink.in"); // in the same step: the CPU frames go straight on
    await removed;
    assert.deepEqual(inserted(pipeline), []);
    assert.deepEqual(pipeline.actors.map((a) => a.name), ["src", "sink"]);
    assert.deepEqual(pipeline.toJSON().links.map((l) => `${l.from} → ${l.to}`), [
      "src.out → sink.in",
    ]);
    const before = sink.messages.length;
    for (let i = 0; i < 5; i++) await clock.advance(40_000);
    assert.equal((await pipeline.done).status, "eos");
    assert.ok(sink.messages.length > before);
    assert.ok(sink.messages.every((m) => m.data instanceof Uint8Array)); // all CPU frames
  },
);
