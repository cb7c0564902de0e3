import {
  Actor,
  type AudioBuffer,
  type Contract,
  type ContractParams,
  type Input,
  packedFrameData,
  resolveParams,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { FfmpegProcess } from "./ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { _interleavedBytes, type _MatroskaTrack, _MatroskaWriter } from "./_matroska.ts";
import { _encoderArgs } from "./_encoder_args.ts";
import { _OutputFile } from "./_output_file.ts";
import { _startWriting } from "./_files_in_use.ts";

/**
 * The contract of {@linkcode FileWriter}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileWriterContract } from "@streamlib/ffmpeg";
 * assert.ok(fileWriterContract.type === "filesink");
 * ```
 */
export const fileWriterContract = {
  type: "filesink",
  description: "Encodes frames with ffmpeg into MP4/H.264, WebM/VP9, MOV or an image sequence",
  classification: "Sink/File/Video",
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
      description: "Output file; a pattern such as frame-%05d.png writes an image sequence " +
        "(read when it starts)",
      fixed: true,
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
  permissions: {
    write: {
      reason: "ffmpeg writes the file",
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
 * more lines high and BT.601 below, limited range, and the file is tagged accordingly. H.264 and
 * H.265 in 4:2:0 need even sizes: an odd width or height is padded by one column or row that
 * repeats the last one (641×479 is stored as 642×480); VP9, AV1, MJPEG, ProRes, FFV1 and
 * non-subsampled formats (`pixelFormat=yuv444p`) keep odd sizes. The first frame fixes the size
 * and format, the first audio buffer the rate and channels; anything else later fails with
 * `SL_CAPS_MISMATCH`. ffmpeg failing fails the actor with `SL_FFMPEG_EXITED` (exit code and the
 * tail of ffmpeg's messages). Another actor can write the same way from its own ports with a
 * {@linkcode FileMuxer}.
 *
 * **The file at `location`** appears when it is complete: ffmpeg writes a hidden file beside it
 * (`.out.partial.mp4`) that replaces `location` once finished, so a failed run leaves no empty
 * or broken file and leaves a file that was there before untouched. Missing folders are
 * created. That needs write access to the folder; where Deno grants writing `location` alone
 * (as `streamlib run` does) ffmpeg writes it in place, a file the run created is removed if it
 * fails, and a missing folder is an `SL_FILE_WRITE` error naming it. Image sequences and URLs
 * are written in place.
 *
 * ```text
 * videotestsrc frames=300 ! filesink name=out location=bars.mp4 crf=20 preset=veryfast
 * audiotestsrc duration=10 ! out.audio
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileWriter } from "@streamlib/ffmpeg";
 * const writer = new FileWriter({ location: "out.webm", crf: 32 });
 * assert.ok(writer.params.codec === "auto");
 * ```
 */
export class FileWriter extends Actor<typeof fileWriterContract> {
  /** Ports and parameters. */
  static override contract: typeof fileWriterContract = fileWriterContract;
  #muxer: FileMuxer | undefined;

  /** Checks the parameters and finds ffmpeg; ffmpeg itself starts with the first frame. */
  override async start(): Promise<void> {
    this.#muxer = new FileMuxer({ name: this.name, inputs: this.inputs, params: this.params });
    await this.#muxer.start();
  }

  /**
   * Reads what has arrived and pipes it to ffmpeg in timestamp order across video and audio,
   * starting ffmpeg once the first frame of each connected stream is in.
   *
   * @param _tick Unused.
   */
  async process(_tick: TimedTick): Promise<void> {
    await this.#muxer!.process();
  }

  /** Writes what is left and finishes the file. */
  override async flush(): Promise<void> {
    await this.#muxer!.flush();
  }

  /** Finishes the file (also when the pipeline is aborted). */
  override async stop(): Promise<void> {
    await this.#muxer?.stop();
  }
}

/**
 * Options of {@linkcode FileMuxer}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FileMuxerOptions } from "@streamlib/ffmpeg";
 * const extra: FileMuxerOptions["outputArgs"] = ["-metadata", "title=Bars"];
 * assert.ok(extra.length === 2);
 * ```
 */
export interface FileMuxerOptions {
  /** The name its errors give: the actor that drives it. */
  readonly name: string;
  /** The ports it reads: video frames on `in`, audio on `audio`; either may be unconnected. */
  readonly inputs: { readonly in: Input<VideoFrame>; readonly audio: Input<AudioBuffer> };
  /**
   * `filesink`'s parameters (see {@linkcode fileWriterContract}); missing ones take their
   * defaults. The object is kept, not copied: it is read again when ffmpeg starts.
   */
  readonly params?: Partial<ContractParams<typeof fileWriterContract>>;
  /**
   * ffmpeg output options put after the encoder's, just before the location: another muxer and
   * its settings (`-f hls -hls_time 2 …`), metadata (`-metadata title=…`). Default none.
   */
  readonly outputArgs?: readonly string[];
}

/**
 * What {@linkcode FileWriter} does, for another actor to drive from its own ports: reads video
 * frames and audio buffers, pipes them to ffmpeg in timestamp order in a Matroska stream, and
 * has ffmpeg encode them with `filesink`'s parameters into `location`, with any output options
 * the driving actor adds (`@streamlib/net`'s HLS sink adds ffmpeg's HLS muxer this way). Errors
 * name the driving actor. Call {@linkcode FileMuxer.start}, {@linkcode FileMuxer.process},
 * {@linkcode FileMuxer.flush} and {@linkcode FileMuxer.stop} from the actor's hooks of the same
 * names; ffmpeg never outlives `stop()`.
 *
 * @example An actor that writes files with a title in their metadata
 * ```ts
 * import assert from "node:assert/strict";
 * import { Actor, defineContract, type TimedTick } from "@streamlib/core";
 * import { FileMuxer, fileWriterContract } from "@streamlib/ffmpeg";
 *
 * const contract = defineContract({
 *   type: "titledsink",
 *   inputs: fileWriterContract.inputs,
 *   params: {
 *     location: { type: "string", default: "" },
 *     title: { type: "string", default: "" },
 *   },
 * });
 *
 * class TitledSink extends Actor<typeof contract> {
 *   static override contract = contract;
 *   #muxer: FileMuxer | undefined;
 *   override async start(): Promise<void> {
 *     this.#muxer = new FileMuxer({
 *       name: this.name,
 *       inputs: this.inputs,
 *       params: { location: this.params.location, preset: "veryfast" },
 *       outputArgs: ["-metadata", `title=${this.params.title}`],
 *     });
 *     await this.#muxer.start();
 *   }
 *   async process(_tick: TimedTick): Promise<void> {
 *     await this.#muxer!.process();
 *   }
 *   override async flush(): Promise<void> {
 *     await this.#muxer!.flush();
 *   }
 *   override async stop(): Promise<void> {
 *     await this.#muxer?.stop();
 *   }
 * }
 *
 * const sink = new TitledSink({ location: "bars.mkv", title: "Bars" });
 * const muxer = new FileMuxer({ name: sink.name, inputs: sink.inputs, params: { crf: 20 } });
 * assert.ok(muxer.params.crf === 20 && muxer.params.codec === "auto");
 * ```
 */
export class FileMuxer {
  readonly #name: string;
  readonly #inputs: FileMuxerOptions["inputs"];
  readonly #params: Partial<ContractParams<typeof fileWriterContract>>;
  readonly #outputArgs: readonly string[];
  #process: FfmpegProcess | undefined;
  #output: _OutputFile | undefined;
  /** Forgets that this muxer writes its location (see `_files_in_use.ts`). */
  #unwrite: () => void = () => {};
  #mkv: _MatroskaWriter | undefined;
  #caps = "";
  #finished: Promise<void> | undefined;
  /**
   * `stop()` was called: a `process()` still under way (an abort does not wait for it) writes
   * nothing more, and one that is opening the file starts no ffmpeg.
   */
  #stopped = false;
  /** Read but not yet written, in timestamp order per stream. */
  #video: VideoFrame[] = [];
  #audio: AudioBuffer[] = [];
  /** Tracks of the open file: their index in the Matroska stream, -1 when absent. */
  #videoTrack = -1;
  #audioTrack = -1;

  /**
   * A muxer reading `options.inputs`; nothing runs before {@linkcode FileMuxer.start}.
   * `SL_PARAM_UNKNOWN` or `SL_PARAM_INVALID` when a parameter is not `filesink`'s or is out of
   * its range.
   *
   * @param options Its ports, name, parameters and extra output options.
   */
  constructor(options: FileMuxerOptions) {
    this.#name = options.name;
    this.#inputs = options.inputs;
    this.#params = options.params ?? {};
    this.#outputArgs = [...(options.outputArgs ?? [])];
    // A parameter that is not filesink's fails here, where it is given.
    resolveParams(fileWriterContract.type, fileWriterContract.params, this.#params);
  }

  /**
   * The parameters in effect: those given, the rest `filesink`'s defaults.
   *
   * @returns Every parameter of {@linkcode fileWriterContract}, in a new object.
   */
  get params(): ContractParams<typeof fileWriterContract> {
    return resolveParams(fileWriterContract.type, fileWriterContract.params, this.#params);
  }

  /** Checks the parameters and finds ffmpeg; ffmpeg itself starts with the first frame. */
  async start(): Promise<void> {
    const params = this.params;
    if (params.location === "") {
      throw new StreamlibError("SL_PARAM_INVALID", `"${this.#name}" needs a location to write`);
    }
    for (const key of ["bitrate", "audioBitrate"] as const) {
      const value = params[key];
      if (value !== "" && !/^\d+(\.\d+)?[kKmM]?$/.test(value)) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `${key} must look like "2M" or "128k", got ${JSON.stringify(value)}`,
        );
      }
    }
    this.#process = this.#output = undefined;
    this.#mkv = undefined;
    this.#caps = "";
    this.#finished = undefined;
    this.#stopped = false;
    this.#video = [];
    this.#audio = [];
    this.#videoTrack = this.#audioTrack = -1;
    await findFfmpeg();
  }

  /**
   * Reads what has arrived and pipes it to ffmpeg in timestamp order across video and audio,
   * starting ffmpeg once the first frame of each connected stream is in.
   */
  async process(): Promise<void> {
    await this.#drain(false);
  }

  /** Writes what is left (the inputs have ended) and finishes the file. */
  async flush(): Promise<void> {
    await this.#drain(true);
    await this.#finish();
  }

  /**
   * Finishes the file: closes ffmpeg's input and waits for ffmpeg to write the end of it (also
   * when the pipeline is aborted). `SL_FFMPEG_EXITED` when ffmpeg fails.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#finish();
  }

  /**
   * Reads, opens and writes as far as order allows, a few blocks a call (more input, or the
   * end, calls again); at the end, everything.
   */
  async #drain(end: boolean): Promise<void> {
    const { in: video, audio } = this.#inputs;
    // The scheduler calls again only after a call that read something: a call that used its
    // budget on what it had pulled before goes on until it reads (or can write nothing more).
    let read = false;
    for (let budget = end ? Infinity : 8; (budget > 0 || !read) && !this.#stopped; budget--) {
      if (this.#pull()) read = true;
      const videoDone = end || video.ended || (!video.connected && this.#video.length === 0);
      const audioDone = end || audio.ended || (!audio.connected && this.#audio.length === 0);
      if (this.#process === undefined) {
        // The header needs the first frame of each stream that will come.
        if ((this.#video.length === 0 && !videoDone) || (this.#audio.length === 0 && !audioDone)) {
          return;
        }
        if (this.#video.length === 0 && this.#audio.length === 0) return;
        if (!(await this.#open())) return;
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

  /**
   * Moves arrived messages into the pending lists, a few frames or about a second at most;
   * whether it moved any.
   */
  #pull(): boolean {
    const { in: video, audio } = this.#inputs;
    let moved = false;
    while (this.#video.length < 8) {
      const frame = video.read();
      if (frame === undefined) break;
      this.#video.push(frame);
      moved = true;
    }
    let pending = this.#audio.reduce((us, b) => us + b.duration, 0);
    while (pending < 1_000_000) {
      const buffer = audio.read();
      if (buffer === undefined) break;
      this.#audio.push(buffer);
      pending += buffer.duration;
      moved = true;
    }
    return moved;
  }

  async #writeVideo(frame: VideoFrame): Promise<void> {
    if (this.#videoTrack < 0) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.#name}" started without video (no frame had come when the file was opened)`,
      );
    }
    const caps = `${frame.format} ${frame.codedWidth}×${frame.codedHeight}`;
    if (caps !== this.#caps) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.#name}" was writing ${this.#caps} frames and got a ${caps} frame; ` +
          "scale or convert before the writer",
      );
    }
    const data = packedFrameData(frame);
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
        `"${this.#name}" was writing ${track.kind === "audio" ? track.sampleRate : 0} Hz ` +
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
      try {
        await process.closeInput();
        const status = await process.waitOrKill(60_000);
        if (!status.success) {
          const error = await process.failure("could not finish the file");
          await this.#output!.discard();
          throw error;
        }
        await this.#output!.finish();
      } finally {
        this.#unwrite();
      }
    })();
    return this.#finished;
  }

  /** Opens the file and starts ffmpeg; `false` when stopped meanwhile (nothing started). */
  async #open(): Promise<boolean> {
    const ffmpeg = await findFfmpeg();
    if (this.#stopped) return false;
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
    const params = this.params;
    // Before anything touches the file: a filesrc of this process may be reading it.
    this.#unwrite = _startWriting(params.location, this.#name);
    let started = false;
    try {
      // Outputs that pick their own muxer (HLS) own their location: written in place.
      const output = await _OutputFile.open(
        params.location,
        this.#outputArgs.includes("-f"),
        this.#name,
      );
      if (this.#stopped) {
        await output.discard();
        return false;
      }
      this.#output = output;
      const args = _encoderArgs(
        { ...params, location: output.target },
        frame,
        buffer,
        ffmpeg.version,
        this.#outputArgs,
      );
      try {
        this.#process = new FfmpegProcess(ffmpeg.path, args, { stdin: true });
      } catch (error) {
        await output.discard();
        throw error;
      }
      started = true;
    } finally {
      // Not started: nothing writes the location (once started, #finish lets it go).
      if (!started) this.#unwrite();
    }
    await this.#process.write(this.#mkv.header());
    return true;
  }
}
