import assert from "node:assert/strict";
import { isStreamlibError, STREAMLIB_VERSION } from "@streamlib/core";
import { buildManifest, generatedFiles, jsonText, PACKAGES, ROOT } from "./_manifests.ts";

const CORE = new URL("../packages/core/mod.ts", import.meta.url).href;

Deno.test("deno task manifests writes exactly what is committed", async () => {
  const files = await generatedFiles();
  assert.equal(files.length, PACKAGES.length + 1);
  const stale: string[] = [];
  for (const [path, text] of files) {
    if (await Deno.readTextFile(path) !== text) stale.push(path.slice(ROOT.length));
  }
  assert.deepEqual(stale, [], "run `deno task manifests` and commit the result");
});

Deno.test("the files deno task manifests writes are formatted as deno fmt leaves them", async () => {
  const paths = (await generatedFiles()).map(([path]) => path);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--check", ...paths],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});

/** A package in a temporary folder: `files` by path, a `deno.json` and `mod.ts` included. */
async function fixture(files: Readonly<Record<string, unknown>>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "streamlib-manifests-" }) + "/";
  for (const [path, content] of Object.entries(files)) {
    const file = `${root}pkg/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, typeof content === "string" ? content : jsonText(content));
  }
  return root;
}

/** An actor module: one class `name` with `contract` (TypeScript source of an object). */
function actorModule(name: string, contract: string): string {
  return `import { Actor, type Contract } from "${CORE}";
export const contract = ${contract} as const satisfies Contract;
export class ${name} extends Actor<typeof contract> {
  static override contract: typeof contract = contract;
  process(): void {}
}
`;
}

const DENO_JSON = { name: "@test/pkg", version: "1.2.3", exports: "./mod.ts" };
const CONFIG = { description: "Test actors", streamlib: "^0.1.0" };

Deno.test("buildManifest() writes each exported class's contract, module and export, sorted by type", async () => {
  const root = await fixture({
    "deno.json": DENO_JSON,
    "manifest.config.json": {
      ...CONFIG,
      actors: {
        zsink: {
          classification: "Sink/Data",
          permissions: { write: { params: ["path"], reason: "Writes the file" } },
        },
      },
    },
    "mod.ts": 'export * from "./z_sink.ts";\nexport * from "./actors/a_source.ts";\n',
    "z_sink.ts": actorModule(
      "ZSink",
      `{ type: "zsink", description: "Keeps data", inputs: { in: { policy: "queue:4", kind: "data" }, "in_%u": { params: { w: { description: "Weight", maximum: 2, type: "number" } }, presence: "request", kind: "data" } }, params: { path: { description: "Where", type: "string" } } }`,
    ),
    "actors/a_source.ts": actorModule(
      "ASource",
      `{ description: "Makes data", type: "asource", classification: "Source/Data", outputs: { out: { description: "Numbers", kind: "data" } }, params: { n: { description: "How many", minimum: 1, default: 3, type: "integer" } }, schedule: "tick" }`,
    ),
  });
  try {
    const manifest = await buildManifest("pkg", root);
    assert.equal(
      jsonText(manifest),
      jsonText({
        $schema: "../packages/core/describe/manifest.schema.json",
        name: "@test/pkg",
        version: "1.2.3",
        description: "Test actors",
        streamlib: "^0.1.0",
        actors: [
          {
            type: "asource",
            description: "Makes data",
            classification: "Source/Data",
            module: "./actors/a_source.ts",
            export: "ASource",
            outputs: { out: { kind: "data", description: "Numbers" } },
            params: {
              n: { type: "integer", default: 3, minimum: 1, description: "How many" },
            },
            schedule: "tick",
          },
          {
            type: "zsink",
            description: "Keeps data",
            classification: "Sink/Data",
            module: "./z_sink.ts",
            export: "ZSink",
            inputs: {
              in: { kind: "data", policy: "queue:4" },
              "in_%u": {
                kind: "data",
                presence: "request",
                params: { w: { type: "number", maximum: 2, description: "Weight" } },
              },
            },
            params: { path: { type: "string", description: "Where" } },
            permissions: { write: { reason: "Writes the file", params: ["path"] } },
          },
        ],
      }),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** The message of the `SL_MANIFEST_INVALID` that building the fixture's manifest throws. */
async function failure(files: Readonly<Record<string, unknown>>): Promise<string> {
  const root = await fixture({ "deno.json": DENO_JSON, "manifest.config.json": CONFIG, ...files });
  try {
    await buildManifest("pkg", root);
  } catch (error) {
    assert.ok(isStreamlibError(error, "SL_MANIFEST_INVALID"), String(error));
    return error.message;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  return assert.fail("expected SL_MANIFEST_INVALID");
}

const GAIN = actorModule(
  "Gain",
  `{ type: "gain", description: "Scales data", classification: "Filter/Data", inputs: { in: { kind: "data" } } }`,
);

Deno.test("buildManifest() refuses a classification or permissions written in two places", async () => {
  const message = await failure({
    "manifest.config.json": { ...CONFIG, actors: { gain: { classification: "Filter/Data" } } },
    "mod.ts": 'export * from "./gain.ts";\n',
    "gain.ts": GAIN,
  });
  assert.match(message, /actors\.gain\.classification: the contract has it already/);
});

Deno.test("buildManifest() refuses a class without a classification", async () => {
  const message = await failure({
    "mod.ts": 'export * from "./gain.ts";\n',
    "gain.ts": actorModule("Gain", `{ type: "gain", description: "Scales data" }`),
  });
  assert.match(message, /the contract of "gain" has no classification/);
});

Deno.test("buildManifest() refuses configuration for a type the package does not export", async () => {
  const message = await failure({
    "manifest.config.json": { ...CONFIG, actors: { gian: { classification: "Filter/Data" } } },
    "mod.ts": 'export * from "./gain.ts";\n',
    "gain.ts": GAIN,
  });
  assert.match(message, /actors\.gian: no actor class that mod\.ts exports has type "gian"/);
});

Deno.test("buildManifest() refuses an unknown key in manifest.config.json", async () => {
  const message = await failure({
    "manifest.config.json": { ...CONFIG, actors: { gain: { module: "./other.ts" } } },
    "mod.ts": 'export * from "./gain.ts";\n',
    "gain.ts": GAIN,
  });
  assert.match(message, /actors\.gain\.module: unknown key/);
});

Deno.test("buildManifest() refuses a class that two re-exported modules export", async () => {
  const message = await failure({
    "mod.ts": 'export * from "./gain.ts";\nexport { Gain as Gain2 } from "./again.ts";\n',
    "gain.ts": GAIN,
    "again.ts": 'export { Gain } from "./gain.ts";\n',
  });
  assert.match(message, /must come from exactly one module/);
});

Deno.test("buildManifest() reports a contract the manifest format rejects, with its path", async () => {
  const message = await failure({
    "mod.ts": 'export * from "./gain.ts";\n',
    "gain.ts": actorModule(
      "Gain",
      `{ type: "gain", description: "Scales data", classification: "Filter/Data", params: { n: { type: "number" } }, permissions: { read: { reason: "Reads", params: ["n"] } } }`,
    ),
  });
  assert.match(message, /^pkg\/manifest\.json: actors\[0\]\.permissions\.read\.params\[0\]: /);
});

Deno.test("buildManifest() needs no manifest.config.json: no description, this streamlib's range", async () => {
  const root = await fixture({
    "deno.json": DENO_JSON,
    "mod.ts": 'export * from "./gain.ts";\n',
    "gain.ts": GAIN,
  });
  try {
    const manifest = await buildManifest("pkg", root);
    assert.equal(manifest.description, undefined);
    assert.equal(manifest.streamlib, `^${STREAMLIB_VERSION}`);
    assert.deepEqual(manifest.actors.map((a) => [a.type, a.module, a.export]), [
      ["gain", "./gain.ts", "Gain"],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
