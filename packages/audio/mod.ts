/**
 * `@streamlib/audio`: audio actors for streamlib pipelines — test tones and noise, a mixer,
 * a resampler, gain, panning, channel mixing and level metering of planar float audio, plus
 * helpers to interleave and convert samples. Every actor type is listed in the package's
 * `manifest.json`. Reading and writing audio files is done by `@streamlib/ffmpeg`'s `filesrc`
 * and `filesink`, which carry audio alone or with video.
 *
 * @example A tone through a gain, metered
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, type DataMessage, Pipeline } from "@streamlib/core";
 * import { AudioTestSource, Level, Volume } from "@streamlib/audio";
 *
 * const levels = new Collect<DataMessage>();
 * const pipeline = new Pipeline({ mode: "offline" });
 * const meter = pipeline.add(new Level({ interval: 0.5 }));
 * pipeline.link(pipeline.add(new AudioTestSource({ duration: 1 })), pipeline.add(new Volume({ volume: 0.5 })));
 * pipeline.link("volume0", meter);
 * pipeline.connect(meter.outputs.level, pipeline.add(levels).inputs.in);
 * await pipeline.run();
 * assert.ok(levels.messages.length === 2);
 * ```
 *
 * @module
 */

export * from "./audio_buffer.ts";
export * from "./test_source.ts";
export * from "./volume.ts";
export * from "./panorama.ts";
export * from "./channel_mix.ts";
export * from "./resample.ts";
export * from "./level.ts";
export * from "./mixer.ts";
export * from "./audio_sink.ts";
