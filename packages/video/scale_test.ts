import assert from "node:assert/strict";
import { createVideoFrame, isStreamlibError, type VideoFrame } from "@streamlib/core";
import { scaleFrame, VideoScale } from "./scale.ts";
import {
  _packedWithTiming,
  _planeBytes,
  _randomFrame,
  _runFilter,
  _strided,
} from "./_filters_testing.ts";

/** A plane as the reference scalers see it: samples of `channels` interleaved, row after row. */
interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Reference bilinear resampling, pixel by pixel, centres aligned, edges clamped. */
function refBilinear(src: Plane, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height * src.channels);
  const at = (x: number, y: number, c: number) => src.data[(y * src.width + x) * src.channels + c]!;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * src.height / height - 0.5, 0), src.height - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, src.height - 1), fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * src.width / width - 0.5, 0), src.width - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, src.width - 1), fx = sx - x0;
      for (let c = 0; c < src.channels; c++) {
        const top = at(x0, y0, c) * (1 - fx) + at(x1, y0, c) * fx;
        const bottom = at(x0, y1, c) * (1 - fx) + at(x1, y1, c) * fx;
        out[(y * width + x) * src.channels + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** Reference area averaging: every source pixel weighted by how much of it the output covers. */
function refArea(src: Plane, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height * src.channels);
  const rx = src.width / width, ry = src.height / height;
  const overlap = (a0: number, a1: number, j: number) =>
    Math.max(0, Math.min(a1, j + 1) - Math.max(a0, j));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < src.channels; c++) {
        let sum = 0;
        for (let sy = 0; sy < src.height; sy++) {
          const wy = overlap(y * ry, (y + 1) * ry, sy);
          if (wy === 0) continue;
          for (let sx = 0; sx < src.width; sx++) {
            const wx = overlap(x * rx, (x + 1) * rx, sx);
            sum += wx * wy * src.data[(sy * src.width + sx) * src.channels + c]!;
          }
        }
        out[(y * width + x) * src.channels + c] = sum / (rx * ry);
      }
    }
  }
  return out;
}

function planesOf(frame: VideoFrame): Plane[] {
  const w = frame.codedWidth, h = frame.codedHeight;
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const shapes = frame.format === "RGBA" || frame.format === "BGRA"
    ? [[w, h, 4]]
    : frame.format === "I420"
    ? [[w, h, 1], [cw, ch, 1], [cw, ch, 1]]
    : [[w, h, 1], [cw, ch, 2]];
  const bytes = _planeBytes(frame);
  return shapes.map(([width, height, channels], i) => ({
    data: bytes[i]!,
    width: width!,
    height: height!,
    channels: channels!,
  }));
}

function assertClose(got: Uint8Array, expected: Float64Array, what: string): void {
  assert.equal(got.length, expected.length, what);
  for (let i = 0; i < got.length; i++) {
    assert.ok(
      Math.abs(got[i]! - expected[i]!) <= 1,
      `${what}: ${got[i]} vs ${expected[i]} at ${i}`,
    );
  }
}

/** Scales `frame` and compares each plane with the reference `ref`. */
function check(
  frame: VideoFrame,
  width: number,
  height: number,
  method: "bilinear" | "area",
  ref: (p: Plane, w: number, h: number) => Float64Array,
): VideoFrame {
  const out = scaleFrame(frame, width, height, method);
  assert.equal(_packedWithTiming(out, frame), undefined);
  const got = planesOf(out);
  planesOf(frame).forEach((p, i) => {
    const target = got[i]!;
    assertClose(target.data, ref(p, target.width, target.height), `${frame.format} plane ${i}`);
  });
  return out;
}

Deno.test("scaleFrame() bilinear matches a pixel-by-pixel reference in every format", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const frame = _randomFrame(format, 13, 9, 2);
    check(frame, 29, 21, "bilinear", refBilinear);
    check(frame, 7, 5, "bilinear", refBilinear);
    check(frame, 20, 4, "bilinear", refBilinear);
  }
});

Deno.test("scaleFrame() area averaging matches a pixel-by-pixel reference in every format", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const frame = _randomFrame(format, 23, 17, 3);
    check(frame, 10, 6, "area", refArea);
    check(frame, 7, 5, "area", refArea);
    check(frame, 30, 20, "area", refArea);
  }
});

