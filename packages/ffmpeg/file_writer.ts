import {
  Actor,
  type AudioBuffer,
  type Contract,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { FfmpegProcess } from "./ffmpeg_process.ts";
import { type _MatroskaTrack, _MatroskaWriter, _packedFrameData } from "./_matroska.ts";
import { findFfmpeg } from "./ffmpeg.ts";

/**
 * The contract of {@linkcode FileWriter}.
 *
 * @example
 * ```ts
 * import { fileWriterContract } from "@streamlib/ffmpeg";
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
    audio: {
      kind: "audio",
      formats: ["f32-planar"],
      policy: "queue:16:block",
      description: "Audio to mux with the video (or alone), kept in sync by its timestamps",
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
    audioCodec: {
      type: "string",
      default: "auto",
      description: "ffmpeg audio encoder (aac, libopus, flac, libmp3lame, pcm_s16le…); auto " +
        "picks by extension",
    },
    audioBitrate: {
      type: "string",
      default: "",
      description: 'Audio bitrate as ffmpeg writes it ("128k"); empty for the codec default',
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
 * With its `audio` input connected it muxes sound into the same file — AAC in MP4/MOV/MKV, Opus
 * in WebM — or, with no video, writes audio alone: WAV (16-bit PCM), FLAC, MP3, Opus, M4A (AAC),
 * or any `audioCodec`. Video frames and audio buffers go to ffmpeg interleaved by timestamp, so
 * the streams stay in sync however long the file is (ten minutes are tested to 1 ms).
 *
 * RGBA and BGRA frames are converted to YUV by ffmpeg with the BT.709 matrix for frames 720 or
 * more lines high and BT.601 below, limited range, and the file is tagged accordingly. The first
 * frame fixes the size and format, the first audio buffer the rate and channels; anything else
 * later fails with `SL_CAPS_MISMATCH`. ffmpeg failing fails the actor with `SL_FFMPEG_EXITED`
 * (exit code and the tail of ffmpeg's messages).
 *
 * ```text
 * videotestsrc frames=300 ! filesink name=out location=bars.mp4 crf=20 preset=veryfast
 * audiotestsrc duration=10 ! out.audio
 * ```
 *
 * @example
 * ```ts
 * import { FileWriter } from "@streamlib/ffmpeg";
 * const writer = new FileWriter({ location: "out.webm", crf: 32 });
 * console.assert(writer.params.codec === "auto");
 * ```
 */
export class FileWriter extends Actor<typeof fileWriterContract> {
  /** Ports and parameters. */
  static override contract: typeof fileWriterContract = fileWriterContract;
  #host: _FileWriterHost | undefined;
  #process: FfmpegProcess | undefined;
  #mkv: _MatroskaWriter | undefined;
  #caps = "";
  #finished: Promise<void> | undefined;
  /** Read but not yet written, in timestamp order per stream. */
  #video: VideoFrame[] = [];
  #audio: AudioBuffer[] = [];
  /** Tracks of the open file: their index in the Matroska stream, -1 when absent. */
  #videoTrack = -1;
  #audioTrack = -1;

  /**
   * A writer working for another actor, `host` (see {@linkcode _FileWriterHost}).
   *
   * @internal
   */
  static _hosted(host: _FileWriterHost, params: Partial<FileWriter["params"]>): FileWriter {
    const writer = new FileWriter(params);
    writer.#host = host;
    return writer;
  }

  /** The ports read: the host's, or the writer's own. */
  get #ports(): FileWriter["inputs"] {
    return this.#host?.inputs ?? this.inputs;
  }

  /** The name errors give: the host's, or the writer's own. */
  get #label(): string {
    return this.#host?.name ?? this.name;
  }

  /** Checks the parameters and finds ffmpeg; ffmpeg itself starts with the first frame. */
  override async start(): Promise<void> {
    if (this.params.location === "") {
      throw new StreamlibError("SL_PARAM_INVALID", `"${this.#label}" needs a location to write`);
    }
    for (const key of ["bitrate", "audioBitrate"] as const) {
      const value = this.params[key];
      if (value !== "" && !/^\d+(\.\d+)?[kKmM]?$/.test(value)) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `${key} must look like "2M" or "128k", got ${JSON.stringify(value)}`,
        );
      }
    }
    this.#process = undefined;
    this.#mkv = undefined;
    this.#caps = "";
    this.#finished = undefined;
    this.#video = [];
    this.#audio = [];
    this.#videoTrack = this.#audioTrack = -1;
    await findFfmpeg();
  }

  /**
   * Reads what has arrived and pipes it to ffmpeg in timestamp order across video and audio,
   * starting ffmpeg once the first frame of each connected stream is in.
   *
   * @param _tick Unused.
   */
  async process(_tick: TimedTick): Promise<void> {
    await this.#drain(false);
  }

  /** Writes what is left and finishes the file. */
  override async flush(): Promise<void> {
    await this.#drain(true);
    await this.#finish();
  }

  /** Finishes the file (also when the pipeline is aborted). */
  override async stop(): Promise<void> {
    await this.#finish();
  }

  /**
   * Reads, opens and writes as far as order allows, a few blocks a call (more input, or the
   * end, calls again); at the end, everything.
   */
  async #drain(end: boolean): Promise<void> {
    const { in: video, audio } = this.#ports;
    for (let budget = end ? Infinity : 8; budget > 0; budget--) {
      this.#pull();
      const videoDone = end || video.ended || (!video.connected && this.#video.length === 0);
      const audioDone = end || audio.ended || (!audio.connected && this.#audio.length === 0);
      if (this.#process === undefined) {
        // The header needs the first frame of each stream that will come.
        if ((this.#video.length === 0 && !videoDone) || (this.#audio.length === 0 && !audioDone)) {
          return;
        }
        if (this.#video.length === 0 && this.#audio.length === 0) return;
        await this.#open();
      }
      const v = this.#video[0];
      const a = this.#audio[0];
      let next: "video" | "audio" | undefined;
      if (v !== undefined && a !== undefined) next = v.timestamp <= a.timestamp ? "video" : "audio";
      else if (v !== undefined && (audioDone || this.#audioTrack < 0)) next = "video";
      else if (a !== undefined && (videoDone || this.#videoTrack < 0)) next = "audio";
      if (next === undefined) return;
      if (next === "video") await this.#writeVideo(this.#video.shift()!);
      else await this.#writeAudio(this.#audio.shift()!);
    }
  }

  /** Moves arrived messages into the pending lists, a few frames or about a second at most. */
  #pull(): void {
    const { in: video, audio } = this.#ports;
    while (this.#video.length < 8) {
      const frame = video.read();
      if (frame === undefined) break;
      this.#video.push(frame);
    }
    let pending = this.#audio.reduce((us, b) => us + b.duration, 0);
    while (pending < 1_000_000) {
      const buffer = audio.read();
      if (buffer === undefined) break;
      this.#audio.push(buffer);
      pending += buffer.duration;
    }
  }

  async #writeVideo(frame: VideoFrame): Promise<void> {
    if (this.#videoTrack < 0) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.#label}" started without video (no frame had come when the file was opened)`,
      );
    }
    const caps = `${frame.format} ${frame.codedWidth}×${frame.codedHeight}`;
    if (caps !== this.#caps) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.#label}" was writing ${this.#caps} frames and got a ${caps} frame; ` +
          "scale or convert before the writer",
      );
    }
    const data = _packedFrameData(frame);
    await this.#process!.write(
      this.#mkv!.blockHeader(this.#videoTrack, frame.timestamp, frame.duration, data.length),
    );
    await this.#process!.write(data);
  }

  async #writeAudio(buffer: AudioBuffer): Promise<void> {
    if (this.#audioTrack < 0) return; // audio that came after a video-only file was opened
    const track = this.#mkv!.tracks[this.#audioTrack]!;
    if (
      track.kind !== "audio" || buffer.sampleRate !== track.sampleRate ||
      buffer.numberOfChannels !== track.channels
    ) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.#label}" was writing ${track.kind === "audio" ? track.sampleRate : 0} Hz ` +
          `${track.kind === "audio" ? track.channels : 0}-channel audio and got ` +
          `${buffer.sampleRate} Hz ${buffer.numberOfChannels}-channel audio; resample or mix first`,
      );
    }
    const data = _interleavedBytes(buffer);
    await this.#process!.write(
      this.#mkv!.blockHeader(this.#audioTrack, buffer.timestamp, buffer.duration, data.length),
    );
    await this.#process!.write(data);
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

  async #open(): Promise<void> {
    const ffmpeg = await findFfmpeg();
    const frame = this.#video[0];
    const buffer = this.#audio[0];
    const tracks: _MatroskaTrack[] = [];
    if (frame !== undefined) {
      this.#videoTrack = tracks.length;
      this.#caps = `${frame.format} ${frame.codedWidth}×${frame.codedHeight}`;
      tracks.push({
        kind: "video",
        format: frame.format,
        width: frame.codedWidth,
        height: frame.codedHeight,
      });
    }
    if (buffer !== undefined) {
      this.#audioTrack = tracks.length;
      tracks.push({
        kind: "audio",
        sampleRate: buffer.sampleRate,
        channels: buffer.numberOfChannels,
      });
    }
    this.#mkv = new _MatroskaWriter(tracks);
    const args = _encoderArgs(this.params, frame, buffer, this.#host?.outputArgs);
    this.#process = new FfmpegProcess(ffmpeg.path, args, { stdin: true });
    await this.#process.write(this.#mkv.header());
  }
}

