import { _paramHint } from "./_closest.ts";
import { StreamlibError } from "../errors.ts";
import { _fitsTemplate } from "./_template.ts";
import { _patternProblem, _patternTest } from "./_pattern.ts";

/**
 * A numeric parameter, as JSON Schema: `type`, `default`, inclusive and exclusive bounds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NumberParam } from "@streamlib/core";
 * const radius: NumberParam = { type: "number", default: 4, minimum: 0, maximum: 64 };
 * assert.ok(radius.default === 4);
 * ```
 */
export interface NumberParam {
  /** `integer` also requires a whole number. */
  readonly type: "number" | "integer";
  /** Value used when none is given. */
  readonly default?: number;
  /** Smallest allowed value. */
  readonly minimum?: number;
  /** Largest allowed value. */
  readonly maximum?: number;
  /** Values must be greater than this. */
  readonly exclusiveMinimum?: number;
  /** Values must be less than this. */
  readonly exclusiveMaximum?: number;
  /** What the parameter does. */
  readonly description?: string;
  /**
   * Read when the actor starts and kept: once the actor is in a pipeline, a change
   * (`Actor.setParams`, a control `set`) is refused with `SL_PARAM_FIXED`.
   */
  readonly fixed?: boolean;
  /** Unit shown to people, e.g. `"px"`, `"Hz"`. */
  readonly unit?: string;
}

/**
 * A string parameter, optionally one of `enum`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StringParam } from "@streamlib/core";
 * const pattern: StringParam = { type: "string", enum: ["smpte", "checkers"], default: "smpte" };
 * assert.ok(pattern.enum?.length === 2);
 * ```
 */
export interface StringParam {
  /** JSON Schema type. */
  readonly type: "string";
  /** Value used when none is given. */
  readonly default?: string;
  /** The allowed values. */
  readonly enum?: readonly string[];
  /** A regular expression the value must match. */
  readonly pattern?: string;
  /** Shortest allowed length. */
  readonly minLength?: number;
  /** Longest allowed length. */
  readonly maxLength?: number;
  /** What the parameter does. */
  readonly description?: string;
  /**
   * Read when the actor starts and kept: once the actor is in a pipeline, a change
   * (`Actor.setParams`, a control `set`) is refused with `SL_PARAM_FIXED`.
   */
  readonly fixed?: boolean;
}

/**
 * A boolean parameter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BooleanParam } from "@streamlib/core";
 * const loop: BooleanParam = { type: "boolean", default: false };
 * assert.ok(loop.default === false);
 * ```
 */
export interface BooleanParam {
  /** JSON Schema type. */
  readonly type: "boolean";
  /** Value used when none is given. */
  readonly default?: boolean;
  /** What the parameter does. */
  readonly description?: string;
  /**
   * Read when the actor starts and kept: once the actor is in a pipeline, a change
   * (`Actor.setParams`, a control `set`) is refused with `SL_PARAM_FIXED`.
   */
  readonly fixed?: boolean;
}

/**
 * An array parameter whose items follow `items`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ArrayParam } from "@streamlib/core";
 * const rect: ArrayParam = { type: "array", items: { type: "integer" }, minItems: 4, maxItems: 4 };
 * assert.ok(rect.minItems === 4);
 * ```
 */
export interface ArrayParam {
  /** JSON Schema type. */
  readonly type: "array";
  /** Value used when none is given. */
  readonly default?: readonly unknown[];
  /** Schema of every item. */
  readonly items?: ParamSchema;
  /** Fewest items. */
  readonly minItems?: number;
  /** Most items. */
  readonly maxItems?: number;
  /** What the parameter does. */
  readonly description?: string;
  /**
   * Read when the actor starts and kept: once the actor is in a pipeline, a change
   * (`Actor.setParams`, a control `set`) is refused with `SL_PARAM_FIXED`.
   */
  readonly fixed?: boolean;
}

/**
 * An object parameter with known `properties`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ObjectParam } from "@streamlib/core";
 * const vars: ObjectParam = { type: "object", default: {}, additionalProperties: true };
 * assert.ok(vars.additionalProperties === true);
 * ```
 */
