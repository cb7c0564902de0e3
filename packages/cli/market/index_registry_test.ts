import assert from "node:assert/strict";
import { integrityOf, writeTarball } from "../plugins/tarball.ts";
import { indexRegistry } from "./index_registry.ts";
import { MarketDb } from "./market_db.ts";

const _encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** An npm-compatible registry in this process holding one plugin, `@acme/reader`, 1.0.0. */
async function _registry(): Promise<{ url: string; close: () => Promise<void> }> {
  const name = "@acme/reader";
  const tgz = await writeTarball(
    new Map([
      ["package.json", _encode({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
      [
        "manifest.json",
        _encode({
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
  );
  const integrity = await integrityOf(tgz);
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (request: Request): Response => {
    const url = new URL(request.url);
    const base: string = `http://127.0.0.1:${server.addr.port}/`;
    if (url.pathname === "/-/v1/search") {
      return Response.json({
        objects: [{ package: { name, version: "1.0.0", keywords: ["streamlib-plugin"] } }],
        total: 1,
      });
    }
    if (url.pathname === "/@acme%2freader" || url.pathname === "/@acme%2Freader") {
      return Response.json({
        name,
        "dist-tags": { latest: "1.0.0" },
        versions: {
          "1.0.0": {
            name,
            version: "1.0.0",
            dist: { tarball: `${base}reader-1.0.0.tgz`, integrity },
          },
        },
      });
    }
    if (url.pathname === "/reader-1.0.0.tgz") return new Response(tgz as BodyInit);
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    close: async () => {
      await server.shutdown();
    },
  };
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
