import {
  Actor,
  type Contract,
  createDataMessage,
  createVideoFrame,
  StreamlibError,
  type TimedTick,
  type VideoColorSpace,
  videoFrameLayout,
  type VideoPixelFormat,
} from "@streamlib/core";
import { _FfmpegProcess } from "./_ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { type MediaInfo, probeMedia } from "./probe.ts";

/**
 * The contract of {@linkcode FileReader}.
 *
 * @example
 * ```ts
 * import { fileReaderContract } from "@streamlib/video";
 * console.assert(fileReaderContract.type === "filesrc");
 * ```
 */
export const fileReaderContract = {
  type: "filesrc",
  description: "Decodes a video file or URL with ffmpeg into raw frames",
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The decoded frames",
    },
    info: {
      kind: "data",
      formats: ["media-info"],
      description: "The file's duration, fps, frame count and size, once, before the first frame",
    },
  },
  params: {
    location: { type: "string", default: "", description: "File path or URL to read" },
    format: {
      type: "string",
      enum: ["RGBA", "BGRA", "I420", "NV12"],
      default: "RGBA",
      description: "Pixel format of the frames",
    },
    width: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Scale to this width (0: the file's; with height 0, keeps the aspect ratio)",
    },
    height: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Scale to this height (0: the file's; with width 0, keeps the aspect ratio)",
    },
    fps: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "Hz",
      description: "Frame rate to deliver (0: the file's); frames are dropped or repeated",
    },
    start: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "s",
      description: "Seek to this time before reading",
    },
    loop: { type: "boolean", default: false, description: "Start again at the end, forever" },
  },
} as const satisfies Contract;

const _PIX_FMT: Readonly<Record<VideoPixelFormat, string>> = {
  RGBA: "rgba",
  BGRA: "bgra",
  I420: "yuv420p",
  NV12: "nv12",
};

/**
 * Reads any file or URL ffmpeg can decode and sends its video as raw frames in the requested
 * format and size. It learns the file's duration, frame rate and frame count in `start()` (see
 * {@linkcode FileReader.info}) and sends them once on its `info` output; `progress()` reports
 * frames sent of the total.
 *
 * Frames are delivered at a constant rate (the file's, or `fps`): frame `n` has timestamp
 * `n / fps`. In a live pipeline the reader ticks at that rate on the pipeline clock, skipping
 * frames when it falls behind; offline it goes as fast as downstream takes frames. It ends at the
 * end of the file (never with `loop=true`).
 *
 * ffmpeg (found by {@linkcode findFfmpeg}) runs as a child process piping raw frames on stdout;
 * no temporary files. A missing file fails with `SL_FILE_NOT_FOUND`, an unreadable one with
 * `SL_FILE_INVALID`, and ffmpeg failing midway with `SL_FFMPEG_EXITED` carrying its exit code and
 * the tail of its messages. ffmpeg is killed when the actor stops.
 *
 * ```text
 * filesrc location=clip.mp4 format=I420 ! filesink location=copy.mp4
 * ```
 *
 * @example
 * ```ts
 * import { FileReader } from "@streamlib/video";
 * const reader = new FileReader({ location: "clip.mp4", width: 640, height: 360 });
 * console.assert(reader.params.format === "RGBA");
 * ```
 */
export class FileReader extends Actor<typeof fileReaderContract> {
  /** Ports and parameters. */
  static override contract: typeof fileReaderContract = fileReaderContract;
  #info: MediaInfo | undefined;
  #process: _FfmpegProcess | undefined;
  #fps = 0;
  #width = 0;
  #height = 0;
  #frameBytes = 0;
  #read = 0;
  #sentInfo = false;
  #colorSpace: VideoColorSpace | undefined;

  /** What the file holds, once `start()` has read it. */
  get info(): MediaInfo | undefined {
    return this.#info;
  }

  /**
   * The frame rate: the `fps` parameter, or the file's once started (30 before).
   *
   * @returns Frames a second.
   */
  override get fps(): number {
    return this.params.fps || this.#fps || 30;
  }

