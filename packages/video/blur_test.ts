import assert from "node:assert/strict";
import { createVideoFrame, isStreamlibError, type VideoFrame } from "@streamlib/core";
import { Blur, blurFrame } from "./blur.ts";
import {
  _packedWithTiming,
  _planeBytes,
  _randomFrame,
  _runFilter,
  _strided,
} from "./_filters_testing.ts";

interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
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

/** Reference 2-D filter: a weighted sum over the (2R+1)² neighbourhood, edges clamped. */
function refFilter(p: Plane, weights: number[]): Float64Array {
  const R = (weights.length - 1) / 2;
  const out = new Float64Array(p.width * p.height * p.channels);
  const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      for (let c = 0; c < p.channels; c++) {
        let sum = 0;
        for (let j = -R; j <= R; j++) {
          for (let i = -R; i <= R; i++) {
            const sx = clamp(x + i, p.width), sy = clamp(y + j, p.height);
            sum += weights[i + R]! * weights[j + R]! *
              p.data[(sy * p.width + sx) * p.channels + c]!;
          }
        }
        out[(y * p.width + x) * p.channels + c] = sum;
      }
    }
  }
  return out;
}

const ones = (r: number) => Array.from({ length: 2 * r + 1 }, () => 1);

function gaussian(sigma: number): number[] {
  const R = Math.max(1, Math.ceil(3 * sigma));
  const w = Array.from(
    { length: 2 * R + 1 },
    (_, k) => Math.exp(-((k - R) ** 2) / (2 * sigma ** 2)),
  );
  const total = w.reduce((a, b) => a + b);
  return w.map((v) => v / total);
}

Deno.test("blurFrame() box gives exactly the rounded mean of the clamped square, in every format", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    for (const radius of [1, 2, 3, 12]) {
      const frame = _randomFrame(format, 11, 8, radius);
      const out = blurFrame(frame, { mode: "box", radius });
      assert.equal(_packedWithTiming(out, frame), undefined);
      const got = planesOf(out);
      planesOf(frame).forEach((p, i) => {
        const r = i === 0 ? radius : Math.round(radius / 2);
        const sums = refFilter(p, ones(r));
        const means = Array.from(sums, (sum) => Math.round(sum / (2 * r + 1) ** 2));
        assert.deepEqual([...got[i]!.data], means, `${format} r=${radius} plane ${i}`);
      });
    }
  }
});

Deno.test("blurFrame() exact gaussian matches a direct 2-D convolution within 1", () => {
  for (const format of ["RGBA", "I420", "NV12"] as const) {
    for (const sigma of [0.5, 1.3, 3]) {
      const frame = _randomFrame(format, 13, 9, 3);
      const got = planesOf(blurFrame(frame, { sigma, method: "exact" }));
      planesOf(frame).forEach((p, i) => {
        const expected = refFilter(p, gaussian(i === 0 ? sigma : sigma / 2));
        got[i]!.data.forEach((v, k) => {
          assert.ok(Math.abs(v - expected[k]!) <= 1, `${format} σ=${sigma} plane ${i} at ${k}`);
        });
      });
    }
  }
});

Deno.test("blurFrame() keeps a flat colour and blurs a single bright pixel symmetrically", () => {
  const flat = createVideoFrame({ format: "RGBA", codedWidth: 9, codedHeight: 7 });
  flat.data.fill(123);
  assert.ok(blurFrame(flat, { sigma: 2.5 }).data.every((v) => v === 123));
  assert.ok(blurFrame(flat, { mode: "box", radius: 4 }).data.every((v) => v === 123));
  const dot = createVideoFrame({ format: "I420", codedWidth: 9, codedHeight: 9 });
  dot.data[4 * 9 + 4] = 255;
  const y = blurFrame(dot, { sigma: 1 }).data;
  for (const [a, b] of [[3, 5], [4 * 9 + 3, 4 * 9 + 5], [3 * 9 + 4, 5 * 9 + 4], [0, 80]]) {
    assert.equal(y[a!], y[b!]);
  }
  assert.ok(y[40]! > y[41]! && y[41]! > y[42]!);
});

Deno.test("blurFrame() returns the frame itself for radius or sigma 0 and reads strided layouts", () => {
  const frame = _randomFrame("NV12", 7, 5);
  assert.equal(blurFrame(frame, { mode: "box", radius: 0 }), frame);
  assert.equal(blurFrame(frame, { sigma: 0 }), frame);
  const before = frame.data.slice();
  for (const format of ["RGBA", "I420", "NV12"] as const) {
    const packed = _randomFrame(format, 7, 5, 2);
    for (const o of [{ sigma: 1.5 }, { mode: "box" as const, radius: 2 }]) {
      assert.deepEqual(blurFrame(_strided(packed), o).data, blurFrame(packed, o).data);
    }
  }
  assert.deepEqual(frame.data, before);
});

Deno.test("blurFrame() rejects unknown modes and methods, and radii or sigmas out of range", () => {
  const frame = _randomFrame("RGBA", 2, 2);
  const bad = [
    { mode: "motion" as "box" },
    { mode: "box" as const, radius: 1.5 },
    { mode: "box" as const, radius: -1 },
    { sigma: -1 },
    { sigma: 1000 },
    { method: "iir" as "fast" },
  ];
  for (const o of bad) {
    assert.throws(() => blurFrame(frame, o), (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  }
});

Deno.test("Blur blurs each frame with its current mode and strength", async () => {
  const frames = [_randomFrame("RGBA", 8, 6, 1), _randomFrame("I420", 8, 6, 2)];
  const blur = new Blur({ sigma: 1.5 });
  const out = await _runFilter(blur, frames, (n) => {
    if (n === 1) blur.setParams({ mode: "box", radius: 3 });
  });
  assert.deepEqual(out[0]!.data, blurFrame(frames[0]!, { sigma: 1.5 }).data);
  assert.deepEqual(out[1]!.data, blurFrame(frames[1]!, { mode: "box", radius: 3 }).data);
});
