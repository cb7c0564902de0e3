import { StreamlibError } from "@streamlib/core";

/**
 * A colour as straight (not premultiplied) 8-bit red, green, blue and alpha.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Rgba } from "@streamlib/video";
 * const red: Rgba = [255, 0, 0, 255];
 * assert.ok(red[3] === 255);
 * ```
 */
export type Rgba = readonly [r: number, g: number, b: number, a: number];

const _NAMED: Readonly<Record<string, Rgba>> = {
  black: [0, 0, 0, 255],
  white: [255, 255, 255, 255],
  red: [255, 0, 0, 255],
  green: [0, 128, 0, 255],
  lime: [0, 255, 0, 255],
  blue: [0, 0, 255, 255],
  yellow: [255, 255, 0, 255],
  cyan: [0, 255, 255, 255],
  magenta: [255, 0, 255, 255],
  gray: [128, 128, 128, 255],
  grey: [128, 128, 128, 255],
  orange: [255, 165, 0, 255],
  purple: [128, 0, 128, 255],
  transparent: [0, 0, 0, 0],
};

/**
 * Parses a colour parameter: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` (CSS hex notation) or one of
 * the names black, white, red, green, lime, blue, yellow, cyan, magenta, gray, orange, purple and
 * transparent (CSS values). Throws `SL_PARAM_INVALID` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseColor } from "@streamlib/video";
 * assert.ok(parseColor("#ff000080").join() === "255,0,0,128");
 * assert.ok(parseColor("#0f0").join() === "0,255,0,255");
 * assert.ok(parseColor("white").join() === "255,255,255,255");
 * ```
 *
 * @param text The colour.
 * @returns Red, green, blue and alpha, 0–255.
 */
export function parseColor(text: string): Rgba {
  const named = _NAMED[text.toLowerCase()];
  if (named !== undefined) return named;
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text)?.[1];
  if (hex === undefined) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Invalid colour ${
        JSON.stringify(text)
      }: use #rgb, #rgba, #rrggbb, #rrggbbaa or a name such as "black" or "transparent"`,
    );
  }
  const digits = hex.length <= 4 ? [...hex].map((d) => d + d) : hex.match(/../g)!;
  const [r = 0, g = 0, b = 0, a = 255] = digits.map((d) => parseInt(d, 16));
  return [r, g, b, a];
}
