import { dirname, join, resolve } from "node:path";
import { type Manifest, satisfiesVersion, StreamlibError } from "@streamlib/core";
import { discoverPlugins } from "../discover_plugins.ts";
import { grantBeyond, manifestGrant, type PermissionGrant } from "../plugin_grants.ts";
import { type LockedPlugin, lockfilePath, readLockfile, writeLockfile } from "./lockfile.ts";
import { type Packument, RegistryClient } from "./registry_client.ts";
import { checkIntegrity, integrityOf, readTarball } from "./tarball.ts";
import { _compareVersions, _pickVersion, _splitSpec } from "./_versions.ts";
import { _checkedManifest, _permissionLines } from "./_package_check.ts";
import { _cachedTarball, _defaultCache, _keepTarball } from "./_tarball_cache.ts";

/**
 * How {@linkcode installPlugins}, {@linkcode updatePlugins} and {@linkcode removePlugins}
 * work: where, from which registry, and how the user agrees.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { InstallOptions } from "@streamlib/cli";
 * const options: InstallOptions = { dir: "./streamlib_plugins", registry: "http://127.0.0.1:4873" };
 * assert.ok(options.dir.endsWith("streamlib_plugins"));
 * ```
 */
export interface InstallOptions {
  /** The plugins folder (`./streamlib_plugins`); the lockfile sits beside it. */
  readonly dir: string;
  /** The registry's URL (default: the one each lockfile entry names, else npm's). */
  readonly registry?: string;
  /** A token for the registry. */
  readonly token?: string;
  /** The tarball cache (default: `STREAMLIB_CACHE`, else `~/.cache/streamlib`). */
  readonly cache?: string;
  /** Install exactly what the lockfile records, failing on any difference. */
  readonly frozen?: boolean;
  /** Agree to the permissions asked, but `run` and `ffi` (they need `grant`). */
  readonly yes?: boolean;
  /** Agree to every permission asked, more than the lockfile grants and `run` and `ffi` included. */
  readonly grant?: boolean;
  /** Asks the user a yes/no question (default: none, so `yes` or `grant` is needed). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Where progress and permission lines go (default: nowhere). */
  readonly say?: (line: string) => void;
}

/**
 * What happened to one plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { InstallResult } from "@streamlib/cli";
 * const r: InstallResult = { name: "reader", version: "1.0.0", from: "cache", path: "/p/reader" };
 * assert.ok(r.from === "cache");
 * ```
 */
export interface InstallResult {
  /** The package name. */
  readonly name: string;
  /** The version. */
  readonly version: string;
  /** `cache`: no download; `registry`: downloaded; `unchanged`: nothing to do (update). */
  readonly from: "cache" | "registry" | "unchanged";
  /** Where it is installed. */
  readonly path: string;
  /** The version it replaced, if any. */
  readonly previous?: string;
}

const _NPM = "https://registry.npmjs.org/";

/**
 * Installs plugins (`name`, `name@range`, `@scope/name@1.2.3`) from an npm-compatible registry
 * into the plugins folder, one folder each, and records them in `streamlib.lock` beside it.
 * Each one is checked before anything is written: its tarball against the registry's (or the
 * lockfile's) `sha512` integrity (`SL_INTEGRITY`), its manifest (`SL_MANIFEST_INVALID`), its
 * types against those already there (`SL_NAME_TAKEN`), and the user's consent to every
 * permission it asks for, shown with its reason (`SL_PERMISSION_NOT_GRANTED` without it). A
 * plugin the lockfile records is installed at its recorded version from the tarball cache,
 * with no network; with `frozen`, every plugin must be in the lockfile and is installed exactly
 * as recorded (`SL_LOCKFILE` otherwise), and no names means all of them.
 *
 * @example
 * ```ts ignore
 * await installPlugins(["@acme/blur@^1.0.0"], {
 *   dir: "./streamlib_plugins",
 *   registry: "http://127.0.0.1:4873",
 *   yes: true,
 * });
 * ```
 *
 * @param specs The plugins, `name[@range]`.
 * @param options Where, from where, and how the user agrees.
 * @returns What was installed.
 */
