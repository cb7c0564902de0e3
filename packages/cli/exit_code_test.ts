import assert from "node:assert/strict";
import { StreamlibError } from "@streamlib/core";
import { exitCodeOf } from "./exit_code.ts";

Deno.test("exitCodeOf() gives 2 for usage errors and 1 for everything else", () => {
  for (const code of ["SL_USAGE", "SL_PIPELINE_SYNTAX", "SL_UNKNOWN_TYPE", "SL_CAPS_MISMATCH"]) {
    assert.equal(exitCodeOf(code), 2, code);
    assert.equal(exitCodeOf(new StreamlibError(code, "x")), 2, code);
  }
  assert.equal(exitCodeOf("SL_ACTOR_FAILED"), 1);
  assert.equal(exitCodeOf(new Error("boom")), 1);
  assert.equal(exitCodeOf(undefined), 1);
});
