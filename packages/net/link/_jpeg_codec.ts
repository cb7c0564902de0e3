/**
 * JPEG on a link, with Skia (`@napi-rs/canvas`) in this process: the sender encodes each frame
 * as the display does (its encode runs off the main thread), the receiver decodes each picture
 * and converts it back to the sender's pixel format. Every picture stands alone, so a lost
 * one costs only itself. Internal to the link code.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createVideoFrame, type Message, StreamlibError, type VideoFrame } from "@streamlib/core";
import { convertFrame } from "@streamlib/video";
import { _ImageEncoder, type _loadSkia } from "../_display_image_encoder.ts";
import type { _EncodedFrame } from "../_display_wire.ts";
import type { _Decoder, _Encoder, _Outgoing } from "./_codecs.ts";
import type { _Delivery } from "./_link_receiver.ts";

type _Skia = Awaited<ReturnType<typeof _loadSkia>>;

/** Encodes video frames as JPEG pictures. */
export class _JpegLinkEncoder implements _Encoder {
  readonly #encoder: _ImageEncoder;
  #waiting:
    | { frame: VideoFrame; resolve: (o: _Outgoing[]) => void; reject: (e: unknown) => void }
    | undefined;

  constructor(skia: _Skia, quality: number) {
    this.#encoder = new _ImageEncoder(skia, "jpeg", quality, {
      onFrame: (picture: _EncodedFrame) => {
        const waiting = this.#waiting;
        this.#waiting = undefined;
        if (waiting === undefined) return;
        const { frame } = waiting;
        const data = picture.data.slice();
        waiting.resolve([(seq) => ({
          type: "video-coded",
          seq,
          message: {
            codec: "jpeg",
            key: true,
            format: frame.format,
            codedWidth: frame.codedWidth,
            codedHeight: frame.codedHeight,
            timestamp: frame.timestamp,
            duration: frame.duration,
            position: frame.position,
            clockId: frame.clockId,
            ...(frame.colorSpace === undefined ? {} : { colorSpace: frame.colorSpace }),
            data,
          },
        })]);
      },
      onReady: () => {},
      onError: (error: unknown) => {
        this.#waiting?.reject(
          new StreamlibError("SL_LINK_CODEC", `JPEG encoding failed: ${error}`),
        );
        this.#waiting = undefined;
      },
    });
  }

  encode(message: Message): Promise<_Outgoing[]> | _Outgoing[] {
    if (message.kind !== "video") return [];
    return new Promise((resolve, reject) => {
      this.#waiting = { frame: message, resolve, reject };
      this.#encoder.submit(message, 0);
    });
  }

  finish(): _Outgoing[] {
    return [];
  }

  close(): Promise<void> {
    this.#waiting?.resolve([]);
    return this.#encoder.close();
  }
}

/** Decodes JPEG pictures into frames of the sender's format. */
export class _JpegLinkDecoder implements _Decoder {
  readonly #skia: _Skia;

  constructor(skia: _Skia) {
    this.#skia = skia;
  }

  async decode(delivery: _Delivery): Promise<Message[]> {
    if (delivery.type !== "video-coded") return [];
    const picture = delivery.message;
    const image = new this.#skia.Image();
    image.src = Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.length);
    // Skia decodes in the background: draw only once it has.
    await image.decode();
    const { codedWidth: width, codedHeight: height } = picture;
    if (image.width !== width || image.height !== height) {
      throw new StreamlibError(
        "SL_LINK_CODEC",
        `A JPEG picture of ${image.width}×${image.height} came for a ${width}×${height} frame`,
      );
    }
    const canvas = this.#skia.createCanvas(width, height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, width, height).data;
    const rgba = createVideoFrame({
      format: "RGBA",
      codedWidth: width,
      codedHeight: height,
      data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length),
      timestamp: picture.timestamp,
      duration: picture.duration,
      position: picture.position,
      clockId: picture.clockId,
    });
    const cs = picture.colorSpace;
    const frame = picture.format === "RGBA" ? rgba : convertFrame(rgba, picture.format, {
      ...(cs?.matrix === undefined ? {} : { matrix: cs.matrix === "bt709" ? "bt709" : "bt601" }),
      ...(cs?.fullRange === undefined ? {} : { fullRange: cs.fullRange }),
    });
    return [frame];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