Deno.test("scaleFrame() halving with area gives the rounded mean of each 2×2 block", () => {
  const frame = createVideoFrame({
    format: "I420",
    codedWidth: 4,
    codedHeight: 2,
    data: Uint8Array.of(0, 10, 100, 101, 20, 31, 200, 200, 1, 2, 3, 4),
  });
  const half = scaleFrame(frame, 2, 1);
  assert.deepEqual([...half.data.subarray(0, 2)], [15, 150]);
});

Deno.test("scaleFrame() auto averages areas when shrinking both ways and interpolates otherwise", () => {
  const frame = _randomFrame("RGBA", 16, 12, 4);
  assert.deepEqual(scaleFrame(frame, 5, 5).data, scaleFrame(frame, 5, 5, "area").data);
  assert.deepEqual(scaleFrame(frame, 5, 20).data, scaleFrame(frame, 5, 20, "bilinear").data);
  assert.deepEqual(scaleFrame(frame, 32, 24).data, scaleFrame(frame, 32, 24, "bilinear").data);
  assert.notDeepEqual(scaleFrame(frame, 5, 5, "bilinear").data, scaleFrame(frame, 5, 5).data);
});

Deno.test("scaleFrame() keeps a flat colour exactly, at any size and with either method", () => {
  for (const method of ["bilinear", "area"] as const) {
    for (const [w, h] of [[1, 1], [3, 97], [200, 2], [641, 479]]) {
      const frame = createVideoFrame({ format: "NV12", codedWidth: 33, codedHeight: 21 });
      frame.data.fill(77);
      assert.ok(scaleFrame(frame, w!, h!, method).data.every((v) => v === 77), `${w}×${h}`);
    }
  }
});

Deno.test("scaleFrame() reads strided layouts, and returns packed frames of the same size as they are", () => {
  for (const format of ["RGBA", "I420", "NV12"] as const) {
    const packed = _randomFrame(format, 11, 7, 5);
    const strided = _strided(packed);
    assert.deepEqual(scaleFrame(strided, 6, 9).data, scaleFrame(packed, 6, 9).data);
    assert.equal(scaleFrame(packed, 11, 7), packed);
    const copy = scaleFrame(strided, 11, 7);
    assert.deepEqual(copy.data, packed.data);
    assert.equal(_packedWithTiming(copy, strided), undefined);
  }
});

Deno.test("scaleFrame() keeps the colour space and never modifies its input", () => {
  const frame = createVideoFrame({
    format: "I420",
    codedWidth: 8,
    codedHeight: 8,
    colorSpace: { matrix: "bt709", fullRange: true },
  });
  frame.data.set(_randomFrame("I420", 8, 8).data);
  const before = frame.data.slice();
  assert.deepEqual(scaleFrame(frame, 3, 3).colorSpace, { matrix: "bt709", fullRange: true });
  assert.deepEqual(frame.data, before);
});

Deno.test("scaleFrame() rejects sizes that are not positive integers with SL_PARAM_INVALID", () => {
  const frame = _randomFrame("RGBA", 4, 4);
  for (const [w, h] of [[0, 4], [4, -1], [2.5, 4]]) {
    assert.throws(() => scaleFrame(frame, w!, h!), (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  }
});

Deno.test("VideoScale scales to its size, follows the aspect ratio for a 0 and passes through for 0×0", async () => {
  const frames = [_randomFrame("RGBA", 64, 48), _randomFrame("I420", 32, 18)];
  const sizes = (out: VideoFrame[]) =>
    out.map((f) => `${f.format} ${f.codedWidth}×${f.codedHeight}`);
  assert.deepEqual(sizes(await _runFilter(new VideoScale({ width: 16, height: 16 }), frames)), [
    "RGBA 16×16",
    "I420 16×16",
  ]);
  assert.deepEqual(sizes(await _runFilter(new VideoScale({ width: 16 }), frames)), [
    "RGBA 16×12",
    "I420 16×9",
  ]);
  assert.deepEqual(sizes(await _runFilter(new VideoScale({ height: 24 }), frames)), [
    "RGBA 32×24",
    "I420 43×24",
  ]);
  const same = await _runFilter(new VideoScale(), frames);
  assert.equal(same[0], frames[0]);
  const area = await _runFilter(
    new VideoScale({ width: 8, height: 6, method: "bilinear" }),
    frames,
  );
  assert.deepEqual(area[0]!.data, scaleFrame(frames[0]!, 8, 6, "bilinear").data);
});
