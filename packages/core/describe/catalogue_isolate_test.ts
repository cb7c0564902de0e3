import assert from "node:assert/strict";
import { Catalogue, type Collect, type DataMessage, isStreamlibError } from "../mod.ts";

const manifestUrl = new URL("../testdata/isolated_plugin.json", import.meta.url);
const manifest = JSON.parse(await Deno.readTextFile(manifestUrl));

function isolatedCatalogue(read: (path: string) => string[]): Catalogue {
  return Catalogue.withCore().add(manifest, manifestUrl).isolate(manifestUrl, (actor) => {
    const path = String(actor.params?.path ?? "");
    return {
      needs: path === "" ? {} : { read: { all: false, values: [path], reasons: ["test"] } },
      worker: { read: read(path) },
    };
  });
}

Deno.test("Catalogue.isolate() runs a plugin's actors in Workers and never imports its module here", async () => {
  const catalogue = isolatedCatalogue(() => []);
  const pipeline = await catalogue.build(
    "datasrc count=3 ! isopeek dispatch=main ! collect name=out",
    { mode: "offline" },
  );
  await pipeline.run();
  const out = pipeline.actor("out") as Collect<DataMessage>;
  assert.deepEqual(out.messages.map((m) => m.value), ["worker", "worker", "worker"]);
  assert.equal((globalThis as { isolatedImported?: boolean }).isolatedImported, undefined);
});

Deno.test("Catalogue.isolate() gives each actor's Worker only what its sandbox says", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/secret.txt`;
    await Deno.writeTextFile(file, "secret");
    const allowed = isolatedCatalogue((path) => [path]);
    const ok = await allowed.build(`datasrc count=1 ! isopeek path=${file} ! nullsink`);
    await ok.run();
    const refused = isolatedCatalogue(() => []);
    const failing = await refused.build(`datasrc count=1 ! isopeek path=${file} ! nullsink`);
    await assert.rejects(failing.run(), (error: unknown) => {
      assert.ok(isStreamlibError(error));
      let found = false;
      for (let e: unknown = error; e instanceof Error; e = e.cause) {
        if (/Requires read access to/.test(e.message)) found = true;
      }
      assert.ok(found, String(error));
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Catalogue.permissions() holds an isolated actor's sandbox needs and its code folders", () => {
  const catalogue = isolatedCatalogue(() => []);
  const needs = catalogue.permissions({
    actors: [{ name: "p", type: "isopeek", params: { path: "/data/x" } }],
    links: [],
  });
  const folder = new URL(".", manifestUrl).pathname.replace(/\/$/, "");
  assert.ok(needs.read?.values.includes("/data/x"));
  assert.ok(needs.read?.values.includes(folder));
  assert.deepEqual(
    catalogue.actorPermissions({ name: "p", type: "isopeek", params: { path: "/data/y" } }),
    {
      read: {
        all: false,
        values: ["/data/y"],
        reasons: ["p (isopeek): reads the file it is given"],
      },
    },
  );
});
