import type { VideoColorSpace } from "@streamlib/core";
import { FfmpegProcess } from "./ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { _checkExists, _mediaInfo, _PROBE_MS } from "./_probe.ts";

/**
 * What {@linkcode probeMedia} learns about a file's first video and audio streams.
 *
 * @example
 * ```ts
 * import type { MediaInfo } from "@streamlib/ffmpeg";
 * const info: MediaInfo = { duration: 10, video: undefined, audio: undefined };
 * console.assert(info.duration === 10);
 * ```
 */
export interface MediaInfo {
  /** Length in seconds, or `undefined` when unknown (live streams, some raw formats). */
  readonly duration: number | undefined;
  /** The first video stream. */
  readonly video:
    | {
      readonly codec: string;
      readonly width: number;
      readonly height: number;
      /** Frames a second (NTSC rates as exact fractions: 29.97 is 30000/1001). */
      readonly fps: number;
      /** `round(duration × fps)`: exact for constant-rate files. */
      readonly frames: number | undefined;
      /** The pixel format ffmpeg decodes to, e.g. `yuv420p`. */
      readonly pixelFormat: string;
      /** The colour matrix and range the file declares, when it declares them. */
      readonly colorSpace: VideoColorSpace | undefined;
    }
    | undefined;
  /** The first audio stream. */
  readonly audio:
    | { readonly codec: string; readonly sampleRate: number; readonly channels: number }
    | undefined;
}

/**
 * Reads a file's (or URL's) duration and stream properties with ffmpeg, without decoding it.
 * Missing local files fail with `SL_FILE_NOT_FOUND`, files ffmpeg cannot read (corrupt,
 * truncated, unknown format) with `SL_FILE_INVALID` carrying ffmpeg's own message.
 *
 * @example
 * ```ts ignore
 * import { probeMedia } from "@streamlib/ffmpeg";
 * const info = await probeMedia("clip.mp4");
 * console.log(info.duration, info.video?.fps, info.video?.frames);
 * ```
 *
 * @param location A file path or a URL ffmpeg can read.
 * @returns The media's properties.
 */
export async function probeMedia(location: string): Promise<MediaInfo> {
  await _checkExists(location);
  const ffmpeg = await findFfmpeg();
  const process = new FfmpegProcess(ffmpeg.path, [
    "-hide_banner",
    "-nostdin",
    "-i",
    location,
  ], {});
  const status = await process.waitOrKill(_PROBE_MS);
  return _mediaInfo(location, process.stderr, process.stderr, status.code, process.killed);
}
