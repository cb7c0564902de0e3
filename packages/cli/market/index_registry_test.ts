import assert from "node:assert/strict";
import { _jsonFile, _serveRegistry, type _TestRegistry } from "../plugins/_registry_testing.ts";
import { indexRegistry } from "./index_registry.ts";
import { MarketDb } from "./market_db.ts";

/** A registry holding one plugin, `@acme/reader`, 1.0.0. */
function _registry(): Promise<_TestRegistry> {
  const name = "@acme/reader";
  return _serveRegistry([
    new Map([
      ["package.json", _jsonFile({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
      [
        "manifest.json",
        _jsonFile({
          name,
          version: "1.0.0",
          description: "Sends a text file's contents once",
          streamlib: "^0.1.0",
          actors: [{
            type: "textsrc",
            description: "Sends a file's text",
            classification: "Source/Data",
            module: "./src.ts",
            export: "TextSource",
            outputs: { out: { kind: "data", formats: ["text"] } },
          }],
        }),
      ],
      ["src.ts", new Uint8Array()],
    ]),
  ]);
}

Deno.test("MarketDb.search() finds a scoped plugin by the last part of its name, and by its scope", async () => {
  const registry = await _registry();
  try {
    using db = new MarketDb(":memory:");
    const report = await indexRegistry(db, registry.url);
    assert.equal(report.added, 1);
    for (const text of ["reader", "acme", "@acme/reader", "read"]) {
      assert.deepEqual(
        db.search({ text }).results.map((p) => p.name),
        ["@acme/reader"],
        `searching "${text}"`,
      );
    }
    assert.deepEqual(db.search({ text: "writer" }).results, []);
  } finally {
    await registry.close();
  }
});
