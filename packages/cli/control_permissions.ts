import type { PermissionName, PermissionSet } from "@streamlib/core";

/**
 * Where a pipeline process serves its control API: the control folder, its socket in it, and
 * a TCP address when asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControlPlace } from "@streamlib/cli";
 * const place: ControlPlace = {
 *   dir: "/run/user/1000/streamlib",
 *   socket: "/run/user/1000/streamlib/datasrc-1.sock",
 *   tcp: { host: "127.0.0.1", port: 9000 },
 * };
 * assert.ok(place.socket.startsWith(place.dir));
 * ```
 */
export interface ControlPlace {
  /** The control folder, where the socket and the registry entry go. */
  readonly dir: string;
  /** The node's socket. */
  readonly socket: string;
  /** A TCP address to serve on too. */
  readonly tcp?: { readonly host: string; readonly port: number };
}

/**
 * What a pipeline process needs to serve its control API, added to what its actors need: read
 * and write of the control folder (the socket and the registry entry), the socket itself as a
 * network address (`unix:<path>`, which Deno grants path by path), and the TCP address when
 * asked for. Nothing else: `--print-permissions` and `--verbose` show the result, with why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { permissionFlags, withControlPermissions } from "@streamlib/cli";
 * const set = withControlPermissions({}, { dir: "/run/x/streamlib", socket: "/run/x/streamlib/a-1.sock" });
 * assert.deepEqual(permissionFlags(set), [
 *   "--allow-read=/run/x/streamlib",
 *   "--allow-write=/run/x/streamlib",
 *   "--allow-net=unix:/run/x/streamlib/a-1.sock",
 * ]);
 * ```
 *
 * @param permissions What the pipeline's actors need (`Catalogue.permissions`).
 * @param place Where the control API is served.
 * @returns Both together.
 */
export function withControlPermissions(
  permissions: PermissionSet,
  place: ControlPlace,
): PermissionSet {
  const out: Partial<
    Record<PermissionName, { all: boolean; values: string[]; reasons: string[] }>
  > = {};
  for (const [name, need] of Object.entries(permissions)) {
    if (need === undefined) continue;
    out[name as PermissionName] = {
      all: need.all,
      values: [...need.values],
      reasons: [...need.reasons],
    };
  }
  const add = (name: PermissionName, value: string, reason: string): void => {
    const need = out[name] ??= { all: false, values: [], reasons: [] };
    if (!need.values.includes(value)) need.values.push(value);
    need.reasons.push(`control API: ${reason}`);
  };
  const socket = `serves the node on ${place.socket}`;
  add("read", place.dir, `${socket} and lists it in ${place.dir}`);
  add("write", place.dir, `${socket} and lists it in ${place.dir}`);
  add("net", `unix:${place.socket}`, socket);
  if (place.tcp !== undefined) {
    const host = place.tcp.host.includes(":") ? `[${place.tcp.host}]` : place.tcp.host;
    // Port 0 lets the system pick one: the host, any port.
    const address = place.tcp.port === 0 ? host : `${host}:${place.tcp.port}`;
    add("net", address, `serves the node on ${address} too`);
  }
  return out;
}
