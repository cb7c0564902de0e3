import assert from "node:assert/strict";
import { Catalogue, isStreamlibError } from "@streamlib/core";
import { _allowedFolders, _checkActorFiles } from "./_allowed_files.ts";

const catalogue = await Catalogue.withCore()
  .load(import.meta.resolve("@streamlib/ffmpeg/manifest.json"))
  .then((c) => c.load(import.meta.resolve("@streamlib/video/manifest.json")));

Deno.test("A file parameter must lead into an allowed folder once .., links and file: URLs are resolved", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${root}/media`);
    await Deno.mkdir(`${root}/other`);
    await Deno.symlink(`${root}/nowhere`, `${root}/media/dangling`);
    const folders = _allowedFolders(["media"], root);
    assert.deepEqual(folders, [`${root}/media`]);
    const check = (type: string, params: Record<string, string>): string | undefined => {
      try {
        _checkActorFiles(catalogue, { name: "a", type, params }, folders, root);
        return undefined;
      } catch (error) {
        assert.ok(isStreamlibError(error, "SL_FILE_NOT_ALLOWED"), String(error));
        return error.message;
      }
    };
    assert.equal(check("filesink", { location: "media/out.mp4" }), undefined);
    assert.equal(check("filesink", { location: `file://${root}/media/new/out.mp4` }), undefined);
    assert.equal(check("snapshot", { location: "media/frame-%05d.png" }), undefined);
    assert.match(check("filesink", { location: "media/../other/out.mp4" })!, /outside the folders/);
    assert.match(check("filesink", { location: `file://${root}/other/x.mp4` })!, /outside/);
    assert.match(
      check("filesrc", { location: "https://example.com/a.mp4" })!,
      /no file path it can follow/,
    );
    assert.match(
      check("filesink", { location: "media/dangling/out.mp4" })!,
      /no file path it can follow/,
    );
    assert.match(check("filesink", { location: "/etc/out.mp4" })!, /would write "\/etc\/out\.mp4"/);
    assert.throws(() => _allowedFolders(["missing"], root), /--allow-files takes a folder/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
