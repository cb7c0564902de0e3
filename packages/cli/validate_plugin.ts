import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  Catalogue,
  isStreamlibError,
  type Manifest,
  satisfiesVersion,
  STREAMLIB_VERSION,
  validateManifest,
} from "@streamlib/core";

/**
 * What {@linkcode validatePlugin} found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PluginValidation } from "@streamlib/cli";
 * const ok: PluginValidation = { url: "file:///p/manifest.json", problems: [] };
 * assert.ok(ok.problems.length === 0);
 * ```
 */
export interface PluginValidation {
  /** The manifest's URL. */
  readonly url: string;
  /** The manifest, when it is structurally valid. */
  readonly manifest?: Manifest;
  /** Every problem, one an entry (some span lines); empty when the plugin is valid. */
  readonly problems: readonly string[];
}

/**
 * Checks a plugin manifest the way `streamlib plugins validate` does: it reads as JSON, passes
 * `validateManifest` (every structural problem is listed), accepts this streamlib version,
 * takes no type core already provides, and each type matches its implementation
 * (`Catalogue.verify`: the module imports, exports the class, and its contract says what the
 * manifest says). This imports the plugin's code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatePlugin } from "@streamlib/cli";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/manifest.json`, '{ "name": "x", "version": "1", "actors": [] }');
 * const { problems } = await validatePlugin(`${dir}/manifest.json`);
 * assert.ok(problems.some((p) => p.includes("version: expected a semantic version")));
 * ```
 *
 * @param path The manifest's path or URL.
 * @returns The problems found.
 */
export async function validatePlugin(path: string): Promise<PluginValidation> {
  const url = /^[A-Za-z][A-Za-z0-9+.-]+:/.test(path)
    ? new URL(path).href
    : pathToFileURL(resolve(path)).href;
  let value: unknown;
  try {
    const text = url.startsWith("file:")
      ? await Deno.readTextFile(new URL(url))
      : await (await fetch(url)).text();
    value = JSON.parse(text);
  } catch (error) {
    return { url, problems: [`${path}: cannot read it as JSON: ${(error as Error).message}`] };
  }
  let manifest: Manifest;
  try {
    manifest = validateManifest(value, path);
  } catch (error) {
    return { url, problems: (error as Error).message.split("\n") };
  }
  const problems: string[] = [];
  if (!satisfiesVersion(STREAMLIB_VERSION, manifest.streamlib)) {
    problems.push(
      `${path}: streamlib: "${manifest.streamlib}" does not include this streamlib version, ${STREAMLIB_VERSION}`,
    );
  }
  const core = Catalogue.withCore();
  if (url !== Catalogue.coreManifestUrl) {
    for (const actor of manifest.actors) {
      if (core.has(actor.type)) {
        problems.push(
          `${path}: actor type "${actor.type}" is already provided by @streamlib/core; choose another name`,
        );
      }
    }
  }
  const catalogue = new Catalogue();
  try {
    catalogue.add({ ...manifest, streamlib: "*" }, url);
  } catch (error) {
    problems.push((error as Error).message);
    return { url, manifest, problems };
  }
  for (const actor of manifest.actors) {
    try {
      await catalogue.verify(actor.type);
    } catch (error) {
      if (!isStreamlibError(error)) throw error;
      problems.push(error.message);
    }
  }
  return { url, manifest, problems };
}
