// deno-lint-ignore-file no-console -- a command-line check: printing is its job
/**
 * Checks that private means private: no name exported by a workspace package's entry points
 * (its deno.json `exports`, as `deno doc` sees them) starts with `_`. Helpers live in `_` files
 * that entry points do not re-export. Prints each leak and exits 1; one summary line when clean.
 *
 * Run: `deno run --allow-read --allow-run scripts/check_exports.ts`
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const workspace: string[] = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))).workspace;

interface DocJson {
  nodes: Record<string, { symbols?: Array<{ name: string }> }>;
}

let leaks = 0;
let names = 0;
for (const member of workspace) {
  const config = JSON.parse(await Deno.readTextFile(join(root, member, "deno.json")));
  const exports: Record<string, string> = typeof config.exports === "string"
    ? { ".": config.exports }
    : config.exports ?? {};
  const entries = Object.values(exports).filter((p) => p.endsWith(".ts"));
  if (entries.length === 0) continue;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...entries.map((e) => join(root, member, e))],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    console.error(`deno doc failed for ${member}:\n${new TextDecoder().decode(stderr)}`);
    Deno.exit(1);
  }
  const doc = JSON.parse(new TextDecoder().decode(stdout)) as DocJson;
  for (const [url, mod] of Object.entries(doc.nodes)) {
    for (const { name } of mod.symbols ?? []) {
      names++;
      if (name.startsWith("_")) {
        leaks++;
        console.error(
          `private name in the public API: ${name} (${url.replace(`file://${root}/`, "")})`,
        );
      }
    }
  }
}
if (leaks) Deno.exit(1);
console.log(`exports: ${names} public names in ${workspace.length} packages, none private`);
