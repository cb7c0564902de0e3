import assert from "node:assert/strict";
import { Pipeline, type TimedTick } from "@streamlib/core";
import { AudioSink } from "./audio_sink.ts";
import { AudioTestSource } from "./test_source.ts";
import { ffmpegChildren } from "../ffmpeg/_testing.ts";

/** A sink that aborts its pipeline in its first process() call, while it opens ffmpeg. */
class AbortingSink extends AudioSink {
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

Deno.test("AudioSink aborted while it opens ffmpeg leaves no ffmpeg running", async () => {
  for (const mode of ["live", "offline"] as const) {
    const pipeline = new Pipeline({ mode });
    // ALSA's null PCM plays anywhere, with no sound card.
    const sink = new AbortingSink({ device: "alsa", name: "null" });
    sink.pipeline = pipeline;
    pipeline.pipe(new AudioTestSource({ duration: 1, sampleRate: 48_000 }), sink);
    assert.equal((await pipeline.run()).status, "aborted");
    // The process() call that was opening ffmpeg when stop() came goes on to its end.
    await sink.call?.catch(() => {});
    assert.deepEqual(ffmpegChildren(), [], `${mode}: no ffmpeg outlives the aborted sink`);
  }
});