export async function installPlugins(
  specs: readonly string[],
  options: InstallOptions,
): Promise<InstallResult[]> {
  const lockPath = lockfilePath(options.dir);
  const lock = await readLockfile(lockPath);
  const wanted = specs.length === 0 && options.frozen
    ? Object.keys(lock.plugins)
    : specs.length === 0
    ? Object.entries(lock.plugins).map(([name, entry]) => `${name}@${entry.version}`)
    : specs;
  const results: InstallResult[] = [];
  for (const spec of wanted) {
    const { name, range } = _splitSpec(spec);
    const locked = lock.plugins[name];
    if (options.frozen) {
      if (locked === undefined) {
        throw new StreamlibError(
          "SL_LOCKFILE",
          `${name} is not in ${lockPath}, and --frozen installs only what the lockfile records`,
          { details: { name } },
        );
      }
      if (range !== undefined && !_satisfies(locked.version, range)) {
        throw new StreamlibError(
          "SL_LOCKFILE",
          `${lockPath} records ${name} ${locked.version}, not in "${range}"; --frozen changes nothing`,
          { details: { name, range, locked: locked.version } },
        );
      }
    }
    const keep = locked !== undefined && (range === undefined || _satisfies(locked.version, range));
    const target = keep
      ? { version: locked.version, tarball: locked.resolved, integrity: locked.integrity }
      : await _resolve(name, range, options, locked);
    results.push(
      await _install(name, target, {
        options,
        lockPath,
        requested: keep ? locked.requested : range ?? `^${target.version}`,
        locked,
        exact: keep || options.frozen === true,
      }),
    );
  }
  return results;
}

/**
 * Updates installed plugins (all, or those named) to the highest version within the range the
 * lockfile records for each. A version that asks for more permissions than the lockfile grants
 * is refused until `grant` is given, and the difference is said (`SL_PERMISSION_NOT_GRANTED`);
 * nothing is then changed.
 *
 * @example
 * ```ts ignore
 * const [result] = await updatePlugins(["reader"], { dir: "./streamlib_plugins", grant: true });
 * ```
 *
 * @param names The plugins to update (default: every one the lockfile records).
 * @param options Where, from where, and how the user agrees.
 * @returns What changed.
 */
export async function updatePlugins(
  names: readonly string[],
  options: InstallOptions,
): Promise<InstallResult[]> {
  const lockPath = lockfilePath(options.dir);
  const lock = await readLockfile(lockPath);
  const results: InstallResult[] = [];
  for (const name of names.length ? names : Object.keys(lock.plugins)) {
    const locked = lock.plugins[name];
    if (locked === undefined) {
      throw new StreamlibError(
        "SL_PLUGIN_NOT_FOUND",
        `${name} is not installed here (${lockPath} does not record it)`,
        { details: { name } },
      );
    }
    const target = await _resolve(name, locked.requested, options, locked);
    if (_compareVersions(target.version, locked.version) <= 0) {
      results.push({
        name,
        version: locked.version,
        from: "unchanged",
        path: _folder(options.dir, name),
      });
      continue;
    }
    results.push(
      await _install(name, target, {
        options,
        lockPath,
        requested: locked.requested,
        locked,
        exact: false,
      }),
    );
  }
  return results;
}

/**
 * Removes installed plugins: their folders and their lockfile entries. Throws
 * `SL_PLUGIN_NOT_FOUND` for a plugin that is not installed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removePlugins } from "@streamlib/cli";
 * const dir = `${await Deno.makeTempDir()}/streamlib_plugins`;
 * await assert.rejects(removePlugins(["reader"], { dir }), /not installed/);
 * ```
 *
 * @param names The plugins.
 * @param options Where they are.
 * @returns Their names and the versions removed.
 */
