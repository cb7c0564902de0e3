import assert from "node:assert/strict";
import { createVideoFrame, type VideoFrame } from "@streamlib/core";
import { blurFrame } from "./blur.ts";
import { _boxesFor } from "./_blur_fast.ts";
import { setSimdMode } from "@streamlib/core";
import { _randomFrame, _strided } from "./_filters_testing.ts";

/** A smooth picture with hard edges: gradients, a disc, bars and fine stripes. */
function natural(width: number, height: number): VideoFrame {
  const frame = createVideoFrame({ format: "RGBA", codedWidth: width, codedHeight: height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const disc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2;
      const bar = Math.floor((8 * x) / width);
      frame.data[p] = disc ? 240 : (255 * x) / width;
      frame.data[p + 1] = y > (2 * height) / 3 ? (bar & 1 ? 235 : 16) : (255 * y) / height;
      frame.data[p + 2] = x > (3 * width) / 4
        ? ((x >> 1) & 1 ? 255 : 0)
        : 128 + 100 * Math.sin(x / 9);
      frame.data[p + 3] = disc ? 128 : 255;
    }
  }
  return frame;
}

Deno.test("blurFrame() fast gives the same samples with its SIMD kernels as in TypeScript", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    for (const [w, h] of [[1, 1], [3, 2], [17, 9], [37, 35], [64, 5]] as const) {
      for (const sigma of [3, 4, 7.5, 20, 63]) {
        const packed = _randomFrame(format, w, h, w * 7 + h);
        for (const frame of [packed, _strided(packed, 5)]) {
          try {
            setSimdMode("off");
            const expected = blurFrame(frame, { sigma, method: "fast" });
            setSimdMode("standard");
            const standard = blurFrame(frame, { sigma, method: "fast" });
            setSimdMode("auto");
            const got = blurFrame(frame, { sigma, method: "fast" });
            assert.deepEqual(got.data, expected.data, `${format} ${w}×${h} σ ${sigma}`);
            assert.deepEqual(standard.data, expected.data, `${format} ${w}×${h} σ ${sigma}`);
          } finally {
            setSimdMode("auto");
          }
        }
      }
    }
  }
});

Deno.test("blurFrame() fast stays within 5 of the exact Gaussian on noise and on a natural picture", () => {
  const pictures = [
    ["noise", _randomFrame("RGBA", 201, 157, 11)],
    ["natural", natural(201, 157)],
  ] as const;
  for (const [name, frame] of pictures) {
    for (const sigma of [3, 4, 8, 16]) {
      const fast = blurFrame(frame, { sigma, method: "fast" }).data;
      const exact = blurFrame(frame, { sigma, method: "exact" }).data;
      const worst = [0, 0, 0, 0];
      const total = [0, 0, 0, 0];
      fast.forEach((v, i) => {
        const d = Math.abs(v - exact[i]!);
        worst[i & 3] = Math.max(worst[i & 3]!, d);
        total[i & 3]! += d;
      });
      for (let c = 0; c < 4; c++) {
        const mean = total[c]! / (fast.length / 4);
        assert.ok(worst[c]! <= 5, `${name} σ ${sigma} channel ${c}: off by ${worst[c]}`);
        // Mean error: under 0.6 of a level, under 1.5 where the blur spans a good part of
        // the picture (σ 16 on 201 × 157), edges weighing more.
        assert.ok(mean < (sigma < 16 ? 0.6 : 1.5), `${name} σ ${sigma} channel ${c}: mean ${mean}`);
      }
    }
  }
});

Deno.test("blurFrame() fast keeps a flat colour, and auto takes it from sigma 3", () => {
  const flat = createVideoFrame({ format: "RGBA", codedWidth: 19, codedHeight: 7 });
  for (const value of [0, 1, 128, 254, 255]) {
    flat.data.fill(value);
    for (const sigma of [1.5, 4, 11, 36]) {
      const out = blurFrame(flat, { sigma, method: "fast" }).data;
      assert.ok(out.every((v) => v === value), `${value} σ ${sigma}`);
    }
  }
  const frame = _randomFrame("I420", 31, 17, 5);
  for (const sigma of [1, 2.9]) {
    assert.deepEqual(
      blurFrame(frame, { sigma }).data,
      blurFrame(frame, { sigma, method: "exact" }).data,
    );
  }
  for (const sigma of [3, 6]) {
    assert.deepEqual(
      blurFrame(frame, { sigma }).data,
      blurFrame(frame, { sigma, method: "fast" }).data,
    );
  }
});

Deno.test("_boxesFor() picks three boxes whose variances add up to about sigma squared", () => {
  assert.equal(_boxesFor(1.4), undefined);
  assert.equal(_boxesFor(64), undefined);
  assert.ok(_boxesFor(63) !== undefined);
  assert.deepEqual(_boxesFor(4)?.radii, [3, 3, 4]);
  for (const sigma of [1.5, 2, 3, 4, 5.5, 8, 16, 30, 36, 63]) {
    const boxes = _boxesFor(sigma)!;
    const variance = boxes.radii.reduce((v, r) => v + ((2 * r + 1) ** 2 - 1) / 12, 0);
    assert.ok(Math.abs(variance - sigma * sigma) <= 2 * sigma + 1, `σ ${sigma}: ${variance}`);
    const widest = 2 * Math.max(...boxes.radii) + 1;
    assert.ok((255 * 2 ** boxes.shift + 2) * widest <= 32767, `σ ${sigma}: sums fit 16 bits`);
  }
});
