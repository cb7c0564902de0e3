/**
 * H.264 for the display: ffmpeg with libx264 (`ultrafast`, `zerolatency`: no B-frames, no
 * lookahead, one picture out for each frame in), raw frames in on stdin, FLV out on stdout.
 * FLV frames every picture with its length, so each is complete as soon as ffmpeg writes it —
 * a raw Annex B stream would be cut only when the next picture's start arrived, a frame late.
 * Pictures come out in the order frames went in, which maps each to its frame. A keyframe
 * comes every second and with the first frame; a new size or format starts a new ffmpeg.
 *
 * @module
 */

import { packedFrameData, type VideoFrame } from "@streamlib/core";
import { FfmpegProcess } from "@streamlib/ffmpeg";
import type { _EncoderSink, _FrameEncoder } from "./_display_encoder.ts";

/** Frames in ffmpeg at most; more wait (the display keeps only the newest waiting). */
const _IN_FLIGHT = 2;

/** What is known of a frame while ffmpeg encodes it. */
interface _Pending {
  readonly timestamp: number;
  readonly created: number;
}

/** Encodes frames as H.264 pictures (AVC format, length-prefixed NAL units). */
export class _H264Encoder implements _FrameEncoder {
  readonly #ffmpeg: string;
  readonly #crf: number;
  readonly #sink: _EncoderSink;
  #process: FfmpegProcess | undefined;
  #caps = "";
  #pending: _Pending[] = [];
  #closed = false;

  /**
   * @param ffmpeg The ffmpeg executable.
   * @param quality 1 to 100, mapped to x264's constant rate factor (75 → 23, 100 → 10).
   * @param sink Where pictures go.
   */
  constructor(ffmpeg: string, quality: number, sink: _EncoderSink) {
    this.#ffmpeg = ffmpeg;
    this.#crf = Math.min(51, Math.max(0, Math.round(23 + (75 - quality) / 2)));
    this.#sink = sink;
  }

  get ready(): boolean {
    return !this.#closed && this.#pending.length < _IN_FLIGHT;
  }

  /** The running ffmpeg's process id, if any (for tests). */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  submit(frame: VideoFrame, created: number): void {
    const caps = `${frame.format} ${frame.codedWidth}×${frame.codedHeight}`;
    if (caps !== this.#caps || this.#process === undefined) {
      this.#process?.kill();
      this.#caps = caps;
      this.#pending = [];
      this.#process = this.#start(frame);
    }
    const process = this.#process;
    this.#pending.push({ timestamp: frame.timestamp, created });
    process.write(packedFrameData(frame)).catch((error) => this.#failed(process, error));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const process = this.#process;
    this.#process = undefined;
    if (process === undefined) return;
    process.kill();
    await process.wait();
  }

  #start(frame: VideoFrame): FfmpegProcess {
    const { codedWidth: width, codedHeight: height, format } = frame;
    const rgb = format === "RGBA" || format === "BGRA";
    const matrix = frame.colorSpace?.matrix ?? (height >= 720 ? "bt709" : "smpte170m");
    const tag = matrix === "bt709" ? "bt709" : "smpte170m";
    const fullRange = !rgb && frame.colorSpace?.fullRange === true;
    const filters = [];
    if (width % 2 !== 0 || height % 2 !== 0) filters.push("pad=ceil(iw/2)*2:ceil(ih/2)*2");
    if (rgb) {
      filters.push(
        `scale=out_color_matrix=${tag === "bt709" ? "bt709" : "bt601"}:out_range=tv:` +
          "flags=fast_bilinear",
      );
    }
    filters.push("format=yuv420p");
    const gop = frame.duration > 0 ? Math.max(1, Math.round(1e6 / frame.duration)) : 30;
    // deno-fmt-ignore
    const process = new FfmpegProcess(this.#ffmpeg, [
      "-hide_banner", "-nostdin", "-loglevel", "error",
      "-f", "rawvideo", "-pix_fmt", _PIXEL_FORMATS[format], "-s", `${width}x${height}`,
      "-framerate", String(gop), "-i", "pipe:0",
      "-vf", filters.join(","),
      "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-crf", String(this.#crf),
      "-g", String(gop), "-bf", "0",
      "-colorspace", tag, "-color_primaries", tag, "-color_trc", tag,
      "-color_range", fullRange ? "pc" : "tv",
      "-vsync", "passthrough", "-flush_packets", "1", "-f", "flv", "pipe:1",
    ], { stdin: true, stdout: true });
    this.#read(process, width, height);
    return process;
  }

  /** Reads FLV tags: the avcC record, then one picture for each frame sent. */
  async #read(process: FfmpegProcess, width: number, height: number): Promise<void> {
    let description: Uint8Array | undefined;
    try {
      const header = await process.read(13, true);
      while (header !== undefined) {
        const tag = await process.read(11, true);
        if (tag === undefined || tag.length < 11) break;
        const size = (tag[1]! << 16) | (tag[2]! << 8) | tag[3]!;
        const body = await process.read(size + 4); // the tag, then its size again
        if (body === undefined || tag[0] !== 9 || size < 5 || process !== this.#process) continue;
        const packetType = body[1];
        if (packetType === 0) {
          description = body.slice(5, size);
          continue;
        }
        if (packetType !== 1) continue;
        const frame = this.#pending.shift();
        if (frame === undefined) continue;
        const key = body[0]! >> 4 === 1;
        this.#sink.onFrame({
          codec: "h264",
          key,
          width,
          height,
          timestamp: frame.timestamp,
          created: frame.created,
          ...(key && description !== undefined ? { description } : {}),
          data: body.subarray(5, size),
        });
        this.#sink.onReady();
      }
    } catch (error) {
      await this.#failed(process, error);
      return;
    }
    await this.#failed(process, undefined);
  }

  /** Reports ffmpeg's failure, unless it was stopped on purpose. */
  async #failed(process: FfmpegProcess, cause: unknown): Promise<void> {
    if (this.#closed || process !== this.#process) return;
    const error = await process.failure("stopped encoding H.264 for the display", cause);
    if (this.#closed || process !== this.#process) return;
    this.#closed = true;
    this.#sink.onError(error);
  }
}

const _PIXEL_FORMATS = { RGBA: "rgba", BGRA: "bgra", I420: "yuv420p", NV12: "nv12" } as const;
