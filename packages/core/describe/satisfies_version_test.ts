import assert from "node:assert/strict";
import { StreamlibError } from "../errors.ts";
import { STREAMLIB_VERSION } from "./manifest.ts";
import { satisfiesVersion } from "./satisfies_version.ts";

const RANGES: readonly (readonly [version: string, range: string, expected: boolean])[] = [
  // exact and comparators
  ["1.2.3", "1.2.3", true],
  ["1.2.4", "1.2.3", false],
  ["1.2.3", "=1.2.3", true],
  ["1.2.3+build.5", "1.2.3", true],
  ["1.2.3", ">=1.2.3", true],
  ["1.2.2", ">=1.2.3", false],
  ["1.2.4", ">1.2.3", true],
  ["1.2.3", ">1.2.3", false],
  ["1.2.3", "<=1.2.3", true],
  ["1.2.4", "<=1.2.3", false],
  ["1.2.2", "<1.2.3", true],
  ["1.2.3", "<1.2.3", false],
  // comparators with partial versions
  ["2.0.0", ">1", true],
  ["1.9.9", ">1", false],
  ["1.3.0", ">1.2", true],
  ["1.2.9", ">1.2", false],
  ["1.2.0", ">=1.2", true],
  ["1.2.9", "<=1.2", true],
  ["1.3.0", "<=1.2", false],
  ["1.1.9", "<1.2", true],
  ["1.2.0", "<1.2", false],
  ["1.0.0", ">*", false],
  ["1.0.0", "<=*", true],
  // caret, npm semantics for 0.x
  ["1.9.9", "^1.2.3", true],
  ["2.0.0", "^1.2.3", false],
  ["1.2.2", "^1.2.3", false],
  ["0.1.5", "^0.1.2", true],
  ["0.2.0", "^0.1.2", false],
  ["0.1.1", "^0.1.2", false],
  ["0.0.3", "^0.0.3", true],
  ["0.0.4", "^0.0.3", false],
  ["0.0.9", "^0.0", true],
  ["0.1.0", "^0.0", false],
  ["0.9.0", "^0.x", true],
  ["1.0.0", "^0.x", false],
  ["1.9.0", "^1.2.x", true],
  ["0.1.9", "^0.1.x", true],
  ["0.2.0", "^0.1.x", false],
  ["0.1.0", "^ 0.1.0", true],
  // tilde
  ["1.2.9", "~1.2.3", true],
  ["1.3.0", "~1.2.3", false],
  ["1.9.0", "~1", true],
  ["0.2.5", "~0.2", true],
  ["0.3.0", "~0.2", false],
  // x-ranges
  ["1.0.0", "1.x", true],
  ["1.99.0", "1.X", true],
  ["2.0.0", "1.x", false],
  ["1.2.7", "1.2.*", true],
  ["1.3.0", "1.2.*", false],
  ["5.4.3", "*", true],
  ["1.0.0", "1", true],
  ["2.0.0", "1", false],
  ["1.2.0", "=1.2", true],
  // hyphen ranges
  ["1.2.3", "1.2.3 - 2.0.0", true],
  ["2.0.0", "1.2.3 - 2.0.0", true],
  ["2.0.1", "1.2.3 - 2.0.0", false],
  ["1.2.2", "1.2.3 - 2.0.0", false],
  ["2.3.9", "1.2.3 - 2.3", true],
  ["2.4.0", "1.2.3 - 2.3", false],
  ["2.9.9", "1.2 - 2", true],
  ["1.1.9", "1.2 - 2", false],
  // AND and OR
  ["1.5.0", ">=1.0.0 <1.5.0", false],
  ["1.4.5", ">1.0.0 <1.5.0 >=1.4.0", true],
  ["1.3.0", ">1.0.0 <1.5.0 >=1.4.0", false],
  ["1.5.0", ">= 1.2.3 < 2", true],
  ["3.0.0", "1.x || >=2.5.0 <4", true],
  ["1.4.0", "1.x || >=2.5.0 <4", true],
  ["2.0.0", "1.x || >=2.5.0 <4", false],
  ["2.0.0", "1.2.3||2.0.0", true],
  // prereleases: only where a comparator of the same alternative has one on the same x.y.z
  ["1.2.3-beta.1", "^1.2.3", false],
  ["1.3.0-beta.1", "^1.2.0", false],
  ["1.2.3-beta.1", "^1.2.3-alpha", true],
  ["1.2.3-alpha", "^1.2.3-beta", false],
  ["1.2.4-beta", "^1.2.3-alpha", false],
  ["1.2.3", "^1.2.3-alpha", true],
  ["2.0.0-rc.1", "^1.0.0", false],
  ["2.0.0-rc.1", "<2.0.0", false],
  ["1.0.0-beta", "*", false],
  ["1.0.0-rc.1", ">=1.0.0-beta.2", true],
  ["1.0.0-beta.11", ">=1.0.0-beta.2", true],
  ["1.0.0-beta", ">=1.0.0-beta.2", false],
  ["1.0.0-beta.2", "1.0.0-beta.2", true],
  ["1.0.0-alpha.beta", ">1.0.0-alpha.1", true],
  ["1.0.0-beta", "1.0.0-beta - 1.0.0", true],
  ["0.1.0-rc.1", "^0.1.0-rc.0 || ^1.0.0", true],
  ["1.0.0-rc.1", "^0.1.0 || >=1.0.0-rc.0", true],
  ["1.0.0-rc.1", "^0.1.0 || >=1.0.0", false],
  ["0.0.3-beta", "^0.0.3-alpha", true],
  ["0.0.4-beta", "^0.0.3-alpha", false],
  ["1.2.3-beta", "~1.2.3-alpha", true],
  ["1.2.4-beta", "~1.2.3-alpha", false],
];

