import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { _checkedManifest } from "./_package_check.ts";

const _encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** A package's files: its package.json, its manifest with one actor of `module`, and `extra`. */
function _files(module: string, extra: Record<string, string> = {}): Map<string, Uint8Array> {
  const name = "@streamlib-test/climber";
  const files = new Map<string, Uint8Array>([
    ["package.json", _encode({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
    [
      "manifest.json",
      _encode({
        name,
        version: "1.0.0",
        streamlib: "^0.1.0",
        actors: [{
          type: "climber",
          description: "Climbs",
          classification: "Filter/Any",
          module,
          export: "Climber",
        }],
      }),
    ],
  ]);
  for (const [path, text] of Object.entries(extra)) files.set(path, new TextEncoder().encode(text));
  return files;
}

Deno.test("_checkedManifest() accepts a module that is a file of the package", () => {
  const manifest = _checkedManifest(
    _files("./src/climber.ts", { "src/climber.ts": "" }),
    "@streamlib-test/climber",
    "1.0.0",
  );
  assert.equal(manifest.actors[0]!.module, "./src/climber.ts");
});

Deno.test("_checkedManifest() refuses a module that climbs out of the package with ../, even when a file of the package has the same tail", () => {
  // "../abcdefghij/mod.ts" resolves outside the package folder (a sibling plugin's folder once
  // installed); the package holds "ij/mod.ts", which a careless path check mistakes for it.
  assert.throws(
    () =>
      _checkedManifest(
        _files("../abcdefghij/mod.ts", { "ij/mod.ts": "" }),
        "@streamlib-test/climber",
        "1.0.0",
      ),
    (error) =>
      isStreamlibError(error) && error.code === "SL_MANIFEST_INVALID" &&
      /not a file of the package/.test(error.message),
  );
});
