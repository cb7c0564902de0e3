/**
 * What `deno task manifests` writes, computed without writing: each generated file's path and
 * text. Internal to the scripts.
 *
 * @module
 */

import { _manifestSchema } from "../packages/core/describe/_manifest_schema.ts";

/** The repository root, as a file path ending in `/`. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/**
 * A value as JSON the way `deno fmt` leaves it: two-space indents, one item a line, a final
 * newline.
 *
 * @param value The value.
 * @returns Its text.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/**
 * Every generated file, by absolute path, with the text it should have.
 *
 * @returns Path and text pairs, in a fixed order.
 */
export function generatedFiles(): Promise<Array<[path: string, text: string]>> {
  return Promise.resolve([
    [`${ROOT}packages/core/describe/manifest.schema.json`, jsonText(_manifestSchema())],
  ]);
}
