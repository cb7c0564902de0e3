import assert from "node:assert/strict";
import { StreamlibError } from "../errors.ts";
import {
  checkParam,
  describeParam,
  PARAM_KEYWORDS,
  type ParamSchema,
  resolveParams,
} from "./params.ts";

const hasCode = (code: string) => (e: unknown): boolean => (e as { code?: string }).code === code;

function thrown(fn: () => unknown): StreamlibError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StreamlibError, `expected a StreamlibError, got ${error}`);
    return error;
  }
  return assert.fail("expected an error");
}

Deno.test("checkParam() accepts numbers within inclusive bounds, boundaries included", () => {
  const schema: ParamSchema = { type: "number", minimum: 0, maximum: 10 };
  assert.equal(checkParam(schema, 0), undefined);
  assert.equal(checkParam(schema, 10), undefined);
  assert.equal(checkParam(schema, 4.5), undefined);
  assert.equal(checkParam(schema, -1), "must be ≥ 0, got -1");
  assert.equal(checkParam(schema, 10.5), "must be ≤ 10, got 10.5");
});

Deno.test("checkParam() excludes the boundaries of exclusive bounds", () => {
  const schema: ParamSchema = { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 };
  assert.equal(checkParam(schema, 0), "must be > 0, got 0");
  assert.equal(checkParam(schema, 1), "must be < 1, got 1");
  assert.equal(checkParam(schema, 1e-9), undefined);
  assert.equal(checkParam(schema, 0.999), undefined);
});

Deno.test("checkParam() rejects NaN and non-numbers for number parameters", () => {
  const schema: ParamSchema = { type: "number" };
  assert.match(checkParam(schema, NaN) ?? "", /^must be a number/);
  assert.equal(checkParam(schema, "3"), 'must be a number, got "3" (string)');
  assert.equal(checkParam(schema, null), "must be a number, got null (null)");
  assert.equal(checkParam(schema, undefined), "must be a number, got undefined (undefined)");
  assert.equal(checkParam(schema, [1]), "must be a number, got [1] (array)");
});

Deno.test("checkParam() requires whole numbers for integer parameters", () => {
  const schema: ParamSchema = { type: "integer", minimum: 1 };
  assert.equal(checkParam(schema, 30), undefined);
  assert.equal(checkParam(schema, 1.5), "must be an integer, got 1.5");
  assert.match(
    checkParam(schema, 1e20)!,
    /^must be an integer from -9007199254740991 to 9007199254740991, got 100000000000000000000$/,
  );
  assert.equal(checkParam(schema, "30"), 'must be an integer, got "30" (string)');
  assert.match(checkParam(schema, NaN) ?? "", /^must be an integer/);
  assert.equal(checkParam(schema, 0), "must be ≥ 1, got 0");
});

Deno.test("checkParam() checks string type, enum, length and pattern", () => {
  assert.equal(checkParam({ type: "string" }, 3), "must be a string, got 3 (number)");
  const mode: ParamSchema = { type: "string", enum: ["smpte", "checkers"] };
  assert.equal(checkParam(mode, "smpte"), undefined);
  assert.equal(checkParam(mode, "bars"), 'must be one of "smpte", "checkers", got "bars"');
  // The one value that holds what was given is offered; none when several do or it is short.
  assert.equal(
    checkParam(mode, "SMP"),
    'must be one of "smpte", "checkers", got "SMP"; did you mean "smpte"?',
  );
  assert.equal(checkParam(mode, "e"), 'must be one of "smpte", "checkers", got "e"');
  const flips: ParamSchema = { type: "string", enum: ["horizontal-flip", "vertical-flip"] };
  assert.equal(
    checkParam(flips, "flip"),
    'must be one of "horizontal-flip", "vertical-flip", got "flip"',
  );
  const sized: ParamSchema = { type: "string", minLength: 2, maxLength: 3 };
  assert.equal(checkParam(sized, "ab"), undefined);
  assert.equal(checkParam(sized, "abc"), undefined);
  assert.equal(checkParam(sized, "a"), "must have at least 2 characters, got 1");
  assert.equal(checkParam(sized, "abcd"), "must have at most 3 characters, got 4");
  const hex: ParamSchema = { type: "string", pattern: "^#[0-9a-f]{6}$" };
  assert.equal(checkParam(hex, "#00ff00"), undefined);
  assert.equal(checkParam(hex, "green"), 'must match /^#[0-9a-f]{6}$/, got "green"');
});

