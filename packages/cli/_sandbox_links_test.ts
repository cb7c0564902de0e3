import assert from "node:assert/strict";
import { join } from "node:path";
import { _linkOutside } from "./_sandbox_links.ts";

Deno.test("_linkOutside() finds a link leading outside the folder, at any depth, and one leading nowhere; links within it are fine", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib-links-test-" });
  try {
    const plugin = join(dir, "plugin");
    await Deno.mkdir(join(plugin, "src", "deep"), { recursive: true });
    await Deno.writeTextFile(join(plugin, "src", "a.ts"), "");
    await Deno.symlink(join(plugin, "src"), join(plugin, "code"));
    await Deno.symlink("../a.ts", join(plugin, "src", "deep", "same.ts"));
    assert.equal(await _linkOutside(plugin), undefined);

    await Deno.symlink(join(dir, "gone"), join(plugin, "src", "deep", "later"));
    assert.deepEqual(await _linkOutside(plugin), {
      link: join(plugin, "src", "deep", "later"),
      target: join(dir, "gone"),
    });
    await Deno.remove(join(plugin, "src", "deep", "later"));

    await Deno.symlink(dir, join(plugin, "src", "deep", "up"));
    assert.deepEqual(await _linkOutside(plugin), {
      link: join(plugin, "src", "deep", "up"),
      target: await Deno.realPath(dir),
    });
    assert.equal(await _linkOutside(join(dir, "no such folder")), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
