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
import type { MediaInfo } from "./media_info.ts";
import { _checkExists, _parseProbe, _PROBE_MS, _tickRate, _unreadable } from "./_probe.ts";
import { type _NutFrame, _NutReader } from "./_nut.ts";
import { _atLeast } from "./_ffmpeg_version.ts";
import { _startReading } from "./_files_in_use.ts";

/**
 * The contract of {@linkcode FileReader}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileReaderContract } from "@streamlib/ffmpeg";
 * assert.ok(fileReaderContract.type === "filesrc");
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
      formatParam: "format",
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
    location: {
      type: "string",
      default: "",
      description: "File path or URL to read (read when it starts)",
      fixed: true,
    },
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
      maximum: 16_384,
      description: "Scale to this width (0: the file's; with height 0, keeps the aspect ratio)",
    },
    height: {
      type: "integer",
      default: 0,
      minimum: 0,
      maximum: 16_384,
      description: "Scale to this height (0: the file's; with width 0, keeps the aspect ratio)",
    },
    fps: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "Hz",
      description:
        "Constant frame rate to deliver, dropping or repeating frames (0: the file's own timestamps)",
    },
    start: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "s",
      description: "Seek to this time before reading",
    },
    loop: { type: "boolean", default: false, description: "Start again at the end, forever" },
    autorotate: {
      type: "boolean",
      default: true,
      description: "Turn the picture as players show it (a phone's portrait video is tall); " +
        "false: the frames as coded, with the rotation in info",
    },
    sampleRate: {
      type: "integer",
      default: 0,
      minimum: 0,
      maximum: 768_000,
      unit: "Hz",
      description: "Audio sample rate to deliver (0: the file's)",
    },
    channels: {
      type: "integer",
      default: 0,
      minimum: 0,
      maximum: 64,
      description: "Audio channels to deliver (0: the file's; ffmpeg mixes up or down)",
    },
    samplesPerBuffer: {
      type: "integer",
      default: 1024,
      minimum: 1,
      maximum: 1_048_576,
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
      values: ["ffmpeg"],
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
 * **Timestamps** are the file's own, as GStreamer's demuxers give them: a variable-rate file
 * (a phone's video, a screen recording, a camera switching between 30 and 15 fps) keeps every
 * frame at its time, and each frame lasts until the next. With `fps` set, frames are dropped or
 * repeated to that constant rate instead, and frame `n` is at `n / fps`. Timestamps start at 0
 * (at `start` when seeking). In a live pipeline each frame is sent when the pipeline clock
 * reaches its timestamp, frames that are already past when a newer one is due are skipped; offline
 * it goes as fast as downstream takes frames. It ends at the end of the file (never with
 * `loop=true`).
 *
 * **Rotation**: a video recorded with a display matrix (a phone held upright) comes out as
 * players show it, turned and with width and height swapped for a quarter turn, and
 * `info.video` reports that size and the rotation. `autorotate=false` sends the frames as coded.
 *
 * With its `audio` output connected it also sends the file's first audio stream (at
 * `sampleRate`/`channels` if set), one buffer a video frame covering that frame's time, and the
 * audio past the last frame before ending; with only `audio` connected, or for a file with audio
 * alone, it sends buffers of `samplesPerBuffer` and decodes no video. A second ffmpeg decodes the
 * audio.
 *
 * ffmpeg (found by {@linkcode findFfmpeg}) runs as a child process piping raw frames on stdout
 * in a NUT stream, which carries each frame's timestamp and size; no temporary files. A missing
 * file fails with `SL_FILE_NOT_FOUND`, an unreadable one with `SL_FILE_INVALID`, and ffmpeg
 * failing midway with `SL_FFMPEG_EXITED` carrying its exit code and the tail of its messages.
 * ffmpeg is killed when the actor stops.
 *
 * ```text
 * filesrc name=src location=clip.mp4 format=I420 ! filesink name=out location=copy.mp4
 * src.audio ! out.audio
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileReader } from "@streamlib/ffmpeg";
 * const reader = new FileReader({ location: "clip.mp4", width: 640, height: 360 });
 * assert.ok(reader.params.format === "RGBA" && reader.params.autorotate);
 * ```
 */
export class FileReader extends Actor<typeof fileReaderContract> {
  /** Ports and parameters. */
  static override contract: typeof fileReaderContract = fileReaderContract;
  #info: MediaInfo | undefined;
  /** The video's ffmpeg and the NUT stream it writes. */
  #process: FfmpegProcess | undefined;
  #nut: _NutReader | undefined;
  /** The frames read but not sent: the next one, and the one after it for its duration. */
  #ahead: _NutFrame[] = [];
  #ended = false;
  /** The rate ticks come at, once started. */
  #tickRate = 0;
  #width = 0;
  #height = 0;
  #frameBytes = 0;
  /** The running time of the file's time 0: the first tick's. */
  #base: number | undefined;
  /** Live: the clock's time at running time 0. */
  #origin = 0;
  /** Frames sent, and frames sent or skipped (the next frame's number in the file). */
  #sent = 0;
  #consumed = 0;
  /** The last frame's duration, for the one after it when it is the file's last. */
  #lastDuration = 0;
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
  /** Forgets that this actor reads its file (see `_files_in_use.ts`). */
  #unread: () => void = () => {};