Deno.test("checkParam() matches string patterns unanchored and with Unicode semantics", () => {
  assert.equal(checkParam({ type: "string", pattern: "b" }, "abc"), undefined);
  const upper: ParamSchema = { type: "string", pattern: "^\\p{Lu}" };
  assert.equal(checkParam(upper, "Émile"), undefined);
  assert.notEqual(checkParam(upper, "émile"), undefined);
});

Deno.test("checkParam() accepts only true and false for boolean parameters", () => {
  const schema: ParamSchema = { type: "boolean" };
  assert.equal(checkParam(schema, true), undefined);
  assert.equal(checkParam(schema, false), undefined);
  assert.equal(checkParam(schema, "true"), 'must be true or false, got "true" (string)');
  assert.equal(checkParam(schema, 0), "must be true or false, got 0 (number)");
});

Deno.test("checkParam() checks array type, item count and every item", () => {
  const rect: ParamSchema = { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 3 };
  assert.equal(checkParam(rect, [1, 2]), undefined);
  assert.equal(checkParam(rect, [1, 2, 3]), undefined);
  assert.equal(checkParam(rect, { 0: 1 }), "must be an array, got object");
  assert.equal(checkParam(rect, "12"), "must be an array, got string");
  assert.equal(checkParam(rect, [1]), "must have at least 2 items, got 1");
  assert.equal(checkParam(rect, [1, 2, 3, 4]), "must have at most 3 items, got 4");
  assert.equal(checkParam(rect, [1, 2.5]), "item 1 must be an integer, got 2.5");
  assert.equal(checkParam({ type: "array" }, [1, "a", null]), undefined);
});

Deno.test("checkParam() checks object type, required and known properties", () => {
  const point: ParamSchema = {
    type: "object",
    properties: { x: { type: "number" }, y: { type: "number" } },
    required: ["x"],
  };
  assert.equal(checkParam(point, { x: 1, y: 2 }), undefined);
  assert.equal(checkParam(point, { x: 1, label: "extra is allowed by default" }), undefined);
  assert.equal(checkParam(point, null), "must be an object, got null");
  assert.equal(checkParam(point, [1, 2]), "must be an object, got array");
  assert.equal(checkParam(point, "p"), "must be an object, got string");
  assert.equal(checkParam(point, { y: 2 }), 'must have property "x"');
  assert.equal(
    checkParam(point, { x: "1" }),
    'property "x" must be a number, got "1" (string)',
  );
});

Deno.test("checkParam() rejects unknown properties when additionalProperties is false", () => {
  const strict: ParamSchema = {
    type: "object",
    properties: { x: { type: "number" }, y: { type: "number" } },
    additionalProperties: false,
  };
  assert.equal(checkParam(strict, { x: 1 }), undefined);
  assert.equal(checkParam(strict, { x: 1, z: 3 }), 'has unknown property "z"; known: x, y');
  assert.equal(
    checkParam({ type: "object", additionalProperties: false }, { a: 1 }),
    'has unknown property "a"; known: none',
  );
});

Deno.test({
  name: "checkParam() does not count inherited names as required properties",
  fn(): void {
    const schema: ParamSchema = { type: "object", required: ["toString"] };
    assert.equal(checkParam(schema, {}), 'must have property "toString"');
  },
});

Deno.test("checkParam() reports an unsupported schema type", () => {
  const schema = { type: "date" } as unknown as ParamSchema;
  assert.equal(checkParam(schema, 1), 'has an unsupported schema type "date"');
});

