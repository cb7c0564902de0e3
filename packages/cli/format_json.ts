import type { CatalogueEntry, ManifestActor } from "@streamlib/core";

/**
 * One actor type in `streamlib list --json`.
 *
 * @example
 * ```ts
 * import type { ListedType } from "@streamlib/cli";
 * const t: ListedType = {
 *   type: "datasrc",
 *   package: "@streamlib/core",
 *   version: "0.1.0",
 *   classification: "Source/Data",
 *   description: "Generates data messages on each tick",
 * };
 * console.assert(t.type === "datasrc");
 * ```
 */
export interface ListedType {
  /** The type name used in pipelines. */
  readonly type: string;
  /** The package that provides it. */
  readonly package: string;
  /** That package's version. */
  readonly version: string;
  /** GStreamer-style classification, e.g. `Filter/Effect/Video`. */
  readonly classification: string;
  /** One line on what it does. */
  readonly description: string;
}

/**
 * What `streamlib list --json` prints: every actor type, for agents and scripts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { listJson } from "@streamlib/cli";
 * const types = listJson(Catalogue.withCore().list());
 * assert.equal(types.find((t) => t.type === "log")?.package, "@streamlib/core");
 * ```
 *
 * @param entries The types, in the order to print them.
 * @returns One object a type.
 */
export function listJson(entries: readonly CatalogueEntry[]): ListedType[] {
  return entries.map((e) => ({
    type: e.type,
    package: e.package,
    version: e.version,
    classification: e.actor.classification,
    description: e.actor.description,
  }));
}

/**
 * One actor type in `streamlib inspect <type> --json`: its manifest entry, resolved — where it
 * comes from (package, version, manifest and module URLs) and everything the manifest says.
 *
 * @example
 * ```ts
 * import type { InspectedType } from "@streamlib/cli";
 * const seen = (t: InspectedType): string => `${t.type} from ${t.package}`;
 * console.assert(typeof seen === "function");
 * ```
 */
export interface InspectedType extends ManifestActor {
  /** The package that provides it. */
  readonly package: string;
  /** That package's version. */
  readonly version: string;
  /** Where the manifest was read from. */
  readonly manifestUrl: string;
  /** The module that implements the type, resolved against the manifest. */
  readonly moduleUrl: string;
}

/**
 * What `streamlib inspect <type> --json` prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { inspectJson } from "@streamlib/cli";
 * const datasrc = inspectJson(Catalogue.withCore().describe("datasrc"));
 * assert.equal(datasrc.params?.fps?.default, 30);
 * assert.match(datasrc.moduleUrl, /^file:.*data_source\.ts$/);
 * ```
 *
 * @param entry The type's catalogue entry.
 * @returns The manifest entry with its origin.
 */
export function inspectJson(entry: CatalogueEntry): InspectedType {
  return {
    ...entry.actor,
    package: entry.package,
    version: entry.version,
    manifestUrl: entry.manifestUrl,
    moduleUrl: entry.moduleUrl,
  };
}
