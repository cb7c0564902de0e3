import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { PARAM_KEYWORDS, type ParamKeywordValue } from "../graph/params.ts";
import { _manifestSchema } from "./_manifest_schema.ts";
import {
  _ACTOR_KEYS,
  _INPUT_KEYS,
  _MANIFEST_KEYS,
  _OUTPUT_KEYS,
  _PERMISSION_KEYS,
  _PERMISSIONS,
} from "./_manifest_rules.ts";
import {
  base,
  build,
  INVALID,
  problemPaths,
  SCHEMA_URL,
  SEMANTIC_ONLY,
  VALID,
} from "./_manifest_testing.ts";

// -------------------------------------------------------------------------------------------
// The JSON Schema, compiled by ajv in strict mode.

const schema = JSON.parse(
  await Deno.readTextFile(new URL("./manifest.schema.json", import.meta.url)),
);
const ajvWarnings: unknown[][] = [];
const ajv = new Ajv2020({
  strict: true,
  allErrors: true,
  logger: {
    log: () => {},
    warn: (...args: unknown[]) => ajvWarnings.push(args),
    error: (...args: unknown[]) => ajvWarnings.push(args),
  },
});
const schemaAccepts = ajv.compile(schema);

// -------------------------------------------------------------------------------------------
// The JSON Schema against the validator

Deno.test("manifest.schema.json compiles in ajv's strict mode without warnings", () => {
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.$id, SCHEMA_URL);
  for (const def of ["portSpec", "inputSpec", "paramSchema", "permissionRequest"]) {
    assert.ok(schema.$defs[def], `$defs.${def}`);
  }
  assert.deepEqual(ajvWarnings, []);
});

Deno.test("manifest.schema.json closes every object it describes with additionalProperties: false", () => {
  const open: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}/${i}`));
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (record.properties !== undefined && record.additionalProperties !== false) open.push(path);
    for (const [key, value] of Object.entries(record)) {
      // Under "properties" the keys are field names, not keywords.
      if (key === "properties") {
        for (const [field, sub] of Object.entries(value as object)) {
          visit(sub, `${path}/properties/${field}`);
        }
      } else visit(value, `${path}/${key}`);
    }
  };
  visit(schema, "#");
  assert.deepEqual(open, []);
});

Deno.test("the JSON Schema and validateManifest() agree on every manifest of the corpus", () => {
  const disagreements: string[] = [];
  const compare = (name: string, manifest: unknown, schemaShould: boolean, ours: boolean): void => {
    const bySchema = schemaAccepts(manifest);
    const byValidator = problemPaths(manifest).length === 0;
    if (bySchema !== schemaShould || byValidator !== ours) {
      disagreements.push(
        `${name}: schema ${bySchema ? "accepts" : "rejects"}, validateManifest ${
          byValidator ? "accepts" : "rejects"
        } ${JSON.stringify(schemaAccepts.errors?.slice(0, 3))}`,
      );
    }
  };
  compare("base", base(), true, true);
  for (const [name, manifest] of Object.entries(VALID)) compare(name, manifest, true, true);
  for (const [name, c] of Object.entries(INVALID)) compare(name, build(c), false, false);
  // The semantic-only cases: JSON Schema cannot see these, so only validateManifest rejects.
  for (const [name, c] of Object.entries(SEMANTIC_ONLY)) compare(name, build(c), true, false);
  assert.deepEqual(disagreements, []);
});

// -------------------------------------------------------------------------------------------
// One source: the schema file, the validator's rules and the parameter keyword table

Deno.test("manifest.schema.json is what the validator's rules generate (deno task manifests)", () => {
  assert.deepEqual(schema, _manifestSchema());
});

Deno.test("manifest.schema.json allows exactly the keys the validator allows, at every level", () => {
  const keys = (node: { properties: object }): string[] => Object.keys(node.properties).sort();
  const defs = schema.$defs;
  assert.deepEqual(keys(schema), [..._MANIFEST_KEYS].sort());
  assert.deepEqual(keys(defs.actor), [..._ACTOR_KEYS].sort());
  assert.deepEqual(keys(defs.portSpec), [..._OUTPUT_KEYS].sort());
  assert.deepEqual(keys(defs.inputSpec), [..._INPUT_KEYS].sort());
  assert.deepEqual(keys(defs.actor.properties.permissions), [..._PERMISSIONS].sort());
  assert.deepEqual(keys(defs.permissionRequest), [..._PERMISSION_KEYS].sort());
  for (const [type, keywords] of Object.entries(PARAM_KEYWORDS)) {
    assert.deepEqual(keys(defs[`${type}Param`]), ["type", ...Object.keys(keywords)].sort(), type);
  }
});

/** A value of the wrong kind for each kind of keyword value. */
const WRONG: Readonly<Record<ParamKeywordValue, unknown>> = {
  number: "ten",
  integer: 1.5,
  count: -1,
  string: 3,
  boolean: "yes",
  array: {},
  object: [],
  strings: [],
  names: "x",
  regexp: 3,
  template: "layer_0",
  schema: { type: "float" },
  schemas: 3,
};

Deno.test("the JSON Schema and validateManifest() reject a wrong value of every parameter keyword at its path", () => {
  const disagreements: string[] = [];
  for (const [type, keywords] of Object.entries(PARAM_KEYWORDS)) {
    for (const [keyword, kind] of Object.entries(keywords)) {
      const manifest = build({
        set: { "actors[0].params.p": { type, [keyword]: WRONG[kind] } },
        path: "",
      });
      const paths = problemPaths(manifest);
      const ok = paths.length === 1 && paths[0]!.startsWith(`actors[0].params.p.${keyword}`);
      if (!ok || schemaAccepts(manifest)) {
        disagreements.push(
          `${type}.${keyword}: validator ${paths.join()}, schema accepts ${
            schemaAccepts(manifest)
          }`,
        );
      }
    }
    // The bare type passes both.
    const full = build({ set: { "actors[0].params.p": { type } }, path: "" });
    if (problemPaths(full).length || !schemaAccepts(full)) disagreements.push(`${type} alone`);
  }
  assert.deepEqual(disagreements, []);
  assert.equal(Object.keys(PARAM_KEYWORDS).length, 6);
});
