/**
 * Whether what a patch or a parameter change needs lies within what a least-privilege process
 * was granted. Internal: `PipelineControl` calls it before it changes anything.
 *
 * @module
 */

import type { PermissionName } from "../graph/spec.ts";
import type { PermissionSet } from "../describe/catalogue.ts";

/** What `need` asks beyond `granted`, one line a permission and value; empty when nothing. */
export function _beyond(need: PermissionSet, granted: PermissionSet): string[] {
  const missing: string[] = [];
  for (
    const [name, asked] of Object.entries(need) as Array<
      [PermissionName, PermissionSet[PermissionName]]
    >
  ) {
    if (asked === undefined) continue;
    const have = granted[name];
    const why = asked.reasons.join("; ");
    if (have === undefined) {
      missing.push(
        `${name}${asked.all ? "" : ` access to ${asked.values.join(", ")}`} (${why})`,
      );
      continue;
    }
    if (have.all) continue;
    if (asked.all) {
      missing.push(`${name} without restriction (${why})`);
      continue;
    }
    const outside = asked.values.filter((v) => !have.values.some((g) => _covers(name, g, v)));
    if (outside.length) missing.push(`${name} access to ${outside.join(", ")} (${why})`);
  }
  return missing;
}

/** Whether the granted value `granted` of permission `name` covers `value`. */
function _covers(name: PermissionName, granted: string, value: string): boolean {
  if (name === "read" || name === "write") {
    const g = _path(granted);
    const v = _path(value);
    return v === g || g === "/" || v.startsWith(`${g}/`);
  }
  if (name === "net") {
    if (granted === value) return true;
    // A host without a port allows every port of that host.
    return !/:\d+$/.test(granted) && value.replace(/:\d+$/, "") === granted;
  }
  return granted === value;
}

/** A path without `./` in front or `/` behind, for comparing. */
function _path(path: string): string {
  let p = path.replace(/^(\.\/)+/, "");
  while (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p === "" ? "." : p;
}
