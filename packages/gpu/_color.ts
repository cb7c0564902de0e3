/**
 * Colour parameters, as `@streamlib/video`'s `parseColor` reads them (this package does not
 * import the video package, which loads a native canvas library). Internal.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";

/** Red, green, blue and alpha, 0–255, straight. */
export type _Rgba = readonly [number, number, number, number];

const _NAMED: Readonly<Record<string, _Rgba>> = {
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

/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` or a CSS name; `SL_PARAM_INVALID` otherwise. */
export function _parseColor(text: string): _Rgba {
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
