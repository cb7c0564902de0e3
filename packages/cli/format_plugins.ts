import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Catalogue } from "@streamlib/core";

/**
 * Lists plugin manifests for `streamlib plugins list`, core's first: for each, the package and version, the
 * file (relative to `cwd` when below it), and its actor types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { formatPlugins } from "@streamlib/cli";
 * const text = formatPlugins(Catalogue.withCore());
 * assert.ok(text.startsWith("@streamlib/core 0.1.0\n  file:  "));
 * assert.ok(text.includes("  types: collect, datasrc, identity"));
 * ```
 *
 * @param catalogue The catalogue whose manifests to list.
 * @param cwd Paths below it are shown relative to it (default: the current directory).
 * @returns The text, ending with a newline.
 */
export function formatPlugins(catalogue: Catalogue, cwd?: string): string {
  const manifests = new Map<string, { package: string; version: string; types: string[] }>();
  for (const entry of catalogue.list()) {
    const manifest = manifests.get(entry.manifestUrl) ??
      { package: entry.package, version: entry.version, types: [] };
    manifest.types.push(entry.type);
    manifests.set(entry.manifestUrl, manifest);
  }
  const base = cwd ?? Deno.cwd();
  const sorted = [...manifests].sort(([a, x], [b, y]) =>
    a === Catalogue.coreManifestUrl
      ? -1
      : b === Catalogue.coreManifestUrl
      ? 1
      : x.package < y.package
      ? -1
      : 1
  );
  return sorted.map(([url, m]) => {
    let file = url;
    if (url.startsWith("file:")) {
      const path = fileURLToPath(url);
      const rel = relative(base, path);
      file = rel.startsWith("..") ? path : rel;
    }
    return `${m.package} ${m.version}\n  file:  ${file}\n  types: ${m.types.join(", ")}\n`;
  }).join("");
}
