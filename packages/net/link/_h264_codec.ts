/**
 * H.264 on a link. The sender encodes with the display's encoder (ffmpeg, libx264
 * `ultrafast`/`zerolatency`, no B-frames, a key frame every second and after each
 * reconnection), one picture out for each frame in. The receiver feeds the pictures to an
 * ffmpeg that decodes them, as an FLV stream on its stdin (each tag framed with its length, so
 * a picture is complete as it arrives), to raw frames in the sender's pixel format and size on
 * its stdout, single-threaded with `low_delay`. The output side runs on one thread too: ffmpeg's
 * rawvideo encoder is frame-threaded, and with its default thread count it held each frame
 * until the next one came (a frame's delay, 33 ms at 30 fps). Frames come out in the
 * background, as ffmpeg yields them. A new codec description (avcC) starts a new decoder.
 * Internal to the link code.
 *
 * @module
 */

import {
  createVideoFrame,
  type Message,
  StreamlibError,
  type VideoFrame,
  videoFrameLayout,
  type VideoPixelFormat,
} from "@streamlib/core";
import { FfmpegProcess } from "@streamlib/ffmpeg";
import { _H264Encoder } from "../_display_h264_encoder.ts";
import type { _EncodedFrame } from "../_display_wire.ts";
import type { _Decoder, _Encoder, _Outgoing } from "./_codecs.ts";
import type { _Delivery } from "./_link_receiver.ts";

const _PIX_FMT: Record<VideoPixelFormat, string> = {
  RGBA: "rgba",
  BGRA: "bgra",
  I420: "yuv420p",
  NV12: "nv12",
};

/** Encodes video frames as H.264 pictures; other messages go raw. */
export class _H264LinkEncoder implements _Encoder {
  readonly #encoder: _H264Encoder;
  #pending = new Map<number, { frame: VideoFrame; resolve: (o: _Outgoing[]) => void }>();
  #count = 0;
  #error: StreamlibError | undefined;

  constructor(ffmpeg: string, quality: number) {
    this.#encoder = new _H264Encoder(ffmpeg, quality, {
      onFrame: (picture: _EncodedFrame) => this.#picture(picture),
      onReady: () => {},
      onError: (error: unknown) => {
        this.#error = error instanceof StreamlibError
          ? error
          : new StreamlibError("SL_LINK_CODEC", `H.264 encoding failed: ${error}`);
        for (const { resolve } of this.#pending.values()) resolve([]);
        this.#pending.clear();
      },
    });
  }

  encode(message: Message): Promise<_Outgoing[]> | _Outgoing[] {
    if (message.kind !== "video") return [];
    if (this.#error) throw this.#error;
    const id = ++this.#count;
    return new Promise((resolve) => {
      this.#pending.set(id, { frame: message, resolve });
      this.#encoder.submit(message, id);
    });
  }

  #picture(picture: _EncodedFrame): void {
    const entry = this.#pending.get(picture.created);
    if (entry === undefined) return;
    this.#pending.delete(picture.created);
    const { frame } = entry;
    const data = picture.data.slice();
    const description = picture.description?.slice();
    entry.resolve([(seq) => ({
      type: "video-coded",
      seq,
      message: {
        codec: "h264",
        key: picture.key,
        format: frame.format,
        codedWidth: frame.codedWidth,
        codedHeight: frame.codedHeight,
        timestamp: frame.timestamp,
        duration: frame.duration,
        position: frame.position,
        clockId: frame.clockId,
        ...(frame.colorSpace === undefined ? {} : { colorSpace: frame.colorSpace }),
        ...(description === undefined ? {} : { description }),
        data,
      },
    })]);
  }

  finish(): _Outgoing[] {
    return [];
  }

  async close(): Promise<void> {
    for (const { resolve } of this.#pending.values()) resolve([]);
    this.#pending.clear();
    await this.#encoder.close();
  }
}

type _Picture = Extract<_Delivery, { type: "video-coded" }>["message"];

/**
 * Decodes H.264 pictures back into frames of the sender's format and size. Frames come out
 * through `output` as ffmpeg yields them (its stdout read in the background, each paired with its picture's timing, in order:
 * there are no B-frames); `finish()` ends the input and waits for the last ones.
 */
export class _H264LinkDecoder implements _Decoder {
  readonly #ffmpeg: string;
  #process: FfmpegProcess | undefined;
  #reading: Promise<void> = Promise.resolve();
  #description = "";
  #caps = "";
  #timing: _Picture[] = [];
  #chain: Promise<unknown> = Promise.resolve();
  output: (message: Message) => Promise<void> | void = () => {};

  constructor(ffmpeg: string) {
    this.#ffmpeg = ffmpeg;
  }

  decode(delivery: _Delivery): Promise<Message[]> {
    if (delivery.type !== "video-coded") return Promise.resolve([]);
    const picture = delivery.message;
    const result = this.#chain.then(() => this.#decode(picture));
    this.#chain = result.catch(() => {});
    return result;
  }

