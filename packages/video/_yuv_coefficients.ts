/**
 * Fixed-point YUV ⇄ RGB coefficients of BT.601 and BT.709 in limited and full range, shared by
 * the converter and the filters that work in YUV.
 *
 * @module
 */

/** Fixed-point (×65536) coefficients and lookup tables of one matrix and range. */
export interface _Coefficients {
  /** RGB → Y. */
  readonly yr: number;
  readonly yg: number;
  readonly yb: number;
  /** Y offset × 65536, plus 0.5 for rounding. */
  readonly yBias: number;
  /** RGB → U and V, ×65536 (shift sums of 4 pixels by 18 instead of 16 to average them). */
  readonly ur: number;
  readonly ug: number;
  readonly ub: number;
  readonly vr: number;
  readonly vg: number;
  readonly vb: number;
  /** 128 × 2^18 plus 0.5 × 2^18 for rounding. */
  readonly cBias: number;
  /**
   * YUV → RGB in 16-bit fixed point (samples ×64), as the SIMD kernel computes it: each channel
   * is (q(Y·2^7, ky) + yBias16 + q((U − 128)·2^8, cu) + q((V − 128)·2^8, cv)) >> 6, clamped, with
   * q(a, b) = (a·b + 2^14) >> 15 (a Q15 rounding multiply) and the chroma factors `rv`, `gu`,
   * `gv`, `bu` (the others 0). Within ±1 of the exact conversion for every Y, U, V.
   */
  readonly ky: number;
  readonly yBias16: number;
  readonly rv: number;
  readonly gu: number;
  readonly gv: number;
  readonly bu: number;
  /**
   * The same YUV → RGB terms ×1024 as lookup tables indexed by the 8-bit sample, so that
   * (yTab[Y] + rV[V]) >> 16 is the red byte (unclamped), and so on: `yTab[Y]` is
   * (q(Y·2^7, ky) + yBias16)·1024, `rV[V]` is q((V − 128)·2^8, rv)·1024, and so on.
   */
  readonly yTab: Int32Array;
  readonly rV: Int32Array;
  readonly gU: Int32Array;
  readonly gV: Int32Array;
  readonly bU: Int32Array;
}

const _cache = new Map<string, _Coefficients>();

/**
 * The coefficients of a matrix and range, computed once and cached.
 *
 * @param matrix `bt601` (Kr 0.299, Kb 0.114) or `bt709` (Kr 0.2126, Kb 0.0722).
 * @param fullRange Full range (0–255) or limited (Y 16–235, chroma 16–240).
 * @returns Fixed-point coefficients and lookup tables.
 */
export function _coefficients(matrix: "bt601" | "bt709", fullRange: boolean): _Coefficients {
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
  const table = (f: (i: number) => number): Int32Array =>
    Int32Array.from({ length: 256 }, (_, i) => f(i));
  // YUV → RGB: 16-bit factors of the real ones ×64 (Y's ×2^8, chroma's ×2^7, as their
  // samples are scaled by 2^7 and 2^8 to fill 16 bits).
  const yk = 255 / ySpan;
  const chroma = (k: number): number => Math.round(k * (255 / cSpan) * 64 * 128);
  const ky = Math.round(yk * 64 * 256);
  const yBias16 = 32 - Math.round(yOffset * yk * 64);
  const rv = chroma(2 * (1 - kr));
  const gu = chroma(-2 * (1 - kb) * kb / kg);
  const gv = chroma(-2 * (1 - kr) * kr / kg);
  const bu = chroma(2 * (1 - kb));
  const coefficients: _Coefficients = {
    yr: Math.round(kr * ys),
    yg: Math.round(kg * ys),
    yb: Math.round(kb * ys),
    yBias: yOffset * one + one / 2,
    ur: Math.round((-kr / (2 * (1 - kb))) * cs),
    ug: Math.round((-kg / (2 * (1 - kb))) * cs),
    ub: Math.round(0.5 * cs),
    vr: Math.round(0.5 * cs),
    vg: Math.round((-kg / (2 * (1 - kr))) * cs),
    vb: Math.round((-kb / (2 * (1 - kr))) * cs),
    cBias: (128 << 18) + (1 << 17),
    ky,
    yBias16,
    rv,
    gu,
    gv,
    bu,
    // Y's table carries the +0.5 (32/64) that rounds the sum to nearest.
    yTab: table((i) => (_q15(i << 7, ky) + yBias16) * 1024),
    rV: table((i) => _q15((i - 128) << 8, rv) * 1024),
    gU: table((i) => _q15((i - 128) << 8, gu) * 1024),
    gV: table((i) => _q15((i - 128) << 8, gv) * 1024),
    bU: table((i) => _q15((i - 128) << 8, bu) * 1024),
  };
  _cache.set(key, coefficients);
  return coefficients;
}

/** (a·b + 2^14) >> 15, as WebAssembly's `i16x8.q15mulr_sat_s` (never saturating here). */
function _q15(a: number, b: number): number {
  return Math.floor((a * b + 16384) / 32768);
}
