import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { parseColor } from "./color.ts";

Deno.test("parseColor() reads every CSS hex notation", () => {
  assert.deepEqual(parseColor("#abc"), [0xaa, 0xbb, 0xcc, 255]);
  assert.deepEqual(parseColor("#abcd"), [0xaa, 0xbb, 0xcc, 0xdd]);
  assert.deepEqual(parseColor("#102030"), [0x10, 0x20, 0x30, 255]);
  assert.deepEqual(parseColor("#10203040"), [0x10, 0x20, 0x30, 0x40]);
  assert.deepEqual(parseColor("#FFfFff"), [255, 255, 255, 255]);
});

Deno.test("parseColor() knows names regardless of case", () => {
  assert.deepEqual(parseColor("Transparent"), [0, 0, 0, 0]);
  assert.deepEqual(parseColor("BLACK"), [0, 0, 0, 255]);
});

Deno.test("parseColor() rejects malformed colours with SL_PARAM_INVALID", () => {
  for (const bad of ["", "#", "#12", "#12345", "#1234567", "#gggggg", "rgb(1,2,3)", "blu"]) {
    assert.throws(() => parseColor(bad), (e) => isStreamlibError(e, "SL_PARAM_INVALID"), bad);
  }
});
