import { StreamlibError } from "@streamlib/core";
import type { NodeEntry } from "./control_wire.ts";
import { _alive, _entryPath, _readEntry, _removeNode } from "./_registry.ts";

/**
 * Options of {@linkcode listNodes} and {@linkcode findNode}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ListNodesOptions } from "@streamlib/net";
 * const options: ListNodesOptions = { dir: "/tmp/my-nodes", clean: false };
 * assert.ok(options.clean === false);
 * ```
 */
export interface ListNodesOptions {
  /** The control folder (default {@linkcode controlDir}). */
  readonly dir?: string;
  /** Remove the entries of nodes whose process has gone (default `true`). */
  readonly clean?: boolean;
}

/**
 * The folder where nodes put their sockets and registry files: `STREAMLIB_CONTROL_DIR` when
 * set, else `$XDG_RUNTIME_DIR/streamlib`, else `streamlib-<uid>` in the temporary folder
 * (`TMPDIR`, else `/tmp`). Serving creates it with mode 0700 and refuses one that another user
 * owns or others may enter. Reading the environment needs `--allow-env`; the temporary-folder
 * name needs the user id (`--allow-sys=uid`; `SL_CONTROL_FOLDER` says so when it is missing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlDir } from "@streamlib/net";
 * assert.ok(controlDir().includes("streamlib"));
 * ```
 *
 * @returns The folder's path.
 */
export function controlDir(): string {
  const env = (name: string): string | undefined => {
    try {
      return Deno.env.get(name) || undefined;
    } catch {
      return undefined;
    }
  };
  const explicit = env("STREAMLIB_CONTROL_DIR");
  if (explicit !== undefined) return explicit.replace(/\/+$/, "") || "/";
  const runtime = env("XDG_RUNTIME_DIR");
  if (runtime !== undefined) return `${runtime.replace(/\/+$/, "")}/streamlib`;
  const tmp = (env("TMPDIR") ?? "/tmp").replace(/\/+$/, "");
  let uid: number | null;
  try {
    uid = Deno.uid();
  } catch (error) {
    throw new StreamlibError(
      "SL_CONTROL_FOLDER",
      `Cannot tell which control folder to use: without XDG_RUNTIME_DIR it is named after the ` +
        `user id, which needs --allow-sys=uid (${(error as Error).message}). Grant it, or set ` +
        `STREAMLIB_CONTROL_DIR or XDG_RUNTIME_DIR, or give the folder (dir)`,
      { cause: error },
    );
  }
  return `${tmp}/streamlib-${uid ?? "user"}`;
}

/**
 * The nodes running now, by name, from the registry files in the control folder. A file whose
 * process has gone is left out, and removed with its socket (unless `clean` is `false`); so is
 * one a launcher reserved for a node that never came up, and one whose process lives but whose
 * socket answers nothing (its pid now belongs to another process). Telling whether a process
 * lives needs `--allow-run`; without it a node counts as running while its socket answers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listNodes } from "@streamlib/net";
 * const nodes = await listNodes({ dir: await Deno.makeTempDir() });
 * assert.deepEqual(nodes, []);
 * ```
 *
 * @param options The folder, and whether to clean up.
 * @returns The running nodes' entries, sorted by name.
 */
export async function listNodes(options: ListNodesOptions = {}): Promise<NodeEntry[]> {
  const dir = options.dir ?? controlDir();
  const names: string[] = [];
  try {
    for await (const item of Deno.readDir(dir)) {
      if (item.isFile && item.name.endsWith(".json") && !item.name.startsWith(".")) {
        names.push(item.name.slice(0, -5));
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const found: NodeEntry[] = [];
  for (const name of names.sort()) {
    const entry = _readEntry(_entryPath(dir, name));
    if (entry === undefined) continue;
    const alive = await _alive(entry);
    if (alive === "dead") {
      if (options.clean !== false) _removeNode(dir, name, entry.pid);
      continue;
    }
    if (alive === "alive" && entry.reserved !== true) found.push(entry);
  }
  return found;
}

/**
 * The running node named `name`, or `SL_NODE_NOT_FOUND` naming the nodes there are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findNode } from "@streamlib/net";
 * await assert.rejects(findNode("nope", { dir: await Deno.makeTempDir() }), /No node "nope"/);
 * ```
 *
 * @param name The node's name.
 * @param options The folder, and whether to clean up.
 * @returns Its entry.
 */
export async function findNode(name: string, options: ListNodesOptions = {}): Promise<NodeEntry> {
  const nodes = await listNodes(options);
  const entry = nodes.find((n) => n.name === name);
  if (entry !== undefined) return entry;
  throw new StreamlibError(
    "SL_NODE_NOT_FOUND",
    `No node "${name}" is running${
      nodes.length ? `; nodes: ${nodes.map((n) => n.name).join(", ")}` : " (none is)"
    }. \`streamlib nodes\` lists them`,
    { details: { name, nodes: nodes.map((n) => n.name) } },
  );
}
