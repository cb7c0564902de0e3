import assert from "node:assert/strict";
import { convertQuantity } from "./convert_quantity.ts";
import { isStreamlibError } from "../errors.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

Deno.test("convertQuantity() converts times and frequencies and refuses mixed dimensions", () => {
  assert.equal(convertQuantity("250ms", "µs"), 250_000);
  assert.equal(convertQuantity("250ms", "us"), 250_000);
  assert.equal(convertQuantity("0.1s", "µs"), 100_000);
  assert.equal(convertQuantity("2h", "min"), 120);
  assert.equal(convertQuantity("1MHz", "kHz"), 1000);
  assert.throws(() => convertQuantity("1s", "Hz"), code("SL_PARAM_INVALID"));
  assert.throws(() => convertQuantity("1s", "px"), code("SL_PARAM_INVALID"));
  assert.throws(() => convertQuantity("fast", "s"), code("SL_PARAM_INVALID"));
});
