/**
 * The ffmpeg arguments `filesink` and `FileMuxer` encode with: codecs, pixel format,
 * colour tags, quality and rate, from its parameters and the first frame and audio buffer.
 *
 * @module
 */
import type { AudioBuffer, VideoFrame } from "@streamlib/core";
import { _atLeast } from "./_ffmpeg_version.ts";

/**
 * The parameters of `filesink` that shape ffmpeg's arguments.
 *
 * @internal
 */
export interface _EncoderParams {
  readonly location: string;
  readonly codec: string;
  readonly crf: number;
  readonly bitrate: string;
  readonly preset: string;
  readonly pixelFormat: string;
  readonly audioCodec: string;
  readonly audioBitrate: string;
}

/** libvpx's -cpu-used for x264's preset names. */
const _VPX_SPEED: Readonly<Record<string, number>> = {
  ultrafast: 8,
  superfast: 7,
  veryfast: 6,
  faster: 5,
  fast: 4,
  medium: 2,
  slow: 1,
  slower: 0,
  veryslow: 0,
};

/**
 * ffmpeg's arguments for the writer's parameters and the first frame and audio buffer, with
 * extra output options before the location.
 *
 * @param params The writer's parameters.
 * @param frame The first video frame, when the file has video.
 * @param audio The first audio buffer, when the file has audio.
 * @param version The version of the ffmpeg that runs them.
 * @param outputArgs Output options to add just before the location.
 * @returns The arguments, reading a Matroska stream on stdin.
 * @internal
 */
export function _encoderArgs(
  params: _EncoderParams,
  frame: VideoFrame | undefined,
  audio: AudioBuffer | undefined,
  version: string,
  outputArgs: readonly string[] = [],
): string[] {
  const { location } = params;
  const sequence = /%0?\d*d/.test(location);
  const ext = /\.([a-z0-9]+)$/i.exec(location)?.[1]?.toLowerCase() ?? "";
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "matroska"];
  args.push("-i", "pipe:0");
  if (frame !== undefined) {
    args.push("-map", "0:v:0", ..._videoArgs(params, frame, ext, sequence, version));
  }
  if (audio !== undefined && !sequence) {
    args.push("-map", "0:a:0", ..._audioArgs(params, audio, ext));
  }
  if (ext === "mp4" || ext === "mov" || ext === "m4v" || ext === "m4a") {
    args.push("-movflags", "+faststart");
  }
  args.push(...outputArgs, location);
  return args;
}

function _videoArgs(
  params: _EncoderParams,
  frame: VideoFrame,
  ext: string,
  sequence: boolean,
  version: string,
): string[] {
  const { crf, bitrate, preset } = params;
  const codec = params.codec !== "auto" ? params.codec : _codecFor(ext, sequence);
  const rgb = frame.format === "RGBA" || frame.format === "BGRA";
  const pixelFormat = params.pixelFormat !== "auto"
    ? params.pixelFormat
    : codec === "png"
    ? (rgb ? "rgba" : "rgb24")
    : codec === "mjpeg"
    ? "yuvj420p"
    : codec.startsWith("prores")
    ? "yuv422p10le"
    : "yuv420p";
  const hd = frame.codedHeight >= 720;
  const tag = frame.colorSpace?.matrix === "bt709" || (frame.colorSpace === undefined && hd)
    ? "bt709"
    : "smpte170m";
  const yuvOut = pixelFormat.startsWith("yuv") || pixelFormat.startsWith("nv");
  const args: string[] = [];
  const filters: string[] = [];
  if (rgb && yuvOut) {
    filters.push(
      `scale=out_color_matrix=${hd ? "bt709" : "bt601"}:out_range=${
        pixelFormat.startsWith("yuvj") ? "pc" : "tv"
      }:flags=bilinear`,
    );
  }
  filters.push(..._evenSize(codec, pixelFormat, frame.codedWidth, frame.codedHeight));
  if (filters.length) args.push("-vf", filters.join(","));
  if (yuvOut) args.push("-colorspace", tag, "-color_primaries", tag, "-color_trc", tag);
  // Full-range YUV frames go to ffmpeg as they are: the file must say so, or every player
  // stretches them again (crushed blacks, clipped whites). RGB is converted to the range the
  // pixel format has (full for yuvj).
  if (yuvOut) {
    const full = pixelFormat.startsWith("yuvj") || (!rgb && frame.colorSpace?.fullRange === true);
    args.push("-color_range", full ? "pc" : "tv");
  }
  args.push("-c:v", codec, "-pix_fmt", pixelFormat);
  if (crf >= 0) args.push("-crf", String(crf));
  if (bitrate !== "") args.push("-b:v", bitrate);
  else if (codec === "libvpx-vp9" && crf >= 0) args.push("-b:v", "0");
  if (preset !== "") {
    if (codec === "libvpx-vp9" || codec === "libvpx") {
      const speed = _VPX_SPEED[preset] ?? 2;
      args.push("-deadline", speed >= 5 ? "realtime" : "good", "-cpu-used", String(speed));
    } else {
      args.push("-preset", preset);
    }
  }
  if (codec === "libvpx-vp9") args.push("-row-mt", "1");
  if (sequence) args.push("-vsync", "passthrough", "-f", "image2");
  else {
    // Timestamps pass through at µs precision; the nominal rate (from the first frame's
    // duration) gives the last frame its length, so a 300-frame 30 fps file lasts 10 s.
    // ffmpeg 4 gives the last packet no duration at that precision (an MP4 then loses its last
    // frame to the edit list): there the timestamps are rounded to the nominal rate instead.
    args.push("-vsync", "vfr");
    if (_atLeast(version, 5)) args.push("-enc_time_base", "-1");
    if (frame.duration > 0) args.push("-r", _rate(frame.duration));
  }
  return args;
}