Deno.test("describeParam() lists the type, bounds and default", () => {
  assert.equal(
    describeParam({ type: "integer", minimum: 1, default: 30 }),
    "integer ≥ 1 (default 30)",
  );
  assert.equal(
    describeParam({ type: "number", exclusiveMinimum: 0, maximum: 64, exclusiveMaximum: 65 }),
    "number > 0 ≤ 64 < 65",
  );
  assert.equal(describeParam({ type: "string", enum: ["a", "b"] }), 'one of "a", "b"');
  assert.equal(describeParam({ type: "string", default: "x" }), 'string (default "x")');
  assert.equal(describeParam({ type: "boolean", default: false }), "boolean (default false)");
  assert.equal(describeParam({ type: "array", default: [1, 2] }), "array (default [1,2])");
  assert.equal(describeParam({ type: "object" }), "object");
});

Deno.test("resolveParams() fills defaults and keeps given values", () => {
  const schemas = {
    fps: { type: "number", default: 30, exclusiveMinimum: 0 },
    pattern: { type: "string", enum: ["smpte", "checkers"], default: "smpte" },
    label: { type: "string" },
  } as const;
  assert.deepEqual(resolveParams("testsrc", schemas, {}), {
    fps: 30,
    pattern: "smpte",
    label: undefined,
  });
  assert.deepEqual(resolveParams("testsrc", schemas, { fps: 25, label: "cam" }), {
    fps: 25,
    pattern: "smpte",
    label: "cam",
  });
});

Deno.test("resolveParams() treats a value given as undefined as absent", () => {
  const schemas = { fps: { type: "number", default: 30 } } as const;
  assert.deepEqual(resolveParams("testsrc", schemas, { fps: undefined }), { fps: 30 });
});

Deno.test("resolveParams() deep-copies array and object defaults for every result", () => {
  const schemas = {
    rect: { type: "array", default: [0, 0, 4, 4] },
    vars: { type: "object", default: { inner: { n: 1 } } },
  } as const;
  const a = resolveParams("crop", schemas, {});
  const b = resolveParams("crop", schemas, {});
  assert.notEqual(a.rect, b.rect);
  assert.notEqual(a.vars, b.vars);
  (a.rect as number[]).push(9);
  (a.vars.inner as { n: number }).n = 2;
  assert.deepEqual(b.rect, [0, 0, 4, 4]);
  assert.deepEqual(b.vars, { inner: { n: 1 } });
  assert.deepEqual(schemas.rect.default, [0, 0, 4, 4]);
  assert.deepEqual(schemas.vars.default, { inner: { n: 1 } });
  assert.deepEqual(resolveParams("crop", schemas, {}).rect, [0, 0, 4, 4]);
});

Deno.test("resolveParams() names valid parameters with their types for an unknown one", () => {
  const schemas = {
    fps: { type: "number", default: 30, exclusiveMinimum: 0 },
    pattern: { type: "string", enum: ["a", "b"] },
  } as const;
  const error = thrown(() => resolveParams("testsrc", schemas, { fsp: 25 }));
  assert.equal(error.code, "SL_PARAM_UNKNOWN");
  assert.match(error.message, /^Unknown parameter "fsp" for "testsrc" \(did you mean "fps"\?\);/);
  assert.ok(error.message.includes("fps (number > 0 (default 30))"), error.message);
  assert.ok(error.message.includes('pattern (one of "a", "b")'), error.message);
  assert.deepEqual(error.details, { actor: "testsrc", param: "fsp", valid: ["fps", "pattern"] });
});

Deno.test("resolveParams() says there are no valid parameters when the schema is empty", () => {
  const error = thrown(() => resolveParams("sink", {}, { anything: 1 }));
  assert.equal(error.code, "SL_PARAM_UNKNOWN");
  assert.match(error.message, /valid parameters: none/);
});

Deno.test("resolveParams() does not take inherited names as parameters", () => {
  assert.throws(
    () => resolveParams("sink", { n: { type: "number" } }, { toString: 1 }),
    hasCode("SL_PARAM_UNKNOWN"),
  );
});