export interface ObjectParam {
  /** JSON Schema type. */
  readonly type: "object";
  /** Value used when none is given. */
  readonly default?: Readonly<Record<string, unknown>>;
  /** Schemas of known properties. */
  readonly properties?: Readonly<Record<string, ParamSchema>>;
  /** Properties that must be present. */
  readonly required?: readonly string[];
  /** Whether properties outside `properties` are allowed (default `true`). */
  readonly additionalProperties?: boolean;
  /**
   * A request input template such as `"layer_%u"`: the parameter then sets the parameters of
   * that template's ports by port name, `{ layer_1: { x: 10 } }`, a shorthand for
   * {@linkcode Actor.setPadParams} on each. Its keys must be port names of the template; the
   * contract checks the entries against the template's `params`.
   */
  readonly pads?: string;
  /** What the parameter does. */
  readonly description?: string;
  /**
   * Read when the actor starts and kept: once the actor is in a pipeline, a change
   * (`Actor.setParams`, a control `set`) is refused with `SL_PARAM_FIXED`.
   */
  readonly fixed?: boolean;
}

/**
 * One parameter's schema: the subset of JSON Schema that actor parameters use, so manifests can
 * publish it unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParamSchema } from "@streamlib/core";
 * const schema: ParamSchema = { type: "integer", default: 30, minimum: 1 };
 * assert.ok(schema.type === "integer");
 * ```
 */
export type ParamSchema = NumberParam | StringParam | BooleanParam | ArrayParam | ObjectParam;

/**
 * What the value of a parameter-schema keyword must be:
 * - `number`, `integer`, `string`, `boolean`, `array`, `object`: a JSON value of that type;
 * - `count`: an integer ≥ 0;
 * - `strings`: a non-empty array of distinct strings; `names`: an array of distinct strings;
 * - `regexp`: a regular expression (JavaScript syntax, Unicode mode) without backreferences or
 *   lookaround, so that it is matched in time linear in the value;
 * - `schema`: a parameter schema; `schemas`: an object of parameter schemas by name;
 * - `template`: the name of a request template, containing `%u` (`"layer_%u"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParamKeywordValue } from "@streamlib/core";
 * const bound: ParamKeywordValue = "number";
 * assert.ok(bound === "number");
 * ```
 */
export type ParamKeywordValue =
  | "number"
  | "integer"
  | "count"
  | "string"
  | "boolean"
  | "array"
  | "object"
  | "strings"
  | "names"
  | "regexp"
  | "schema"
  | "schemas"
  | "template";

/**
 * The keywords each parameter type may use besides `type`, in the order manifests write them,
 * and what each keyword's value must be. This table is the one description of the schema
 * format: the manifest validator checks schemas against it, `manifest.schema.json` is generated
 * from it (`deno task manifests`), and tests keep {@linkcode ParamSchema} and
 * {@linkcode checkParam} in step with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PARAM_KEYWORDS } from "@streamlib/core";
 * assert.ok(PARAM_KEYWORDS.integer.minimum === "number");
 * assert.ok(!("enum" in PARAM_KEYWORDS.number));
 * ```
 */
export const PARAM_KEYWORDS: Readonly<
  Record<ParamSchema["type"], Readonly<Record<string, ParamKeywordValue>>>
> = {
  number: {
    default: "number",
    minimum: "number",
    maximum: "number",
    exclusiveMinimum: "number",
    exclusiveMaximum: "number",
    unit: "string",
    description: "string",
    fixed: "boolean",
  },
  integer: {
    default: "integer",
    minimum: "number",
    maximum: "number",
    exclusiveMinimum: "number",
    exclusiveMaximum: "number",
    unit: "string",
    description: "string",
    fixed: "boolean",
  },
  string: {
    default: "string",
    enum: "strings",
    pattern: "regexp",
    minLength: "count",
    maxLength: "count",
    description: "string",
    fixed: "boolean",
  },
  boolean: { default: "boolean", description: "string", fixed: "boolean" },
  array: {
    default: "array",
    items: "schema",
    minItems: "count",
    maxItems: "count",
    description: "string",
    fixed: "boolean",
  },
  object: {
    default: "object",
    properties: "schemas",
    required: "names",
    additionalProperties: "boolean",
    pads: "template",
    description: "string",
    fixed: "boolean",
  },
};

/**
 * The TypeScript type of a value that satisfies schema `S` (enums become unions of literals).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParamType } from "@streamlib/core";
 * const mode: ParamType<{ type: "string"; enum: readonly ["a", "b"] }> = "b";
 * assert.ok(mode === "b");
 * ```
 */
export type ParamType<S> = S extends { readonly type: "number" | "integer" } ? number
  : S extends { readonly type: "string"; readonly enum: readonly (infer E)[] } ? E
  : S extends { readonly type: "string" } ? string
  : S extends { readonly type: "boolean" } ? boolean
  : S extends { readonly type: "array"; readonly items: infer I } ? ParamType<I>[]
  : S extends { readonly type: "array" } ? unknown[]
  : S extends { readonly type: "object" } ? Record<string, unknown>
  : unknown;

