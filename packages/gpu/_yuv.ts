/**
 * Fixed-point YUV ⇄ RGB coefficients of BT.601 and BT.709 in limited and full range, the same
 * numbers `@streamlib/video`'s converter uses (RGB → YUV ×65536, YUV → RGB as its 16-bit terms),
 * so that the GPU converter gives the same bytes. Laid out for the GPU: the RGB → YUV factors as
 * eleven `i32`s, and the YUV → RGB contributions as five tables of 256 `i32`s (Y, V→R, U→G,
 * V→G, U→B). Internal.
 *
 * @module
 */

/** One matrix and range, ready for the GPU. */
export interface _Yuv {
  /** yr, yg, yb, yBias, ur, ug, ub, vr, vg, vb, cBias. */
  readonly factors: Int32Array;
  /** yTab, rV, gU, gV, bU, 256 entries each. */
  readonly tables: Int32Array;
}

const _cache = new Map<string, _Yuv>();

/** The coefficients of `matrix` in full or limited range (cached). */
export function _yuv(matrix: "bt601" | "bt709", fullRange: boolean): _Yuv {
  const key = `${matrix} ${fullRange}`;
  const cached = _cache.get(key);
  if (cached !== undefined) return cached;
  const [kr, kb] = matrix === "bt709" ? [0.2126, 0.0722] : [0.299, 0.114];
  const kg = 1 - kr - kb;
  const ySpan = fullRange ? 255 : 219;
  const cSpan = fullRange ? 255 : 224;
  const yOffset = fullRange ? 0 : 16;
  const one = 65536;
  const ys = (ySpan / 255) * one;
  const cs = (cSpan / 255) * one;
  // The YUV → RGB terms of @streamlib/video's converter (and its SIMD kernel): 16-bit factors
  // of the real ones ×64, each term q(a, b) = (a·b + 2^14) >> 15 of a sample scaled to fill 16
  // bits, kept ×1024 in the tables so that the sum's >> 16 is the converter's >> 6.
  const yk = 255 / ySpan;
  const chroma = (k: number): number => Math.round(k * (255 / cSpan) * 64 * 128);
  const ky = Math.round(yk * 64 * 256);
  const yBias = 32 - Math.round(yOffset * yk * 64);
  const q15 = (a: number, b: number): number => Math.floor((a * b + 16384) / 32768);
  const factors = Int32Array.from([
    Math.round(kr * ys),
    Math.round(kg * ys),
    Math.round(kb * ys),
    yOffset * one + one / 2,
    Math.round((-kr / (2 * (1 - kb))) * cs),
    Math.round((-kg / (2 * (1 - kb))) * cs),
    Math.round(0.5 * cs),
    Math.round(0.5 * cs),
    Math.round((-kg / (2 * (1 - kr))) * cs),
    Math.round((-kb / (2 * (1 - kr))) * cs),
    (128 << 18) + (1 << 17),
  ]);
  const tables = new Int32Array(5 * 256);
  const fill = (t: number, f: (i: number) => number): void => {
    for (let i = 0; i < 256; i++) tables[t * 256 + i] = f(i);
  };
  // Y's table carries the +0.5 (32/64) that rounds the sum to nearest.
  fill(0, (i) => (q15(i << 7, ky) + yBias) * 1024);
  const chromaTable = (t: number, factor: number): void =>
    fill(t, (i) => q15((i - 128) << 8, factor) * 1024);
  chromaTable(1, chroma(2 * (1 - kr)));
  chromaTable(2, chroma(-2 * (1 - kb) * kb / kg));
  chromaTable(3, chroma(-2 * (1 - kr) * kr / kg));
  chromaTable(4, chroma(2 * (1 - kb)));
  const yuv = { factors, tables };
  _cache.set(key, yuv);
  return yuv;
}