Deno.test("resolveParams() rejects a bad value naming the parameter and the actor type", () => {
  const schemas = { fps: { type: "number", default: 30, exclusiveMinimum: 0 } } as const;
  const error = thrown(() => resolveParams("testsrc", schemas, { fps: 0 }));
  assert.equal(error.code, "SL_PARAM_INVALID");
  assert.equal(
    error.message,
    'Parameter "fps" of "testsrc" must be > 0, got 0; expected number > 0 (default 30)',
  );
  assert.deepEqual(error.details, { actor: "testsrc", param: "fps", value: 0 });
});

Deno.test("resolveParams() reports unknown names before bad values", () => {
  const schemas = { fps: { type: "number", minimum: 1 } } as const;
  assert.throws(
    () => resolveParams("testsrc", schemas, { fps: -5, nope: 1 }),
    hasCode("SL_PARAM_UNKNOWN"),
  );
});

/** The schema interface whose `type` may be `T`. */
type SchemaOf<T> = ParamSchema extends infer S
  ? S extends { readonly type: infer U } ? T extends U ? S : never : never
  : never;

/**
 * Every field of each schema type: the compiler rejects this object when a type gains or loses
 * a field, and the test below when the keyword table does not list exactly these fields.
 */
const EVERY_FIELD: { readonly [T in ParamSchema["type"]]: Required<SchemaOf<T>> } = {
  number: {
    type: "number",
    default: 1,
    minimum: 0,
    maximum: 2,
    exclusiveMinimum: -1,
    exclusiveMaximum: 3,
    unit: "px",
    description: "A number",
    fixed: false,
  },
  integer: {
    type: "integer",
    default: 1,
    minimum: 0,
    maximum: 2,
    exclusiveMinimum: -1,
    exclusiveMaximum: 3,
    unit: "px",
    description: "An integer",
    fixed: false,
  },
  string: {
    type: "string",
    default: "ab",
    enum: ["ab", "cd"],
    pattern: "^[a-d]+$",
    minLength: 1,
    maxLength: 2,
    description: "A string",
    fixed: false,
  },
  boolean: { type: "boolean", default: true, description: "A boolean", fixed: true },
  array: {
    type: "array",
    default: [1],
    items: { type: "integer" },
    minItems: 0,
    maxItems: 2,
    description: "An array",
    fixed: false,
  },
  object: {
    type: "object",
    default: { layer_0: { x: 1 } },
    properties: { layer_0: { type: "object" } },
    required: ["layer_0"],
    additionalProperties: false,
    pads: "layer_%u",
    description: "An object",
    fixed: false,
  },
};

Deno.test("PARAM_KEYWORDS lists exactly the fields of each parameter schema type", () => {
  assert.deepEqual(Object.keys(PARAM_KEYWORDS).sort(), Object.keys(EVERY_FIELD).sort());
  for (const [type, schema] of Object.entries(EVERY_FIELD)) {
    assert.deepEqual(
      Object.keys(schema).sort(),
      ["type", ...Object.keys(PARAM_KEYWORDS[type as ParamSchema["type"]])].sort(),
      type,
    );
    assert.equal(checkParam(schema, schema.default), undefined, type);
  }
});

/**
 * Keywords that describe a parameter without restricting its values (`fixed` restricts changes
 * once in a pipeline: actor_fixed_params_test.ts).
 */
const ANNOTATIONS = new Set(["default", "description", "unit", "fixed"]);

