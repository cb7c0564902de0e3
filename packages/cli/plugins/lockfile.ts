import { dirname, join, resolve } from "node:path";
import { StreamlibError } from "@streamlib/core";
import type { PermissionGrant } from "../plugin_grants.ts";

/** An npm package name, as manifests have them (`@scope/name`, `name`). */
const _PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** The lockfile's name: it sits beside the plugins folder (`streamlib_plugins/`). */
export const LOCKFILE_NAME = "streamlib.lock";

/**
 * One installed plugin as `streamlib.lock` records it: the exact version, where its tarball came
 * from and its integrity (npm's `sha512-…`), and what the user granted it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LockedPlugin } from "@streamlib/cli";
 * const locked: LockedPlugin = {
 *   version: "1.0.0",
 *   requested: "^1.0.0",
 *   registry: "http://127.0.0.1:4873/",
 *   resolved: "http://127.0.0.1:4873/reader/-/reader-1.0.0.tgz",
 *   integrity: "sha512-AAAA",
 *   permissions: { read: { params: ["reader.path"] } },
 * };
 * assert.ok(locked.permissions.read?.params?.length === 1);
 * ```
 */
export interface LockedPlugin {
  /** The exact version installed. */
  readonly version: string;
  /** The range asked for (`^1.0.0`), which `update` stays within. */
  readonly requested: string;
  /** The registry it came from. */
  readonly registry: string;
  /** The tarball's URL. */
  readonly resolved: string;
  /** The tarball's integrity, `sha512-` and its hash in base64. */
  readonly integrity: string;
  /** What the user granted the plugin (its manifest's permissions when they agreed). */
  readonly permissions: PermissionGrant;
}

/**
 * The lockfile: `{ "lockfileVersion": 1, "plugins": { name: LockedPlugin } }`, names sorted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Lockfile } from "@streamlib/cli";
 * const lock: Lockfile = { lockfileVersion: 1, plugins: {} };
 * assert.ok(lock.lockfileVersion === 1);
 * ```
 */
export interface Lockfile {
  /** The format's version: 1. */
  readonly lockfileVersion: 1;
  /** The installed plugins by package name. */
  readonly plugins: Readonly<Record<string, LockedPlugin>>;
}

/**
 * Where the lockfile of a plugins folder is: beside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockfilePath } from "@streamlib/cli";
 * assert.equal(lockfilePath("/work/streamlib_plugins"), "/work/streamlib.lock");
 * ```
 *
 * @param pluginsDir The plugins folder.
 * @returns The lockfile's path.
 */
export function lockfilePath(pluginsDir: string): string {
  return join(dirname(resolve(pluginsDir)), LOCKFILE_NAME);
}

/**
 * Reads a lockfile; an absent one is empty. Throws `SL_LOCKFILE` when it is not a lockfile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLockfile } from "@streamlib/cli";
 * const lock = await readLockfile(`${await Deno.makeTempDir()}/streamlib.lock`);
 * assert.deepEqual(lock, { lockfileVersion: 1, plugins: {} });
 * ```
 *
 * @param path The lockfile's path.
 * @returns Its contents.
 */
export async function readLockfile(path: string): Promise<Lockfile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { lockfileVersion: 1, plugins: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StreamlibError("SL_LOCKFILE", `${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const lock = parsed as Partial<Lockfile> | null;
  const plugins = lock?.plugins;
  if (
    lock?.lockfileVersion !== 1 || typeof plugins !== "object" || plugins === null ||
    Object.values(plugins).some((p) =>
      typeof p?.version !== "string" || typeof p.integrity !== "string" ||
      typeof p.resolved !== "string" || typeof p.permissions !== "object"
    )
  ) {
    throw new StreamlibError(
      "SL_LOCKFILE",
      `${path} is not a streamlib lockfile (version 1): remove it and install again`,
    );
  }
  // Names become folders under the plugins folder: one that is not a package name (`../x`)
  // would have install write, and remove delete, outside it.
  const bad = Object.keys(plugins).find((name) => !_PACKAGE_NAME.test(name));
  if (bad !== undefined) {
    throw new StreamlibError(
      "SL_LOCKFILE",
      `${path} records a plugin named ${
        JSON.stringify(bad)
      }, which is not a package name ("name" or "@scope/name": lowercase letters, digits, ., _ and -); fix or remove that entry`,
      { details: { name: bad } },
    );
  }
  return lock as Lockfile;
}

/**
 * Writes a lockfile, names sorted, through a temporary file so that it is never half written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLockfile, writeLockfile } from "@streamlib/cli";
 * const path = `${await Deno.makeTempDir()}/streamlib.lock`;
 * await writeLockfile(path, { lockfileVersion: 1, plugins: {} });
 * assert.deepEqual(await readLockfile(path), { lockfileVersion: 1, plugins: {} });
 * ```
 *
 * @param path The lockfile's path.
 * @param lock What to write.
 */
export async function writeLockfile(path: string, lock: Lockfile): Promise<void> {
  const plugins = Object.fromEntries(
    Object.entries(lock.plugins).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
  const temporary = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(
    temporary,
    `${JSON.stringify({ lockfileVersion: 1, plugins }, null, 2)}\n`,
  );
  await Deno.rename(temporary, path);
}
