import { videoFrameLayout, type VideoPixelFormat } from "@streamlib/core";

/**
 * The colours of the SMPTE bars as gamma-corrected R'G'B' fractions of full scale (1 = 100%).
 * Values outside [0, 1] exist only in Y'CbCr (the −4% PLUGE step) and clip in RGB.
 *
 * -I and +Q are the NTSC I and Q axes at 20% amplitude (I = ∓0.2 or Q = 0.2 in YIQ), lifted
 * until the smallest of R', G', B' is 0, through the FCC YIQ matrix (R = Y + 0.956 I + 0.621 Q,
 * G = Y − 0.272 I − 0.647 Q, B = Y − 1.106 I + 1.703 Q). Through BT.709 they give exactly the
 * 8-bit values of SMPTE RP 219 (−I: 61, 153, 99; +Q: 35, 174, 152).
 */
const _COLORS = {
  white75: [0.75, 0.75, 0.75],
  yellow75: [0.75, 0.75, 0],
  cyan75: [0, 0.75, 0.75],
  green75: [0, 0.75, 0],
  magenta75: [0.75, 0, 0.75],
  red75: [0.75, 0, 0],
  blue75: [0, 0, 0.75],
  black: [0, 0, 0],
  white: [1, 1, 1],
  minusI: [0, 0.2456, 0.4124],
  plusQ: [0.2536, 0, 0.47],
  minus4: [-0.04, -0.04, -0.04],
  plus4: [0.04, 0.04, 0.04],
} as const satisfies Record<string, readonly [number, number, number]>;

type _Color = keyof typeof _COLORS;

const _TOP: readonly _Color[] = [
  "white75",
  "yellow75",
  "cyan75",
  "green75",
  "magenta75",
  "red75",
  "blue75",
];
const _MIDDLE: readonly _Color[] = [
  "blue75",
  "black",
  "magenta75",
  "black",
  "cyan75",
  "black",
  "white75",
];

/**
 * The colour of bottom-band cell `u`, in 84ths of the width (12 to a bar): −I, 100% white, +Q
 * and black 15 each (5/4 bar), then the PLUGE under the red bar (−4%, black, +4%, 4 each) and
 * black under the blue bar.
 */
function _bottom(u: number): _Color {
  if (u < 15) return "minusI";
  if (u < 30) return "white";
  if (u < 45) return "plusQ";
  if (u < 60) return "black";
  if (u < 64) return "minus4";
  if (u < 68) return "black";
  if (u < 72) return "plus4";
  return "black";
}

/**
 * The colour names of one row of each band of a `width`-pixel picture: top bars, the middle
 * (reverse blue) strip and the bottom band. Column `x` belongs to bar `floor(7x / width)`; the
 * bottom band is split the same way in 84ths, so the PLUGE lies exactly under the red bar.
 */
function _bandRows(width: number): [_Color[], _Color[], _Color[]] {
  const top: _Color[] = [];
  const middle: _Color[] = [];
  const bottom: _Color[] = [];
  for (let x = 0; x < width; x++) {
    const bar = Math.floor((7 * x) / width);
    top.push(_TOP[bar]!);
    middle.push(_MIDDLE[bar]!);
    bottom.push(_bottom(Math.floor((84 * x) / width)));
  }
  return [top, middle, bottom];
}

/**
 * The band of row `y` of a `height`-line picture: 0 above `floor(2h / 3)`, 1 above
 * `floor(3h / 4)`, else 2.
 */
function _band(y: number, height: number): 0 | 1 | 2 {
  if (y < Math.floor((2 * height) / 3)) return 0;
  if (y < Math.floor((3 * height) / 4)) return 1;
  return 2;
}

/**
 * 8-bit R'G'B' of a colour: `round(255 × v)`, clipped to 0–255.
 *
 * @param color The colour.
 * @returns Red, green and blue.
 */
function _rgb8(color: _Color): [number, number, number] {
  const [r, g, b] = _COLORS[color];
  const q = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [q(r), q(g), q(b)];
}

