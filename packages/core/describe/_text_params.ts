/**
 * Pipeline text has no types: a bare `null`, `true`, `false` or number is read as that JSON
 * value, yet `audiosink device=null` means the text "null" when the parameter takes text. Here
 * such words become text again where the manifest says the parameter is a string (and, for an
 * enum, where the word is one of its values). Internal: nothing here is public API.
 *
 * @module
 */

import type { ManifestActor } from "./manifest.ts";
import type { ParsedPipeline } from "./parse_pipeline.ts";
import type { SpecValue } from "./pipeline_spec.ts";

/**
 * The parsed pipeline with bare words given to string parameters as their text, as written
 * (`rate=1e3` is `"1e3"`); the same object when there are none. Quoted values and values of
 * other types stay as they are; unknown types and parameters are left for the checks to report.
 */
export function _textParams(
  parsed: ParsedPipeline,
  describe: (type: string) => ManifestActor | undefined,
): ParsedPipeline {
  let changed = false;
  const actors = parsed.spec.actors.map((actor, i) => {
    const schemas = describe(actor.type)?.params;
    if (actor.params === undefined || schemas === undefined) return actor;
    let params: Record<string, SpecValue> | undefined;
    for (const [key, value] of Object.entries(actor.params)) {
      if (value !== null && typeof value !== "boolean" && typeof value !== "number") continue;
      const schema = Object.hasOwn(schemas, key) ? schemas[key] : undefined;
      const span = parsed.spans.get(`actors[${i}].params.${key}`);
      if (schema?.type !== "string" || span === undefined) continue;
      // The span covers `key=word`; what was written is the word itself.
      const word = parsed.text.slice(span.offset + key.length + 1, span.offset + span.length);
      if (schema.enum !== undefined && !schema.enum.includes(word)) continue;
      (params ??= { ...actor.params })[key] = word;
    }
    if (params === undefined) return actor;
    changed = true;
    return { ...actor, params };
  });
  return changed ? { ...parsed, spec: { ...parsed.spec, actors } } : parsed;
}
