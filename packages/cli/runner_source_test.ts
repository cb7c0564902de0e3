import assert from "node:assert/strict";
import { validateManifest } from "@streamlib/core";
import { runnerSource } from "./runner_source.ts";

Deno.test("runnerSource() imports each plugin module with a literal specifier and embeds the pipeline", async () => {
  const url = new URL("./testdata/files/manifest.json", import.meta.url).href;
  const manifest = validateManifest(JSON.parse(await Deno.readTextFile(new URL(url))));
  const module = new URL("./testdata/files/read_file.ts", import.meta.url).href;
  const source = runnerSource({
    spec: { actors: [{ name: "r", type: "readfile", params: { path: "a b.txt" } }], links: [] },
    text: "readfile name=r path='a b.txt'",
    mode: "offline",
    plugins: [{ manifest, url, modules: [module] }],
    childUrl: "file:///child.ts",
  });
  assert.match(source, /^import \{ runChild \} from "file:\/\/\/child\.ts";$/m);
  assert.ok(source.includes(`${JSON.stringify(module)}: () => import(${JSON.stringify(module)}),`));
  assert.ok(source.includes(`text: "readfile name=r path='a b.txt'",`));
  assert.ok(source.includes(`"params":{"path":"a b.txt"}`));
  assert.match(source, /mode: "offline",/);
});

Deno.test("runnerSource() of a core-only pipeline imports no plugin code and omits absent text", () => {
  const source = runnerSource({
    spec: { actors: [{ name: "log0", type: "log" }], links: [] },
    mode: "live",
    plugins: [],
  });
  assert.doesNotMatch(source, /import\(/);
  assert.doesNotMatch(source, /text:/);
  assert.match(source, /from "file:\/\/.*\/packages\/cli\/_child\.ts";/);
});

Deno.test("runnerSource() with control serves the node and declares the other plugins' modules unloaded", () => {
  const source = runnerSource({
    spec: { actors: [{ name: "log0", type: "log" }], links: [] },
    mode: "live",
    plugins: [],
    control: { name: "n-1", dir: "/run/x/streamlib", summary: "log" },
    granted: { read: { all: false, values: ["/run/x/streamlib"], reasons: [] } },
    available: [{
      manifest: { name: "p", version: "1.0.0", streamlib: "^0.1.0", actors: [] },
      url: "file:///p/manifest.json",
      modules: ["file:///p/mod.ts"],
    }],
  });
  assert.match(source, /control: \{"name":"n-1","dir":"\/run\/x\/streamlib","summary":"log"\},/);
  assert.match(source, /granted: \{"read":/);
  // A literal import that nothing calls until a patch needs the module.
  assert.ok(source.includes(`"file:///p/mod.ts": () => import("file:///p/mod.ts"),`));
});
