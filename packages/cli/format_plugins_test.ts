import assert from "node:assert/strict";
import { Catalogue } from "@streamlib/core";
import { formatPlugins } from "./format_plugins.ts";

Deno.test("formatPlugins() lists core first, then each plugin with its file and types", async () => {
  const catalogue = Catalogue.withCore();
  const manifest = new URL("./testdata/files/manifest.json", import.meta.url);
  await catalogue.load(manifest);
  const root = new URL("../../", import.meta.url).pathname;
  const text = formatPlugins(catalogue, root);
  assert.equal(
    text.split("\n").slice(3).join("\n"),
    "@streamlib/test-files 0.1.0\n" +
      "  file:  packages/cli/testdata/files/manifest.json\n" +
      "  types: join, linger, peek, readfile, sendfile\n",
  );
  assert.match(text, /^@streamlib\/core 0\.1\.0\n {2}file: {2}packages\/core\/manifest\.json\n/);
  const elsewhere = formatPlugins(catalogue, "/nowhere");
  assert.match(elsewhere, / {2}file: {2}\/.*\/packages\/cli\/testdata\/files\/manifest\.json\n/);
});