export async function removePlugins(
  names: readonly string[],
  options: Pick<InstallOptions, "dir">,
): Promise<Array<{ name: string; version: string }>> {
  const lockPath = lockfilePath(options.dir);
  const lock = await readLockfile(lockPath);
  const plugins = { ...lock.plugins };
  const removed: Array<{ name: string; version: string }> = [];
  for (const name of names) {
    const entry = plugins[name];
    if (entry === undefined) {
      throw new StreamlibError(
        "SL_PLUGIN_NOT_FOUND",
        `${name} is not installed here (${lockPath} does not record it)`,
        { details: { name } },
      );
    }
    await Deno.remove(_folder(options.dir, name), { recursive: true }).catch(() => {});
    if (name.startsWith("@")) {
      await Deno.remove(dirname(_folder(options.dir, name))).catch(() => {});
    }
    delete plugins[name];
    removed.push({ name, version: entry.version });
  }
  await writeLockfile(lockPath, { lockfileVersion: 1, plugins });
  return removed;
}

interface _Target {
  /** The version. */
  readonly version: string;
  /** The tarball's URL. */
  readonly tarball: string;
  /** The tarball's integrity (`sha512-…`). */
  readonly integrity: string;
}

async function _resolve(
  name: string,
  range: string | undefined,
  options: InstallOptions,
  locked: LockedPlugin | undefined,
): Promise<_Target> {
  const registry = _registry(options, locked);
  const doc: Packument = await registry.packument(name);
  const version = _pickVersion(doc, range);
  const integrity = version.dist.integrity ?? version.dist.shasum;
  if (integrity === undefined) {
    throw new StreamlibError(
      "SL_INTEGRITY",
      `${name} ${version.version} has no integrity in ${registry.url}: it cannot be checked, so it is not installed`,
      { details: { name, version: version.version } },
    );
  }
  return { version: version.version, tarball: version.dist.tarball, integrity };
}

async function _install(
  name: string,
  target: _Target,
  context: {
    options: InstallOptions;
    lockPath: string;
    requested: string;
    locked: LockedPlugin | undefined;
    /** The lockfile's own version: its grant stands (the frozen or locked case). */
    exact: boolean;
  },
): Promise<InstallResult> {
  const { options, lockPath, locked } = context;
  const say = options.say ?? ((): void => {});
  const what = `${name} ${target.version}`;
  const cache = options.cache ?? _defaultCache();

  // 1. The bytes, from the cache or the registry, checked before anything else.
  let bytes = await _cachedTarball(cache, target.integrity);
  const from = bytes === undefined ? "registry" : "cache";
  if (bytes === undefined) {
    bytes = await _registry(options, locked).tarball(target.tarball);
  }
  await checkIntegrity(bytes, target.integrity, `The tarball of ${what} (${target.tarball})`);

  // 2. What it is: a valid manifest, types that are free.
  const files = await readTarball(bytes);
  const manifest = _checkedManifest(files, name, target.version);
  await _checkTypes(manifest, options.dir);

  // 3. What it may do: the user's consent, or the lockfile's.
  const asked = manifestGrant(manifest);
  const granted = await _consent(manifest, asked, context, say);

  // 4. Written: the cache, the folder, the lockfile.
  if (from === "registry") await _keepTarball(cache, target.integrity, bytes);
  const folder = _folder(options.dir, name);
  await _writeFolder(folder, files);
  const lock = await readLockfile(lockPath);
  const entry: LockedPlugin = {
    version: target.version,
    requested: context.requested,
    registry: context.exact && locked !== undefined
      ? locked.registry
      : _registry(options, locked).url,
    resolved: target.tarball,
    integrity: target.integrity.startsWith("sha512-") ? target.integrity : await integrityOf(bytes),
    permissions: granted,
  };
  await writeLockfile(lockPath, {
    lockfileVersion: 1,
    plugins: { ...lock.plugins, [name]: entry },
  });
  say(`installed ${what} from the ${from} into ${folder}`);
  return {
    name,
    version: target.version,
    from,
    path: folder,
    ...(locked !== undefined && locked.version !== target.version
      ? { previous: locked.version }
      : {}),
  };
}

