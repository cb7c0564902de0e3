import assert from "node:assert/strict";
import { _jsonFile, _serveRegistry } from "../plugins/_registry_testing.ts";
import { indexRegistry } from "./index_registry.ts";
import { MarketDb } from "./market_db.ts";
import { marketHandler } from "./serve_market.ts";

/** A marketplace index of one plugin whose texts are HTML, as a registry may well serve. */
async function _indexed(db: MarketDb): Promise<void> {
  const name = "@acme/html";
  await using registry = await _serveRegistry([
    new Map([
      ["package.json", _jsonFile({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
      [
        "manifest.json",
        _jsonFile({
          name,
          version: "1.0.0",
          description: '<script>alert("description")</script>',
          streamlib: "^0.1.0",
          actors: [{
            type: "htmlsrc",
            description: "<img src=x onerror=alert(1)>",
            classification: "Source/Data",
            module: "./src.ts",
            export: "HtmlSource",
            outputs: { out: { kind: "data", formats: ["text"] } },
            params: {
              path: { type: "string", default: "", description: '"><script>x()</script>' },
            },
            permissions: { read: { reason: "</li><script>y()</script>", params: ["path"] } },
          }],
        }),
      ],
      ["src.ts", new Uint8Array()],
    ]),
  ]);
  await indexRegistry(db, registry.url);
}

Deno.test("the marketplace's pages show a plugin's texts as text, never as HTML", async () => {
  using db = new MarketDb(":memory:");
  await _indexed(db);
  const handler = marketHandler(db);
  for (const path of ["/plugins/@acme/html", "/?q=acme"]) {
    const response = await handler(new Request(`http://127.0.0.1${path}`));
    assert.equal(response.status, 200, path);
    const html = await response.text();
    assert.ok(!/<script|<img/i.test(html), `${path}: ${html}`);
    assert.match(html, /&lt;script&gt;alert\(&quot;description&quot;\)&lt;\/script&gt;/);
  }
});

Deno.test("the marketplace answers odd searches and names without failing: a NUL, a huge offset, a broken escape", async () => {
  using db = new MarketDb(":memory:");
  await _indexed(db);
  const handler = marketHandler(db);
  const json = async (path: string, status = 200): Promise<unknown> => {
    const response = await handler(new Request(`http://127.0.0.1${path}`));
    const body = await response.json();
    assert.equal(response.status, status, `${path}: ${JSON.stringify(body)}`);
    return body;
  };
  // A NUL parts words as a space does: alone, it is an empty search, which lists everything.
  assert.equal((await json("/api/v1/search?q=%00") as { total: number }).total, 1);
  assert.equal((await json("/api/v1/search?q=acme%00html") as { total: number }).total, 1);
  assert.deepEqual(await json("/api/v1/search?offset=1e20"), { total: 1, results: [] });
  assert.deepEqual(await json("/api/v1/plugins/%E0%A4%A", 404), {
    error: { code: "SL_PLUGIN_NOT_FOUND", message: 'No plugin "%E0%A4%A" is indexed here' },
  });
  const page = await handler(new Request("http://127.0.0.1/plugins/%E0%A4%A"));
  assert.equal(page.status, 404);
  await page.body?.cancel();
});
