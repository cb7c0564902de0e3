import { _range, _testSet, _version } from "./_semver.ts";

/**
 * Whether `version` lies in `range`, with npm's semantics and no dependencies:
 * - exact `1.2.3` (or `=1.2.3`), comparators `>=`, `>`, `<=`, `<`;
 * - caret `^1.2.3` (same major; for `0.x`, same minor: `^0.1.2` is `>=0.1.2 <0.2.0`; for
 *   `0.0.x`, same patch);
 * - tilde `~1.2.3` (same minor);
 * - x-ranges `1.x`, `1.2.*`, `1`, `*`;
 * - hyphen ranges `1.2.3 - 2.0.0` (inclusive);
 * - space-separated comparators must all hold; `||` separates alternatives.
 *
 * A prerelease version such as `1.2.3-beta.1` matches only when an alternative has a comparator
 * with a prerelease on the same `1.2.3` (`>=1.2.3-alpha`), as in npm, so `^1.0.0` never pulls
 * in a prerelease. Build metadata is ignored. Throws `SL_MANIFEST_INVALID` for a malformed
 * version or range, or an empty one (write `*` for any).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { satisfiesVersion } from "@streamlib/core";
 * assert.ok(satisfiesVersion("0.1.5", "^0.1.0"));
 * assert.ok(!satisfiesVersion("0.2.0", "^0.1.0"));
 * assert.ok(satisfiesVersion("2.3.0", "1.x || >=2.1.0 <3"));
 * assert.ok(!satisfiesVersion("1.3.0-beta.1", "^1.2.0"));
 * assert.ok(satisfiesVersion("1.3.0-beta.1", ">=1.3.0-alpha <2"));
 * ```
 *
 * @param version A semantic version, e.g. {@linkcode STREAMLIB_VERSION}.
 * @param range The range, e.g. a manifest's `streamlib`.
 * @returns `true` when the version lies in the range.
 */
export function satisfiesVersion(version: string, range: string): boolean {
  const parsed = _version(version);
  const sets = _range(range);
  return sets.some((set) => _testSet(parsed, set));
}