async function _consent(
  manifest: Manifest,
  asked: PermissionGrant,
  context: {
    options: InstallOptions;
    lockPath: string;
    locked: LockedPlugin | undefined;
    exact: boolean;
  },
  say: (line: string) => void,
): Promise<PermissionGrant> {
  const { options, locked } = context;
  const what = `${manifest.name} ${manifest.version}`;
  if (locked !== undefined) {
    const beyond = grantBeyond(locked.permissions, asked);
    if (beyond.length === 0) return context.exact ? locked.permissions : asked;
    if (context.exact || options.frozen) {
      throw new StreamlibError(
        "SL_LOCKFILE",
        `${what} asks for more than ${context.lockPath} grants it: ${beyond.join("; ")}`,
        { details: { name: manifest.name, beyond } },
      );
    }
    for (const line of beyond) say(`  more: ${line}`);
    if (!options.grant) {
      throw new StreamlibError(
        "SL_PERMISSION_NOT_GRANTED",
        `${what} asks for more permissions than ${locked.version} was granted:\n${
          beyond.map((l) => `  ${l}`).join("\n")
        }\nNothing was changed. Pass --grant to agree to them`,
        { details: { name: manifest.name, beyond } },
      );
    }
    return asked;
  }
  const lines = _permissionLines(manifest);
  say(
    lines.length
      ? `${what} asks for these permissions:\n${lines.map((l) => `  ${l}`).join("\n")}`
      : `${what} asks for no permissions: its actors run in Workers that may do nothing`,
  );
  if (lines.length === 0 || options.grant) return asked;
  const special = (["run", "ffi"] as const).filter((n) => asked[n] !== undefined);
  if (options.yes && special.length === 0) return asked;
  if (options.confirm !== undefined && !options.yes) {
    const question = `Install ${what} and grant it ${
      special.length ? `these permissions (${special.join(" and ")} included)` : "these permissions"
    }?`;
    if (await options.confirm(question)) return asked;
    throw new StreamlibError(
      "SL_PERMISSION_NOT_GRANTED",
      `${what} was not installed: its permissions were not agreed to`,
      { details: { name: manifest.name } },
    );
  }
  throw new StreamlibError(
    "SL_PERMISSION_NOT_GRANTED",
    special.length
      ? `${what} asks for ${special.join(" and ")}, which are granted only by name: pass --grant ` +
        `to install it with them`
      : `${what} asks for permissions: agree with --yes (or answer the question in a terminal)`,
    { details: { name: manifest.name } },
  );
}

/** Refuses a plugin whose types another plugin already provides. */
async function _checkTypes(manifest: Manifest, dir: string): Promise<void> {
  const { catalogue } = await discoverPlugins({ cwd: dirname(resolve(dir)) });
  for (const actor of manifest.actors) {
    if (!catalogue.has(actor.type)) continue;
    const taken = catalogue.describe(actor.type);
    if (taken.package === manifest.name) continue;
    throw new StreamlibError(
      "SL_NAME_TAKEN",
      `${manifest.name} ${manifest.version} provides the actor type "${actor.type}", which ` +
        `${taken.package} (${taken.manifestUrl}) provides already: remove one of them`,
      { details: { type: actor.type } },
    );
  }
}

/** Writes the files into a new folder beside `folder`, then puts it in `folder`'s place. */
async function _writeFolder(folder: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const fresh = `${folder}.installing-${Deno.pid}`;
  const old = `${folder}.old-${Deno.pid}`;
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  try {
    for (const [path, data] of files) {
      const file = join(fresh, path);
      await Deno.mkdir(dirname(file), { recursive: true });
      await Deno.writeFile(file, data);
    }
    await Deno.mkdir(fresh, { recursive: true });
    const had = await Deno.rename(folder, old).then(() => true, () => false);
    await Deno.rename(fresh, folder);
    if (had) await Deno.remove(old, { recursive: true });
  } catch (error) {
    await Deno.remove(fresh, { recursive: true }).catch(() => {});
    throw error;
  }
}

function _folder(dir: string, name: string): string {
  return join(resolve(dir), ...name.split("/"));
}

function _registry(options: InstallOptions, locked: LockedPlugin | undefined): RegistryClient {
  return new RegistryClient(options.registry ?? locked?.registry ?? _NPM, options.token);
}

function _satisfies(version: string, range: string): boolean {
  if (range === "latest") return true;
  try {
    return satisfiesVersion(version, range);
  } catch {
    return false;
  }
}
