// A user script for `streamlib run script.ts`: prints the text of the file named by its
// first argument, which it may read only when run with `--allow read=<file>`.
const [path] = Deno.args;
if (path === undefined) throw new Error("usage: script.ts <file>");
// deno-lint-ignore no-console
console.log(`script read: ${(await Deno.readTextFile(path)).trim()}`);
