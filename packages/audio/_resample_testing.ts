/**
 * Test helpers for the resampler: the frequency response of its actual polyphase filter, and
 * the amplitude of a tone.
 *
 * @module
 */

import type { _SincFilter } from "./_sinc_filter.ts";

/** What {@linkcode measureFilter} finds. */
export interface FilterFigures {
  /** Largest deviation from 0 dB between DC and 0.9 × the lower rate's Nyquist frequency. */
  readonly rippleDb: number;
  /** −(largest gain in dB) from the lower rate's Nyquist frequency up. */
  readonly stopbandDb: number;
}

/**
 * Magnitude response of a filter's prototype (all its rows interleaved: the impulse response at
 * L × the input rate, gain 1 at DC), on `size` / 2 bins from 0 to half of L × the input rate.
 */
export function filterResponse(filter: _SincFilter, size?: number): Float64Array {
  const { L, K, taps } = filter;
  const length = 2 * K * L + 1;
  let n = size ?? 1;
  if (size === undefined) { while (n < 8 * length) n *= 2; }
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const row = new Float64Array(taps);
  for (let phase = 0; phase < L; phase++) {
    filter.row(phase, row);
    // Tap m of phase φ sits at t = φ/L + K − 1 − m input samples, i.e. (t + K)·L here.
    for (let m = 0; m < taps; m++) re[phase + (2 * K - 1 - m) * L] = row[m]! / L;
  }
  fft(re, im);
  const out = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) out[k] = Math.hypot(re[k]!, im[k]!);
  return out;
}

/**
 * Passband ripple and stopband rejection of a filter, measured on its response.
 *
 * @param filter The filter.
 * @returns Ripple and rejection in dB.
 */
export function measureFilter(filter: _SincFilter): FilterFigures {
  const response = filterResponse(filter);
  const binHz = (filter.L * filter.fromRate) / 2 / response.length;
  const nyquist = Math.min(filter.fromRate, filter.toRate) / 2;
  let ripple = 0;
  let stop = 0;
  for (let k = 0; k < response.length; k++) {
    const f = k * binHz;
    const db = 20 * Math.log10(response[k]!);
    if (f <= 0.9 * nyquist) ripple = Math.max(ripple, Math.abs(db));
    else if (f >= nyquist) stop = Math.max(stop, response[k]!);
  }
  return { rippleDb: ripple, stopbandDb: -20 * Math.log10(stop) };
}

/** In-place radix-2 complex FFT; the length must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = (-2 * Math.PI) / size;
    for (let k = 0; k < half; k++) {
      const cos = Math.cos(step * k);
      const sin = Math.sin(step * k);
      for (let a = k; a < n; a += size) {
        const b = a + half;
        const tr = re[b]! * cos - im[b]! * sin;
        const ti = re[b]! * sin + im[b]! * cos;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/**
 * The amplitude of the `frequency` Hz component of `samples` (a least-squares fit of a sine and
 * a cosine over the samples given; exact for a whole number of periods).
 */
export function toneAmplitude(
  samples: Float32Array,
  sampleRate: number,
  frequency: number,
): number {
  let c = 0;
  let s = 0;
  const w = (2 * Math.PI * frequency) / sampleRate;
  for (let i = 0; i < samples.length; i++) {
    c += samples[i]! * Math.cos(w * i);
    s += samples[i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(c, s)) / samples.length;
}

/** `count` samples of a sine of `amplitude` at `frequency` Hz, starting at sample `from`. */
export function sine(
  frequency: number,
  sampleRate: number,
  count: number,
  amplitude = 1,
  from = 0,
): Float32Array {
  const out = new Float32Array(count);
  const w = (2 * Math.PI * frequency) / sampleRate;
  for (let i = 0; i < count; i++) out[i] = amplitude * Math.sin(w * (i + from));
  return out;
}
