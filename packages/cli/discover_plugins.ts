import { resolve } from "node:path";
import { _isFile } from "./_is_file.ts";
import { pathToFileURL } from "node:url";
import {
  Catalogue,
  type Manifest,
  type PermissionName,
  StreamlibError,
  validateManifest,
} from "@streamlib/core";
import { grantBeyond, manifestGrant } from "./plugin_grants.ts";
import { lockfilePath, readLockfile } from "./plugins/lockfile.ts";
import { sandboxOf, WITHHELD_PERMISSIONS } from "./sandbox.ts";

/** The folder `streamlib plugins install` installs into, under the working folder. */
export const PLUGINS_FOLDER = "streamlib_plugins";

/**
 * Where {@linkcode discoverPlugins} looks, beyond core's own actors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DiscoverOptions } from "@streamlib/cli";
 * const options: DiscoverOptions = { dirs: ["./vendor/plugins"], plugins: ["./my/manifest.json"] };
 * assert.ok(options.dirs?.length === 1);
 * ```
 */
export interface DiscoverOptions {
  /** The directory whose `packages/*\/manifest.json` and `plugins/*\/manifest.json` are read (default: the current one). */
  readonly cwd?: string;
  /** `--plugins` directories: each one's `manifest.json` and `*\/manifest.json`. */
  readonly dirs?: readonly string[];
  /** `--plugin` manifests: paths or URLs. */
  readonly plugins?: readonly string[];
  /**
   * Permissions granted to plugins by name beyond what they get by default (`--grant
   * name=run`): a plugin's actors never get `run` or `ffi` otherwise, unless it was installed
   * with them granted.
   */
  readonly grants?: Readonly<Record<string, readonly PermissionName[]>>;
}

/**
 * A plugin manifest that {@linkcode discoverPlugins} added to the catalogue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DiscoveredPlugin } from "@streamlib/cli";
 * function types(plugin: DiscoveredPlugin): string[] {
 *   return plugin.manifest.actors.map((a) => a.type);
 * }
 * assert.ok(typeof types === "function");
 * ```
 */
export interface DiscoveredPlugin {
  /** The manifest, validated. */
  readonly manifest: Manifest;
  /** Where it was read from (a URL). */
  readonly url: string;
  /**
   * How its actors run: absent for the packages the command comes with (core's, video, audio,
   * ffmpeg, net), which run in the pipeline's process; for every other plugin, the permissions
   * it may have at all, its actors each in a Worker with only what they ask for.
   */
  readonly sandbox?: { readonly granted: readonly PermissionName[] };
  /** Whether it was installed (`streamlib plugins install`) and the lockfile records it. */
  readonly installed?: boolean;
}

/**
 * What {@linkcode discoverPlugins} found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Discovery } from "@streamlib/cli";
 * function count(found: Discovery): number {
 *   return found.catalogue.list().length;
 * }
 * assert.ok(typeof count === "function");
 * ```
 */
export interface Discovery {
  /** Core's actors and every plugin's. */
  readonly catalogue: Catalogue;
  /** The plugin manifests added, in the order they were found (core's is not among them). */
  readonly plugins: readonly DiscoveredPlugin[];
  /** One line per manifest found in a directory that could not be added, and why. */
  readonly warnings: readonly string[];
}

/**
 * Builds the catalogue the `streamlib` command works with: core's actors, then every
 * `packages/*\/manifest.json` and `plugins/*\/manifest.json` under `cwd` (a workspace's
 * packages and plugins), then the video, audio, ffmpeg and net packages' (the command comes with
 * them, unless the workspace has its own copy), then each `--plugins` directory's
 * `manifest.json` and `*\/manifest.json`, then each `--plugin` manifest (path or URL). A manifest
 * found in a directory that cannot be added (invalid, for another streamlib version, a type
 * already taken) is skipped with a warning; a `--plugin` that cannot be added throws, since it
 * was asked for by name. Only manifests are read: no plugin code is imported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins } from "@streamlib/cli";
 * // Outside a workspace: core's actors, and the packages the command comes with.
 * const found = await discoverPlugins({ cwd: await Deno.makeTempDir() });
 * assert.deepEqual(found.plugins.map((p) => p.manifest.name), [
 *   "@streamlib/video",
 *   "@streamlib/audio",
 *   "@streamlib/ffmpeg",
 *   "@streamlib/net",
 *   "@streamlib/gpu",
 * ]);
 * assert.ok(found.catalogue.has("datasrc") && found.catalogue.has("filesink"));
 * assert.deepEqual(found.warnings, []);
 * ```
 *
 * @param options Where to look.
 * @returns The catalogue, the plugins added and the warnings.
 */
