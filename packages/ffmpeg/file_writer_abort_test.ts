import assert from "node:assert/strict";
import { Pipeline, type TimedTick } from "@streamlib/core";
import { Frames } from "../video/_testing.ts";
import { FileWriter } from "./file_writer.ts";
import { ffmpegChildren } from "./_testing.ts";

/** A writer that aborts its pipeline in its first process() call, while it opens its file. */
class AbortingWriter extends FileWriter {
  pipeline: Pipeline | undefined;
  call: Promise<void> | undefined;
  override process(tick: TimedTick): Promise<void> {
    const call = super.process(tick);
    if (this.call === undefined) {
      this.call = call;
      this.pipeline!.stop({ mode: "abort" });
    }
    return call;
  }
}

Deno.test("FileWriter aborted while it opens its file starts no ffmpeg afterwards", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const mode of ["live", "offline"] as const) {
      const pipeline = new Pipeline({ mode });
      const writer = new AbortingWriter({ location: `${dir}/${mode}.mp4`, preset: "ultrafast" });
      writer.pipeline = pipeline;
      pipeline.pipe(new Frames({ count: 30, width: 32, height: 16, fps: 30 }), writer);
      assert.equal((await pipeline.run()).status, "aborted");
      // The process() call that was opening the file when stop() came goes on to its end.
      await writer.call?.catch(() => {});
      assert.deepEqual(ffmpegChildren(), [], `${mode}: no ffmpeg outlives the aborted writer`);
      assert.deepEqual([...Deno.readDirSync(dir)], [], `${mode}: nothing written`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
