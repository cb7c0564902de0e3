import { FfmpegProcess } from "./ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { _checkExists, _mediaInfo, _PROBE_MS } from "./_probe.ts";
import type { MediaInfo } from "./media_info.ts";

/**
 * Reads a file's (or URL's) duration and stream properties with ffmpeg, without decoding it.
 * The video's size is the one players show: a phone's portrait video, stored as landscape
 * frames with a display matrix, is reported with its height and width swapped and its
 * `rotation`.
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
    "-loglevel",
    "level+info",
    "-i",
    location,
  ], { describe: true });
  const status = await process.waitOrKill(_PROBE_MS);
  const text = await process.description();
  return _mediaInfo(location, text, process.stderr, status.code, process.killed);
}