export async function discoverPlugins(options: DiscoverOptions = {}): Promise<Discovery> {
  const cwd = options.cwd ?? Deno.cwd();
  const catalogue = Catalogue.withCore();
  const plugins: DiscoveredPlugin[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>([Catalogue.coreManifestUrl]);
  const failed = new Map<string, unknown>();
  const trusted = new Set(_BUNDLED.map((b) => b.url.href));
  const add = async (url: URL, explicit: boolean, lock?: string): Promise<void> => {
    if (seen.has(url.href)) {
      if (explicit && failed.has(url.href)) throw failed.get(url.href);
      return;
    }
    seen.add(url.href);
    try {
      const manifest = validateManifest(await _readJson(url), url.href);
      // Core's own manifest, met again in a workspace's packages/core: already loaded.
      if (manifest.name === "@streamlib/core") return;
      if (trusted.has(url.href)) {
        catalogue.add(manifest, url);
        plugins.push({ manifest, url: url.href });
        return;
      }
      const locked = lock === undefined ? undefined : await _locked(lock, manifest);
      const granted = locked ??
        _NAMES.filter((n) =>
          !WITHHELD_PERMISSIONS.includes(n) || options.grants?.[manifest.name]?.includes(n)
        );
      catalogue.add(manifest, url).isolate(
        url,
        (actor) =>
          sandboxOf(catalogue.actorPermissions(actor), { plugin: manifest.name, cwd, granted }),
      );
      plugins.push({
        manifest,
        url: url.href,
        sandbox: { granted },
        ...(locked === undefined ? {} : { installed: true }),
      });
    } catch (error) {
      if (explicit) throw error;
      failed.set(url.href, error);
      warnings.push(`skipped the plugin ${url.href}: ${(error as Error).message}`);
    }
  };
  // A workspace's packages and plugins, then the first-party packages the command comes with,
  // unless the workspace has its own copy of one (a clone of streamlib, say).
  for (const folder of ["packages", "plugins"]) {
    for (const manifest of await _childManifests(resolve(cwd, folder))) await add(manifest, false);
  }
  for (const bundled of _BUNDLED) {
    if (!plugins.some((p) => p.manifest.name === bundled.name)) await add(bundled.url, false);
  }
  // Installed plugins (scoped ones one folder deeper), with what the lockfile grants them.
  const installed = resolve(cwd, PLUGINS_FOLDER);
  for (const manifest of await _installedManifests(installed)) {
    await add(manifest, false, lockfilePath(installed));
  }
  for (const dir of options.dirs ?? []) {
    const path = resolve(cwd, dir);
    if (!(await _isDirectory(path))) {
      throw new StreamlibError("SL_USAGE", `--plugins "${dir}" is not a directory`);
    }
    const own = resolve(path, "manifest.json");
    if (await _isFile(own)) await add(pathToFileURL(own), false);
    for (const manifest of await _installedManifests(path)) {
      await add(manifest, false, lockfilePath(path));
    }
  }
  for (const plugin of options.plugins ?? []) await add(_toUrl(plugin, cwd), true);
  return { catalogue, plugins, warnings };
}

/** Manifests of the packages the command comes with, beyond core. */
const _BUNDLED: ReadonlyArray<{ name: string; url: URL }> = [
  { name: "@streamlib/video", url: new URL(import.meta.resolve("@streamlib/video/manifest.json")) },
  { name: "@streamlib/audio", url: new URL(import.meta.resolve("@streamlib/audio/manifest.json")) },
  {
    name: "@streamlib/ffmpeg",
    url: new URL(import.meta.resolve("@streamlib/ffmpeg/manifest.json")),
  },
  { name: "@streamlib/net", url: new URL(import.meta.resolve("@streamlib/net/manifest.json")) },
  { name: "@streamlib/gpu", url: new URL(import.meta.resolve("@streamlib/gpu/manifest.json")) },
];

const _NAMES: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys"];

/**
 * What the lockfile beside a plugins folder grants an installed plugin, as permission names;
 * `undefined` when it does not record this version (copied in by hand: a plugin like any
 * other). Throws when the manifest asks for more than was granted (it changed since).
 */
async function _locked(
  lockPath: string,
  manifest: Manifest,
): Promise<PermissionName[] | undefined> {
  const entry = (await readLockfile(lockPath)).plugins[manifest.name];
  if (entry === undefined || entry.version !== manifest.version) return undefined;
  const beyond = grantBeyond(entry.permissions, manifestGrant(manifest));
  if (beyond.length) {
    throw new StreamlibError(
      "SL_PERMISSION_NOT_GRANTED",
      `${manifest.name} ${manifest.version} asks for more than ${lockPath} grants it ` +
        `(${beyond.join("; ")}): its files changed since it was installed; install it again`,
      { details: { plugin: manifest.name, beyond } },
    );
  }
  return _NAMES.filter((n) => entry.permissions[n] !== undefined);
}

/**
 * The manifests of the packages in `dir/*` and `dir/@scope/*`, as installed: where each one's
 * `package.json` names it (`"streamlib": { "manifest": "dist/manifest.json" }`, which install
 * checked), else its `manifest.json`.
 */
async function _installedManifests(dir: string): Promise<URL[]> {
  const folders: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory && !entry.isSymlink) continue;
      if (!entry.name.startsWith("@")) {
        folders.push(resolve(dir, entry.name));
        continue;
      }
      for await (const scoped of Deno.readDir(resolve(dir, entry.name))) {
        if (scoped.isDirectory || scoped.isSymlink) {
          folders.push(resolve(dir, entry.name, scoped.name));
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
      throw error;
    }
  }
  const found: string[] = [];
  for (const folder of folders) {
    const path = resolve(folder, await _namedManifest(folder));
    if (await _isFile(path)) found.push(path);
  }
  return found.sort().map((path) => pathToFileURL(path));
}

