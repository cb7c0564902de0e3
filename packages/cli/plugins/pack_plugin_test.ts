import assert from "node:assert/strict";
import { join } from "node:path";
import { isStreamlibError } from "@streamlib/core";
import { packPlugin } from "./pack_plugin.ts";

const READER = new URL("./testdata/reader/", import.meta.url).pathname;

/** A copy of the reader plugin in a new folder, its module starting with `header`. */
async function reader(header: string): Promise<{ root: string; plugin: string }> {
  const root = await Deno.makeTempDir();
  const plugin = join(root, "reader");
  await Deno.mkdir(plugin);
  for (const name of ["deno.json", "manifest.json", "mod.ts", "reader.ts"]) {
    await Deno.copyFile(join(READER, name), join(plugin, name));
  }
  const code = await Deno.readTextFile(join(plugin, "reader.ts"));
  await Deno.writeTextFile(join(plugin, "reader.ts"), `${header}\n${code}`);
  await Deno.writeTextFile(join(root, "shared.ts"), "export const shared = 1;\n");
  await Deno.mkdir(join(plugin, "lib"));
  await Deno.writeTextFile(join(plugin, "lib/own.ts"), "export const own = 2;\n");
  return { root, plugin };
}

Deno.test("pack refuses a plugin whose code imports a file outside its folder, naming the import and its line", async () => {
  const { root, plugin } = await reader('import { shared } from "../shared.ts";\nvoid shared;');
  try {
    await assert.rejects(packPlugin(plugin), (e) => {
      assert.ok(isStreamlibError(e, "SL_MANIFEST_INVALID"), String(e));
      assert.match(
        e.message,
        /\n {2}reader\.ts:1: imports "\.\.\/shared\.ts" \(file:\/\/\S+\/shared\.ts\), outside the plugin's folder: its sandbox may read that folder only/,
      );
      return true;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("pack takes imports of the plugin's own files, of @streamlib packages and of node: modules", async () => {
  const { root, plugin } = await reader(
    'import { own } from "./lib/own.ts";\nimport { join as _join } from "node:path";\nvoid own;',
  );
  try {
    const packed = await packPlugin(plugin);
    assert.ok(packed.files.includes("lib/own.ts"), packed.files.join());
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