/**
 * The value type of a parameter: `ParamType<S>`, or that or `undefined` when `S` has no default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParamValue } from "@streamlib/core";
 * const a: ParamValue<{ type: "number"; default: 1 }> = 2;
 * const b: ParamValue<{ type: "number" }> = undefined;
 * assert.ok(a === 2 && b === undefined);
 * ```
 */
export type ParamValue<S> = S extends { readonly default: unknown } ? ParamType<S>
  : ParamType<S> | undefined;

/**
 * The parameter object of an actor with parameter schemas `P`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParamsOf } from "@streamlib/core";
 * const params: ParamsOf<{ fps: { type: "number"; default: 30 } }> = { fps: 25 };
 * assert.ok(params.fps === 25);
 * ```
 */
export type ParamsOf<P> = [NonNullable<P>] extends [never] ? Record<string, never>
  : NonNullable<P> extends Readonly<Record<string, ParamSchema>>
    ? { -readonly [K in keyof NonNullable<P>]: ParamValue<NonNullable<P>[K]> }
  : Record<string, never>;

/**
 * Describes a schema in a few words, for error messages and `inspect`:
 * `number ≥ 0 ≤ 64 (default 4)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeParam } from "@streamlib/core";
 * assert.ok(describeParam({ type: "integer", minimum: 1, default: 30 }) ===
 *   "integer ≥ 1 (default 30)");
 * assert.ok(describeParam({ type: "string", enum: ["a", "b"] }) === 'one of "a", "b"');
 * ```
 *
 * @param schema The schema.
 * @returns A short description.
 */
export function describeParam(schema: ParamSchema): string {
  const parts: string[] = [];
  switch (schema.type) {
    case "number":
    case "integer":
      parts.push(schema.type);
      if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
      if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
      if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
      if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
      break;
    case "string":
      parts.push(
        schema.enum ? `one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}` : "string",
      );
      break;
    default:
      parts.push(schema.type);
  }
  if (schema.default !== undefined) parts.push(`(default ${_show(schema.default)})`);
  return parts.join(" ");
}

/** A value, briefly, for messages: whatever it holds (a cycle, a bigint), without throwing. */
function _show(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A cycle, or a bigint inside: described below.
  }
  if (text !== undefined) return text;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return typeof value === "object" && value !== null ? "an object" : String(value);
}

