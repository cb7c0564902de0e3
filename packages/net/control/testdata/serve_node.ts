// deno-lint-ignore-file no-console -- a test program: it reports on stdout
/**
 * A node for the signal tests: serves `datasrc ! nullsink` under the name in the first argument
 * in the folder of the second, prints `ready <name>`, and runs until a signal ends it.
 *
 * @module
 */

import { Catalogue } from "@streamlib/core";
import { serveControl } from "../serve_control.ts";

const [name, dir] = Deno.args;
const pipeline = await Catalogue.withCore().build("datasrc fps=5 ! nullsink");
await pipeline.start();
const server = await serveControl(pipeline, { name: name!, dir: dir! });
// The parent's stdin ends when it goes: this node never outlives it.
(async () => {
  for await (const _ of Deno.stdin.readable) { /* nothing is sent */ }
  Deno.exit(1);
})();
console.log(`ready ${server.name}`);
