/**
 * Resampling taps, as `@streamlib/video`'s scaler makes them: pixel centres aligned as in ffmpeg
 * and GStreamer (source x = (x + 0.5) × ratio − 0.5), edges clamped; bilinear reads the 2
 * nearest samples, area averaging every sample the output one covers, weighed by the covered
 * length. Internal.
 *
 * @module
 */

/** Taps of one dimension: output `i` reads `n` (index, weight) pairs from `i * n`. */
export interface _Taps {
  readonly n: number;
  /** (index, weight) pairs, as `vec2f`s for the GPU. */
  readonly pairs: Float32Array;
}

/** The taps that resample `srcN` samples to `dstN` with `method`. */
export function _taps(srcN: number, dstN: number, method: "bilinear" | "area"): _Taps {
  const ratio = srcN / dstN;
  if (method === "bilinear") {
    const pairs = new Float32Array(dstN * 4);
    for (let i = 0; i < dstN; i++) {
      const s = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), srcN - 1);
      const j = Math.floor(s);
      const f = s - j;
      pairs.set([j, 1 - f, Math.min(j + 1, srcN - 1), f], 4 * i);
    }
    return { n: 2, pairs };
  }
  const n = Math.ceil(ratio) + 1;
  const pairs = new Float32Array(dstN * n * 2);
  for (let i = 0; i < dstN; i++) {
    const from = i * ratio;
    const to = Math.min((i + 1) * ratio, srcN);
    const first = Math.floor(from);
    for (let k = 0; k < n; k++) {
      const j = first + k;
      const overlap = Math.min(j + 1, to) - Math.max(j, from);
      pairs[2 * (i * n + k)] = Math.min(j, srcN - 1);
      pairs[2 * (i * n + k) + 1] = overlap > 0 ? overlap / ratio : 0;
    }
  }
  return { n, pairs };
}
