import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { discoverPlugins } from "./discover_plugins.ts";

const files = new URL("./testdata/files/manifest.json", import.meta.url);

async function withTree(
  tree: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [path, text] of Object.entries(tree)) {
      await Deno.mkdir(`${dir}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
      await Deno.writeTextFile(`${dir}/${path}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const manifest = (name: string, type: string): string =>
  JSON.stringify({
    name,
    version: "1.0.0",
    streamlib: "^0.1.0",
    actors: [{
      type,
      description: "A test type",
      classification: "Sink/Any",
      module: "./x.ts",
      export: "X",
      inputs: { in: { kind: "any" } },
    }],
  });

Deno.test("discoverPlugins() finds core's actors and every plugins/*/manifest.json, without their code", async () => {
  await withTree({
    "plugins/b/manifest.json": manifest("b", "btype"),
    "plugins/a/manifest.json": manifest("a", "atype"),
    "plugins/not-a-plugin/readme.md": "no manifest here",
  }, async (dir) => {
    const found = await discoverPlugins({ cwd: dir });
    // The video, audio, ffmpeg and net packages come with the command.
    assert.deepEqual(found.plugins.map((p) => p.manifest.name), [
      "a",
      "b",
      "@streamlib/video",
      "@streamlib/audio",
      "@streamlib/ffmpeg",
      "@streamlib/net",
      "@streamlib/gpu",
    ]);
    assert.ok(found.catalogue.has("compositor") && found.catalogue.has("display"));
    assert.ok(found.catalogue.has("datasrc") && found.catalogue.has("atype"));
    assert.deepEqual(found.warnings, []);
  });
});

Deno.test("discoverPlugins() adds --plugins directories and --plugin manifests, once each", async () => {
  await withTree({
    "vendor/manifest.json": manifest("own", "owntype"),
    "vendor/sub/manifest.json": manifest("sub", "subtype"),
  }, async (dir) => {
    const found = await discoverPlugins({
      cwd: dir,
      dirs: ["vendor", `${dir}/vendor`],
      plugins: [files.href, "vendor/sub/manifest.json"],
    });
    assert.deepEqual(found.plugins.map((p) => p.manifest.name), [
      "@streamlib/video",
      "@streamlib/audio",
      "@streamlib/ffmpeg",
      "@streamlib/net",
      "@streamlib/gpu",
      "own",
      "sub",
      "@streamlib/test-files",
    ]);
    assert.ok(found.catalogue.has("readfile"));
  });
});

Deno.test("discoverPlugins() skips a broken manifest it found, with a warning saying why", async () => {
  await withTree({
    "plugins/bad/manifest.json": '{ "name": "bad" }',
    "plugins/clash/manifest.json": manifest("clash", "log"),
    "plugins/good/manifest.json": manifest("good", "goodtype"),
  }, async (dir) => {
    const found = await discoverPlugins({ cwd: dir });
    assert.deepEqual(found.plugins.map((p) => p.manifest.name), [
      "good",
      "@streamlib/video",
      "@streamlib/audio",
      "@streamlib/ffmpeg",
      "@streamlib/net",
      "@streamlib/gpu",
    ]);
    assert.equal(found.warnings.length, 2);
    assert.match(found.warnings[0]!, /^skipped the plugin file:.*bad\/manifest\.json: .*version/);
    assert.match(
      found.warnings[1]!,
      /actor type "log" of clash is already provided by @streamlib\/core/,
    );
  });
});

Deno.test("discoverPlugins() throws for a --plugin or --plugins that cannot be used", async () => {
  await withTree({ "plugins/bad/manifest.json": "[]" }, async (dir) => {
    await assert.rejects(
      discoverPlugins({ cwd: dir, plugins: ["plugins/bad/manifest.json"] }),
      (e) => isStreamlibError(e, "SL_MANIFEST_INVALID"),
    );
    await assert.rejects(
      discoverPlugins({ cwd: dir, plugins: ["missing.json"] }),
      (e) =>
        isStreamlibError(e, "SL_MANIFEST_INVALID") && /Cannot read the manifest/.test(e.message),
    );
    await assert.rejects(
      discoverPlugins({ cwd: dir, dirs: ["nowhere"] }),
      (e) => isStreamlibError(e, "SL_USAGE") && /"nowhere" is not a directory/.test(e.message),
    );
  });
});

Deno.test("discoverPlugins() finds a workspace's packages/*/manifest.json, core's own once", async () => {
  const core = await Deno.readTextFile(new URL("../core/manifest.json", import.meta.url));
  await withTree({
    "packages/core/manifest.json": core,
    "packages/video/manifest.json": manifest("@streamlib/video", "testsrc"),
    "plugins/a/manifest.json": manifest("a", "atype"),
  }, async (dir) => {
    const found = await discoverPlugins({ cwd: dir });
    // The workspace's own @streamlib/video replaces the one the command comes with.
    assert.deepEqual(found.plugins.map((p) => p.manifest.name), [
      "@streamlib/video",
      "a",
      "@streamlib/audio",
      "@streamlib/ffmpeg",
      "@streamlib/net",
      "@streamlib/gpu",
    ]);
    assert.ok(found.catalogue.has("testsrc") && found.catalogue.has("datasrc"));
    assert.ok(!found.catalogue.has("compositor"));
    assert.deepEqual(found.warnings, []);
  });
});
