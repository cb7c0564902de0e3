import {
  Actor,
  type Contract,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { _FfmpegProcess } from "./_ffmpeg_process.ts";
import { _MatroskaWriter, _packedFrameData } from "./_matroska.ts";
import { findFfmpeg } from "./ffmpeg.ts";

/**
 * The contract of {@linkcode FileWriter}.
 *
 * @example
 * ```ts
 * import { fileWriterContract } from "@streamlib/video";
 * console.assert(fileWriterContract.type === "filesink");
 * ```
 */
export const fileWriterContract = {
  type: "filesink",
  description: "Encodes frames with ffmpeg into MP4/H.264, WebM/VP9, MOV or an image sequence",
  inputs: {
    in: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      policy: "queue:16:block",
      description: "Frames to encode; their timestamps become the file's",
    },
  },
  params: {
    location: {
      type: "string",
      default: "",
      description: "Output file; a pattern such as frame-%05d.png writes an image sequence",
    },
    codec: {
      type: "string",
      default: "auto",
      description:
        "ffmpeg encoder (libx264, libvpx-vp9, prores_ks, png, mjpeg…); auto picks by extension",
    },
    crf: {
      type: "integer",
      default: -1,
      minimum: -1,
      maximum: 63,
      description: "Constant quality (lower is better; x264 default 23); -1 for the codec default",
    },
    bitrate: {
      type: "string",
      default: "",
      description: 'Target bitrate as ffmpeg writes it ("2M", "800k"); empty for none',
    },
    preset: {
      type: "string",
      default: "",
      description: "Speed/size trade-off (x264 names: ultrafast … veryslow); empty for default",
    },
    pixelFormat: {
      type: "string",
      default: "auto",
      description: "Pixel format in the file (yuv420p, yuv444p, rgba…); auto suits the codec",
    },
  },
} as const satisfies Contract;

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
 * Encodes its input with ffmpeg: MP4 or MKV with H.264 (libx264), WebM with VP9, MOV, or an image
 * sequence (`frame-%05d.png`), with codec, quality (`crf`), `bitrate`, `preset` and `pixelFormat`
 * options. Each frame keeps its own timestamp (frames are piped to ffmpeg in a Matroska stream,
 * never through temporary files), so variable frame rates survive. On end-of-stream — and when
 * the pipeline stops, even by abort — it closes ffmpeg's input and waits for ffmpeg to finish the
 * file, so the file always plays; the pipeline's `done` settles after that.
 *
 * RGBA and BGRA frames are converted to YUV by ffmpeg with the BT.709 matrix for frames 720 or
 * more lines high and BT.601 below, limited range, and the file is tagged accordingly. The first
 * frame fixes the size and format; a frame of another size fails with `SL_CAPS_MISMATCH`. ffmpeg
 * failing fails the actor with `SL_FFMPEG_EXITED` (exit code and the tail of ffmpeg's messages).
 *
 * ```text
 * videotestsrc frames=300 ! filesink location=bars.mp4 crf=20 preset=veryfast
 * ```
 *
 * @example
 * ```ts
 * import { FileWriter } from "@streamlib/video";
 * const writer = new FileWriter({ location: "out.webm", crf: 32 });
 * console.assert(writer.params.codec === "auto");
 * ```
 */
export class FileWriter extends Actor<typeof fileWriterContract> {
  /** Ports and parameters. */
  static override contract: typeof fileWriterContract = fileWriterContract;
  #process: _FfmpegProcess | undefined;
  #mkv: _MatroskaWriter | undefined;
  #caps = "";
  #finished: Promise<void> | undefined;

  /** Checks the parameters and finds ffmpeg; ffmpeg itself starts with the first frame. */
  override async start(): Promise<void> {
    if (this.params.location === "") {
      throw new StreamlibError("SL_PARAM_INVALID", `"${this.name}" needs a location to write`);
    }
    if (this.params.bitrate !== "" && !/^\d+(\.\d+)?[kKmM]?$/.test(this.params.bitrate)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `bitrate must look like "2M" or "800k", got ${JSON.stringify(this.params.bitrate)}`,
      );
    }
    this.#process = undefined;
    this.#mkv = undefined;
    this.#caps = "";
    this.#finished = undefined;
    await findFfmpeg();
  }

  /**
   * Pipes one frame to ffmpeg (starting it on the first).
   *
   * @param _tick Unused.
   */
  async process(_tick: TimedTick): Promise<void> {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const caps = `${frame.format} ${frame.codedWidth}×${frame.codedHeight}`;
    if (this.#process === undefined) {
      this.#caps = caps;
      await this.#open(frame);
    } else if (caps !== this.#caps) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.name}" was writing ${this.#caps} frames and got a ${caps} frame; ` +
          "scale or convert before the writer",
      );
    }
    const data = _packedFrameData(frame);
    await this.#process!.write(
      this.#mkv!.blockHeader(0, frame.timestamp, frame.duration, data.length),
    );
    await this.#process!.write(data);
  }

  /** Finishes the file. */
  override async flush(): Promise<void> {
    await this.#finish();
  }

  /** Finishes the file (also when the pipeline is aborted). */
  override async stop(): Promise<void> {
    await this.#finish();
  }

  #finish(): Promise<void> {
    this.#finished ??= (async () => {
      const process = this.#process;
      if (process === undefined) return;
      await process.closeInput();
      const status = await process.waitOrKill(60_000);
      if (!status.success) throw await process.failure("could not finish the file");
    })();
    return this.#finished;
  }

  async #open(frame: VideoFrame): Promise<void> {
    const ffmpeg = await findFfmpeg();
    this.#mkv = new _MatroskaWriter([{
      kind: "video",
      format: frame.format,
      width: frame.codedWidth,
      height: frame.codedHeight,
    }]);
    this.#process = new _FfmpegProcess(ffmpeg.path, _encoderArgs(this.params, frame), {
      stdin: true,
    });
    await this.#process.write(this.#mkv.header());
  }
}

/** ffmpeg's arguments for the writer's parameters and first frame. */
function _encoderArgs(
  params: FileWriter["params"],
  frame: VideoFrame,
): string[] {
  const { location, crf, bitrate, preset } = params;
  const sequence = /%0?\d*d/.test(location);
  const ext = /\.([a-z0-9]+)$/i.exec(location)?.[1]?.toLowerCase() ?? "";
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
  const args = [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "matroska",
    "-i",
    "pipe:0",
    "-map",
    "0:v:0",
  ];
  if (rgb && yuvOut) {
    args.push(
      "-vf",
      `scale=out_color_matrix=${hd ? "bt709" : "bt601"}:out_range=${
        pixelFormat.startsWith("yuvj") ? "pc" : "tv"
      }:flags=bilinear`,
    );
  }
  if (yuvOut) args.push("-colorspace", tag, "-color_primaries", tag, "-color_trc", tag);
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
  if (ext === "mp4" || ext === "mov" || ext === "m4v") args.push("-movflags", "+faststart");
  if (sequence) args.push("-vsync", "passthrough", "-f", "image2");
  else {
    // Timestamps pass through at µs precision; the nominal rate (from the first frame's
    // duration) gives the last frame its length, so a 300-frame 30 fps file lasts 10 s.
    args.push("-vsync", "vfr", "-enc_time_base", "-1");
    if (frame.duration > 0) args.push("-r", _rate(frame.duration));
  }
  args.push(location);
  return args;
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