  /**
   * Frames sent, of the file's frame count (unknown when looping or for live streams).
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    const frames = this.#info?.video?.frames;
    const total = frames === undefined || this.params.loop ? undefined : Math.max(
      0,
      Math.round(frames * this.fps / (this.#info!.video!.fps || this.fps)) -
        Math.round(this.params.start * this.fps),
    );
    return { done: this.outputs.out.written, total };
  }

  /** Probes the file and starts ffmpeg. */
  override async start(): Promise<void> {
    const { location, format, width, height, start, loop } = this.params;
    if (location === "") {
      throw new StreamlibError("SL_PARAM_INVALID", `"${this.name}" needs a location to read`);
    }
    const info = await probeMedia(location);
    const video = info.video;
    if (video === undefined) {
      throw new StreamlibError(
        "SL_FILE_INVALID",
        `${JSON.stringify(location)} has no video stream`,
        { details: { location } },
      );
    }
    this.#info = info;
    this.#fps = video.fps;
    [this.#width, this.#height] = _outputSize(video.width, video.height, width, height);
    this.#frameBytes = videoFrameLayout(format, this.#width, this.#height).byteLength;
    this.#read = 0;
    this.#sentInfo = false;
    const yuv = format === "I420" || format === "NV12";
    const matrix = video.colorSpace?.matrix === "bt709" ? "bt709" : "bt601";
    this.#colorSpace = yuv
      ? video.colorSpace ??
        { matrix: this.#height >= 720 ? "bt709" : "smpte170m", fullRange: false }
      : undefined;
    // Scale only to resize or to convert to RGB (with the file's matrix); YUV to YUV at the same
    // size needs no swscale pass of our own.
    const resize = this.#width !== video.width || this.#height !== video.height;
    const filters = [
      `fps=${_rational(this.fps)}`,
      ...(resize || !yuv
        ? [`scale=${this.#width}:${this.#height}:in_color_matrix=${matrix}:flags=bilinear`]
        : []),
    ];
    const ffmpeg = await findFfmpeg();
    this.#process = new _FfmpegProcess(ffmpeg.path, [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      ...(loop ? ["-stream_loop", "-1"] : []),
      ...(start > 0 ? ["-ss", String(start)] : []),
      "-i",
      location,
      "-map",
      "0:v:0",
      "-vf",
      filters.join(","),
      "-pix_fmt",
      _PIX_FMT[format],
      "-f",
      "rawvideo",
      "pipe:1",
    ], { stdout: true });
  }

  /**
   * Sends the frame for `tick` (reading past frames that a late live tick skipped), or ends.
   *
   * @param tick The tick.
   */
  async process(tick: TimedTick): Promise<void> {
    const process = this.#process!;
    if (!this.#sentInfo) {
      this.#sentInfo = true;
      this.outputs.info.write(createDataMessage(this.#info, {
        topic: "info",
        timestamp: tick.timestamp,
        clockId: tick.clockId,
      }));
    }
    let data: Uint8Array | undefined;
    while (this.#read <= tick.frameNumber) {
      data = await process.read(this.#frameBytes);
      if (data === undefined) break;
      this.#read++;
    }
    if (data === undefined) {
      const status = await process.wait();
      if (!status.success && !process.killed) throw await process.failure("failed while decoding");
      this.end();
      return;
    }
    this.outputs.out.write(createVideoFrame({
      format: this.params.format,
      codedWidth: this.#width,
      codedHeight: this.#height,
      data,
      timestamp: tick.timestamp,
      duration: tick.duration,
      position: tick.frameNumber,
      clockId: tick.clockId,
      ...(this.#colorSpace ? { colorSpace: this.#colorSpace } : {}),
    }));
  }

  /** Ends ffmpeg. */
  override async stop(): Promise<void> {
    const process = this.#process;
    this.#process = undefined;
    if (process === undefined) return;
    process.kill();
    await process.wait();
  }
}

/** The output size: the file's, or the requested one, keeping the aspect for a 0 side. */
function _outputSize(w: number, h: number, width: number, height: number): [number, number] {
  if (width === 0 && height === 0) return [w, h];
  if (width === 0) return [Math.max(1, Math.round(w * height / h)), height];
  if (height === 0) return [width, Math.max(1, Math.round(h * width / w))];
  return [width, height];
}

/** `30000/1001` for NTSC rates, otherwise the number. */
function _rational(fps: number): string {
  for (const base of [24, 30, 60, 120]) {
    if (Math.abs(fps - base * 1000 / 1001) < 1e-9) return `${base * 1000}/1001`;
  }
  return String(fps);
}
