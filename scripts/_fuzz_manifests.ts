/**
 * The fuzz suite's manifest inputs: every package's real `manifest.json`, mutated as JSON (parts
 * deleted, retyped, repeated, deeply nested), as text (that still parses), in the parameter
 * schemas' keywords (bounds that cross, patterns that backtrack, units no one converts), and
 * random JSON. Internal to the scripts.
 *
 * @module
 */

import type { _Input } from "./_fuzz_case.ts";
import { _TWISTS } from "./_fuzz_case.ts";
import { type _Json, _jsonText, _mutateJson, _randomJson } from "./_fuzz_json.ts";
import { _mutateText, type _Random } from "./_fuzz_random.ts";

/** Values for each schema keyword that pass the manifest's structure checks or nearly do. */
const _KEYWORD_VALUES: Readonly<Record<string, readonly _Json[]>> = {
  type: ["number", "integer", "string", "boolean", "array", "object", "null", "Number"],
  default: [0, -1, 1e308, "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", [], {}, true, null, 2 ** 53],
  minimum: [0, 1, -1e308, 1e308, 5e-324, 10],
  maximum: [0, -1, 1e308, 5e-324, 1],
  exclusiveMinimum: [0, 1e308, -1],
  exclusiveMaximum: [0, -1e308, 1],
  unit: ["s", "ms", "Hz", "kHz", "px", "dB/s", "", "furlong", "s/s", "µs"],
  enum: [[], ["a"], ["a", "a"], [""], ["x", 1], ["aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]],
  pattern: ["^a+$", "(a+)+$", "^(a|a)*$", "[", "(?<x>a)\\k<x>", "", "^$", "\\p{L}+", "(?=a)"],
  minLength: [0, 1, 1e9, 2 ** 32],
  maxLength: [0, 1, 1e9],
  items: [{ type: "number" }, { type: "array", items: { type: "array" } }, {}, { type: "x" }],
  minItems: [0, 5, 1e9],
  maxItems: [0, 1],
  properties: [{}, { a: { type: "number" } }, { "": { type: "string" } }, { __proto__x: {} }],
  required: [[], ["a"], ["missing"], ["a", "a"]],
  additionalProperties: [true, false],
  pads: ["layer_%u", "sink_%u", "in_%u", "nothing_%u", "%u", "in"],
  description: ["", "x", "\u0000"],
};

/** The manifest target's input, from the packages' manifests (as parsed JSON). */
export function _manifestInput(random: _Random, manifests: readonly _Json[]): _Input {
  const base = random.pick(manifests);
  const twist = random.chance(0.05)
    ? { twist: { kind: random.pick(_TWISTS), at: random.int(40) } }
    : {};
  const roll = random.float();
  let value: _Json;
  if (roll < 0.1) value = _randomJson(random, 4);
  else if (roll < 0.25) {
    const text = _textMutation(random, base);
    if (text !== undefined) return { target: "manifest", text, ...twist };
    value = _mutateJson(random, base);
  } else if (roll < 0.55) value = _schemaMutation(random, base);
  else if (roll < 0.65) value = _oneActor(random, base);
  else value = _mutateJson(random, random.chance(0.5) ? _oneActor(random, base) : base);
  return { target: "manifest", text: _jsonText(value), ...twist };
}

/** The manifest's text, mutated until it parses (`undefined` after a few tries). */
function _textMutation(random: _Random, base: _Json): string | undefined {
  const text = JSON.stringify(base, null, random.chance(0.5) ? 2 : undefined);
  for (let i = 0; i < 8; i++) {
    const mutated = _mutateText(random, text);
    try {
      JSON.parse(mutated);
      return mutated;
    } catch {
      // Not JSON: try again.
    }
  }
  return undefined;
}

/** The manifest with its first actors only, so that a mutation lands on one often. */
function _oneActor(random: _Random, base: _Json): _Json {
  const manifest = structuredClone(base) as Record<string, _Json>;
  const actors = manifest.actors as _Json[];
  manifest.actors = actors.slice(random.int(actors.length)).slice(0, random.small(2));
  return manifest;
}

/** The manifest with keywords of parameter schemas (of ports too) set to odd values. */
function _schemaMutation(random: _Random, base: _Json): _Json {
  const manifest = _oneActor(random, base) as { actors: Array<Record<string, _Json>> };
  const schemas: Array<Record<string, _Json>> = [];
  for (const actor of manifest.actors) {
    for (const schema of Object.values((actor.params ?? {}) as Record<string, _Json>)) {
      schemas.push(schema as Record<string, _Json>);
    }
    for (const port of Object.values((actor.inputs ?? {}) as Record<string, _Json>)) {
      const params = (port as Record<string, _Json>).params as Record<string, _Json> | undefined;
      for (const schema of Object.values(params ?? {})) {
        schemas.push(schema as Record<string, _Json>);
      }
    }
  }
  if (schemas.length === 0) return _mutateJson(random, manifest as unknown as _Json);
  for (let n = random.small(4); n > 0; n--) {
    const schema = random.pick(schemas);
    const keyword = random.pick(Object.keys(_KEYWORD_VALUES));
    if (random.chance(0.15)) delete schema[keyword];
    else schema[keyword] = structuredClone(random.pick(_KEYWORD_VALUES[keyword]!));
  }
  return manifest as unknown as _Json;
}
