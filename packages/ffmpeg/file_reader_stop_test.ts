import assert from "node:assert/strict";
import { Collect, NullSink, Pipeline, type VideoFrame } from "@streamlib/core";
import { FileReader } from "./file_reader.ts";
import { FileWriter } from "./file_writer.ts";
import { Clicks, ffmpegChildren, Flashes, openPipes } from "./_testing.ts";

const dir = await Deno.makeTempDir();
const clip = `${dir}/av.mkv`;
// 2 s of video and sound, so that the reader runs two ffmpegs.
const make = new Pipeline({ mode: "offline" });
const writer = make.add(new FileWriter({ location: clip, preset: "ultrafast" }));
make.connect(make.add(new Flashes({ seconds: 2 })).outputs.out, writer.inputs.in);
make.connect(make.add(new Clicks({ seconds: 2 })).outputs.out, writer.inputs.audio);
await make.run();

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

for (const mode of ["abort", "drain"] as const) {
  Deno.test(`FileReader stopped mid-file by ${mode} closes its ends of ffmpeg's pipes`, async () => {
    const pipeline = new Pipeline({ mode: "offline" });
    const reader = pipeline.add(new FileReader({ location: clip, loop: true }));
    const frames = pipeline.add(new Collect<VideoFrame>());
    pipeline.connect(reader.outputs.out, frames.inputs.in);
    pipeline.connect(reader.outputs.audio, pipeline.add(new NullSink()).inputs.in);
    const running = pipeline.run();
    // Bounded: frames come within the test's time.
    for (let i = 0; frames.messages.length < 3 && i < 10_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const children = ffmpegChildren();
    assert.equal(children.length, 2, "one ffmpeg for the video, one for the sound");
    const theirs = children.flatMap((pid) => openPipes(pid, [0, 1, 2]));
    await pipeline.stop({ mode });
    await running.catch(() => {});
    assert.deepEqual(ffmpegChildren(), []);
    assert.deepEqual(openPipes().filter((pipe) => theirs.includes(pipe)), []);
  });
}
