import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { DEFAULT_TARBALL_MAX_BYTES, readTarball, writeTarball } from "./tarball.ts";

/** One tar entry: a ustar header (type `type`, links to `link`) and its data, padded. */
function _entry(name: string, type: string, data = "", link = ""): Uint8Array[] {
  const header = new Uint8Array(512);
  const put = (text: string, at: number): void => header.set(new TextEncoder().encode(text), at);
  const bytes = new TextEncoder().encode(data);
  put(name, 0);
  put("0000644\0", 100);
  put("0000000\0", 108);
  put("0000000\0", 116);
  put(`${bytes.length.toString(8).padStart(11, "0")}\0`, 124);
  put("00000000000\0", 136);
  put("        ", 148);
  put(type, 156);
  put(link, 157);
  put("ustar\0", 257);
  put("00", 263);
  const sum = header.reduce((a, b) => a + b, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
  padded.set(bytes);
  return [header, padded];
}

/** A gzipped tar of the entries, with the two empty blocks that end it. */
async function _tgz(...entries: Uint8Array[][]): Promise<Uint8Array> {
  const parts = [...entries.flat(), new Uint8Array(1024)];
  const gz = new Blob(parts as BlobPart[]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}

const _refused = (why: RegExp) => (error: unknown): boolean =>
  isStreamlibError(error) && error.code === "SL_MANIFEST_INVALID" && why.test(error.message);

Deno.test("readTarball() reads regular files under the top folder", async () => {
  const files = await readTarball(
    await _tgz(_entry("package/", "5"), _entry("package/src/a.ts", "0", "export {};")),
  );
  assert.deepEqual([...files.keys()], ["src/a.ts"]);
  assert.equal(new TextDecoder().decode(files.get("src/a.ts")), "export {};");
});

Deno.test("readTarball() refuses symbolic and hard links, whatever they point at", async () => {
  for (const [type, link] of [["2", "/etc"], ["2", "../../.ssh"], ["1", "package/a.ts"]]) {
    await assert.rejects(
      readTarball(
        await _tgz(_entry("package/a.ts", "0", "x"), _entry("package/data", type!, "", link)),
      ),
      _refused(/"package\/data", which is a link or a device/),
    );
  }
});

Deno.test("readTarball() refuses a path that climbs out of the package or is absolute, in a header or a pax record", async () => {
  for (const name of ["package/../../evil.ts", "package/src/../../../evil.ts", "/etc/evil.ts"]) {
    await assert.rejects(
      readTarball(await _tgz(_entry("package/a.ts", "0", "x"), _entry(name, "0", "x"))),
      _refused(/a path outside the package/),
      name,
    );
  }
  const pax = "32 path=package/../../../evil.ts\n";
  await assert.rejects(
    readTarball(
      await _tgz(_entry("package/a.ts", "0", "x"), _entry("pax", "x", pax), _entry("b", "0", "x")),
    ),
    _refused(/"package\/\.\.\/\.\.\/\.\.\/evil\.ts", a path outside the package/),
  );
});

Deno.test("readTarball() refuses a tarball that expands beyond maxBytes, and reads no further", async () => {
  // 8 MiB of zeros gzip to a few kilobytes: a small bomb.
  const zeros = new Uint8Array(8 << 20);
  const bomb = await writeTarball(new Map([["package.json", zeros]]));
  assert.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes`);
  await assert.rejects(
    readTarball(bomb, { maxBytes: 1 << 20 }),
    (e) =>
      isStreamlibError(e, "SL_MANIFEST_INVALID") &&
      /expands to more than 1 MiB/.test((e as Error).message),
  );
  // Within the limit it reads as ever.
  const files = await readTarball(bomb, { maxBytes: 16 << 20 });
  assert.equal(files.get("package.json")?.length, zeros.length);
  assert.equal(DEFAULT_TARBALL_MAX_BYTES, 256 << 20);
});
