/**
 * The resampling taps of {@linkcode scaleFrame}: which source samples each output sample reads,
 * with what weights, for bilinear interpolation and area averaging.
 *
 * @module
 */

/** Resampling taps: output `i` reads `index[i*n + k]` with `weight[i*n + k]`, k < n. */
export interface _Taps {
  readonly n: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

const _tapCache = new Map<string, _Taps>();
const _TAP_CACHE_SIZE = 64;

/** The taps that resample `srcN` samples to `dstN` (cached: scalers run on every frame). */
export function _taps(srcN: number, dstN: number, method: "bilinear" | "area"): _Taps {
  const key = `${method} ${srcN} ${dstN}`;
  const cached = _tapCache.get(key);
  if (cached !== undefined) return cached;
  const ratio = srcN / dstN;
  let taps: _Taps;
  if (method === "bilinear") {
    const index = new Int32Array(dstN * 2);
    const weight = new Float32Array(dstN * 2);
    for (let i = 0; i < dstN; i++) {
      const s = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), srcN - 1);
      const j = Math.floor(s);
      const f = s - j;
      index[2 * i] = j;
      index[2 * i + 1] = Math.min(j + 1, srcN - 1);
      weight[2 * i] = 1 - f;
      weight[2 * i + 1] = f;
    }
    taps = { n: 2, index, weight };
  } else {
    const n = Math.ceil(ratio) + 1;
    const index = new Int32Array(dstN * n);
    const weight = new Float32Array(dstN * n);
    for (let i = 0; i < dstN; i++) {
      const from = i * ratio;
      const to = Math.min((i + 1) * ratio, srcN);
      const first = Math.floor(from);
      for (let k = 0; k < n; k++) {
        const j = first + k;
        const overlap = Math.min(j + 1, to) - Math.max(j, from);
        index[i * n + k] = Math.min(j, srcN - 1);
        weight[i * n + k] = overlap > 0 ? overlap / ratio : 0;
      }
    }
    taps = { n, index, weight };
  }
  if (_tapCache.size >= _TAP_CACHE_SIZE) _tapCache.delete(_tapCache.keys().next().value!);
  _tapCache.set(key, taps);
  return taps;
}
