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
  /** YUV → RGB, ×65536: each channel is (yk·(Y − yOffset) + 32768 + c·(chroma − 128)) >> 16. */
  readonly yk: number;
  readonly yOffset: number;
  readonly rv: number;
  readonly gu: number;
  readonly gv: number;
  readonly bu: number;
  /**
   * The same YUV → RGB terms as lookup tables indexed by the 8-bit sample: `yTab[Y]` is
   * yk·(Y − yOffset) + 32768 (the half that rounds the sum to nearest), `rV[V]` is rv·(V − 128),
   * and so on.
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
  const yk = Math.round((255 / ySpan) * one);
  const chroma = (k: number): number => Math.round(k * (255 / cSpan) * one);
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
    yk,
    yOffset,
    rv,
    gu,
    gv,
    bu,
    // Y's table carries the +0.5 that rounds the sum to nearest.
    yTab: table((i) => yk * (i - yOffset) + one / 2),
    rV: table((i) => rv * (i - 128)),
    gU: table((i) => gu * (i - 128)),
    gV: table((i) => gv * (i - 128)),
    bU: table((i) => bu * (i - 128)),
  };
  _cache.set(key, coefficients);
  return coefficients;
}
