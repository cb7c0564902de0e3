import assert from "node:assert/strict";
import { _Blender, type _BlendLayer } from "./_blend.ts";

type Pixel = [number, number, number, number];

/**
 * The compositing arithmetic, one pixel at a time in float64, rounded to bytes after each layer:
 * α = srcA / 255 × opacity; over an opaque background out = dst + (src − dst) × α (alpha stays
 * 255), else Porter-Duff over of straight colours.
 */
function reference(
  width: number,
  height: number,
  background: Pixel,
  layers: readonly _BlendLayer[],
): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  const opaque = background[3] === 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = [...background];
      for (const layer of layers) {
        const lx = x - layer.x;
        const ly = y - layer.y;
        if (lx < 0 || ly < 0 || lx >= layer.width || ly >= layer.height) continue;
        const at = layer.offset + ly * layer.stride + lx * 4;
        const s = [...layer.data.subarray(at, at + 4)];
        if (layer.swap) [s[0], s[2]] = [s[2]!, s[0]!];
        const a = s[3]! / 255 * layer.opacity;
        if (opaque) {
          for (let c = 0; c < 3; c++) d[c] = Math.round(d[c]! + (s[c]! - d[c]!) * a);
          continue;
        }
        const wd = d[3]! / 255 * (1 - a);
        const oa = a + wd;
        for (let c = 0; c < 3; c++) {
          d[c] = oa === 0 ? 0 : Math.round((s[c]! * a + d[c]! * wd) / oa);
        }
        d[3] = Math.round(oa * 255);
      }
      out.set(d, (y * width + x) * 4);
    }
  }
  return out;
}

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** A layer of random pixels, placement, padding and opacity. */
function randomLayer(rand: () => number, width: number, height: number): _BlendLayer {
  const int = (n: number): number => Math.floor(rand() * n);
  const w = 1 + int(width);
  const h = 1 + int(height);
  const stride = w * 4 + int(3) * 4 + int(2);
  const offset = int(9);
  const data = new Uint8Array(offset + stride * h + 8);
  for (let i = 0; i < data.length; i++) data[i] = int(256);
  // Alpha: all opaque, all transparent, or a mix with runs of both.
  const alphaKind = int(4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const at = offset + y * stride + x * 4 + 3;
      if (alphaKind === 0) data[at] = 255;
      else if (alphaKind === 1) data[at] = x % 9 < 4 ? 0 : data[at]!;
      else if (alphaKind === 2) data[at] = x % 7 < 3 ? 255 : x % 7 === 3 ? 0 : data[at]!;
    }
  }
  const opacity = [0, 1, rand()][int(3)]!;
  return {
    data,
    offset,
    stride,
    width: w,
    height: h,
    x: int(width + 20) - 15,
    y: int(height + 20) - 15,
    opacity,
    swap: rand() < 0.3,
  };
}

/** The largest difference of a channel; the colour of pixels transparent in both is moot. */
function maxDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i + 3] === 0 && b[i + 3] === 0) continue;
    for (let c = i; c < i + 4; c++) max = Math.max(max, Math.abs(a[c]! - b[c]!));
  }
  return max;
}

const relaxed = new _Blender();
const standard = new _Blender("standard");

Deno.test("_Blender.blend() matches the per-pixel reference within ±1 for random layers", () => {
  const rand = random(7);
  for (let trial = 0; trial < 60; trial++) {
    const width = 1 + Math.floor(rand() * 40);
    const height = 1 + Math.floor(rand() * 30);
    const layers = Array.from(
      { length: Math.floor(rand() * 5) },
      () => randomLayer(rand, width, height),
    );
    const background: Pixel = trial % 3 === 0
      ? [0, 0, 0, 0]
      : trial % 3 === 1
      ? [20, 200, 90, 255]
      : [200, 10, 60, 100];
    const expected = reference(width, height, background, layers);
    const out = new Uint8Array(width * height * 4);
    relaxed.blend(out, width, height, background, layers);
    assert.ok(
      maxDifference(out, expected) <= 1,
      `trial ${trial}: ${width}×${height}, background ${background}, ${layers.length} layers`,
    );
    const again = new Uint8Array(width * height * 4);
    standard.blend(again, width, height, background, layers);
    assert.deepEqual(again, out);
  }
});

