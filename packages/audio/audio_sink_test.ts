import assert from "node:assert/strict";
import { isStreamlibError, Pipeline } from "@streamlib/core";
import { AudioSink } from "./audio_sink.ts";
import { AudioTestSource } from "./test_source.ts";
import { ffmpegChildren } from "../ffmpeg/_testing.ts";

Deno.test("AudioSink with device=null takes every sample at once and starts no ffmpeg", async () => {
  const sink = new AudioSink({ device: "null" });
  await new Pipeline({ mode: "offline" })
    .pipe(new AudioTestSource({ duration: 2, channels: 2, sampleRate: 44_100 }), sink)
    .run();
  assert.equal(sink.played, 88_200);
});

Deno.test("AudioSink fails with SL_AUDIO_DEVICE and ffmpeg's words when the device cannot open", async () => {
  const sink = new AudioSink({ device: "alsa", name: "streamlib-no-such-device" });
  const pipeline = new Pipeline({ mode: "offline" })
    .pipe(new AudioTestSource({ duration: 0.2 }), sink);
  await assert.rejects(pipeline.run(), (e) => {
    const cause = (e as Error).cause as Error;
    assert.ok(isStreamlibError(cause, "SL_AUDIO_DEVICE"), String(e));
    assert.match(cause.message, /could not play on alsa device "streamlib-no-such-device": ffmpeg/);
    assert.match(cause.message, /device=null/);
    return true;
  });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("AudioSink plays through ALSA (here its null PCM, which needs no sound card)", async () => {
  const sink = new AudioSink({ device: "alsa", name: "null" });
  await new Pipeline({ mode: "offline" })
    .pipe(new AudioTestSource({ duration: 1, sampleRate: 48_000, channels: 2 }), sink)
    .run();
  assert.equal(sink.played, 48_000);
  assert.deepEqual(ffmpegChildren(), []);
});
