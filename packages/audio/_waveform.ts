/**
 * The waveforms of `audiotestsrc`: every sample is a function of its index since the stream
 * began, so any stretch of a stream can be rendered on its own and comes out the same.
 *
 * @module
 */

/** The waveforms `audiotestsrc` makes. */
export type _Wave =
  | "sine"
  | "square"
  | "sawtooth"
  | "triangle"
  | "white-noise"
  | "pink-noise"
  | "silence"
  | "sweep";

/** What a waveform depends on. */
export interface _WaveSettings {
  readonly wave: _Wave;
  /** Hz; the start of a sweep. */
  readonly frequency: number;
  /** Linear peak amplitude. */
  readonly volume: number;
  readonly sampleRate: number;
  /** Hz; the end of a sweep. */
  readonly sweepTo: number;
  /** Seconds a sweep takes before it starts again. */
  readonly sweepDuration: number;
  readonly sweepMode: "linear" | "log";
  readonly seed: number;
}

/** Rows of the Voss-McCartney pink noise generator (besides the white row). */
export const _PINK_ROWS = 16;

/**
 * Writes samples `position … position + out.length − 1` of `channel` into `out`. Tones are the
 * same on every channel; noise is independent on each.
 */
export function _renderWave(
  s: _WaveSettings,
  position: number,
  channel: number,
  out: Float32Array,
): void {
  const n = out.length;
  const { volume, sampleRate: rate } = s;
  switch (s.wave) {
    case "silence":
      out.fill(0);
      return;
    case "sine":
    case "square":
    case "sawtooth":
    case "triangle": {
      const shape = _SHAPES[s.wave];
      const f = s.frequency;
      for (let i = 0; i < n; i++) {
        const cycles = (f * (position + i)) / rate;
        out[i] = volume * shape(cycles - Math.floor(cycles));
      }
      return;
    }
    case "sweep": {
      const length = Math.max(1, Math.round(s.sweepDuration * rate));
      const cycles = _chirp(s.frequency, s.sweepTo, length / rate, s.sweepMode);
      let m = position % length;
      for (let i = 0; i < n; i++) {
        const c = cycles(m / rate);
        out[i] = volume * Math.sin(2 * Math.PI * (c - Math.floor(c)));
        if (++m === length) m = 0;
      }
      return;
    }
    case "white-noise": {
      const stream = _stream(s.seed, channel, 0);
      for (let i = 0; i < n; i++) out[i] = volume * _noise(stream, position + i);
      return;
    }
    case "pink-noise":
      _pink(s.seed, channel, position, out, volume / (_PINK_ROWS + 1));
      return;
  }
}

/** One period of each tone, as a function of the phase in cycles, 0 ≤ p < 1; all start at 0. */
const _SHAPES: Record<"sine" | "square" | "sawtooth" | "triangle", (p: number) => number> = {
  sine: (p) => Math.sin(2 * Math.PI * p),
  square: (p) => (p < 0.5 ? 1 : -1),
  sawtooth: (p) => (p < 0.5 ? 2 * p : 2 * p - 2),
  triangle: (p) => (p < 0.25 ? 4 * p : p < 0.75 ? 2 - 4 * p : 4 * p - 4),
};

/**
 * The phase in cycles of a chirp from `f0` to `f1` Hz over `duration` seconds, as a function of
 * the time `t` since its start: the integral of its instantaneous frequency, `f0 + (f1 − f0)·t/T`
 * (linear) or `f0·(f1/f0)^(t/T)` (log).
 */
export function _chirp(
  f0: number,
  f1: number,
  duration: number,
  mode: "linear" | "log",
): (t: number) => number {
  if (mode === "linear" || f0 === f1) {
    const slope = (f1 - f0) / (2 * duration);
    return (t) => t * (f0 + slope * t);
  }
  const k = Math.log(f1 / f0) / duration;
  return (t) => (f0 * Math.expm1(k * t)) / k;
}

/** Instantaneous frequency in Hz of the chirp of {@linkcode _chirp} at `t`. */
export function _chirpFrequency(
  f0: number,
  f1: number,
  duration: number,
  mode: "linear" | "log",
  t: number,
): number {
  return mode === "linear" ? f0 + ((f1 - f0) * t) / duration : f0 * (f1 / f0) ** (t / duration);
}

/**
 * Voss-McCartney pink noise: the sum of a white row, new every sample, and `_PINK_ROWS` rows of
 * held white noise, row `k` new every `2^(k+1)` samples, at the samples with exactly `k` trailing
 * zero bits (so only one row changes at a time). Row `k`'s value at sample `n` is noise number
 * `floor((n + 2^k) / 2^(k+1))` of its own stream, which keeps the sum a function of `n`.
 */
function _pink(
  seed: number,
  channel: number,
  position: number,
  out: Float32Array,
  scale: number,
): void {
  const rows = new Float64Array(_PINK_ROWS);
  const streams = new Uint32Array(_PINK_ROWS);
  let sum = 0;
  for (let k = 0; k < _PINK_ROWS; k++) {
    streams[k] = _stream(seed, channel, k + 1);
    rows[k] = _noise(streams[k]!, Math.floor((position + 2 ** k) / 2 ** (k + 1)));
    sum += rows[k]!;
  }
  const white = _stream(seed, channel, 0);
  for (let i = 0; i < out.length; i++) {
    const n = position + i;
    if (i > 0) {
      const low = n % 4294967296;
      // Trailing zeros of n; past 31 (or n a multiple of 2³²) no row changes.
      const k = low === 0 ? 32 : 31 - Math.clz32(low & -low);
      if (k < _PINK_ROWS) {
        const value = _noise(streams[k]!, Math.floor((n + 2 ** k) / 2 ** (k + 1)));
        sum += value - rows[k]!;
        rows[k] = value;
      }
    }
    out[i] = scale * (sum + _noise(white, n));
  }
}

/** A 32-bit stream id from the seed, the channel and a row number. */
function _stream(seed: number, channel: number, row: number): number {
  return _mix(_mix(_mix(seed >>> 0) + channel) + row);
}

/**
 * Uniform noise in [−1, 1): a hash of the stream id and the sample index `n` (any safe integer).
 * The stream goes in before and after the index, so two streams never give the same sequence,
 * not even shifted.
 */
export function _noise(stream: number, n: number): number {
  const low = n % 4294967296;
  const high = (n - low) / 4294967296;
  const h = _mix(_mix(_mix(stream ^ high) + low) ^ stream);
  return h / 2147483648 - 1;
}

/** Chris Wellons' lowbias32 integer hash: a bijection on 32 bits with strong avalanche. */
function _mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