Deno.test("_Blender.blend() works band by band over a tall, wide output", () => {
  // 2000 px rows: a band holds 16 rows, so 70 rows take five bands.
  const rand = random(11);
  const width = 2000;
  const height = 70;
  const layers = [
    randomLayer(rand, width, height),
    { ...randomLayer(rand, 300, 60), x: 1700, y: 5, opacity: 0.6 },
    { ...randomLayer(rand, 2100, 80), x: -40, y: -3, opacity: 0.3 },
  ];
  // A bottom layer that covers whole bands at opacity 1 is copied in, background under it.
  const base = (alpha: boolean, swap: boolean, pad: number): _BlendLayer => {
    const stride = 2010 * 4 + pad;
    const data = new Uint8Array(stride * 60);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 255;
    if (!alpha) { for (let i = 3; i < data.length; i += 4) data[i] = 255; }
    return { data, offset: 0, stride, width: 2010, height: 60, x: -5, y: 3, opacity: 1, swap };
  };
  const stacks = [
    layers,
    [base(true, false, 0), ...layers.slice(1)],
    [base(false, true, 12), layers[1]!],
    [base(true, true, 4)],
    [{ ...base(true, false, 8), opacity: 0.4 }, layers[2]!],
  ];
  for (const stack of stacks) {
    for (const background of [[0, 0, 0, 255], [0, 0, 0, 0], [9, 99, 199, 255]] as Pixel[]) {
      const out = new Uint8Array(width * height * 4);
      relaxed.blend(out, width, height, background, stack);
      assert.ok(maxDifference(out, reference(width, height, background, stack)) <= 1);
    }
  }
});

Deno.test("_Blender.blend() is within ±1 of round(dst + (src − dst) × α) for every byte pair", () => {
  // Layer 1 copies dst = row into the output, layer 2 blends src = column over it.
  const below = new Uint8Array(256 * 256 * 4);
  const above = new Uint8Array(256 * 256 * 4);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      below.set([y, y, y, 255], (y * 256 + x) * 4);
      above.set([x, 255 - x, x, 0], (y * 256 + x) * 4);
    }
  }
  const layer = { offset: 0, stride: 1024, width: 256, height: 256, x: 0, y: 0, swap: false };
  const out = new Uint8Array(256 * 256 * 4);
  let mismatches = 0;
  for (const alpha of [1, 64, 127, 128, 200, 254, 255]) {
    for (let i = 3; i < above.length; i += 4) above[i] = alpha;
    for (const opacity of [1, 0.5, 0.3]) {
      relaxed.blend(out, 256, 256, [0, 0, 0, 255], [
        { ...layer, data: below, opacity: 1 },
        { ...layer, data: above, opacity },
      ]);
      const a = alpha / 255 * opacity;
      for (let i = 0; i < out.length; i += 4) {
        const d = (i >> 10) & 255;
        const s = (i >> 2) & 255;
        for (const [c, src] of [[0, s], [1, 255 - s]] as const) {
          const diff = Math.abs(out[i + c]! - Math.round(d + (src - d) * a));
          assert.ok(diff <= 1, `alpha ${alpha}, opacity ${opacity}, src ${src}, dst ${d}`);
          mismatches += diff;
        }
        assert.equal(out[i + 3], 255);
      }
    }
  }
  // Off by one only where the exact value lies within about 0.01 of a half.
  assert.ok(mismatches < 0.02 * 7 * 3 * 65536 * 2, `${mismatches} values off by one`);
});

