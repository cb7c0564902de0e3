import type { Rgba } from "./color.ts";

/** What {@linkcode _renderPattern} draws. */
export interface _PatternSpec {
  /** Which picture. */
  readonly pattern: "gradient" | "checkers" | "solid" | "ball" | "box" | "noise";
  /** Byte order of the output. */
  readonly order: "RGBA" | "BGRA";
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Colour of the solid picture, the first checker square, the ball and the box. */
  readonly foreground: Rgba;
  /** Colour of the other squares and behind the ball and the box. */
  readonly background: Rgba;
  /** Checker square size, ball diameter or box side, in pixels. */
  readonly size: number;
  /** Pixels a second the ball and the box move along each axis. */
  readonly speed: number;
  /** Seed of the noise. */
  readonly seed: number;
}

/**
 * Packs a colour into one native-endian 32-bit word that stores its bytes in `order`.
 *
 * @param color The colour.
 * @param order Byte order.
 * @returns The word, for `Uint32Array` views of pixel bytes.
 */
function _pack(color: Rgba, order: "RGBA" | "BGRA"): number {
  const [r, g, b, a] = color;
  const bytes = order === "RGBA" ? [r, g, b, a] : [b, g, r, a];
  return new Uint32Array(new Uint8Array(bytes).buffer)[0]!;
}

/** GStreamer videotestsrc's blend: `(a·x + b·(255 − x)) / 255`, rounded. */
function _blend(a: number, b: number, x: number): number {
  const v = a * x + b * (255 - x);
  return (v + ((v + 128) >> 8) + 128) >> 8;
}

/**
 * Where a triangle wave of amplitude `range` is after `distance`: 0 → `range` → 0 → …, so a
 * point moving `distance` pixels bounces between 0 and `range`.
 *
 * @param distance How far the point has travelled.
 * @param range The largest position (0 keeps the point at 0).
 * @returns The position, 0 to `range`.
 */
export function _bounce(distance: number, range: number): number {
  if (range <= 0) return 0;
  const m = distance % (2 * range);
  return m <= range ? m : 2 * range - m;
}

/**
 * The top-left corner of the ball or box at `timestamp`: it starts at (0, 0) and moves `speed`
 * px/s along each axis, bouncing off the edges, so its position depends on the time only.
 *
 * @param spec The pattern.
 * @param timestamp Running time in µs.
 * @returns x and y in whole pixels; the shape (of side `min(size, width, height)`) stays inside.
 */
export function _shapeOrigin(spec: _PatternSpec, timestamp: number): [number, number] {
  const side = Math.min(spec.size, spec.width, spec.height);
  const distance = (spec.speed * timestamp) / 1e6;
  return [
    Math.round(_bounce(distance, spec.width - side)),
    Math.round(_bounce(distance, spec.height - side)),
  ];
}

/**
 * Draws one frame of a pattern other than the SMPTE bars in RGBA or BGRA, tightly packed:
 *
 * - `gradient`: background at the top to foreground at the bottom, row `y` blended
 *   `floor(255 y / height)` / 255 of the way (as GStreamer's videotestsrc `gradient`);
 * - `checkers`: `size`-pixel squares, foreground in the top-left one;
 * - `solid`: the foreground;
 * - `ball`, `box`: a foreground disc of diameter `size` (pixels whose centre lies inside) or
 *   square of side `size` on the background, at {@linkcode _shapeOrigin};
 * - `noise`: opaque grey noise, a function of `seed` and `frameNumber` only.
 *
 * @param spec The pattern.
 * @param timestamp Running time in µs (moves the ball and the box).
 * @param frameNumber Frame number (varies the noise).
 * @returns The pixel bytes.
 */
export function _renderPattern(
  spec: _PatternSpec,
  timestamp: number,
  frameNumber: number,
): Uint8Array {
  const { width, height, order } = spec;
  const data = new Uint8Array(width * height * 4);
  const words = new Uint32Array(data.buffer);
  const fg = _pack(spec.foreground, order);
  const bg = _pack(spec.background, order);
  switch (spec.pattern) {
    case "solid":
      words.fill(fg);
      break;
    case "gradient":
      for (let y = 0; y < height; y++) {
        const x = Math.floor((255 * y) / height);
        const [f, b] = [spec.foreground, spec.background];
        const c: Rgba = [
          _blend(f[0], b[0], x),
          _blend(f[1], b[1], x),
          _blend(f[2], b[2], x),
          _blend(f[3], b[3], x),
        ];
        words.fill(_pack(c, order), y * width, (y + 1) * width);
      }
      break;
    case "checkers":
      _checkers(words, width, height, spec.size, fg, bg);
      break;
    case "ball":
    case "box": {
      words.fill(bg);
      const side = Math.min(spec.size, width, height);
      const [x, y] = _shapeOrigin(spec, timestamp);
      if (spec.pattern === "box") {
        for (let row = y; row < y + side; row++) {
          words.fill(fg, row * width + x, row * width + x + side);
        }
      } else {
        _disc(words, width, x + side / 2, y + side / 2, side / 2, fg);
      }
      break;
    }
    case "noise":
      _noise(words, spec.seed, frameNumber, order);
      break;
  }
  return data;
}

function _checkers(
  words: Uint32Array,
  width: number,
  height: number,
  size: number,
  fg: number,
  bg: number,
): void {
  const rows = [new Uint32Array(width), new Uint32Array(width)];
  for (let x = 0; x < width; x++) {
    const even = (Math.floor(x / size) & 1) === 0;
    rows[0]![x] = even ? fg : bg;
    rows[1]![x] = even ? bg : fg;
  }
  for (let y = 0; y < height; y++) words.set(rows[Math.floor(y / size) & 1]!, y * width);
}

/** Fills the pixels whose centre lies within `r` of (cx, cy). */
function _disc(
  words: Uint32Array,
  width: number,
  cx: number,
  cy: number,
  r: number,
  color: number,
): void {
  const height = words.length / width;
  for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, Math.ceil(cy + r)); y++) {
    const dy = y + 0.5 - cy;
    const half = r * r - dy * dy;
    if (half < 0) continue;
    const chord = Math.sqrt(half);
    const x0 = Math.max(0, Math.ceil(cx - chord - 0.5));
    const x1 = Math.min(width - 1, Math.floor(cx + chord - 0.5));
    if (x1 >= x0) words.fill(color, y * width + x0, y * width + x1 + 1);
  }
}

/**
 * Grey noise: a counter-based generator (mulberry32's output function over a state derived
 * from `seed` and `frameNumber`), one 32-bit draw for 4 pixels.
 */
function _noise(
  words: Uint32Array,
  seed: number,
  frameNumber: number,
  order: "RGBA" | "BGRA",
): void {
  const grey = new Uint32Array(256);
  for (let v = 0; v < 256; v++) grey[v] = _pack([v, v, v, 255], order);
  let state = _mix((seed >>> 0) ^ _mix(frameNumber >>> 0) ^ Math.floor(frameNumber / 2 ** 32));
  const n = words.length;
  for (let i = 0; i < n; i += 4) {
    let t = (state = (state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t ^= t >>> 14;
    words[i] = grey[t & 255]!;
    if (i + 1 < n) words[i + 1] = grey[(t >>> 8) & 255]!;
    if (i + 2 < n) words[i + 2] = grey[(t >>> 16) & 255]!;
    if (i + 3 < n) words[i + 3] = grey[t >>> 24]!;
  }
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function _mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
