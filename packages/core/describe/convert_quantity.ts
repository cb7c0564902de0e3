import { StreamlibError } from "../errors.ts";
import { QUANTITY } from "./parse_pipeline.ts";

const _UNITS: Record<string, { dimension: string; factor: number }> = {
  us: { dimension: "time", factor: 1e-6 },
  "µs": { dimension: "time", factor: 1e-6 },
  ms: { dimension: "time", factor: 1e-3 },
  s: { dimension: "time", factor: 1 },
  min: { dimension: "time", factor: 60 },
  h: { dimension: "time", factor: 3600 },
  Hz: { dimension: "frequency", factor: 1 },
  kHz: { dimension: "frequency", factor: 1e3 },
  MHz: { dimension: "frequency", factor: 1e6 },
};

/**
 * Converts a quantity such as `"10s"` or `"48kHz"` to a number in `unit` (`"µs"`, `"ms"`,
 * `"s"`, `"Hz"`…). Throws `SL_PARAM_INVALID` when the dimensions differ (`"10s"` into Hz) or a
 * unit is unknown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertQuantity } from "@streamlib/core";
 * assert.ok(convertQuantity("10s", "µs") === 10_000_000);
 * assert.ok(convertQuantity("1.5min", "s") === 90);
 * assert.ok(convertQuantity("48kHz", "Hz") === 48_000);
 * ```
 *
 * @param quantity A number followed by a unit.
 * @param unit The unit wanted.
 * @returns The number in that unit.
 */
export function convertQuantity(quantity: string, unit: string): number {
  const match = /^(.*?)(us|µs|ms|s|min|h|Hz|kHz|MHz)$/.exec(quantity);
  const from = match ? _UNITS[match[2]!] : undefined;
  const to = _UNITS[unit];
  if (!match || !QUANTITY.test(quantity) || from === undefined) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `"${quantity}" is not a quantity like 10s or 48kHz`,
    );
  }
  if (to === undefined || to.dimension !== from.dimension) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `"${quantity}" is a ${from.dimension}, which cannot be given in ${
        to ? to.dimension : `"${unit}"`
      } units`,
    );
  }
  // Round away binary noise (0.1 s in µs is 100000, not 99999.99999999999).
  return Number((Number(match[1]) * from.factor / to.factor).toPrecision(15));
}
