import { isAbsolute, resolve } from "node:path";
import {
  type IsolatedActor,
  type PermissionName,
  type PermissionSet,
  StreamlibError,
  type WorkerPermissions,
} from "@streamlib/core";

/** The permissions a plugin's actors never get unless the user granted them to it by name. */
export const WITHHELD_PERMISSIONS: readonly PermissionName[] = ["run", "ffi"];

const _NAMES: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys"];

/**
 * How a plugin's actors run: what the user granted it (every permission its manifest declares
 * but `run` and `ffi`, unless granted by name), and where paths are resolved from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SandboxOptions } from "@streamlib/cli";
 * const options: SandboxOptions = { plugin: "@acme/blur", cwd: "/work", granted: ["read"] };
 * assert.ok(options.granted.includes("read"));
 * ```
 */
export interface SandboxOptions {
  /** The plugin's package name, for messages. */
  readonly plugin: string;
  /** The folder relative paths are resolved from (the pipeline process's). */
  readonly cwd: string;
  /** The permissions the plugin may have at all. */
  readonly granted: readonly PermissionName[];
}

/**
 * One sandboxed actor's permissions, from what its manifest asks for (with its parameters'
 * values, as `Catalogue.actorPermissions` gives them): its Worker may do exactly that, with
 * paths made absolute (Deno resolves a Worker's relative paths from the module that starts it),
 * and nothing else — no imports from the network. Throws `SL_PERMISSION_NOT_GRANTED` when it
 * asks for a permission the plugin was not granted (`run` or `ffi`, by default), naming both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sandboxOf } from "@streamlib/cli";
 * const sandbox = sandboxOf(
 *   { read: { all: false, values: ["in.txt"], reasons: ["src (reader): reads its file"] } },
 *   { plugin: "reader", cwd: "/work", granted: ["read"] },
 * );
 * assert.deepEqual(sandbox.worker, {
 *   read: ["/work/in.txt"], write: false, net: false, env: false, run: false, ffi: false,
 *   sys: false, import: false,
 * });
 * assert.throws(
 *   () => sandboxOf({ run: { all: true, values: [], reasons: ["x (y): runs tools"] } }, {
 *     plugin: "reader", cwd: "/work", granted: ["read"],
 *   }),
 *   /not granted/,
 * );
 * ```
 *
 * @param needs What the actor asks for.
 * @param options The plugin, its grants and the working folder.
 * @returns What the process needs for it, and its Worker's permissions.
 */
export function sandboxOf(needs: PermissionSet, options: SandboxOptions): IsolatedActor {
  const worker: { -readonly [K in PermissionName | "import"]?: boolean | string[] } = {};
  for (const name of _NAMES) {
    const need = needs[name];
    if (need === undefined) {
      worker[name] = false;
      continue;
    }
    if (!options.granted.includes(name)) {
      const why = need.reasons.join("; ");
      throw new StreamlibError(
        "SL_PERMISSION_NOT_GRANTED",
        `The plugin ${options.plugin} asks for the "${name}" permission (${why}), which it was ` +
          `not granted: its actors run sandboxed, and ${
            WITHHELD_PERMISSIONS.includes(name)
              ? `"${name}" is given only by name`
              : "it was not agreed to"
          }. Grant it with \`streamlib run --grant ${options.plugin}=${name}\` (or install it with --grant ${name}), or leave the actor out`,
        { details: { plugin: options.plugin, permission: name, reasons: need.reasons } },
      );
    }
    worker[name] = need.all
      ? true
      : need.values.map((v) =>
        (name === "read" || name === "write") ? _absolute(v, options.cwd) : v
      );
  }
  worker.import = false;
  return { needs, worker: worker as WorkerPermissions };
}

function _absolute(path: string, cwd: string): string {
  if (path.startsWith("file:")) return decodeURIComponent(new URL(path).pathname);
  return isAbsolute(path) ? path : resolve(cwd, path);
}
