import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
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
