/**
 * Every pipeline the docs show (a ```text block in a doc comment under packages/ and plugins/, and
 * each `streamlib run "…"` in the README) builds with the catalogue `streamlib run` uses: its types
 * exist, its parameters validate and its links fit, so a user who copies one gets a pipeline, not
 * an error.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { discoverPlugins } from "@streamlib/cli";

const ROOT = new URL("../", import.meta.url).pathname;

/** The ```text blocks of the doc comments under `dir`, with where each starts. */
async function _textBlocks(dir: string): Promise<{ where: string; text: string }[]> {
  const blocks: { where: string; text: string }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (entry.name !== "testdata" && entry.name !== "node_modules") {
        blocks.push(...await _textBlocks(path));
      }
      continue;
    }
    if (!entry.name.endsWith(".ts")) continue;
    const lines = (await Deno.readTextFile(path)).split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]?.trim() !== "* ```text") continue;
      const start = i + 1;
      const body: string[] = [];
      while (++i < lines.length && lines[i]?.trim() !== "* ```") {
        body.push((lines[i] ?? "").replace(/^\s*\* ?/, ""));
      }
      blocks.push({ where: `${relative(ROOT, path)}:${start + 1}`, text: body.join("\n") });
    }
  }
  return blocks;
}

/** The pipelines of the README's `streamlib run "…"` commands (not those with their own plugins). */
async function _readmeRuns(): Promise<{ where: string; text: string }[]> {
  const runs: { where: string; text: string }[] = [];
  const lines = (await Deno.readTextFile(join(ROOT, "README.md"))).split("\n");
  lines.forEach((line, i) => {
    const run = /streamlib run ((?:--?[a-z-]+(?: [a-z0-9]+)? )*)"((?:[^"\\]|\\.)*)"/.exec(line);
    if (run === null || (run[1] ?? "").includes("--plugins")) return;
    const text = (run[2] ?? "").replace(/\\(.)/g, "$1");
    runs.push({ where: `README.md:${i + 1}`, text });
  });
  return runs;
}

Deno.test("every pipeline in a doc comment or README command builds with the command's catalogue", async () => {
  const { catalogue } = await discoverPlugins({ cwd: ROOT });
  const blocks = [
    ...await _textBlocks(join(ROOT, "packages")),
    ...await _textBlocks(join(ROOT, "plugins")),
  ];
  assert.ok(blocks.length >= 20, `found ${blocks.length} blocks`);
  const runs = await _readmeRuns();
  assert.ok(runs.length >= 8, `found ${runs.length} README commands`);
  blocks.push(...runs);
  const failures: string[] = [];
  for (const { where, text } of blocks) {
    try {
      const pipeline = await catalogue.build(text);
      await pipeline.stop();
    } catch (error) {
      failures.push(`${where}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  assert.deepEqual(failures, []);
});
