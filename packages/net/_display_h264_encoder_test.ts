import assert from "node:assert/strict";
import { createVideoFrame, type VideoFrame, type VideoPixelFormat } from "@streamlib/core";
import { findFfmpeg } from "@streamlib/ffmpeg";
import { convertFrame } from "@streamlib/video";
import { ffmpegChildren } from "../ffmpeg/_testing.ts";
import { _H264Encoder } from "./_display_h264_encoder.ts";
import type { _EncodedFrame } from "./_display_wire.ts";
import { until } from "./_display_testing.ts";

function frame(n: number, width: number, height: number, format: VideoPixelFormat): VideoFrame {
  const rgba = createVideoFrame({
    format: "RGBA",
    codedWidth: width,
    codedHeight: height,
    timestamp: n * 33_333,
    duration: 33_333,
    position: n,
  });
  for (let i = 0; i < rgba.data.length; i += 4) {
    rgba.data[i] = (i / 4 + n * 3) % 256;
    rgba.data[i + 1] = 90;
    rgba.data[i + 2] = 200;
    rgba.data[i + 3] = 255;
  }
  return convertFrame(rgba, format);
}

/** Encodes `count` frames, each as soon as the encoder is ready; returns the pictures. */
async function encode(
  count: number,
  width: number,
  height: number,
  format: VideoPixelFormat,
): Promise<_EncodedFrame[]> {
  const out: _EncodedFrame[] = [];
  let failure: unknown;
  const encoder = new _H264Encoder((await findFfmpeg()).path, 75, {
    onFrame: (f) => out.push(f),
    onReady: () => {},
    onError: (error) => failure = error,
  });
  try {
    for (let n = 0; n < count; n++) {
      await until(() => encoder.ready || failure !== undefined, "the encoder to be ready");
      if (failure !== undefined) throw failure;
      encoder.submit(frame(n, width, height, format), 1000 + n);
    }
    await until(() => out.length === count || failure !== undefined, "every picture");
    if (failure !== undefined) throw failure;
  } finally {
    await encoder.close();
  }
  return out;
}

Deno.test("_H264Encoder makes one picture per frame, in order, keyframes with avcC every second", async () => {
  const pictures = await encode(35, 64, 48, "RGBA");
  assert.deepEqual(pictures.map((p) => p.timestamp), pictures.map((_, n) => n * 33_333));
  assert.deepEqual(pictures.map((p) => p.created), pictures.map((_, n) => 1000 + n));
  assert.deepEqual(pictures.flatMap((p, n) => p.key ? [n] : []), [0, 30]);
  for (const p of pictures) {
    assert.equal(p.codec, "h264");
    assert.equal(p.width, 64);
    assert.equal(p.height, 48);
    assert.equal(p.description !== undefined, p.key);
  }
  const avcC = pictures[0]!.description!;
  assert.equal(avcC[0], 1, "avcC version 1");
  assert.equal(avcC[4]! & 3, 3, "4-byte NAL lengths");
  // The picture is length-prefixed NAL units filling it exactly.
  const data = pictures[1]!.data;
  let at = 0;
  while (at < data.length) at += 4 + new DataView(data.buffer, data.byteOffset + at).getUint32(0);
  assert.equal(at, data.length);
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("_H264Encoder takes I420 and NV12 frames of odd sizes", async () => {
  for (const format of ["I420", "NV12"] as const) {
    const pictures = await encode(3, 63, 47, format);
    assert.equal(pictures.length, 3);
    assert.equal(pictures[0]!.width, 63);
    assert.ok(pictures[0]!.key);
  }
  assert.deepEqual(ffmpegChildren(), []);
});
