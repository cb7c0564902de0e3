/**
 * How far a series of samples moved after its warm-up.
 *
 * @module
 */

/** Drift of a series against its first sample after the warm-up, in %. */
export interface _Drift {
  /** The first sample after the warm-up: what the others are compared with. */
  readonly baseline: number;
  /** The last sample against the baseline, in % (positive: grew). */
  readonly drift: number;
  /** The sample farthest from the baseline, in % (signed, like `drift`). */
  readonly max: number;
  /** Whether every sample after the warm-up lies within ±`limit`% of the baseline. */
  readonly within: boolean;
}

/**
 * Compares the samples from index `warmup` on with the first of them.
 *
 * @param samples The series, oldest first; at least `warmup + 1` of them.
 * @param warmup How many samples at the start to leave out.
 * @param limit The band in %, ±.
 */
export function _drift(samples: readonly number[], warmup: number, limit: number): _Drift {
  const kept = samples.slice(warmup);
  if (kept.length === 0) {
    throw new RangeError(`No samples after a warm-up of ${warmup} (got ${samples.length})`);
  }
  const baseline = kept[0]!;
  const percent = (x: number): number => baseline === 0 ? 0 : (x - baseline) / baseline * 100;
  let max = 0;
  for (const sample of kept) if (Math.abs(percent(sample)) > Math.abs(max)) max = percent(sample);
  return { baseline, drift: percent(kept.at(-1)!), max, within: Math.abs(max) <= limit };
}