function _typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Checks `value` against `schema`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkParam } from "@streamlib/core";
 * assert.ok(checkParam({ type: "number", minimum: 0 }, 3) === undefined);
 * assert.ok(checkParam({ type: "number", minimum: 0 }, -1) === "must be ≥ 0, got -1");
 * ```
 *
 * @param schema The schema.
 * @param value The value.
 * @returns `undefined` when valid, else what is wrong (without the parameter name).
 */
export function checkParam(schema: ParamSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case "number":
    case "integer": {
      if (typeof value !== "number" || Number.isNaN(value)) {
        return `must be ${schema.type === "integer" ? "an integer" : "a number"}, got ${
          _show(value)
        } (${_typeName(value)})`;
      }
      if (schema.type === "integer" && !Number.isInteger(value)) {
        return `must be an integer, got ${value}`;
      }
      if (schema.type === "integer" && !Number.isSafeInteger(value)) {
        // 1e20 is "an integer" to JavaScript, but counts and sizes lose their units there.
        return `must be an integer from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, got ${value}`;
      }
      if (schema.minimum !== undefined && value < schema.minimum) {
        return `must be ≥ ${schema.minimum}, got ${value}`;
      }
      if (schema.maximum !== undefined && value > schema.maximum) {
        return `must be ≤ ${schema.maximum}, got ${value}`;
      }
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
        return `must be > ${schema.exclusiveMinimum}, got ${value}`;
      }
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
        return `must be < ${schema.exclusiveMaximum}, got ${value}`;
      }
      return undefined;
    }
    case "string": {
      if (typeof value !== "string") {
        return `must be a string, got ${_show(value)} (${_typeName(value)})`;
      }
      if (schema.enum && !schema.enum.includes(value)) {
        // "horizontal" for "horizontal-flip": the one value that holds what was given.
        const lower = value.toLowerCase();
        const holding = lower.length >= 3
          ? schema.enum.filter((e) => e.toLowerCase().includes(lower))
          : [];
        return `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${
          JSON.stringify(value)
        }${holding.length === 1 ? `; did you mean ${JSON.stringify(holding[0])}?` : ""}`;
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        return `must have at least ${schema.minLength} characters, got ${value.length}`;
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        return `must have at most ${schema.maxLength} characters, got ${value.length}`;
      }
      if (schema.pattern !== undefined) {
        const problem = _patternProblem(schema.pattern);
        if (problem !== undefined) {
          return `cannot be checked against /${schema.pattern}/: ${problem}`;
        }
        if (!_patternTest(schema.pattern, value)) {
          return `must match /${schema.pattern}/, got ${JSON.stringify(value)}`;
        }
      }
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean"
        ? undefined
        : `must be true or false, got ${_show(value)} (${_typeName(value)})`;
    case "array": {
      if (!Array.isArray(value)) return `must be an array, got ${_typeName(value)}`;
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return `must have at least ${schema.minItems} items, got ${value.length}`;
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return `must have at most ${schema.maxItems} items, got ${value.length}`;
      }
      if (schema.items) {
        for (let i = 0; i < value.length; i++) {
          const problem = checkParam(schema.items, value[i]);
          if (problem) return `item ${i} ${problem}`;
        }
      }
      return undefined;
    }
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return `must be an object, got ${_typeName(value)}`;
      }
      const record = value as Record<string, unknown>;
      if (schema.pads !== undefined) {
        for (const [pad, entry] of Object.entries(record)) {
          if (!_fitsTemplate(pad, schema.pads)) {
            return `has an entry ${JSON.stringify(pad)}; keys are input names such as "${
              schema.pads.replace("%u", "0")
            }" (ports of "${schema.pads}")`;
          }
          if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
            return `entry "${pad}" must be an object of its parameters, got ${_typeName(entry)}`;
          }
        }
      }
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(record, key)) return `must have property "${key}"`;
      }
      for (const [key, item] of Object.entries(record)) {
        const inner = schema.properties?.[key];
        if (inner) {
          const problem = checkParam(inner, item);
          if (problem) return `property "${key}" ${problem}`;
        } else if (schema.additionalProperties === false) {
          return `has unknown property "${key}"; known: ${
            Object.keys(schema.properties ?? {}).join(", ") || "none"
          }`;
        }
      }
      return undefined;
    }
    default:
      return `has an unsupported schema type ${JSON.stringify((schema as { type: unknown }).type)}`;
  }
}

/**
 * Validates `given` against the schemas and fills in defaults. Throws `SL_PARAM_UNKNOWN` for a
 * name not in `schemas` (listing the valid ones with their types) and `SL_PARAM_INVALID` for a
 * bad value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveParams } from "@streamlib/core";
 * const schemas = { fps: { type: "number", default: 30, exclusiveMinimum: 0 } } as const;
 * const params = resolveParams("testsrc", schemas, { fps: 25 });
 * assert.ok(params.fps === 25);
 * try {
 *   resolveParams("testsrc", schemas, { fsp: 25 });
 * } catch (error) {
 *   assert.ok((error as { code: string }).code === "SL_PARAM_UNKNOWN");
 * }
 * ```
 *
 * @param owner The actor type, named in error messages.
 * @param schemas The parameter schemas.
 * @param given The values given.
 * @returns A new object with every parameter: given values, else defaults (deep-copied).
 */
export function resolveParams<P extends Readonly<Record<string, ParamSchema>>>(
  owner: string,
  schemas: P,
  given: Readonly<Record<string, unknown>>,
): ParamsOf<P> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(schemas, key)) {
      const valid = Object.entries(schemas).map(([name, s]) => `${name} (${describeParam(s)})`);
      throw new StreamlibError(
        "SL_PARAM_UNKNOWN",
        `Unknown parameter "${key}" for "${owner}"${
          _paramHint(key, Object.keys(schemas))
        }; valid parameters: ${valid.length ? valid.join(", ") : "none"}`,
        { details: { actor: owner, param: key, valid: Object.keys(schemas) } },
      );
    }
  }
  for (const [key, schema] of Object.entries(schemas)) {
    const value = given[key];
    if (value === undefined) {
      out[key] = schema.default === undefined ? undefined : structuredClone(schema.default);
      continue;
    }
    const problem = checkParam(schema, value);
    if (problem) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Parameter "${key}" of "${owner}" ${problem}; expected ${describeParam(schema)}`,
        { details: { actor: owner, param: key, value } },
      );
    }
    out[key] = value;
  }
  return out as ParamsOf<P>;
}
