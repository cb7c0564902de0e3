import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { allowFlags } from "./allow_flags.ts";

Deno.test("allowFlags() accepts names, names with values and the flags themselves", () => {
  assert.deepEqual(
    allowFlags(["read", "write=out,tmp", "--allow-net=example.com:443", "--allow-env", "all"]),
    [
      "--allow-read",
      "--allow-write=out,tmp",
      "--allow-net=example.com:443",
      "--allow-env",
      "--allow-all",
    ],
  );
});

Deno.test("allowFlags() refuses what is not a Deno permission", () => {
  for (const value of ["reed", "--deny-read", "all=x", "", "-A"]) {
    assert.throws(
      () => allowFlags([value]),
      (e) => isStreamlibError(e, "SL_USAGE") && e.message.includes(JSON.stringify(value)),
      value,
    );
  }
});
