import assert from "node:assert/strict";
import { contractOf, type Manifest, type ManifestActor, STREAMLIB_VERSION } from "./manifest.ts";
import { VALID } from "./_manifest_testing.ts";

Deno.test("contractOf() keeps the contract fields of a manifest entry and drops the rest", () => {
  const actor =
    (VALID["a filter using every port, parameter, schedule and clock field"] as Manifest)
      .actors[0]!;
  const contract = contractOf(actor);
  assert.deepEqual(Object.keys(contract), [
    "type",
    "description",
    "classification",
    "inputs",
    "outputs",
    "params",
    "schedule",
    "clock",
  ]);
  assert.equal(contract.inputs, actor.inputs);
  const withPermissions = (VALID[
    "a file source asking for permissions tied to a parameter and to fixed values"
  ] as Manifest).actors[0]!;
  const reader = contractOf(withPermissions);
  assert.equal(reader.permissions, withPermissions.permissions);
  assert.ok(!("module" in reader) && !("export" in reader));
  const minimal: ManifestActor = {
    type: "x",
    description: "d",
    classification: "Sink/Any",
    module: "./x.ts",
    export: "X",
  };
  assert.deepEqual(contractOf(minimal), {
    type: "x",
    description: "d",
    classification: "Sink/Any",
  });
});

Deno.test("STREAMLIB_VERSION is the version in packages/core/deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(STREAMLIB_VERSION, config.version);
});
