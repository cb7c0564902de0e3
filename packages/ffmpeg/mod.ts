/**
 * `@streamlib/ffmpeg`: streamlib's ffmpeg actors and the tools under them — `filesrc` decodes any
 * file or URL ffmpeg reads into raw video frames and planar float audio, `filesink` encodes
 * frames and audio into MP4, MKV, WebM, MOV, WAV, FLAC, MP3, Opus or an image sequence.
 * `findFfmpeg` finds ffmpeg (`STREAMLIB_FFMPEG`, `PATH`, or the static build of the npm package
 * `@ffmpeg-installer`), `FfmpegProcess` runs one with raw media on its pipes, and `probeMedia`
 * reads a file's streams. Every actor type is listed in the package's `manifest.json`.
 *
 * @example Transcode a clip: ffmpeg's test picture, decoded to frames, encoded again to MP4
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pipeline } from "@streamlib/core";
 * import { FfmpegProcess, FileReader, FileWriter, findFfmpeg, probeMedia } from "@streamlib/ffmpeg";
 *
 * const dir = await Deno.makeTempDir();
 * const ffmpeg = await findFfmpeg();
 * const make = new FfmpegProcess(ffmpeg.path, [
 *   "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", `${dir}/in.mkv`,
 * ], {});
 * assert.ok((await make.wait()).success);
 * await new Pipeline({ mode: "offline" })
 *   .pipe(
 *     new FileReader({ location: `${dir}/in.mkv`, format: "I420" }),
 *     new FileWriter({ location: `${dir}/out.mp4`, preset: "ultrafast" }),
 *   )
 *   .run();
 * assert.ok((await probeMedia(`${dir}/out.mp4`)).video?.frames === 10);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

export * from "./ffmpeg.ts";
export * from "./ffmpeg_process.ts";
export * from "./media_info.ts";
export * from "./probe.ts";
export * from "./file_reader.ts";
export * from "./file_writer.ts";
