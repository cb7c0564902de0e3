import assert from "node:assert/strict";
import { validatePlugin } from "./validate_plugin.ts";

const testdata = new URL("./testdata/", import.meta.url).pathname;

Deno.test("validatePlugin() finds nothing wrong with a plugin that matches its code", async () => {
  const { manifest, problems } = await validatePlugin(`${testdata}files/manifest.json`);
  assert.deepEqual(problems, []);
  assert.equal(manifest?.actors.length, 5);
});

Deno.test("validatePlugin() lists every structural problem, one an entry", async () => {
  const { manifest, problems } = await validatePlugin(`${testdata}bad_manifest.json`);
  assert.equal(manifest, undefined);
  assert.equal(problems.length, 4);
  assert.ok(problems.every((p) => p.startsWith(`${testdata}bad_manifest.json: `)));
});

Deno.test("validatePlugin() lists how each type differs from its class", async () => {
  const { problems } = await validatePlugin(`${testdata}mismatch_manifest.json`);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /actor type "peek" does not match Peek/);
  assert.match(problems[1]!, /has no actor class "Ghost"/);
});

Deno.test("validatePlugin() reports unreadable files, other streamlib versions and taken names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.match((await validatePlugin(`${dir}/none.json`)).problems[0]!, /cannot read it as JSON/);
    const manifest = JSON.parse(await Deno.readTextFile(`${testdata}files/manifest.json`));
    manifest.streamlib = "^9.0.0";
    manifest.actors[0].type = "log";
    manifest.actors[0].module = `${new URL("./testdata/files/read_file.ts", import.meta.url)}`;
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
    const { problems } = await validatePlugin(`${dir}/manifest.json`);
    assert.match(problems[0]!, /streamlib: "\^9\.0\.0" does not include this streamlib version/);
    assert.match(problems[1]!, /actor type "log" is already provided by @streamlib\/core/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
