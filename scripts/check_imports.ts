/**
 * Checks the import graph of every package: no module may reach itself again through its imports
 * (type-only imports count too), none may import another package through a relative path, and
 * core's folders import only from the folders below them in {@linkcode CORE_LAYERS} (the order
 * ARCHITECTURE.md lists). Prints each problem and exits 1; prints one summary line and exits 0
 * when clean.
 *
 * Run: `deno run --allow-read scripts/check_imports.ts [folder …]` (default: `packages plugins`).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { dirname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

/** Relative `.ts` imports of one source file, as absolute paths. */
async function importsOf(file: string): Promise<string[]> {
  const text = (await Deno.readTextFile(file)).replace(/^\s*\*.*$/gm, ""); // not JSDoc examples
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[1] ?? match[2]!;
    if (spec.startsWith(".") && spec.endsWith(".ts")) {
      found.push(normalize(join(dirname(file), spec)));
    }
  }
  return found;
}

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && entry.name !== "testdata" && !entry.name.startsWith(".")) {
      yield* sources(path);
    } else if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      yield path;
    }
  }
}

/** Strongly connected components with more than one module (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

/** Core's folders from the bottom up ("" is the top level); `mod.ts` re-exports them all. */
const CORE_LAYERS = [
  "",
  "clock",
  "delivery",
  "async",
  "graph",
  "actors",
  "threads",
  "runtime",
  "describe",
  "control",
];
const core = resolve(root, "packages/core");

/** Where a core module's folder stands in the layers, or undefined outside core's layers. */
function layerOf(file: string): number | undefined {
  const rel = relative(core, file);
  if (rel.startsWith("..")) return undefined;
  const folder = rel.includes("/") ? rel.split("/")[0]! : "";
  const index = CORE_LAYERS.indexOf(folder);
  return index === -1 ? undefined : index;
}

const folders = Deno.args.length ? Deno.args : ["packages", "plugins"];
const graph = new Map<string, string[]>();
const crossings: string[] = [];
for (const folder of folders) {
  for await (const file of sources(resolve(root, folder))) {
    const imports = await importsOf(file);
    graph.set(file, imports);
    if (file.endsWith("testing.ts")) continue; // test helpers may share the repository's
    const layer = layerOf(file);
    if (layer !== undefined && file !== join(core, "mod.ts")) {
      for (const target of imports) {
        const below = layerOf(target);
        if (below !== undefined && below > layer) {
          crossings.push(
            `${relative(root, file)} imports ${relative(root, target)}, a layer above`,
          );
        }
      }
    }
    const pkg = relative(root, file).split("/").slice(0, 2).join("/");
    for (const target of imports) {
      if (relative(root, target).split("/").slice(0, 2).join("/") !== pkg) {
        crossings.push(
          `${relative(root, file)} imports ${relative(root, target)} (another package)`,
        );
      }
    }
  }
}
const found = circles(graph);
for (const component of found) {
  console.error(`import circle: ${component.map((f) => relative(root, f)).sort().join(" ↔ ")}`);
}
for (const line of crossings) console.error(`import against the layering: ${line}`);
if (found.length || crossings.length) Deno.exit(1);
console.log(
  `imports: ${graph.size} modules, no circles, none across packages, core's layers respected`,
);
