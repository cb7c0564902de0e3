import type { CatalogueEntry } from "@streamlib/core";

/**
 * Formats actor types one a line, in aligned columns: type, classification, description —
 * what `streamlib list` prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { formatList } from "@streamlib/cli";
 * const text = formatList(Catalogue.withCore().list());
 * const line = text.split("\n").find((l) => l.startsWith("datasrc"));
 * assert.ok(line?.includes("Source/Data") && line.includes("Generates data messages"));
 * ```
 *
 * @param entries The types, in the order to print them.
 * @returns The lines, each ending with a newline.
 */
export function formatList(entries: readonly CatalogueEntry[]): string {
  const typeWidth = Math.max(0, ...entries.map((e) => e.type.length));
  const classWidth = Math.max(0, ...entries.map((e) => e.actor.classification.length));
  return entries.map((e) =>
    `${e.type.padEnd(typeWidth)}  ${
      e.actor.classification.padEnd(classWidth)
    }  ${e.actor.description}\n`
  ).join("");
}
