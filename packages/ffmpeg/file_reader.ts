import {
  Actor,
  type Contract,
  createAudioBuffer,
  createDataMessage,
  createVideoFrame,
  StreamlibError,
  type TimedTick,
  type VideoColorSpace,
  videoFrameLayout,
  type VideoPixelFormat,
} from "@streamlib/core";
import { FfmpegProcess } from "./ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { probeMedia } from "./probe.ts";
import type { MediaInfo } from "./media_info.ts";
import { _checkExists, _parseProbe, _PROBE_MS, _sourceRateIs, _unreadable } from "./_probe.ts";

/**
 * The contract of {@linkcode FileReader}.
 *
 * @example
 * ```ts
 * import { fileReaderContract } from "@streamlib/ffmpeg";
 * console.assert(fileReaderContract.type === "filesrc");
 * ```
 */
export const fileReaderContract = {
  type: "filesrc",
  description: "Decodes a video or audio file or URL with ffmpeg into raw frames and samples",
  classification: "Source/File/Video",
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The decoded frames",
    },
    audio: {
      kind: "audio",
      formats: ["f32-planar"],
      description: "The file's first audio stream, when connected, in step with the video",
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
    sampleRate: {
      type: "integer",
      default: 0,
      minimum: 0,
      unit: "Hz",
      description: "Audio sample rate to deliver (0: the file's)",
    },
    channels: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Audio channels to deliver (0: the file's; ffmpeg mixes up or down)",
    },
    samplesPerBuffer: {
      type: "integer",
      default: 1024,
      minimum: 1,
      description: "Audio samples a buffer when the file has no video (else one buffer a frame)",
    },
  },
  permissions: {
    read: {
      reason: "checks that the file exists (ffmpeg reads it)",
      params: ["location"],
    },
    run: {
      reason: "runs ffmpeg (STREAMLIB_FFMPEG, ffmpeg on PATH, or the npm @ffmpeg-installer binary)",
    },
    env: {
      reason: "reads STREAMLIB_FFMPEG to find ffmpeg",
      values: ["STREAMLIB_FFMPEG"],
    },
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
 * With its `audio` output connected it also sends the file's first audio stream (at
 * `sampleRate`/`channels` if set), one buffer a video frame covering that frame's time, and the
 * audio past the last frame before ending; a file with audio alone sends buffers of
 * `samplesPerBuffer`. A second ffmpeg decodes the audio.
 *
 * ffmpeg (found by {@linkcode findFfmpeg}) runs as a child process piping raw frames on stdout;
 * no temporary files. A missing file fails with `SL_FILE_NOT_FOUND`, an unreadable one with
 * `SL_FILE_INVALID`, and ffmpeg failing midway with `SL_FFMPEG_EXITED` carrying its exit code and
 * the tail of its messages. ffmpeg is killed when the actor stops.
 *
 * ```text
 * filesrc name=src location=clip.mp4 format=I420 ! filesink name=out location=copy.mp4
 * src.audio ! out.audio
 * ```
 *
 * @example
 * ```ts
 * import { FileReader } from "@streamlib/ffmpeg";
 * const reader = new FileReader({ location: "clip.mp4", width: 640, height: 360 });
 * console.assert(reader.params.format === "RGBA");
 * ```
 */