  async #decode(picture: _Picture): Promise<Message[]> {
    const caps = `${picture.format} ${picture.codedWidth}x${picture.codedHeight}`;
    const description = picture.description === undefined
      ? undefined
      : Array.from(picture.description).join(",");
    if (description !== undefined && (description !== this.#description || caps !== this.#caps)) {
      await this.#end(false);
      this.#start(picture, picture.description!);
      this.#description = description;
      this.#caps = caps;
    }
    const process = this.#process;
    if (process === undefined) return []; // no key frame with a description yet: wait for one
    this.#timing.push({ ...picture, data: new Uint8Array(0) });
    await process.write(_flvTag(1, picture.key, picture.data));
    return [];
  }

  /** Ends the input and waits for the frames still in ffmpeg. */
  finish(): Promise<Message[]> {
    const result = this.#chain.then(() => this.#end(true)).then(() => []);
    this.#chain = result.catch(() => {});
    return result;
  }

  #start(first: _Picture, description: Uint8Array): void {
    const { format, codedWidth: width, codedHeight: height } = first;
    const rgb = format === "RGBA" || format === "BGRA";
    const matrix = height >= 720 ? "bt709" : "bt601";
    const filters = [`crop=${width}:${height}:0:0`];
    if (rgb) filters.push(`scale=in_color_matrix=${matrix}:in_range=tv:flags=fast_bilinear`);
    filters.push(`format=${_PIX_FMT[format]}`);
    // deno-fmt-ignore
    const process = new FfmpegProcess(this.#ffmpeg, [
      "-hide_banner", "-nostdin", "-loglevel", "error",
      "-probesize", "32", "-analyzeduration", "0", "-flags", "low_delay",
      "-threads", "1", "-f", "flv", "-i", "pipe:0",
      "-vf", filters.join(","),
      // The rawvideo encoder is frame-threaded: with more than one thread it holds a frame.
      "-threads", "1", "-f", "rawvideo", "-vsync", "passthrough",
      "-flush_packets", "1", "pipe:1",
    ], { stdin: true, stdout: true });
    this.#process = process;
    this.#timing = [];
    // FLV header (video only), then the sequence header: AVCPacketType 0 with the avcC.
    process.write(new Uint8Array([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0])).catch(() => {});
    process.write(_flvTag(0, true, description)).catch(() => {});
    this.#reading = this.#read(process, videoFrameLayout(format, width, height).byteLength);
  }

  async #read(process: FfmpegProcess, size: number): Promise<void> {
    for (;;) {
      const data = await process.read(size).catch(() => undefined);
      if (data === undefined || data.length < size || process !== this.#process) return;
      const picture = this.#timing.shift();
      if (picture === undefined) continue;
      await this.output(createVideoFrame({
        format: picture.format,
        codedWidth: picture.codedWidth,
        codedHeight: picture.codedHeight,
        data,
        timestamp: picture.timestamp,
        duration: picture.duration,
        position: picture.position,
        clockId: picture.clockId,
        ...(picture.colorSpace === undefined ? {} : { colorSpace: picture.colorSpace }),
      }));
    }
  }

  /** Stops the running ffmpeg: after its last frames (`drain`), or at once. */
  async #end(drain: boolean): Promise<void> {
    const process = this.#process;
    if (process === undefined) return;
    if (drain) {
      await process.closeInput().catch(() => {});
      await this.#reading;
      await process.waitOrKill(2_000).catch(() => {});
    }
    this.#process = undefined;
    this.#description = "";
    process.kill();
    await process.wait().catch(() => {});
    await this.#reading;
  }

  close(): Promise<void> {
    return this.#end(false);
  }
}

let _tagTime = 0;

/** One FLV video tag with an AVC packet (type 0: sequence header, 1: NAL units). */
function _flvTag(packetType: 0 | 1, key: boolean, body: Uint8Array): Uint8Array {
  const size = 5 + body.length;
  const tag = new Uint8Array(11 + size + 4);
  const view = new DataView(tag.buffer);
  tag[0] = 9; // video
  tag[1] = (size >> 16) & 0xff;
  tag[2] = (size >> 8) & 0xff;
  tag[3] = size & 0xff;
  // Timestamps only need to grow: the decoder's output keeps its own order.
  const t = packetType === 0 ? 0 : (_tagTime = (_tagTime + 1) & 0x7fffffff);
  tag[4] = (t >> 16) & 0xff;
  tag[5] = (t >> 8) & 0xff;
  tag[6] = t & 0xff;
  tag[7] = (t >> 24) & 0xff;
  tag[11] = (key ? 0x10 : 0x20) | 7; // frame type, codec 7 (AVC)
  tag[12] = packetType;
  tag.set(body, 16);
  view.setUint32(11 + size, 11 + size);
  return tag;
}
