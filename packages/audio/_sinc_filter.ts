/**
 * The anti-aliasing filter of the resampler: a Kaiser-windowed sinc whose cutoff sits at 0.95 of
 * the lower rate's Nyquist frequency, with its transition band from 0.9 to 1.0 of that Nyquist
 * frequency, split into polyphase rows.
 *
 * @module
 */

/** Stopband attenuation in dB that the Kaiser design aims at, for each quality 0 to 10. */
const _ATTENUATION = [40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140] as const;

/** The cutoff (−6 dB point), as a share of the lower rate's Nyquist frequency. */
const _CUTOFF = 0.95;

/** Width of the transition band, as a share of the lower rate's Nyquist frequency. */
const _TRANSITION = 0.1;

/** Largest exact polyphase table, in coefficients; past it rows are interpolated. */
const _MAX_TABLE = 1 << 18;

/** Rows per zero crossing of the dense table that interpolated rows are read from. */
const _OVERSAMPLE = 512;

/** Greatest common divisor of two non-negative integers. */
function _gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The modified Bessel function of the first kind, order 0 (power series). */
function _besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** Design figures shared by every ratio at one quality. */
interface _Design {
  /** Kaiser β. */
  readonly beta: number;
  /** I0(β). */
  readonly i0Beta: number;
  /** Half-width of the kernel in zero crossings of its sinc (independent of the ratio). */
  readonly zeros: number;
}

const _designs = new Map<number, _Design>();

/** The Kaiser figures for a quality (cached). */
function _design(quality: number): _Design {
  let design = _designs.get(quality);
  if (design === undefined) {
    const a = _ATTENUATION[quality]!;
    const beta = a > 50 ? 0.1102 * (a - 8.7) : 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
    // Kaiser's estimate of the length in samples of the lower rate: (A − 7.95) / (2.285 Δω),
    // Δω = π × _TRANSITION. Its half, in sinc zero crossings (one every 1/_CUTOFF samples).
    const length = (a - 7.95) / (2.285 * Math.PI * _TRANSITION);
    design = { beta, i0Beta: _besselI0(beta), zeros: (_CUTOFF * length) / 2 };
    _designs.set(quality, design);
  }
  return design;
}

/** The windowed sinc at `z` zero crossings from its centre. */
function _kernel(design: _Design, z: number): number {
  const u = z / design.zeros;
  if (u >= 1 || u <= -1) return 0;
  const window = _besselI0(design.beta * Math.sqrt(1 - u * u)) / design.i0Beta;
  if (z === 0) return window;
  const x = Math.PI * z;
  return (Math.sin(x) / x) * window;
}

/**
 * A polyphase anti-aliasing filter for one ratio. Output sample k lies at input position
 * x = k·M/L; with x = n + φ/L, it is `Σ_m input[n − K + 1 + m] · row(φ)[m]` for m in 0..2K−1.
 */
export class _SincFilter {
  /** Input rate, Hz. */
  readonly fromRate: number;
  /** Output rate, Hz. */
  readonly toRate: number;
  /** Quality, 0 to 10. */
  readonly quality: number;
  /** Output rate over the greatest common divisor: the number of phases. */
  readonly L: number;
  /** Input rate over the greatest common divisor: the input step between outputs, in phases. */
  readonly M: number;
  /** Taps on each side of the output position; each output reads 2K input samples. */
  readonly K: number;
  /** 2K. */
  readonly taps: number;
  /** Every row, phase after phase, when they fit in a table; otherwise rows are interpolated. */
  readonly table: Float64Array | undefined;
  /** Cutoff in cycles per input sample × 2 (1 = the input's Nyquist frequency). */
  readonly cutoff: number;
  readonly #design: _Design;
  /** Interpolated rows: rows a sample in the dense table, and the table. */
  readonly #dense: number;
  readonly #rows: Float64Array | undefined;

