import { type PermissionName, type PermissionSet, StreamlibError } from "@streamlib/core";

const _ORDER: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys"];

/**
 * The Deno flags that grant exactly what a pipeline needs, from
 * `Catalogue.permissions(spec)`: `--allow-<name>` when a permission is needed without
 * restriction, `--allow-<name>=a,b` for the values needed, nothing for permissions nobody
 * asked for. A permission asked for only through a parameter that has no value grants
 * nothing. Throws `SL_PERMISSION_VALUE` for a value Deno's flags cannot carry (one with a
 * comma).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { permissionFlags } from "@streamlib/cli";
 * const flags = permissionFlags({
 *   write: { all: false, values: ["out.mp4"], reasons: ["sink (filesink): writes the file"] },
 *   net: { all: false, values: ["monitor.lan:9000"], reasons: ["mon (monitor): reports"] },
 *   env: { all: true, values: [], reasons: ["cfg (settings): reads settings"] },
 * });
 * assert.ok(flags.join(" ") === "--allow-write=out.mp4 --allow-net=monitor.lan:9000 --allow-env");
 * ```
 *
 * @param set What the pipeline needs, by permission.
 * @returns The flags, in the order read, write, net, env, run, ffi, sys.
 */
export function permissionFlags(set: PermissionSet): string[] {
  const flags: string[] = [];
  for (const name of _ORDER) {
    const need = set[name];
    if (need === undefined) continue;
    if (need.all) {
      flags.push(`--allow-${name}`);
      continue;
    }
    for (const value of need.values) {
      if (value.includes(",")) {
        throw new StreamlibError(
          "SL_PERMISSION_VALUE",
          `Cannot grant ${name} access to ${
            JSON.stringify(value)
          }: Deno's --allow-${name} separates values with commas, so a value cannot contain one; rename it`,
          { details: { permission: name, value } },
        );
      }
    }
    if (need.values.length) flags.push(`--allow-${name}=${need.values.join(",")}`);
  }
  return flags;
}