/**
 * An actor that drives a {@linkcode FileWriter} as its muxer (`@streamlib/net`'s HLS sink): the
 * writer reads the host's ports, names the host in its errors, and puts `outputArgs` (ffmpeg
 * output options such as `-f hls …`) just before its location.
 *
 * @internal
 */
export interface _FileWriterHost {
  readonly name: string;
  readonly inputs: FileWriter["inputs"];
  readonly outputArgs: readonly string[];
}

/** Planar float samples as interleaved little-endian float32 bytes (Matroska's PCM layout). */
function _interleavedBytes(buffer: AudioBuffer): Uint8Array {
  const { numberOfChannels: channels, numberOfFrames: frames, data } = buffer;
  const out = new Float32Array(channels * frames);
  for (let c = 0; c < channels; c++) {
    const from = c * frames;
    for (let i = 0; i < frames; i++) out[i * channels + c] = data[from + i]!;
  }
  const bytes = new Uint8Array(out.buffer);
  if (!_LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  }
  return bytes;
}

const _LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * ffmpeg's arguments for the writer's parameters and the first frame and audio buffer, with a
 * host's output options before the location.
 */
function _encoderArgs(
  params: FileWriter["params"],
  frame: VideoFrame | undefined,
  audio: AudioBuffer | undefined,
  outputArgs: readonly string[] = [],
): string[] {
  const { location } = params;
  const sequence = /%0?\d*d/.test(location);
  const ext = /\.([a-z0-9]+)$/i.exec(location)?.[1]?.toLowerCase() ?? "";
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "matroska"];
  args.push("-i", "pipe:0");
  if (frame !== undefined) args.push("-map", "0:v:0", ..._videoArgs(params, frame, ext, sequence));
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
  params: FileWriter["params"],
  frame: VideoFrame,
  ext: string,
  sequence: boolean,
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
  if (sequence) args.push("-vsync", "passthrough", "-f", "image2");
  else {
    // Timestamps pass through at µs precision; the nominal rate (from the first frame's
    // duration) gives the last frame its length, so a 300-frame 30 fps file lasts 10 s.
    args.push("-vsync", "vfr", "-enc_time_base", "-1");
    if (frame.duration > 0) args.push("-r", _rate(frame.duration));
  }
  return args;
}

/** Sample rates libopus takes; others are resampled to 48 kHz. */
const _OPUS_RATES = [8000, 12000, 16000, 24000, 48000];

function _audioArgs(params: FileWriter["params"], audio: AudioBuffer, ext: string): string[] {
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
