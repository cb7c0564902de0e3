import assert from "node:assert/strict";
import { join } from "node:path";
import { isStreamlibError } from "@streamlib/core";
import { removePlugins } from "./install_plugins.ts";
import { readLockfile } from "./lockfile.ts";

Deno.test("readLockfile() refuses a lockfile whose plugin names are not package names, so remove never deletes outside the plugins folder", async () => {
  const project = await Deno.makeTempDir({ prefix: "streamlib-lockfile-test-" });
  try {
    const victim = join(project, "victim");
    await Deno.mkdir(victim);
    await Deno.writeTextFile(join(victim, "keep.txt"), "mine");
    const entry = {
      version: "1.0.0",
      requested: "^1.0.0",
      registry: "http://127.0.0.1:9/",
      resolved: "http://127.0.0.1:9/x.tgz",
      integrity: "sha512-AAAA",
      permissions: {},
    };
    const lock = join(project, "streamlib.lock");
    await Deno.writeTextFile(
      lock,
      JSON.stringify({ lockfileVersion: 1, plugins: { "../victim": entry } }),
    );
    const refused = (error: unknown): boolean =>
      isStreamlibError(error) && error.code === "SL_LOCKFILE" &&
      /"\.\.\/victim"/.test(error.message);
    await assert.rejects(readLockfile(lock), refused);
    await assert.rejects(
      removePlugins(["../victim"], { dir: join(project, "streamlib_plugins") }),
      refused,
    );
    assert.equal(await Deno.readTextFile(join(victim, "keep.txt")), "mine");
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});

Deno.test("readLockfile() reads a lockfile with scoped and plain names", async () => {
  const project = await Deno.makeTempDir({ prefix: "streamlib-lockfile-test-" });
  try {
    const entry = {
      version: "1.0.0",
      requested: "^1.0.0",
      registry: "http://127.0.0.1:9/",
      resolved: "http://127.0.0.1:9/x.tgz",
      integrity: "sha512-AAAA",
      permissions: {},
    };
    const lock = join(project, "streamlib.lock");
    await Deno.writeTextFile(
      lock,
      JSON.stringify({ lockfileVersion: 1, plugins: { "@acme/blur": entry, "reader": entry } }),
    );
    assert.deepEqual(Object.keys((await readLockfile(lock)).plugins), ["@acme/blur", "reader"]);
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});
