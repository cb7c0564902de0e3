/**
 * What the reader and `probeMedia` share to learn a file's streams from ffmpeg's
 * description of its input.
 *
 * @module
 */
import { StreamlibError } from "@streamlib/core";
import type { MediaInfo } from "./media_info.ts";

/** How long ffmpeg may take to describe a file before it is given up. */
export const _PROBE_MS = 30_000;

/**
 * The media info in ffmpeg's description of its input, or `SL_FILE_INVALID` with ffmpeg's
 * reason when there is none.
 *
 * @param location What was read, for the message.
 * @param text What ffmpeg printed about its input.
 * @param errors Its error messages, for the reason.
 * @param code Its exit code.
 * @param killed Whether it was killed for taking too long.
 * @returns The info.
 * @internal
 */
export function _mediaInfo(
  location: string,
  text: string,
  errors: string,
  code: number,
  killed: boolean,
): MediaInfo {
  const info = _parseProbe(text);
  if (info !== undefined) return info;
  throw _unreadable(location, errors, code, killed);
}

/**
 * `SL_FILE_INVALID` for a file ffmpeg could not describe, with its reason.
 *
 * @param location What was read, for the message.
 * @param errors ffmpeg's error messages.
 * @param code Its exit code.
 * @param killed Whether it was killed for taking too long.
 * @returns The error, to throw.
 * @internal
 */
export function _unreadable(
  location: string,
  errors: string,
  code: number,
  killed: boolean,
): StreamlibError {
  const reason = errors.split("\n").filter((l) => !/output file/.test(l)).join("\n").trim();
  return new StreamlibError(
    "SL_FILE_INVALID",
    `ffmpeg cannot read ${JSON.stringify(location)}` +
      (killed
        ? ` (it did not answer within ${_PROBE_MS / 1000} s)`
        : `: ${reason || `code ${code}`}`),
    { details: { location, stderr: errors } },
  );
}

/**
 * The rate a reader of the file's own timestamps ticks at: ffmpeg's guess of the rate that
 * represents every timestamp of the first video stream (its `tbr`), so that the frames of a file
 * switching between 30 and 15 fps all fall on ticks; the average `fps` when there is no such
 * guess or it is no rate to tick at (below the average, or above 4× the average or 240).
 *
 * @param text ffmpeg's description of its input.
 * @param fps The first video stream's average rate, as {@linkcode MediaInfo} reports it.
 * @returns Ticks a second.
 * @internal
 */
export function _tickRate(text: string, fps: number): number {
  const line = /Stream #0:\d+[^:]*: Video: [^\n]*/.exec(text)?.[0] ?? "";
  const tbr = /, ([\d.]+)(k?) tbr/.exec(line);
  if (tbr === null) return fps;
  const rate = _exactRate(Number(tbr[1]) * (tbr[2] === "k" ? 1000 : 1));
  return rate >= fps * 0.999 && rate <= Math.min(240, 4 * fps) ? rate : fps;
}

/**
 * Throws `SL_FILE_NOT_FOUND` when `location` is a local path that does not exist (an image
 * sequence's pattern is left to ffmpeg).
 *
 * @internal
 */
export async function _checkExists(location: string): Promise<void> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !/^[a-z]:[\\/]/i.test(location)) {
    if (!location.startsWith("file:")) return;
  }
  // An image sequence (img-%03d.png), as filesink writes one: ffmpeg finds its files.
  if (/%0?\d*d/.test(location)) return;
  try {
    await Deno.stat(location.startsWith("file:") ? new URL(location) : location);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new StreamlibError(
        "SL_FILE_NOT_FOUND",
        `No such file: ${JSON.stringify(location)}`,
        { details: { location }, cause },
      );
    }
    throw cause;
  }
}

/**
 * Parses the stream summary `ffmpeg -i` prints; `undefined` when it has no input section.
 *
 * @internal
 */
export function _parseProbe(text: string): MediaInfo | undefined {
  if (!/^Input #0/m.test(text)) return undefined;
  const d = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(text);
  const duration = d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : undefined;
  const v = /Stream #0:\d+[^:]*: Video: ([^\s,]+)[^\n]*/.exec(text);
  let video: MediaInfo["video"];
  if (v) {
    const line = v[0];
    const size = /, (\d+)x(\d+)/.exec(line);
    const rotation = _rotation(text.slice(v.index + line.length));
    const [w, h] = size ? [Number(size[1]), Number(size[2])] : [0, 0];
    const turned = rotation === 90 || rotation === 270;
    const rate = /, ([\d.]+)(k?) fps/.exec(line) ?? /, ([\d.]+)(k?) tbr/.exec(line);
    const fps = rate ? _exactRate(Number(rate[1]) * (rate[2] === "k" ? 1000 : 1)) : 25;
    // "yuv420p(tv, bt709, progressive)" or "yuv420p(progressive)" or "rgba".
    const pix = /Video: [^,]+(?:\([^)]*\))*[^,]*, ([a-z0-9_]+)(?:\(([^)]*)\))?/.exec(line);
    const tags = (pix?.[2] ?? "").split(/,\s*/);
    const fullRange = tags.includes("pc") ? true : tags.includes("tv") ? false : undefined;
    const matrix = tags.includes("bt709")
      ? "bt709" as const
      : tags.some((t) => t === "bt470bg" || t === "smpte170m")
      ? "smpte170m" as const
      : undefined;
    video = {
      codec: v[1]!,
      width: turned ? h : w,
      height: turned ? w : h,
      rotation,
      fps,
      frames: duration === undefined ? undefined : Math.round(duration * fps),
      pixelFormat: pix?.[1] ?? "",
      colorSpace: matrix === undefined && fullRange === undefined
        ? undefined
        : { ...(matrix ? { matrix } : {}), ...(fullRange === undefined ? {} : { fullRange }) },
    };
  }
  const a = /Stream #0:\d+[^:]*: Audio: ([^\s,]+)[^\n]*/.exec(text);
  let audio: MediaInfo["audio"];
  if (a) {
    const rate = /, (\d+) Hz/.exec(a[0]);
    const layout = /Hz, ([^,]+)/.exec(a[0])?.[1] ?? "";
    const channels = { mono: 1, stereo: 2, "5.1": 6, "5.1(side)": 6, "7.1": 8, quad: 4 }[layout] ??
      (Number(/(\d+) channels/.exec(layout)?.[1]) || 0);
    audio = { codec: a[1]!, sampleRate: rate ? Number(rate[1]) : 0, channels };
  }
  return { duration, video, audio };
}

/**
 * The rotation, clockwise, of the display matrix in a stream's side data (`text` follows its
 * stream line): ffmpeg prints the matrix's counter-clockwise angle, "displaymatrix: rotation of
 * -90.00 degrees" for a picture that players turn 90° clockwise. Other angles round to the
 * nearest quarter turn.
 */
function _rotation(text: string): 0 | 90 | 180 | 270 {
  const block = text.split(/\n\s*Stream #/, 1)[0]!;
  const angle = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(block);
  if (angle === null) return 0;
  const quarter = ((Math.round(-Number(angle[1]) / 90) % 4) + 4) % 4;
  return (quarter * 90) as 0 | 90 | 180 | 270;
}

/** ffmpeg prints NTSC rates rounded (29.97); return the exact fraction's value. */
function _exactRate(fps: number): number {
  for (const base of [24, 30, 60, 120]) {
    const ntsc = base * 1000 / 1001;
    if (Math.abs(fps - ntsc) < 0.006) return ntsc;
  }
  return fps;
}
