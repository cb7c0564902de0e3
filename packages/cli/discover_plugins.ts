import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Catalogue, type Manifest, StreamlibError, validateManifest } from "@streamlib/core";

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
  const add = async (url: URL, explicit: boolean): Promise<void> => {
    if (seen.has(url.href)) {
      if (explicit && failed.has(url.href)) throw failed.get(url.href);
      return;
    }
    seen.add(url.href);
    try {
      const manifest = validateManifest(await _readJson(url), url.href);
      // Core's own manifest, met again in a workspace's packages/core: already loaded.
      if (manifest.name === "@streamlib/core") return;
      catalogue.add(manifest, url);
      plugins.push({ manifest, url: url.href });
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
  for (const dir of options.dirs ?? []) {
    const path = resolve(cwd, dir);
    if (!(await _isDirectory(path))) {
      throw new StreamlibError("SL_USAGE", `--plugins "${dir}" is not a directory`);
    }
    const own = resolve(path, "manifest.json");
    if (await _isFile(own)) await add(pathToFileURL(own), false);
    for (const manifest of await _childManifests(path)) await add(manifest, false);
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

async function _isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function _isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