  /**
   * Designs the filter for `fromRate` → `toRate` (positive integers) at `quality` (0 to 10).
   *
   * @param interpolate Compute rows from the dense table even where an exact table would fit.
   */
  constructor(fromRate: number, toRate: number, quality: number, interpolate = false) {
    const g = _gcd(fromRate, toRate);
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.quality = quality;
    this.L = toRate / g;
    this.M = fromRate / g;
    this.#design = _design(quality);
    this.cutoff = _CUTOFF * Math.min(1, toRate / fromRate);
    // Half-width in input samples; K > it so that the tap at −K is outside and rows stay
    // symmetric.
    const half = this.#design.zeros / this.cutoff;
    this.K = Math.floor(half) + 1;
    this.taps = 2 * this.K;
    const exact = !interpolate && this.L * this.taps <= _MAX_TABLE;
    // Without an exact table, rows at `dense` phases a sample (from phase −1 to dense + 1) to
    // interpolate between.
    this.#dense = exact ? 0 : Math.ceil(_OVERSAMPLE * this.cutoff);
    const rows = exact ? this.L : this.#dense + 3;
    const table = new Float64Array(rows * this.taps);
    for (let r = 0; r < rows; r++) {
      const offset = r * this.taps;
      const start = (exact ? r / this.L : (r - 1) / this.#dense) + this.K - 1;
      for (let m = 0; m < this.taps; m++) {
        table[offset + m] = _kernel(this.#design, this.cutoff * (start - m));
      }
      _normalise(table, offset, this.taps);
    }
    if (exact) this.table = table;
    else this.#rows = table;
  }

  /**
   * Writes the row of phase `phase` (0 ≤ phase < L) into `out` from index 0; it sums to 1.
   *
   * @param phase The phase.
   * @param out At least `taps` long.
   */
  row(phase: number, out: Float64Array): void {
    const { taps, table } = this;
    if (table !== undefined) {
      out.set(table.subarray(phase * taps, (phase + 1) * taps));
      return;
    }
    // Four-point Lagrange interpolation between dense rows i and i + 1 (table rows i + 1, i + 2).
    const rows = this.#rows!;
    const u = (phase / this.L) * this.#dense;
    const i = Math.floor(u);
    const f = u - i;
    const fm1 = f - 1;
    const fm2 = f - 2;
    const fp1 = f + 1;
    const w0 = (-f * fm1 * fm2) / 6;
    const w1 = (fp1 * fm1 * fm2) / 2;
    const w2 = (-fp1 * f * fm2) / 2;
    const w3 = (fp1 * f * fm1) / 6;
    const a = i * taps;
    const b = a + taps;
    const c = b + taps;
    const d = c + taps;
    for (let m = 0; m < taps; m++) {
      out[m] = w0 * rows[a + m]! + w1 * rows[b + m]! + w2 * rows[c + m]! + w3 * rows[d + m]!;
    }
  }
}

const _filters = new Map<string, _SincFilter>();
const _FILTER_CACHE_SIZE = 8;

/**
 * The filter for `fromRate` → `toRate` at `quality`, designed once and kept (filters never
 * change, and designing one takes a millisecond or more).
 *
 * @param fromRate Input rate, a positive integer.
 * @param toRate Output rate, a positive integer.
 * @param quality 0 to 10.
 * @returns The filter.
 */
export function _sincFilter(fromRate: number, toRate: number, quality: number): _SincFilter {
  const key = `${fromRate} ${toRate} ${quality}`;
  let filter = _filters.get(key);
  if (filter === undefined) {
    filter = new _SincFilter(fromRate, toRate, quality);
    if (_filters.size >= _FILTER_CACHE_SIZE) _filters.delete(_filters.keys().next().value!);
    _filters.set(key, filter);
  }
  return filter;
}

/** Scales `taps` coefficients from `offset` so that they sum to 1 (unit gain at DC). */
function _normalise(row: Float64Array, offset: number, taps: number): void {
  let sum = 0;
  for (let m = 0; m < taps; m++) sum += row[offset + m]!;
  const k = 1 / sum;
  for (let m = 0; m < taps; m++) row[offset + m] = row[offset + m]! * k;
}
