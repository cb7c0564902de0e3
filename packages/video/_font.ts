import type { VideoFrame } from "@streamlib/core";

/** Width of a glyph of the built-in font, in font pixels. */
export const _GLYPH_WIDTH = 5;
/** Height of a glyph of the built-in font, in font pixels. */
export const _GLYPH_HEIGHT = 7;

/**
 * A 5×7 bitmap font of the digits, the colon and the space, drawn for this package: each glyph
 * is 7 rows of 5 columns, `#` lit.
 */
const _DRAWN: Readonly<Record<string, string>> = {
  "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
  "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
  "2": ".###. #...# ....# ...#. ..#.. .#... #####",
  "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
  "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
  "5": "##### #.... ####. ....# ....# #...# .###.",
  "6": "..##. .#... #.... ####. #...# #...# .###.",
  "7": "##### ....# ...#. ..#.. .#... .#... .#...",
  "8": ".###. #...# #...# .###. #...# #...# .###.",
  "9": ".###. #...# #...# .#### ....# ...#. .##..",
  ":": "..... .##.. .##.. ..... .##.. .##.. .....",
  " ": "..... ..... ..... ..... ..... ..... .....",
};

/** Each glyph as 7 row masks, bit 4 the leftmost column. */
const _GLYPHS: ReadonlyMap<string, readonly number[]> = new Map(
  Object.entries(_DRAWN).map(([char, rows]) => [
    char,
    rows.split(" ").map((row) =>
      [...row].reduce((bits, c) => (bits << 1) | (c === "#" ? 1 : 0), 0)
    ),
  ]),
);

/**
 * The rows of a glyph of the built-in font, bit 4 the leftmost column; `undefined` for a
 * character the font lacks (only `0`–`9`, `:` and space are drawn).
 *
 * @param char One character.
 * @returns 7 row masks.
 */
export function _glyph(char: string): readonly number[] | undefined {
  return _GLYPHS.get(char);
}

/**
 * Renders `text` in the built-in font, each font pixel `scale` × `scale` pixels, glyphs one font
 * pixel apart: a `width` × `height` mask, 1 where lit. Characters the font lacks are blank.
 *
 * @param text The text.
 * @param scale Pixels per font pixel (a positive integer).
 * @returns The mask and its size.
 */
export function _textMask(
  text: string,
  scale: number,
): { width: number; height: number; mask: Uint8Array } {
  const chars = [...text];
  const advance = (_GLYPH_WIDTH + 1) * scale;
  const width = Math.max(0, chars.length * advance - scale);
  const height = _GLYPH_HEIGHT * scale;
  const mask = new Uint8Array(width * height);
  chars.forEach((char, i) => {
    const rows = _glyph(char);
    if (rows === undefined) return;
    for (let gy = 0; gy < _GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < _GLYPH_WIDTH; gx++) {
        if (((rows[gy]! >> (_GLYPH_WIDTH - 1 - gx)) & 1) === 0) continue;
        for (let sy = 0; sy < scale; sy++) {
          const row = (gy * scale + sy) * width + i * advance + gx * scale;
          mask.fill(1, row, row + scale);
        }
      }
    }
  });
  return { width, height, mask };
}

/**
 * Where {@linkcode _drawLabel} puts its box and text: the box's top-left corner is `2 × scale`
 * from the picture's, the text `scale` inside the box, and the box's corner and size are even so
 * that it covers whole 2×2 chroma blocks of YUV frames.
 *
 * @param text The text.
 * @param scale Pixels per font pixel.
 * @returns The box and the text's top-left corner (not clipped to any picture).
 */
export function _labelBox(
  text: string,
  scale: number,
): { x: number; y: number; width: number; height: number; textX: number; textY: number } {
  const chars = [...text].length;
  const textWidth = Math.max(0, chars * (_GLYPH_WIDTH + 1) * scale - scale);
  const even = (n: number): number => n + (n & 1);
  const x = 2 * scale;
  const y = 2 * scale;
  return {
    x,
    y,
    width: even(textWidth + 2 * scale),
    height: even(_GLYPH_HEIGHT * scale + 2 * scale),
    textX: x + scale,
    textY: y + scale,
  };
}

/**
 * Draws `text` white on a black box near the top-left corner of `frame` (see
 * {@linkcode _labelBox}), clipped to the picture. Writes into `frame.data`: only for frames the
 * caller owns. YUV frames get limited-range values (Y 16 and 235, chroma 128).
 *
 * @param frame The frame to draw on (any of the four formats, any layout).
 * @param text The text.
 * @param scale Pixels per font pixel.
 */
export function _drawLabel(frame: VideoFrame, text: string, scale: number): void {
  const { codedWidth: width, codedHeight: height, data, layout, format } = frame;
  const box = _labelBox(text, scale);
  const { mask, width: mw, height: mh } = _textMask(text, scale);
  const x0 = Math.min(box.x, width);
  const y0 = Math.min(box.y, height);
  const x1 = Math.min(box.x + box.width, width);
  const y1 = Math.min(box.y + box.height, height);
  const yuv = format === "I420" || format === "NV12";
  const [dark, light] = yuv ? [16, 235] : [0, 255];
  const bpp = yuv ? 1 : 4;
  const plane = layout[0]!;
  for (let y = y0; y < y1; y++) {
    const my = y - box.textY;
    const row = plane.offset + y * plane.stride;
    for (let x = x0; x < x1; x++) {
      const mx = x - box.textX;
      const lit = my >= 0 && my < mh && mx >= 0 && mx < mw && mask[my * mw + mx] === 1;
      const p = row + x * bpp;
      const value = lit ? light : dark;
      if (yuv) {
        data[p] = value;
      } else {
        data[p] = data[p + 1] = data[p + 2] = value;
        data[p + 3] = 255;
      }
    }
  }
  if (!yuv) return;
  // Neutral chroma under the box: the box's corner and size are even, so these blocks lie
  // inside it (clipped at odd picture edges to the pixels that exist).
  const cx0 = x0 >> 1, cx1 = (x1 + 1) >> 1, cy0 = y0 >> 1, cy1 = (y1 + 1) >> 1;
  const planes = format === "I420" ? [layout[1]!, layout[2]!] : [layout[1]!];
  const step = format === "I420" ? 1 : 2;
  for (const chroma of planes) {
    for (let cy = cy0; cy < cy1; cy++) {
      const row = chroma.offset + cy * chroma.stride;
      data.fill(128, row + cx0 * step, row + cx1 * step);
    }
  }
}