/**
 * 8-bit limited-range Y'CbCr of a colour with the BT.601 or BT.709 matrix (ITU-R BT.601 and
 * BT.709, SMPTE RP 219): Y = 16 + 219·E'Y, Cb = 128 + 224·(E'B − E'Y) / (2(1 − Kb)),
 * Cr = 128 + 224·(E'R − E'Y) / (2(1 − Kr)), rounded to nearest.
 *
 * @param color The colour.
 * @param matrix The matrix.
 * @returns Y, Cb and Cr.
 */
function _ycbcr8(color: _Color, matrix: "bt601" | "bt709"): [number, number, number] {
  const [r, g, b] = _COLORS[color];
  const [kr, kb] = matrix === "bt709" ? [0.2126, 0.0722] : [0.299, 0.114];
  const ey = kr * r + (1 - kr - kb) * g + kb * b;
  return [
    Math.round(16 + 219 * ey),
    Math.round(128 + (224 * (b - ey)) / (2 * (1 - kb))),
    Math.round(128 + (224 * (r - ey)) / (2 * (1 - kr))),
  ];
}

/**
 * Draws the SMPTE EG 1 colour bars (75% bars, reverse blue strip, −I / white / +Q / PLUGE)
 * natively in `format`, tightly packed: RGBA/BGRA from 8-bit R'G'B' (75% = 191), I420/NV12 from
 * limited-range Y'CbCr with `matrix`, chroma averaged over each 2×2 block (on odd sizes over the
 * pixels the block has).
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param matrix The Y'CbCr matrix of I420 and NV12 output.
 * @returns The pixel bytes.
 */
export function _smpteBars(
  format: VideoPixelFormat,
  width: number,
  height: number,
  matrix: "bt601" | "bt709",
): Uint8Array {
  const { layout, byteLength } = videoFrameLayout(format, width, height);
  const data = new Uint8Array(byteLength);
  const bands = _bandRows(width);
  if (format === "RGBA" || format === "BGRA") {
    const [ri, bi] = format === "RGBA" ? [0, 2] : [2, 0];
    const rows = bands.map((names) => {
      const row = new Uint8Array(width * 4);
      names.forEach((name, x) => {
        const [r, g, b] = _rgb8(name);
        row[4 * x + ri] = r;
        row[4 * x + 1] = g;
        row[4 * x + bi] = b;
        row[4 * x + 3] = 255;
      });
      return row;
    });
    for (let y = 0; y < height; y++) data.set(rows[_band(y, height)]!, y * width * 4);
    return data;
  }
  const planes = bands.map((names) => {
    const y = new Uint8Array(width);
    const cb = new Uint8Array(width);
    const cr = new Uint8Array(width);
    names.forEach((name, x) => {
      [y[x], cb[x], cr[x]] = _ycbcr8(name, matrix);
    });
    return { y, cb, cr };
  });
  for (let y = 0; y < height; y++) data.set(planes[_band(y, height)]!.y, y * width);
  const [cw, ch] = [Math.ceil(width / 2), Math.ceil(height / 2)];
  const [u, v] = format === "I420"
    ? [layout[1]!.offset, layout[2]!.offset]
    : [layout[1]!.offset, layout[1]!.offset + 1];
  const stride = format === "I420" ? cw : 2 * cw;
  const step = format === "I420" ? 1 : 2;
  for (let cy = 0; cy < ch; cy++) {
    const a = planes[_band(2 * cy, height)]!;
    const b = planes[_band(Math.min(2 * cy + 1, height - 1), height)]!;
    for (let cx = 0; cx < cw; cx++) {
      const x0 = 2 * cx;
      const x1 = Math.min(x0 + 1, width - 1);
      const at = cy * stride + cx * step;
      data[u + at] = (a.cb[x0]! + a.cb[x1]! + b.cb[x0]! + b.cb[x1]! + 2) >> 2;
      data[v + at] = (a.cr[x0]! + a.cr[x1]! + b.cr[x0]! + b.cr[x1]! + 2) >> 2;
    }
  }
  return data;
}
