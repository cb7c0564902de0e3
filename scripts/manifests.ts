/**
 * Writes the files generated from the TypeScript sources: core's `manifest.schema.json`, from
 * the rules of the manifest validator, and the `manifest.json` of each package listed in
 * `_manifests.ts`, from its actor classes' contracts (see there for where each field comes
 * from). With `--check`, writes nothing, lists the files that differ from what it would write,
 * and exits 1 when there are any (`deno task check` runs it).
 *
 * Run: `deno task manifests` (or `deno task manifests --check`).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { isStreamlibError } from "@streamlib/core";
import { generatedFiles, ROOT } from "./_manifests.ts";

const check = Deno.args.includes("--check");
const unknown = Deno.args.filter((arg) => arg !== "--check");
if (unknown.length) {
  console.error(`manifests: unknown argument ${unknown.join(" ")}; usage: manifests [--check]`);
  Deno.exit(2);
}
let files: Array<[string, string]>;
try {
  files = await generatedFiles();
} catch (error) {
  if (!isStreamlibError(error)) throw error;
  console.error(`manifests: ${error.code}: ${error.message}`);
  Deno.exit(1);
}
const stale: string[] = [];
for (const [path, text] of files) {
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (current === text) continue;
  stale.push(path);
  if (!check) await Deno.writeTextFile(path, text);
}
const names = stale.map((path) => path.slice(ROOT.length));
if (check && names.length) {
  console.error(
    `manifests: ${names.join(", ")} ${names.length === 1 ? "differs" : "differ"} from what ` +
      "the sources say; run `deno task manifests` and commit the result",
  );
  Deno.exit(1);
}
console.log(
  names.length === 0
    ? "manifests: every generated file is up to date"
    : `manifests: wrote ${names.join(", ")}`,
);
