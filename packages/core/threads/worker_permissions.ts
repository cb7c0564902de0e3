/**
 * The permissions of a `WorkerPool`'s Workers, in the shape of Deno's
 * `WorkerOptions.deno.permissions`: `"inherit"`, `"none"`, or per permission `false` (none),
 * `true` (all the starting thread has) or the values allowed (paths, hosts, variable names,
 * commands).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WorkerPermissions } from "@streamlib/core";
 * const sandbox: WorkerPermissions = { read: ["/data/in.txt"], net: false, run: false };
 * assert.ok(typeof sandbox === "object" && sandbox.run === false);
 * ```
 */
export type WorkerPermissions =
  | "inherit"
  | "none"
  | {
    readonly [P in "read" | "write" | "net" | "env" | "run" | "ffi" | "sys" | "import"]?:
      | boolean
      | readonly string[];
  };
