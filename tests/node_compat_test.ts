import assert from "node:assert/strict";
import { needs } from "./_needs.ts";

/** Whether `node` runs here. */
function hasNode(): boolean {
  try {
    return new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")} failed:\n${text}`);
  return text;
}

Deno.test(
  needs("Node.js", hasNode(), "apt-get install nodejs (or any Node.js ≥ 18)")({
    name: "@streamlib/core runs unchanged in Node.js: no Deno-only API",
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "streamlib-node-" });
      try {
        const root = new URL("..", import.meta.url).pathname;
        await run(Deno.execPath(), [
          "bundle",
          "--quiet",
          "packages/core/mod.ts",
          "-o",
          `${dir}/core.mjs`,
        ], root);
        await Deno.writeTextFile(
          `${dir}/main.mjs`,
          `import { Collect, DataSource, Identity, Pipeline } from "./core.mjs";
const sink = new Collect();
const offline = new Pipeline({ mode: "offline" });
offline.pipe(new DataSource({ count: 5 }), new Identity(), sink);
const result = await offline.run();
const live = new Pipeline();
const ticks = new Collect();
live.pipe(new DataSource({ count: 3, fps: 100 }), ticks);
await live.run();
console.log(JSON.stringify({
  status: result.status,
  values: sink.messages.map((m) => m.value),
  live: ticks.messages.map((m) => m.timestamp),
}));
`,
        );
        const output = await run("node", ["main.mjs"], dir);
        const report = JSON.parse(output.trim().split("\n").at(-1)!);
        assert.equal(report.status, "eos");
        assert.deepEqual(report.values, [0, 1, 2, 3, 4]);
        assert.deepEqual(report.live, [0, 10_000, 20_000]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  }),
);
