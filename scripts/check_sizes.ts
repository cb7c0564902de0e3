// deno-lint-ignore-file no-console -- a command-line check: printing is its job
/**
 * Checks that source files stay small: none of the repository's tracked source files (`.ts`,
 * `.js`, `.wat`, shell scripts) is over 700 lines unless a comment in its first 20 lines says
 * why it must be one file, starting `Why one file:`. And no tracked file of any kind is over
 * 1 MiB: the largest is about a tenth of that, so one that size is a mistake (a script that
 * once wrote a 167 MB README passed every other check). Prints each offender and exits 1; one
 * summary line when clean.
 *
 * Run: `deno run --allow-read --allow-run=git scripts/check_sizes.ts`
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const LIMIT = 700;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { stdout } = await new Deno.Command("git", {
  args: ["ls-files", "--cached", "--others", "--exclude-standard"],
  cwd: root,
  stdout: "piped",
}).output();
const files = new TextDecoder().decode(stdout).split("\n")
  .filter((f) => /\.(ts|js|wat|sh)$/.test(f) || f === ".ci/run");
let over = 0;
let largest = 0;
for (const file of files) {
  let text: string;
  try {
    text = await Deno.readTextFile(join(root, file));
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines <= LIMIT) {
    largest = Math.max(largest, lines);
    continue;
  }
  if (text.split("\n", 20).some((line) => line.includes("Why one file:"))) continue;
  over++;
  console.error(`${file}: ${lines} lines; split it, or say at its top "Why one file: …"`);
}
const MAX_BYTES = 1024 * 1024;
const tracked = new TextDecoder().decode(stdout).split("\n").filter((f) => f !== "");
for (const file of tracked) {
  let size: number;
  try {
    size = (await Deno.stat(join(root, file))).size;
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  if (size <= MAX_BYTES) continue;
  over++;
  console.error(`${file}: ${size} bytes; no file here needs more than ${MAX_BYTES}`);
}
if (over) Deno.exit(1);
console.log(
  `sizes: ${files.length} source files, none over ${LIMIT} lines without a reason; ` +
    `${tracked.length} files, none over 1 MiB`,
);
