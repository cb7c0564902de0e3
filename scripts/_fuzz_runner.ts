/**
 * A runner process of the fuzz suite (`deno task fuzz` starts a few): it builds the catalogue of
 * every package once, then reads cases from stdin, one JSON line each, runs each in turn, and
 * writes one JSON line back per case. The driver times each case and kills a runner that takes
 * too long; a runner that dies takes only the case it was running with it.
 *
 * An error that escapes a case (an unhandled rejection, an uncaught exception) is reported
 * against the case running then, or the last one when none is.
 *
 * Run by `scripts/fuzz.ts`, with the repository as its working directory.
 *
 * @module
 */

import { discoverPlugins } from "@streamlib/cli";
import { _Broken, _check, _classify } from "./_fuzz_checks.ts";
import { _lines, type _Reply, type _Request } from "./_fuzz_case.ts";

const encoder = new TextEncoder();
const out = Deno.stdout.writable.getWriter();
let current = -1;
let last = -1;

async function reply(message: _Reply | { ready: true; types: number }): Promise<void> {
  await out.write(encoder.encode(JSON.stringify(message) + "\n"));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return `a thrown ${typeof error}: ${String(error)}`;
  } catch {
    return `a thrown ${typeof error}`;
  }
}

function escaped(error: unknown): void {
  const id = current >= 0 ? current : last;
  void reply({ id, outcome: "other", error: `escaped the case: ${describe(error)}` });
}

globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  escaped(event.reason);
});
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  escaped(event.error);
});

// stdout carries the replies: what the product prints goes to stderr.
// deno-lint-ignore no-console -- the runner redirects the console, it does not print
console.log = console.info = console.debug = console.error;

const { catalogue } = await discoverPlugins({ cwd: Deno.cwd() });
// Import every type's module now, so that the first case of each type is not slower.
for (const entry of catalogue.list()) await catalogue.create(entry.type);
await reply({ ready: true, types: catalogue.list().length });

for await (const line of _lines(Deno.stdin.readable)) {
  const request = JSON.parse(line) as _Request;
  current = request.id;
  let answer: _Reply;
  try {
    await _check(request.input, catalogue);
    answer = { id: request.id, outcome: "ok" };
  } catch (error) {
    const { outcome, code } = error instanceof _Broken
      ? { outcome: "other" as const, code: undefined }
      : _classify(error);
    answer = outcome === "coded"
      ? { id: request.id, outcome, code: code! }
      : { id: request.id, outcome, error: describe(error) };
  }
  last = current;
  current = -1;
  await reply(answer);
}
