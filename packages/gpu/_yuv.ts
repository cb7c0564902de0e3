/**
 * Fixed-point YUV ⇄ RGB coefficients of BT.601 and BT.709 in limited and full range, the same
 * numbers `@streamlib/video`'s converter uses (×65536, rounded), so that the GPU converter gives
 * the same bytes. Laid out for the GPU: the RGB → YUV factors as eleven `i32`s, and the YUV → RGB
 * contributions as five tables of 256 `i32`s (Y, V→R, U→G, V→G, U→B). Internal.
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
  const c = (i: number): number => ((i - 128) * 255) / cSpan;
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
    for (let i = 0; i < 256; i++) tables[t * 256 + i] = Math.round(f(i) * one);
  };
  // Y's table carries the +0.5 that rounds the sum to nearest.
  fill(0, (i) => ((i - yOffset) * 255) / ySpan + 0.5);
  fill(1, (i) => 2 * (1 - kr) * c(i));
  fill(2, (i) => (-2 * (1 - kb) * kb / kg) * c(i));
  fill(3, (i) => (-2 * (1 - kr) * kr / kg) * c(i));
  fill(4, (i) => 2 * (1 - kb) * c(i));
  const yuv = { factors, tables };
  _cache.set(key, yuv);
  return yuv;
}