Deno.test("satisfiesVersion() follows npm's range semantics", () => {
  assert.ok(RANGES.length >= 40);
  const wrong = RANGES.filter(([version, range, expected]) =>
    satisfiesVersion(version, range) !== expected
  );
  assert.deepEqual(wrong, []);
});

Deno.test("satisfiesVersion() accepts STREAMLIB_VERSION in the range new plugins declare", () => {
  assert.ok(satisfiesVersion(STREAMLIB_VERSION, "^0.1.0"));
  assert.ok(satisfiesVersion(STREAMLIB_VERSION, "~0.1"));
  assert.ok(!satisfiesVersion(STREAMLIB_VERSION, "^0.2.0"));
});

Deno.test("satisfiesVersion() throws SL_MANIFEST_INVALID for a malformed range", () => {
  for (
    const range of [
      "",
      "   ",
      "^^1.2.3",
      ">=1.2.3<2",
      "1.x.3",
      "1.2.x-beta",
      "01.2.3",
      "1.2.3.4",
      "1.2.3 -",
      "abc",
      "1.x ||",
      "|| 1.x",
      ">=",
      "~>1.2",
      "1.2.99999999999999999",
    ]
  ) {
    assert.throws(
      () => satisfiesVersion("1.2.3", range),
      (error: unknown) => error instanceof StreamlibError && error.code === "SL_MANIFEST_INVALID",
      JSON.stringify(range),
    );
  }
});

Deno.test("satisfiesVersion() throws SL_MANIFEST_INVALID for a malformed version", () => {
  for (const version of ["", "1.2", "v1.2.3", "1.2.3-", "01.2.3", "1.2.3-01", "1.2.x", "1.2.3 "]) {
    assert.throws(
      () => satisfiesVersion(version, "*"),
      (error: unknown) => error instanceof StreamlibError && error.code === "SL_MANIFEST_INVALID",
      JSON.stringify(version),
    );
  }
});

Deno.test("satisfiesVersion() names the bad range and says why in its error", () => {
  assert.throws(
    () => satisfiesVersion("1.0.0", "1.x ||"),
    /Invalid range "1\.x \|\|": it has an empty alternative; write "\*" for any version/,
  );
});