/** The manifest a package's `package.json` names, if it names one inside it; else `manifest.json`. */
async function _namedManifest(folder: string): Promise<string> {
  let named: unknown;
  try {
    named = JSON.parse(await Deno.readTextFile(resolve(folder, "package.json")))?.streamlib
      ?.manifest;
  } catch {
    return "manifest.json";
  }
  if (typeof named !== "string") return "manifest.json";
  const path = resolve(folder, named);
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : "manifest.json";
}

/** A URL as given (`https:`, `file:`), else a path resolved against `cwd`. */
function _toUrl(pathOrUrl: string, cwd: string): URL {
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(pathOrUrl)
    ? new URL(pathOrUrl)
    : pathToFileURL(resolve(cwd, pathOrUrl));
}

async function _readJson(url: URL): Promise<unknown> {
  let text: string;
  try {
    if (url.protocol === "file:") text = await Deno.readTextFile(url);
    else {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      text = await response.text();
    }
  } catch (error) {
    throw new StreamlibError(
      "SL_MANIFEST_INVALID",
      `Cannot read the manifest ${url.href}: ${(error as Error).message}`,
      { cause: error, details: { file: url.href } },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StreamlibError(
      "SL_MANIFEST_INVALID",
      `${url.href} is not JSON: ${(error as Error).message}`,
      { cause: error, details: { file: url.href } },
    );
  }
}

/** `dir/*\/manifest.json`, sorted by directory name; none when `dir` does not exist. */
async function _childManifests(dir: string): Promise<URL[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = resolve(dir, entry.name, "manifest.json");
      if ((entry.isDirectory || entry.isSymlink) && await _isFile(path)) found.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
      throw error;
    }
  }
  return found.sort().map((path) => pathToFileURL(path));
}

async function _isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
