/**
 * What a plugin's modules import from outside its folder. A plugin runs sandboxed: its Worker
 * may read its own folder and nothing else, so an import of `../shared/x.ts`, `jsr:…` or a URL
 * fails when the installed package loads (`SL_WORKER_MODULE`). `pack` refuses such a plugin
 * instead of publishing it. `@streamlib/*` packages are the host's, `npm:` packages come from
 * Deno's npm cache, and `node:` modules are built in: those are allowed.
 * The module graph comes from `deno info --json`, run in the plugin's folder (its import map
 * applies). Internal.
 *
 * @module
 */

import { relative, sep as SEPARATOR } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

interface _InfoDependency {
  readonly specifier: string;
  readonly code?: { readonly specifier: string; readonly span?: { start: { line: number } } };
  readonly type?: { readonly specifier: string; readonly span?: { start: { line: number } } };
}

interface _Info {
  readonly modules: ReadonlyArray<{
    readonly specifier: string;
    readonly dependencies?: readonly _InfoDependency[];
  }>;
}

/**
 * One line per import, in a module of the plugin's folder `root`, of something outside it:
 * `mod.ts:1: imports "../outside/x.ts" (…), outside the plugin's folder`. `undefined` when the
 * graph cannot be read (Deno's own error then comes from loading the module).
 *
 * @param root The plugin's folder, absolute.
 * @param modules The actor modules, absolute paths.
 */
export async function _foreignImports(
  root: string,
  modules: readonly string[],
): Promise<string[] | undefined> {
  const inside = (path: string): boolean =>
    path === root || path.startsWith(root.endsWith(SEPARATOR) ? root : root + SEPARATOR);
  const problems = new Set<string>();
  for (const module of new Set(modules)) {
    let info: _Info;
    try {
      const { success, stdout } = await new Deno.Command(Deno.execPath(), {
        args: ["info", "--json", module],
        cwd: root,
        stdout: "piped",
        stderr: "null",
        stdin: "null",
        env: { NO_COLOR: "1" },
      }).output();
      if (!success) return undefined;
      info = JSON.parse(new TextDecoder().decode(stdout)) as _Info;
    } catch {
      return undefined;
    }
    for (const m of info.modules ?? []) {
      if (!m.specifier.startsWith("file:") || !inside(fromFileUrl(m.specifier))) continue;
      const from = relative(root, fromFileUrl(m.specifier)).split(SEPARATOR).join("/");
      for (const dependency of m.dependencies ?? []) {
        const written = dependency.specifier;
        if (written.startsWith("@streamlib/")) continue;
        const resolved = dependency.code ?? dependency.type;
        const target = resolved?.specifier ?? written;
        if (/^(npm|node):/.test(target)) continue;
        if (target.startsWith("file:") && inside(fromFileUrl(target))) continue;
        const line = resolved?.span?.start.line;
        problems.add(
          `${from}${line === undefined ? "" : `:${line + 1}`}: imports ${JSON.stringify(written)}${
            target === written ? "" : ` (${target})`
          }, outside the plugin's folder: its sandbox may read that folder only (copy the code ` +
            `in, or import @streamlib/* packages only)`,
        );
      }
    }
  }
  return [...problems];
}
