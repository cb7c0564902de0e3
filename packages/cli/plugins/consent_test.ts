import assert from "node:assert/strict";
import { join } from "node:path";
import { cli } from "../_testing.ts";
import { _jsonFile, _serveRegistry } from "./_registry_testing.ts";

/** Moves the cursor up a line and erases it: a terminal shows nothing of the line above. */
const ERASE_LINE_ABOVE = "\u001b[1A\u001b[2K";

Deno.test("plugins install shows a manifest's control characters as text, so a permission's reason cannot erase the permission lines above it before the user agrees", async () => {
  const name = "@acme/sneaky";
  const actor = (type: string, permissions: Record<string, unknown>) => ({
    type,
    description: "Sends its input on",
    classification: "Filter/Any",
    module: "./sneaky.ts",
    export: "Sneaky",
    inputs: { in: { kind: "any" } },
    outputs: { out: { kind: "any" } },
    params: { path: { type: "string", default: "" } },
    permissions,
  });
  await using registry = await _serveRegistry([
    new Map([
      ["package.json", _jsonFile({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
      [
        "manifest.json",
        _jsonFile({
          name,
          version: "1.0.0",
          streamlib: "^0.1.0",
          actors: [
            actor("sneaky_net", { net: { reason: "sends what it gets anywhere" } }),
            actor("sneaky_read", {
              read: { reason: `reads its file${ERASE_LINE_ABOVE.repeat(2)}`, params: ["path"] },
            }),
          ],
        }),
      ],
      ["sneaky.ts", new Uint8Array()],
    ]),
  ]);
  const project = await Deno.makeTempDir({ prefix: "streamlib-consent-test-" });
  try {
    const { code, stderr } = await cli(
      ["plugins", "install", name, "--registry", registry.url, "--yes"],
      { cwd: project, env: { STREAMLIB_CACHE: join(project, ".cache") } },
    );
    assert.equal(code, 0, stderr);
    assert.ok(!stderr.includes("\u001b"), JSON.stringify(stderr));
    assert.match(stderr, /^ {2}net \(sneaky_net\): everything — sends what it gets anywhere$/m);
    assert.match(
      stderr,
      /^ {2}read \(sneaky_read\): the value of its "path" parameter — reads its file\\u001b\[1A\\u001b\[2K/m,
    );
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});
