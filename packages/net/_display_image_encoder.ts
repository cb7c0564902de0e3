/**
 * JPEG and WebP pictures made with Skia (`@napi-rs/canvas`), whose `encode()` runs off the main
 * thread: one frame at a time, on a canvas kept between frames of the same size.
 *
 * @module
 */

import { StreamlibError, type VideoFrame } from "@streamlib/core";
import { convertFrame } from "@streamlib/video";
import type { Canvas, ImageData as SkiaImageData, SKRSContext2D } from "@napi-rs/canvas";
import type { _EncoderSink, _FrameEncoder } from "./_display_encoder.ts";
import type { _EncodedFrame } from "./_display_wire.ts";

type _Skia = typeof import("@napi-rs/canvas");
let _skia: Promise<_Skia> | undefined;

/**
 * Loads `@napi-rs/canvas` once; `SL_DISPLAY_CANVAS` when it cannot (its native library needs
 * ffi, env, sys and read permissions).
 */
export function _loadSkia(): Promise<_Skia> {
  return _skia ??= import("@napi-rs/canvas").catch((error) => {
    _skia = undefined;
    throw new StreamlibError(
      "SL_DISPLAY_CANVAS",
      `Could not load Skia (@napi-rs/canvas) to encode JPEG or WebP: ${
        (error as Error).message
      }. It needs --allow-ffi --allow-env=NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,` +
        "DISABLE_SYSTEM_FONTS_LOAD --allow-sys=homedir --allow-read=/usr/bin/ldd; or use " +
        "codec=h264",
      { cause: error },
    );
  });
}

/** Encodes frames as JPEG or WebP pictures. */
export class _ImageEncoder implements _FrameEncoder {
  readonly #skia: _Skia;
  readonly #codec: "jpeg" | "webp";
  readonly #quality: number;
  readonly #sink: _EncoderSink;
  #canvas: Canvas | undefined;
  #context: SKRSContext2D | undefined;
  #image: SkiaImageData | undefined;
  #busy = false;
  #closed = false;

  /**
   * @param skia The loaded `@napi-rs/canvas` (see {@linkcode _loadSkia}).
   * @param codec `jpeg` or `webp`.
   * @param quality 1 to 100.
   * @param sink Where pictures go.
   */
  constructor(skia: _Skia, codec: "jpeg" | "webp", quality: number, sink: _EncoderSink) {
    this.#skia = skia;
    this.#codec = codec;
    this.#quality = quality;
    this.#sink = sink;
  }

  get ready(): boolean {
    return !this.#busy && !this.#closed;
  }

  submit(frame: VideoFrame, created: number): void {
    this.#busy = true;
    this.#encode(frame, created).then((encoded) => {
      this.#busy = false;
      if (this.#closed) return;
      this.#sink.onFrame(encoded);
      this.#sink.onReady();
    }, (error) => {
      if (this.#closed) return;
      this.#closed = true;
      this.#sink.onError(error);
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  async #encode(frame: VideoFrame, created: number): Promise<_EncodedFrame> {
    const { codedWidth: width, codedHeight: height } = frame;
    if (this.#canvas?.width !== width || this.#canvas.height !== height) {
      this.#canvas = this.#skia.createCanvas(width, height);
      this.#context = this.#canvas.getContext("2d");
      this.#image = new this.#skia.ImageData(width, height);
    }
    _copyRgba(frame, this.#image!.data);
    this.#context!.putImageData(this.#image!, 0, 0);
    const data = await this.#canvas.encode(this.#codec, this.#quality);
    return {
      codec: this.#codec,
      key: true,
      width,
      height,
      timestamp: frame.timestamp,
      created,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  }
}

/** Copies the frame's pixels, as tightly packed RGBA, into `out`. */
function _copyRgba(frame: VideoFrame, out: Uint8ClampedArray): void {
  const rgba = frame.format === "RGBA" ? frame : convertFrame(frame, "RGBA");
  const { codedWidth: width, codedHeight: height, data } = rgba;
  const { offset, stride } = rgba.layout[0]!;
  const row = width * 4;
  if (stride === row) {
    out.set(data.subarray(offset, offset + row * height));
    return;
  }
  for (let y = 0; y < height; y++) {
    out.set(data.subarray(offset + y * stride, offset + y * stride + row), y * row);
  }
}
