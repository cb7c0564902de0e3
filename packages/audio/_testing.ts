/**
 * Test helpers for the audio package: a spectrum to check frequencies and levels.
 *
 * @module
 */

/**
 * Magnitudes of the spectrum of `samples` (Hann window, radix-2 FFT of the first power-of-two
 * samples), normalised so that a full-scale sine reads about 1 at its bin.
 */
export function spectrum(samples: Float32Array): Float64Array {
  let n = 1;
  while (n * 2 <= samples.length) n *= 2;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    re[i] = samples[i]! * w;
  }
  // Bit-reversal permutation.
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
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const cos = Math.cos(step * k);
        const sin = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b]! * cos - im[b]! * sin;
        const ti = re[b]! * sin + im[b]! * cos;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
  const out = new Float64Array(n / 2);
  // A Hann window has coherent gain 0.5; a real sine splits its energy between ±f.
  for (let k = 0; k < n / 2; k++) out[k] = (Math.hypot(re[k]!, im[k]!) * 4) / n;
  return out;
}

/** The frequency in Hz of the strongest bin of `samples` at `sampleRate`, refined by parabola. */
export function peakFrequency(samples: Float32Array, sampleRate: number): number {
  const mags = spectrum(samples);
  let best = 1;
  for (let k = 2; k < mags.length - 1; k++) if (mags[k]! > mags[best]!) best = k;
  const [a, b, c] = [mags[best - 1]!, mags[best]!, mags[best + 1]!];
  const shift = (a - c) / (2 * (a - 2 * b + c) || 1);
  const n = mags.length * 2;
  return ((best + shift) * sampleRate) / n;
}

/** The level in dB of the strongest bin near `frequency` (±2 bins), relative to full scale. */
export function levelAt(samples: Float32Array, sampleRate: number, frequency: number): number {
  const mags = spectrum(samples);
  const n = mags.length * 2;
  const bin = Math.round((frequency * n) / sampleRate);
  let peak = 0;
  for (let k = Math.max(0, bin - 2); k <= Math.min(mags.length - 1, bin + 2); k++) {
    peak = Math.max(peak, mags[k]!);
  }
  return 20 * Math.log10(peak || 1e-12);
}