export class FileReader extends Actor<typeof fileReaderContract> {
  /** Ports and parameters. */
  static override contract: typeof fileReaderContract = fileReaderContract;
  #info: MediaInfo | undefined;
  #process: FfmpegProcess | undefined;
  #fps = 0;
  #width = 0;
  #height = 0;
  #frameBytes = 0;
  #read = 0;
  #sentInfo = false;
  #colorSpace: VideoColorSpace | undefined;
  /** The audio ffmpeg, when the audio output is connected and the file has audio. */
  #audio: FfmpegProcess | undefined;
  #rate = 0;
  #channels = 0;
  /** Audio samples (per channel) sent so far. */
  #samples = 0;
  /** Counts stops, so that a start that a stop overtook spawns nothing more. */
  #stops = 0;

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
    if (this.params.fps) return this.params.fps;
    if (this.#fps) return this.#fps;
    // Audio alone: one buffer of samplesPerBuffer a tick.
    if (this.#rate) return this.#rate / this.params.samplesPerBuffer;
    return 30;
  }

  /**
   * Frames sent, of the file's frame count (unknown when looping or for live streams); for a
   * file with audio alone, buffers.
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    const info = this.#info;
    const seconds = info?.duration === undefined || this.params.loop
      ? undefined
      : Math.max(0, info.duration - this.params.start);
    const frames = info?.video?.frames;
    if (info?.video === undefined) {
      return {
        done: this.outputs.audio.written,
        total: seconds === undefined ? undefined : Math.ceil(seconds * this.fps),
      };
    }
    const total = frames === undefined || this.params.loop ? undefined : Math.max(
      0,
      Math.round(frames * this.fps / (info.video.fps || this.fps)) -
        Math.round(this.params.start * this.fps),
    );
    return { done: this.outputs.out.written, total };
  }

  /**
   * Learns what the file holds and starts ffmpeg: one for the video, one for the audio when
   * wanted. The video's ffmpeg describes the file itself (ffmpeg 5 and later, or any rate set):
   * its arguments then cannot depend on the file, so they use ffmpeg's own rate and size
   * arithmetic, and it is started again with explicit ones when the file's rate is not one
   * that arithmetic gets exactly. Older ffmpeg reads the file twice (see
   * {@linkcode probeMedia}).
   */
  override async start(): Promise<void> {
    const { location, format, width, height, start, loop, fps } = this.params;
    if (location === "") {
      throw new StreamlibError("SL_PARAM_INVALID", `"${this.name}" needs a location to read`);
    }
    const stops = this.#stops;
    await _checkExists(location);
    const ffmpeg = await findFfmpeg();
    if (this.#stops !== stops) return;
    const input = [
      "-hide_banner",
      "-nostdin",
      ...(loop ? ["-stream_loop", "-1"] : []),
      ...(start > 0 ? ["-ss", String(start)] : []),
      "-i",
      location,
    ];
    const yuv = format === "I420" || format === "NV12";
    /** The video's arguments for a rate and a size (-1: from the other side's scale). */
    const videoArgs = (rate: string, w: number, h: number): string[] => {
      // Scale to resize or to convert to RGB (with the matrix the file declares, BT.601 when
      // it declares none); YUV to YUV at the file's size needs no pass of our own.
      const scale = width !== 0 || height !== 0 || !yuv
        ? [`scale=${w}:${h}:in_color_matrix=auto:flags=bilinear`]
        : [];
      // deno-fmt-ignore
      return [
        "-map", "0:v:0", "-vf", [`fps=${rate}`, ...scale].join(","), "-pix_fmt", _PIX_FMT[format],
        "-f", "rawvideo", "pipe:1",
      ];
    };
    let info: MediaInfo;
    let early: FfmpegProcess | undefined;
    const major = Number(/^(\d+)\./.exec(ffmpeg.version)?.[1] ?? 0);
    if (major >= 5 || (major === 4 && fps > 0)) {
      // deno-fmt-ignore
      early = this.#process = new FfmpegProcess(ffmpeg.path, [
        "-nostats", "-loglevel", "level+info", ...input,
        ...videoArgs(fps > 0 ? _rational(fps) : "source_fps", width || -1, height || -1),
      ], { stdout: true, describe: true });
      const timer = setTimeout(() => early!.kill(), _PROBE_MS);
      const text = await early.description();
      clearTimeout(timer);
      if (this.#stops !== stops) return; // stopped meanwhile: stop() ended it
      const described = _parseProbe(text);
      if (described === undefined) {
        // Nothing to describe: the error, with ffmpeg's reason, once it has exited.
        const status = await early.waitOrKill(1000);
        this.#process = undefined;
        throw _unreadable(location, early.stderr, status.code, early.killed);
      }
      info = described;
      if (info.video === undefined || (fps === 0 && !_sourceRateIs(text, info.video.fps))) {
        // No video to decode, or a rate ffmpeg's own guess would not deliver exactly.
        early.kill();
        await early.wait();
        this.#process = early = undefined;
        if (this.#stops !== stops) return;
      }
    } else {
      info = await probeMedia(location);
      if (this.#stops !== stops) return;
    }
    const video = info.video;
    const audio = this.outputs.audio.connected ? info.audio : undefined;
    if (video === undefined && audio === undefined) {
      throw new StreamlibError(
        "SL_FILE_INVALID",
        `${JSON.stringify(location)} has no video stream` +
          (info.audio ? " (it has audio: connect the audio output)" : ""),
        { details: { location } },
      );
    }
    this.#info = info;
    this.#fps = video?.fps ?? 0;
    this.#read = 0;
    this.#samples = 0;
    this.#sentInfo = false;
    this.#rate = audio ? this.params.sampleRate || audio.sampleRate : 0;
    this.#channels = audio ? this.params.channels || audio.channels || 2 : 0;
    if (video !== undefined) {
      [this.#width, this.#height] = _outputSize(video.width, video.height, width, height);
      this.#frameBytes = videoFrameLayout(format, this.#width, this.#height).byteLength;
      this.#colorSpace = yuv
        ? video.colorSpace ??
          { matrix: this.#height >= 720 ? "bt709" : "smpte170m", fullRange: false }
        : undefined;
      this.#process = early ?? new FfmpegProcess(ffmpeg.path, [
        "-loglevel",
        "error",
        ...input,
        ...videoArgs(_rational(this.fps), this.#width, this.#height),
      ], { stdout: true });
    } else {
      this.outputs.out.end();
    }
    if (audio !== undefined) {
      // deno-fmt-ignore
      this.#audio = new FfmpegProcess(ffmpeg.path, [
        "-loglevel", "error", ...input, "-map", "0:a:0", "-vn", "-ac", String(this.#channels),
        "-ar", String(this.#rate), "-f", "f32le", "pipe:1",
      ], { stdout: true });
    } else {
      this.outputs.audio.end();
    }
  }

  /**
   * Sends the frame for `tick` (reading past frames that a late live tick skipped) and the audio
   * up to the frame's end, or ends.
   *
   * @param tick The tick.
   */
  async process(tick: TimedTick): Promise<void> {
    if (!this.#sentInfo) {
      this.#sentInfo = true;
      this.outputs.info.write(createDataMessage(this.#info, {
        topic: "info",
        timestamp: tick.timestamp,
        clockId: tick.clockId,
      }));
    }
    const process = this.#process;
    if (process === undefined) {
      // Audio alone: one buffer a tick.
      const n = tick.frameNumber;
      const more = await this.#sendAudio((n + 1) * this.params.samplesPerBuffer, n, tick);
      if (!more) this.end();
      return;
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
      // The audio may run a little past the last frame: send the rest before ending.
      if (this.#audio !== undefined) await this.#sendAudio(Infinity, Infinity, tick);
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
    if (this.#audio !== undefined) {
      const end = Math.round((tick.frameNumber + 1) * this.#rate / this.fps);
      await this.#sendAudio(end, Math.round(tick.frameNumber * this.#rate / this.fps), tick);
    }
  }

  /**
   * Sends audio up to sample `end` (per channel), skipping what lies before `from` (a late live
   * tick). `false` once the audio has ended.
   */
  async #sendAudio(end: number, from: number, tick: TimedTick): Promise<boolean> {
    const audio = this.#audio!;
    const channels = this.#channels;
    if (this.#samples < from && Number.isFinite(from)) {
      const skip = from - this.#samples;
      const bytes = await audio.read(skip * channels * 4, true);
      this.#samples += (bytes?.length ?? 0) / (channels * 4);
      if (bytes === undefined || bytes.length < skip * channels * 4) return false;
    }
    const want = Number.isFinite(end) ? end - this.#samples : this.#rate;
    if (want <= 0) return true;
    for (;;) {
      const bytes = await audio.read(want * channels * 4, true);
      if (bytes === undefined) {
        const status = await audio.wait();
        if (!status.success && !audio.killed) {
          throw await audio.failure("failed while decoding audio");
        }
        return false;
      }
      const frames = Math.floor(bytes.length / (channels * 4));
      const interleaved = new Float32Array(bytes.buffer, bytes.byteOffset, frames * channels);
      const buffer = createAudioBuffer({
        sampleRate: this.#rate,
        numberOfChannels: channels,
        numberOfFrames: frames,
        position: this.#samples,
        clockId: tick.clockId,
      });
      for (let c = 0; c < channels; c++) {
        const plane = c * frames;
        for (let i = 0; i < frames; i++) buffer.data[plane + i] = interleaved[i * channels + c]!;
      }
      this.#samples += frames;
      await this.outputs.audio.write(buffer);
      if (frames < want) return false;
      // After the last frame, keep reading until the audio ends.
      if (Number.isFinite(end)) return true;
    }
  }

  /** Ends ffmpeg. */
  override async stop(): Promise<void> {
    this.#stops++;
    const processes = [this.#process, this.#audio];
    this.#process = this.#audio = undefined;
    for (const process of processes) process?.kill();
    for (const process of processes) await process?.wait();
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
