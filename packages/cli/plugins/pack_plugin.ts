import { join, relative, resolve, sep as SEPARATOR } from "node:path";
import { _foreignImports } from "./_plugin_imports.ts";
import { pathToFileURL } from "node:url";
import { Catalogue, type Manifest, StreamlibError, validateManifest } from "@streamlib/core";
import { PLUGIN_KEYWORD } from "./registry_client.ts";
import { integrityOf, writeTarball } from "./tarball.ts";

/**
 * A plugin made into an npm package by {@linkcode packPlugin}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PackedPlugin } from "@streamlib/cli";
 * function where(p: PackedPlugin): string {
 *   return `${p.name}@${p.version}: ${p.filename}`;
 * }
 * assert.ok(typeof where === "function");
 * ```
 */
export interface PackedPlugin {
  /** The package name (the manifest's). */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** npm's file name for it: `acme-blur-1.0.0.tgz` for `@acme/blur`. */
  readonly filename: string;
  /** The `.tgz` bytes. */
  readonly tarball: Uint8Array;
  /** Their integrity (`sha512-…`). */
  readonly integrity: string;
  /** The `package.json` inside. */
  readonly packageJson: { readonly name: string; readonly version: string; [key: string]: unknown };
  /** The manifest inside, validated and checked against the code. */
  readonly manifest: Manifest;
  /** The paths in the package, sorted. */
  readonly files: readonly string[];
}

/** Files of the folder that the package replaces (its `package.json` is made anew). */
const _OWN = ["package.json", "deno.json", "deno.jsonc", "manifest.config.json"];

/** What never goes into a package: tests, test data, hidden files, other packages. */
const _SKIP = /(^|\/)(\.[^/]*|node_modules|testdata|[^/]*_test\.ts|[^/]*\.tgz)(\/|$)/;

/**
 * Packs a plugin folder into an npm package, after checking it: its `manifest.json` must be
 * valid (`SL_MANIFEST_INVALID`), name the same package and version as its `deno.json` (or
 * `package.json`), keep every module inside the folder, and match its code type by type
 * (`Catalogue.verify`, which imports it: `SL_MANIFEST_MISMATCH`). The package holds a
 * `package.json` with the `streamlib-plugin` keyword (so registries' searches and the
 * marketplace find it) and a `streamlib` field naming the manifest, the manifest, and the code
 * (not tests, `testdata/`, hidden files, `node_modules/`, nor the folder's `deno.json`: a
 * package's configuration is its `package.json`).
 *
 * @example
 * ```ts ignore
 * const packed = await packPlugin("plugins/motion");
 * await Deno.writeFile(packed.filename, packed.tarball);
 * ```
 *
 * @param dir The plugin's folder.
 * @returns The package.
 */
export async function packPlugin(dir: string): Promise<PackedPlugin> {
  const root = resolve(dir);
  const manifestPath = join(root, "manifest.json");
  const config = await _readJsonIf(join(root, "deno.json")) ??
    await _readJsonIf(join(root, "package.json"));
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(manifestPath));
  } catch (error) {
    throw new StreamlibError(
      "SL_MANIFEST_INVALID",
      `Cannot read ${manifestPath}: ${(error as Error).message}`,
      { cause: error, details: { file: manifestPath } },
    );
  }
  const manifest = validateManifest(raw, manifestPath);
  if (
    config !== undefined && (config.name !== manifest.name || config.version !== manifest.version)
  ) {
    throw new StreamlibError(
      "SL_MANIFEST_INVALID",
      `${manifestPath} says ${manifest.name} ${manifest.version}, but the folder's package is ` +
        `${String(config.name)} ${String(config.version)}: regenerate the manifest`,
      { details: { file: manifestPath } },
    );
  }
  for (const actor of manifest.actors) {
    const module = resolve(root, actor.module);
    if (!/^\.\.?\//.test(actor.module) || !(module + SEPARATOR).startsWith(root + SEPARATOR)) {
      throw new StreamlibError(
        "SL_MANIFEST_INVALID",
        `${manifestPath}: the module of "${actor.type}" (${actor.module}) is not a file inside ` +
          `the plugin's folder, which is all a package carries`,
        { details: { file: manifestPath, type: actor.type } },
      );
    }
  }
  const catalogue = new Catalogue().add(manifest, pathToFileURL(manifestPath));
  for (const actor of manifest.actors) await catalogue.verify(actor.type);
  const foreign = await _foreignImports(root, manifest.actors.map((a) => resolve(root, a.module)));
  if (foreign !== undefined && foreign.length !== 0) {
    throw new StreamlibError(
      "SL_MANIFEST_INVALID",
      `${manifestPath}: the plugin's code imports what its package would not carry:\n` +
        foreign.map((line) => `  ${line}`).join("\n"),
      { details: { file: manifestPath, imports: foreign } },
    );
  }

  const files = new Map<string, Uint8Array>();
  for await (const path of _walk(root)) {
    const rel = relative(root, path).split(SEPARATOR).join("/");
    if (_SKIP.test(rel) || _OWN.includes(rel)) continue;
    files.set(rel, await Deno.readFile(path));
  }
  const own = await _readJsonIf(join(root, "package.json")) ?? {};
  const keywords = [
    ...new Set([
      PLUGIN_KEYWORD,
      ...(Array.isArray(own.keywords) ? own.keywords as string[] : []),
      ...manifest.actors.map((a) => a.type),
    ]),
  ];
  const packageJson = {
    ...own,
    name: manifest.name,
    version: manifest.version,
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    ...(typeof config?.license === "string" ? { license: config.license } : {}),
    keywords,
    type: "module",
    ...(config?.exports === undefined ? {} : { exports: config.exports }),
    streamlib: { manifest: "manifest.json", streamlib: manifest.streamlib },
    peerDependencies: { "@streamlib/core": manifest.streamlib },
  };
  files.set("package.json", new TextEncoder().encode(`${JSON.stringify(packageJson, null, 2)}\n`));
  const tarball = await writeTarball(files);
  return {
    name: manifest.name,
    version: manifest.version,
    filename: `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`,
    tarball,
    integrity: await integrityOf(tarball),
    packageJson,
    manifest,
    files: [...files.keys()].sort(),
  };
}

async function _readJsonIf(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new StreamlibError("SL_USAGE", `Cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function* _walk(dir: string): AsyncGenerator<string> {
  const entries = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => a.name < b.name ? -1 : 1);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (!_SKIP.test(`${entry.name}/`)) yield* _walk(path);
    } else if (entry.isFile) yield path;
  }
}
