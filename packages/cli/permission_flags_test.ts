import assert from "node:assert/strict";
import { Catalogue, isStreamlibError, parsePipeline } from "@streamlib/core";
import { permissionFlags } from "./permission_flags.ts";

const manifest = new URL("./testdata/files/manifest.json", import.meta.url);

Deno.test("permissionFlags() grants nothing when nothing is asked for", () => {
  assert.deepEqual(permissionFlags({}), []);
});

Deno.test("permissionFlags() gives values after = and unrestricted permissions bare, in Deno's order", () => {
  assert.deepEqual(
    permissionFlags({
      sys: { all: true, values: [], reasons: ["a"] },
      net: { all: false, values: ["a.lan:1", "b.lan:2"], reasons: ["b"] },
      read: { all: false, values: ["in.mp4"], reasons: ["c"] },
      env: { all: true, values: ["HOME"], reasons: ["d"] },
    }),
    ["--allow-read=in.mp4", "--allow-net=a.lan:1,b.lan:2", "--allow-env", "--allow-sys"],
  );
});

Deno.test("permissionFlags() grants nothing for a permission whose parameter has no value", () => {
  assert.deepEqual(permissionFlags({ write: { all: false, values: [], reasons: ["x"] } }), []);
});

Deno.test("permissionFlags() refuses a value with a comma, which Deno's flags cannot carry", () => {
  assert.throws(
    () => permissionFlags({ read: { all: false, values: ["a,b.txt"], reasons: ["x"] } }),
    (e) => isStreamlibError(e, "SL_PERMISSION_VALUE") && /"a,b\.txt"/.test(e.message),
  );
});

Deno.test("permissionFlags() of a catalogue's permissions follows parameters, fixed values and defaults", async () => {
  const catalogue = Catalogue.withCore();
  await catalogue.load(manifest);
  const flags = (text: string): string[] =>
    permissionFlags(catalogue.permissions(parsePipeline(text).spec));
  assert.deepEqual(flags("datasrc ! log"), []);
  assert.deepEqual(flags("datasrc ! sendfile path=a.bin"), [
    "--allow-write=a.bin",
    "--allow-net=monitor.lan:9000",
    "--allow-env",
  ]);
  assert.deepEqual(flags("datasrc ! sendfile"), [
    "--allow-write=out.bin",
    "--allow-net=monitor.lan:9000",
    "--allow-env",
  ], "the parameter's default counts");
  assert.deepEqual(
    flags("readfile path=a.txt ! log  readfile path=b.txt ! log"),
    ["--allow-read=a.txt,b.txt"],
  );
  assert.deepEqual(flags("datasrc ! peek"), [], "peek declares nothing, so it gets nothing");
});