/** Encoders that take odd sizes in chroma-subsampled pixel formats. */
const _ODD_SIZES = new Set([
  "libvpx",
  "libvpx-vp9",
  "libaom-av1",
  "mjpeg",
  "prores",
  "prores_aw",
  "prores_ks",
  "mpeg4",
  "ffv1",
]);

/**
 * Filters that pad an odd width or height to even for an encoder that needs it (x264, x265
 * and most others in 4:2:0 or 4:2:2): the last column or row is repeated into the new one, so
 * no black line shows at the edge. A 641×479 picture is stored as 642×480.
 */
function _evenSize(codec: string, pixelFormat: string, width: number, height: number): string[] {
  if (_ODD_SIZES.has(codec)) return [];
  const wide = width % 2 === 1 && /^(yuvj?4(20|22|11|10)|yuva4(20|22)|nv(12|21|16)|p01|p21)/
    .test(pixelFormat);
  const tall = height % 2 === 1 && /^(yuvj?420|yuva420|yuv410|nv(12|21)|p01)/.test(pixelFormat);
  if (!wide && !tall) return [];
  const sides = [...(wide ? ["right=1"] : []), ...(tall ? ["bottom=1"] : [])].join(":");
  return [
    `format=${pixelFormat}`,
    `pad=${width + (wide ? 1 : 0)}:${height + (tall ? 1 : 0)}`,
    `fillborders=${sides}:mode=smear`,
  ];
}

/** Sample rates libopus takes; others are resampled to 48 kHz. */
const _OPUS_RATES = [8000, 12000, 16000, 24000, 48000];

function _audioArgs(params: _EncoderParams, audio: AudioBuffer, ext: string): string[] {
  const codec = params.audioCodec !== "auto" ? params.audioCodec : _audioCodecFor(ext);
  const args = ["-c:a", codec];
  if (params.audioBitrate !== "") args.push("-b:a", params.audioBitrate);
  if (codec === "libopus" && !_OPUS_RATES.includes(audio.sampleRate)) args.push("-ar", "48000");
  return args;
}

function _audioCodecFor(ext: string): string {
  switch (ext) {
    case "wav":
      return "pcm_s16le";
    case "flac":
      return "flac";
    case "mp3":
      return "libmp3lame";
    case "opus":
    case "ogg":
    case "webm":
      return "libopus";
    default:
      return "aac";
  }
}

/** The frame rate a frame duration means: exact NTSC fractions, else 10⁶ / duration. */
function _rate(duration: number): string {
  for (const base of [24, 30, 48, 60, 120]) {
    if (Math.abs(duration - 1001e3 / base) <= 1) return `${base * 1000}/1001`;
  }
  const fps = 1e6 / duration;
  return Math.abs(fps - Math.round(fps)) < 0.001 ? String(Math.round(fps)) : `1000000/${duration}`;
}

function _codecFor(ext: string, sequence: boolean): string {
  if (ext === "png") return "png";
  if (ext === "jpg" || ext === "jpeg") return "mjpeg";
  if (sequence) return "png";
  if (ext === "webm") return "libvpx-vp9";
  return "libx264";
}