/** For each restricting keyword: a schema using it, and a value that only it rejects. */
const RESTRICTIONS: Readonly<Record<string, { schema: ParamSchema; bad: unknown }>> = {
  "number.minimum": { schema: { type: "number", minimum: 0 }, bad: -1 },
  "number.maximum": { schema: { type: "number", maximum: 0 }, bad: 1 },
  "number.exclusiveMinimum": { schema: { type: "number", exclusiveMinimum: 0 }, bad: 0 },
  "number.exclusiveMaximum": { schema: { type: "number", exclusiveMaximum: 0 }, bad: 0 },
  "integer.minimum": { schema: { type: "integer", minimum: 0 }, bad: -1 },
  "integer.maximum": { schema: { type: "integer", maximum: 0 }, bad: 1 },
  "integer.exclusiveMinimum": { schema: { type: "integer", exclusiveMinimum: 0 }, bad: 0 },
  "integer.exclusiveMaximum": { schema: { type: "integer", exclusiveMaximum: 0 }, bad: 0 },
  "string.enum": { schema: { type: "string", enum: ["a"] }, bad: "b" },
  "string.pattern": { schema: { type: "string", pattern: "^a" }, bad: "ba" },
  "string.minLength": { schema: { type: "string", minLength: 2 }, bad: "a" },
  "string.maxLength": { schema: { type: "string", maxLength: 1 }, bad: "ab" },
  "array.items": { schema: { type: "array", items: { type: "string" } }, bad: [1] },
  "array.minItems": { schema: { type: "array", minItems: 1 }, bad: [] },
  "array.maxItems": { schema: { type: "array", maxItems: 0 }, bad: [1] },
  "object.properties": {
    schema: { type: "object", properties: { x: { type: "number" } } },
    bad: { x: "1" },
  },
  "object.required": { schema: { type: "object", required: ["x"] }, bad: {} },
  "object.pads": { schema: { type: "object", pads: "layer_%u" }, bad: { overlay: {} } },
  "object.additionalProperties": {
    schema: { type: "object", properties: {}, additionalProperties: false },
    bad: { x: 1 },
  },
};

Deno.test("checkParam() enforces every restricting keyword of PARAM_KEYWORDS", () => {
  const missing: string[] = [];
  for (const [type, keywords] of Object.entries(PARAM_KEYWORDS)) {
    for (const keyword of Object.keys(keywords)) {
      if (ANNOTATIONS.has(keyword)) continue;
      const name = `${type}.${keyword}`;
      const restriction = RESTRICTIONS[name];
      if (restriction === undefined) {
        missing.push(name);
        continue;
      }
      assert.equal(checkParam({ type } as ParamSchema, restriction.bad), undefined, name);
      assert.equal(typeof checkParam(restriction.schema, restriction.bad), "string", name);
    }
  }
  assert.deepEqual(missing, []);
  assert.equal(Object.keys(RESTRICTIONS).length, 19);
});

Deno.test("checkParam() matches a pattern in linear time, where JavaScript's engine backtracks for seconds", () => {
  // Found by the fuzz suite: a manifest's /^(a|a)*$/ against 28 a's and a "!" took 5 s, each
  // more "a" twice as long.
  const schema: ParamSchema = { type: "string", pattern: "^(a|a)*$" };
  const started = performance.now();
  assert.match(checkParam(schema, "a".repeat(28) + "!")!, /must match \/\^\(a\|a\)\*\$\//);
  assert.equal(checkParam(schema, "a".repeat(28)), undefined);
  assert.ok(performance.now() - started < 1_000, `${performance.now() - started} ms`);
});

Deno.test("checkParam() says a pattern it cannot run is the problem, not the value", () => {
  for (const pattern of ["(a)\\1", "a(?=b)", "("]) {
    assert.match(
      checkParam({ type: "string", pattern }, "a")!,
      /^cannot be checked against \/.*\/: it (uses|is not)/,
      pattern,
    );
  }
});

Deno.test("checkParam() and describeParam() describe a value with a cycle or a bigint instead of throwing", () => {
  // Found by the fuzz suite: a manifest whose array default held itself threw "Converting
  // circular structure to JSON" from validateManifest.
  const cycle: unknown[] = [];
  cycle.push(cycle);
  const schema: ParamSchema = { type: "array", items: { type: "number" }, default: [] };
  assert.equal(
    checkParam(schema, cycle),
    "item 0 must be a number, got an array of 1 items (array)",
  );
  assert.equal(checkParam({ type: "number" }, 5n), "must be a number, got 5n (bigint)");
  assert.match(checkParam({ type: "string" }, { big: 1n })!, /got an object \(object\)/);
  assert.match(describeParam({ type: "array", default: cycle }), /\(default an array of 1 items\)/);
});