  /** What the file holds, once `start()` has read it. */
  get info(): MediaInfo | undefined {
    return this.#info;
  }

  /**
   * The tick rate: the `fps` parameter, or once started the rate that the file's timestamps
   * fall on (30 for a file of 30 and 15 fps), or its average rate when they fall on none (a
   * frame between two ticks waits for its time); 30 before.
   *
   * @returns Ticks a second.
   */
  override get fps(): number {
    if (this.params.fps) return this.params.fps;
    if (this.#tickRate) return this.#tickRate;
    // Audio alone: one buffer of samplesPerBuffer a tick.
    if (this.#rate) return this.#rate / this.params.samplesPerBuffer;
    return 30;
  }

  /**
   * Frames sent, of the file's frame count (unknown when looping or for live streams; for a
   * variable-rate file, an estimate until the end); for audio alone, buffers.
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    const info = this.#info;
    const seconds = info?.duration === undefined || this.params.loop
      ? undefined
      : Math.max(0, info.duration - this.params.start);
    if (this.#nut === undefined) {
      return {
        done: this.outputs.audio.written,
        total: seconds === undefined ? undefined : Math.ceil(seconds * this.fps),
      };
    }
    const done = this.#sent;
    if (this.#ended) return { done, total: done + this.#ahead.length };
    const frames = info?.video?.frames;
    if (frames === undefined || seconds === undefined) return { done, total: undefined };
    const fileRate = info!.video!.fps;
    const rate = this.params.fps || fileRate;
    const total = Math.round(frames * rate / fileRate) - Math.round(this.params.start * rate);
    return { done, total: Math.max(done, total) };
  }

  /**
   * Starts ffmpeg, which describes the file before it decodes it (the description gives
   * {@linkcode FileReader.info}); its arguments depend on the parameters alone, so one run does
   * both. A second ffmpeg decodes the audio when wanted. `SL_FILE_INVALID` when a `filesink` of
   * this process is writing the file.
   */
  override async start(): Promise<void> {
    this.#unread();
    this.#unread = _startReading(this.params.location, this.name);
    try {
      await this.#begin();
    } catch (error) {
      this.#unread();
      throw error;
    }
  }

  async #begin(): Promise<void> {
    const { location, format, width, height, start, loop, fps, autorotate } = this.params;
    if (location === "") {
      throw new StreamlibError("SL_PARAM_INVALID", `"${this.name}" needs a location to read`);
    }
    const stops = this.#stops;
    this.#reset();
    await _checkExists(location);
    const ffmpeg = await findFfmpeg();
    if (this.#stops !== stops) return;
    const input = [
      "-hide_banner",
      "-nostdin",
      ...(autorotate ? [] : ["-noautorotate"]),
      ...(loop ? ["-stream_loop", "-1"] : []),
      ...(start > 0 ? ["-ss", String(start)] : []),
      "-i",
      location,
    ];
    const yuv = format === "I420" || format === "NV12";
    // Scale to resize or to convert to RGB (with the matrix the file declares, BT.601 when it
    // declares none); YUV to YUV at the file's size needs no pass of our own. -1 keeps the
    // aspect ratio of the picture ffmpeg has turned upright.
    const filters = [
      ...(fps > 0 ? [`fps=${_rational(fps)}`] : []),
      ...(width !== 0 || height !== 0 || !yuv
        ? [`scale=${width || -1}:${height || -1}:in_color_matrix=auto:flags=bilinear`]
        : []),
    ];
    // deno-fmt-ignore
    const process = this.#process = new FfmpegProcess(ffmpeg.path, [
      "-nostats", "-loglevel", "level+info", ...input, "-map", "0:v:0",
      ...(filters.length ? ["-vf", filters.join(",")] : []), "-pix_fmt", _PIX_FMT[format],
      ..._passthrough(ffmpeg.version), "-enc_time_base", "1:1000000", "-c:v", "rawvideo",
      "-f", "nut", "-flush_packets", "1", "pipe:1",
    ], { stdout: true, describe: true });
    const timer = setTimeout(() => process.kill(), _PROBE_MS);
    const text = await process.description();
    clearTimeout(timer);
    if (this.#stops !== stops) return; // stopped meanwhile: stop() ended it
    const info = _parseProbe(text);
    if (info === undefined) {
      // Nothing to describe: the error, with ffmpeg's reason, once it has exited.
      const status = await process.waitOrKill(1000);
      process.kill(); // its output, if any, is not read
      this.#process = undefined;
      throw _unreadable(location, process.stderr, status.code, process.killed);
    }
    const { out, audio: audioOut } = this.outputs;
    const video = out.connected || !audioOut.connected ? info.video : undefined;
    const audio = audioOut.connected ? info.audio : undefined;
    if (video === undefined) {
      process.kill();
      await process.wait();
      this.#process = undefined;
      if (this.#stops !== stops) return;
    }
    if (video === undefined && audio === undefined) {
      throw new StreamlibError(
        "SL_FILE_INVALID",
        info.video === undefined
          ? `${JSON.stringify(location)} has no video stream` +
            (info.audio ? " (it has audio: connect the audio output)" : "")
          : `${
            JSON.stringify(location)
          } has no audio stream (it has video: connect the out output)`,
        { details: { location } },
      );
    }
    this.#info = info;
    this.#rate = audio ? this.params.sampleRate || audio.sampleRate : 0;
    this.#channels = audio ? this.params.channels || audio.channels || 2 : 0;
    if (video !== undefined) {
      this.#nut = new _NutReader(process.stdout);
      this.#tickRate = _tickRate(text, video.fps);
    } else {
      out.end();
    }
    if (audio !== undefined) {
      // deno-fmt-ignore
      this.#audio = new FfmpegProcess(ffmpeg.path, [
        "-loglevel", "error", ...input, "-map", "0:a:0", "-vn", "-ac", String(this.#channels),
        "-ar", String(this.#rate), "-f", "f32le", "pipe:1",
      ], { stdout: true });
    } else {
      audioOut.end();
    }
  }

  /**
   * Sends the next frame (offline), or every frame due before the next tick, each at its time
   * (live); with each frame the audio up to the next one; or ends.
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
    if (this.#nut === undefined) {
      // Audio alone: one buffer a tick.
      const n = tick.frameNumber;
      const more = await this.#sendAudio((n + 1) * this.params.samplesPerBuffer, n, tick);
      if (!more) this.end();
      return;
    }
    if (this.#base === undefined) {
      this.#base = tick.timestamp;
      if (this.mode === "live") this.#origin = this.clock.now() - tick.timestamp;
      await this.#open();
    }
    const base = this.#base;
    if (this.mode !== "live") {
      const frame = await this.#frame(0);
      if (frame === undefined) return await this.#finish(tick);
      await this.#send(frame, tick);
      return;
    }
    const end = tick.timestamp + tick.duration;
    for (;;) {
      const frame = await this.#frame(0);
      if (frame === undefined) return await this.#finish(tick);
      const at = base + frame.timestamp;
      if (at >= end) return;
      const now = this.clock.now() - this.#origin;
      const next = await this.#frame(1);
      if (next !== undefined && base + next.timestamp <= now) {
        // Late: a newer frame is due already.
        this.#ahead.shift();
        this.#consumed++;
        continue;
      }
      if (at > now) await this.clock.sleepUntil(this.#origin + at);
      await this.#send(frame, tick);
    }
  }

  /** Reads the NUT stream's header: the frames' size, which ffmpeg decides. */
  async #open(): Promise<void> {
    const stream = (await this.#guard(() => this.#nut!.streams()))?.[0];
    if (stream === undefined) return; // no frame at all: ends at the first read
    const { format } = this.params;
    this.#width = stream.width;
    this.#height = stream.height;
    this.#frameBytes = videoFrameLayout(format, stream.width, stream.height).byteLength;
    // ffmpeg turns a full-range yuvj* picture into the limited range of yuv420p/nv12; a yuv*
    // one tagged full range it passes on as it is.
    const probed = this.#info?.video;
    this.#colorSpace = format === "I420" || format === "NV12"
      ? probed?.colorSpace === undefined
        ? { matrix: stream.height >= 720 ? "bt709" : "smpte170m", fullRange: false }
        : probed.pixelFormat.startsWith("yuvj")
        ? { ...probed.colorSpace, fullRange: false }
        : probed.colorSpace
      : undefined;
  }

  /** The frame `i` places ahead (0: the next to send), or `undefined` past the end. */
  async #frame(i: number): Promise<_NutFrame | undefined> {
    while (this.#ahead.length <= i && !this.#ended) {
      const frame = await this.#guard(() => this.#nut!.next());
      if (frame === undefined) this.#ended = true;
      else if (frame.data.length !== this.#frameBytes) {
        throw new StreamlibError(
          "SL_FFMPEG_EXITED",
          `ffmpeg sent a frame of ${frame.data.length} bytes where a ${this.params.format} ` +
            `${this.#width}×${this.#height} frame has ${this.#frameBytes}`,
        );
      } else this.#ahead.push(frame);
    }
    return this.#ahead[i];
  }

  /** Runs a read of the NUT stream; a broken stream fails with what ffmpeg says. */
  async #guard<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      const process = this.#process;
      if (process === undefined || process.killed) return undefined;
      throw await process.failure(
        `stopped in the middle of its output (${(error as Error).message})`,
      );
    }
  }

  /** Sends the next frame, lasting until the one after it, and the audio of that time. */
  async #send(frame: _NutFrame, tick: TimedTick): Promise<void> {
    const next = await this.#frame(1);
    this.#ahead.shift();
    const duration = next !== undefined
      ? next.timestamp - frame.timestamp
      : this.#lastDuration || Math.round(1e6 / this.fps);
    this.#lastDuration = duration;
    const position = this.#consumed++;
    this.#sent++;
    this.outputs.out.write(createVideoFrame({
      format: this.params.format,
      codedWidth: this.#width,
      codedHeight: this.#height,
      data: frame.data,
      timestamp: this.#base! + frame.timestamp,
      duration,
      position,
      clockId: tick.clockId,
      ...(this.#colorSpace ? { colorSpace: this.#colorSpace } : {}),
    }));
    if (this.#audio !== undefined) {
      const sample = (us: number): number => Math.round(us * this.#rate / 1e6);
      await this.#sendAudio(sample(frame.timestamp + duration), sample(frame.timestamp), tick);
    }
  }

  /** At the end of the video: fails if ffmpeg did, sends the audio left, and ends. */
  async #finish(tick: TimedTick): Promise<void> {
    const process = this.#process!;
    const status = await process.wait();
    if (!status.success && !process.killed) throw await process.failure("failed while decoding");
    // The audio may run past the last frame (a little, or seconds): the video ends first, so
    // that a writer interleaving both by time does not wait for frames that will not come,
    // then the rest of the audio goes.
    if (!this.outputs.out.ended) this.outputs.out.end();
    if (this.#audio !== undefined) await this.#sendAudio(Infinity, Infinity, tick);
    this.end();
  }

  /**
   * Sends audio up to sample `end` (per channel), skipping what lies before `from` (frames
   * skipped while late). `false` once the audio has ended.
   */
  async #sendAudio(end: number, from: number, tick: TimedTick): Promise<boolean> {
    const ended = (): false => {
      // The audio ended before the video: its output ends now, so that a writer interleaving
      // both by time does not wait for audio that will not come.
      if (!this.outputs.audio.ended) this.outputs.audio.end();
      return false;
    };
    if (this.outputs.audio.ended) return false;
    const audio = this.#audio!;
    const channels = this.#channels;
    if (this.#samples < from && Number.isFinite(from)) {
      const skip = from - this.#samples;
      const bytes = await audio.read(skip * channels * 4, true);
      this.#samples += (bytes?.length ?? 0) / (channels * 4);
      if (bytes === undefined || bytes.length < skip * channels * 4) return ended();
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
        return ended();
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
      if (frames < want) return ended();
      // After the last frame, keep reading until the audio ends.
      if (Number.isFinite(end)) return true;
    }
  }

  /** Ends ffmpeg and closes its pipes. */
  override async stop(): Promise<void> {
    this.#unread();
    this.#stops++;
    const processes = [this.#process, this.#audio];
    this.#process = this.#audio = undefined;
    // The NUT reader holds the video's stdout: cancelling it closes the pipe, which a stop
    // before the end of the file would otherwise leave open (kill() closes the audio's).
    this.#nut?.cancel();
    for (const process of processes) process?.kill();
    for (const process of processes) await process?.wait();
  }

  /** Forgets the last run (a restart starts over). */
  #reset(): void {
    this.#info =
      this.#process =
      this.#nut =
      this.#audio =
      this.#base =
        undefined;
    this.#colorSpace = undefined;
    this.#ahead = [];
    this.#ended = this.#sentInfo = false;
    this.#tickRate =
      this.#width =
      this.#height =
      this.#frameBytes =
        0;
    this.#origin =
      this.#sent =
      this.#lastDuration =
      this.#rate =
      this.#channels =
        0;
    this.#samples = 0;
  }
}

/** ffmpeg's option to pass every decoded frame on with its own timestamp. */
function _passthrough(version: string): string[] {
  // -fps_mode came in 5.1, where -vsync became deprecated.
  return _atLeast(version, 5, 1) ? ["-fps_mode", "passthrough"] : ["-vsync", "passthrough"];
}

/** `30000/1001` for NTSC rates, otherwise the number. */
function _rational(fps: number): string {
  for (const base of [24, 30, 60, 120]) {
    if (Math.abs(fps - base * 1000 / 1001) < 1e-9) return `${base * 1000}/1001`;
  }
  return String(fps);
}
