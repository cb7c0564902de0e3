import type { Manifest, PermissionName } from "@streamlib/core";

const _NAMES: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys"];

/**
 * What a plugin may do, by permission, as the lockfile records it: unrestricted (`all`), fixed
 * `values` (paths, hosts, variables, commands), and `params`, the parameters (`type.param`)
 * whose values the user gives at run time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PermissionGrant } from "@streamlib/cli";
 * const grant: PermissionGrant = { read: { params: ["reader.path"] }, net: { values: ["a:80"] } };
 * assert.ok(grant.read?.params?.[0] === "reader.path");
 * ```
 */
export type PermissionGrant = {
  readonly [P in PermissionName]?: {
    readonly all?: boolean;
    readonly values?: readonly string[];
    readonly params?: readonly string[];
  };
};

/**
 * Every permission a manifest's actors ask for, merged by permission, in the form the lockfile
 * records what was granted. A parameter's default (a path the actor reads when the user gives
 * none) counts among the values, so an update that changes it asks for more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestGrant } from "@streamlib/cli";
 * const grant = manifestGrant({
 *   name: "reader", version: "1.0.0", streamlib: "^0.1.0",
 *   actors: [{
 *     type: "reader", description: "Reads", classification: "Source/Data", module: "./r.ts",
 *     export: "Reader", params: { path: { type: "string", default: "" } },
 *     permissions: { read: { reason: "reads its file", params: ["path"] } },
 *   }],
 * });
 * assert.deepEqual(grant, { read: { params: ["reader.path"] } });
 * ```
 *
 * @param manifest The manifest.
 * @returns What it asks for.
 */
export function manifestGrant(manifest: Manifest): PermissionGrant {
  const out: Partial<Record<PermissionName, { all?: true; values?: string[]; params?: string[] }>> =
    {};
  for (const actor of manifest.actors) {
    for (const name of _NAMES) {
      const request = actor.permissions?.[name];
      if (request === undefined) continue;
      const to = out[name] ??= {};
      if (request.values === undefined && request.params === undefined) to.all = true;
      for (const v of request.values ?? []) _addSorted(to.values ??= [], v);
      for (const p of request.params ?? []) {
        _addSorted(to.params ??= [], `${actor.type}.${p}`);
        // The actor gets its parameter's default when the user gives no value: granted too.
        const fallback = actor.params?.[p]?.default;
        for (const v of Array.isArray(fallback) ? fallback : [fallback]) {
          if (typeof v === "string" && v !== "") _addSorted(to.values ??= [], v);
        }
      }
    }
  }
  return out;
}

/**
 * What `asked` wants beyond `granted`, one line per permission (empty when `granted` covers it):
 * a permission not granted at all, unrestricted where it was restricted, new values, new
 * parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grantBeyond } from "@streamlib/cli";
 * assert.deepEqual(grantBeyond({ read: { params: ["r.path"] } }, { read: { params: ["r.path"] } }), []);
 * assert.deepEqual(
 *   grantBeyond({ read: { params: ["r.path"] } }, { read: { all: true }, net: { values: ["h:1"] } }),
 *   ["read: everything (was: the values of r.path)", "net: h:1 (new)"],
 * );
 * ```
 *
 * @param granted What was granted.
 * @param asked What is asked for now.
 * @returns The lines, empty when nothing more is asked.
 */
export function grantBeyond(granted: PermissionGrant, asked: PermissionGrant): string[] {
  const lines: string[] = [];
  for (const name of _NAMES) {
    const want = asked[name];
    if (want === undefined) continue;
    const have = granted[name];
    if (have === undefined) {
      lines.push(`${name}: ${describeGrant(want)} (new)`);
      continue;
    }
    if (have.all) continue;
    if (want.all) {
      lines.push(`${name}: everything (was: ${describeGrant(have)})`);
      continue;
    }
    const values = (want.values ?? []).filter((v) => !(have.values ?? []).includes(v));
    const params = (want.params ?? []).filter((p) => !(have.params ?? []).includes(p));
    if (values.length || params.length) {
      lines.push(
        `${name}: ${describeGrant({ values, params })} (more than: ${describeGrant(have)})`,
      );
    }
  }
  return lines;
}

/**
 * A grant of one permission in words: `everything`, its values, `the values of type.param`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeGrant } from "@streamlib/cli";
 * assert.equal(describeGrant({ values: ["a", "b"], params: ["r.path"] }), "a, b, the values of r.path");
 * ```
 *
 * @param grant One permission's grant.
 * @returns The words.
 */
export function describeGrant(grant: NonNullable<PermissionGrant[PermissionName]>): string {
  if (grant.all) return "everything";
  const parts = [...(grant.values ?? [])];
  if (grant.params?.length) parts.push(`the values of ${grant.params.join(", ")}`);
  return parts.join(", ") || "nothing";
}

function _addSorted(list: string[], value: string): void {
  if (!list.includes(value)) {
    list.push(value);
    list.sort();
  }
}
