/**
 * Checks that examples assert for real: `console.assert` only logs "Assertion failed" when its
 * condition is false, so a doc test using it passes whatever it computes. No tracked `.ts` or
 * `.md` file may call it; examples use `node:assert/strict`, whose failures throw. Prints each
 * place and exits 1; one summary line when clean.
 *
 * Run: `deno run --allow-read --allow-run=git scripts/check_asserts.ts`
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { stdout } = await new Deno.Command("git", {
  args: ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.md"],
  cwd: root,
  stdout: "piped",
}).output();
const files = new TextDecoder().decode(stdout).split("\n").filter((f) => f !== "");
const pattern = ["console", "assert("].join(".");
let found = 0;
for (const file of files) {
  let text: string;
  try {
    text = await Deno.readTextFile(join(root, file));
  } catch {
    continue;
  }
  text.split("\n").forEach((line, i) => {
    if (!line.includes(pattern)) return;
    found++;
    console.error(`${file}:${i + 1}: ${pattern} only logs; use assert from "node:assert/strict"`);
  });
}
if (found) Deno.exit(1);
console.log(`asserts: ${files.length} files, no ${pattern}`);