Deno.test("_Blender.blend() copies opaque layers exactly and leaves transparent ones out", () => {
  const data = Uint8Array.from({ length: 5 * 3 * 4 }, (_, i) => (i % 4 === 3 ? 255 : i * 3));
  const layer = {
    data,
    offset: 0,
    stride: 20,
    width: 5,
    height: 3,
    x: 0,
    y: 0,
    opacity: 1,
    swap: false,
  };
  const out = new Uint8Array(5 * 3 * 4);
  relaxed.blend(out, 5, 3, [9, 9, 9, 255], [layer]);
  assert.deepEqual(out, data);
  relaxed.blend(out, 5, 3, [9, 8, 7, 255], [{ ...layer, opacity: 0 }]);
  assert.deepEqual(out, Uint8Array.from({ length: 60 }, (_, i) => [9, 8, 7, 255][i % 4]!));
  relaxed.blend(out, 5, 3, [0, 0, 0, 0], [{ ...layer, swap: true }]);
  assert.deepEqual([...out.subarray(4, 8)], [data[6], data[5], data[4], 255]);
});

Deno.test("_Blender.blend() composites over a transparent background as Porter-Duff over", () => {
  const px = (r: number, g: number, b: number, a: number): _BlendLayer => ({
    data: Uint8Array.of(r, g, b, a),
    offset: 0,
    stride: 4,
    width: 1,
    height: 1,
    x: 0,
    y: 0,
    opacity: 1,
    swap: false,
  });
  const out = new Uint8Array(4);
  relaxed.blend(out, 1, 1, [0, 0, 0, 0], [px(255, 0, 0, 128)]);
  assert.deepEqual([...out], [255, 0, 0, 128]);
  // Blue over red, both α = 128 / 255: outα = α + α(1 − α) = 0.752 (192), red weighs
  // α(1 − α) / outα = 0.333, blue α / outα = 0.668.
  relaxed.blend(out, 1, 1, [0, 0, 0, 0], [px(255, 0, 0, 128), px(0, 0, 255, 128)]);
  assert.deepEqual([...out], [85, 0, 170, 192]);
  relaxed.blend(out, 1, 1, [0, 0, 0, 0], [px(255, 0, 0, 0), { ...px(0, 0, 0, 0), opacity: 0.5 }]);
  assert.deepEqual([...out], [0, 0, 0, 0]);
});

Deno.test("_Blender.blend() gives an opaque pixel the same bytes whether its neighbours are opaque or not", () => {
  // Runs of opaque pixels may take a faster path than mixed ones; the bytes must not change.
  const rand = random(11);
  const width = 53; // three runs of sixteen and a tail
  const height = 3;
  const frame = (alpha: (x: number) => number): _BlendLayer => {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? alpha((i >> 2) % width) : 0;
    return {
      data,
      offset: 0,
      stride: width * 4,
      width,
      height,
      x: 0,
      y: 0,
      opacity: 1,
      swap: false,
    };
  };
  const base = frame(() => 255);
  const opaque = frame(() => 255);
  const mixed = frame((x) => (x % 16 === 15 ? 254 : 255));
  for (let i = 0; i < base.data.length; i++) {
    if (i % 4 === 3) continue;
    base.data[i] = Math.floor(rand() * 256);
    opaque.data[i] = mixed.data[i] = Math.floor(rand() * 256);
  }
  for (const blender of [relaxed, standard]) {
    for (const opacity of [1, 0.77, 0.5, 0.3, 0.01]) {
      const runs = new Uint8Array(width * height * 4);
      const single = new Uint8Array(width * height * 4);
      blender.blend(runs, width, height, [0, 0, 0, 255], [base, { ...opaque, opacity }]);
      blender.blend(single, width, height, [0, 0, 0, 255], [base, { ...mixed, opacity }]);
      for (let p = 0; p < width * height; p++) {
        if (p % width % 16 === 15) continue;
        assert.deepEqual(
          [...runs.subarray(p * 4, p * 4 + 4)],
          [...single.subarray(p * 4, p * 4 + 4)],
          `opacity ${opacity}, pixel ${p}`,
        );
      }
    }
  }
});
