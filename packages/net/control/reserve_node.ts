import { STREAMLIB_VERSION, StreamlibError } from "@streamlib/core";
import { controlDir } from "./node_entry.ts";
import {
  _ensureFolder,
  _entryPath,
  _nameBase,
  _pickName,
  _removeNode,
  _socketPath,
} from "./_registry.ts";

/**
 * Options of {@linkcode reserveNode}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReserveNodeOptions } from "@streamlib/net";
 * const options: ReserveNodeOptions = { type: "videotestsrc" };
 * assert.ok(options.type === "videotestsrc");
 * ```
 */
export interface ReserveNodeOptions {
  /** The name wanted (`SL_NAME_TAKEN` when a live node has it). */
  readonly name?: string;
  /** Without a name: the pipeline's first actor type, for `<type>-<n>`. */
  readonly type?: string;
  /** The control folder (default {@linkcode controlDir}). */
  readonly dir?: string;
  /** The pipeline in a line. */
  readonly summary?: string;
}

/**
 * A node name held for a child process that will serve under it: what it needs to know before
 * it starts (a least-privilege child is granted exactly its socket's path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeReservation } from "@streamlib/net";
 * function flags(r: NodeReservation): string[] {
 *   return [`--allow-net=unix:${r.socket}`, `--allow-read=${r.dir}`, `--allow-write=${r.dir}`];
 * }
 * assert.ok(typeof flags === "function");
 * ```
 */
export interface NodeReservation {
  /** The node's name. */
  readonly name: string;
  /** The control folder, private to the user. */
  readonly dir: string;
  /** Where the node's socket will be. */
  readonly socket: string;
  /**
   * Gives the name back: removes the entry and the socket if they are still this process's
   * reservation or belong to `child` (a child that could not clean up, having been killed).
   */
  release(child?: number): void;
}

/**
 * Holds a node name for a child process that will serve under it (`streamlib run` does this):
 * makes the control folder private if needed, picks a name no live node holds and writes a
 * reservation entry with this process's id. The child's `serveControl({ name, dir })` takes the
 * reservation over (its parent made it); until then `listNodes` leaves the name out, and once
 * this process has gone, the reservation is stale and cleaned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reserveNode } from "@streamlib/net";
 * const dir = await Deno.makeTempDir();
 * const reservation = await reserveNode({ type: "datasrc", dir });
 * assert.ok(reservation.name === "datasrc-1");
 * assert.ok((await reserveNode({ type: "datasrc", dir })).name === "datasrc-2");
 * reservation.release();
 * ```
 *
 * @param options The name or the type it comes from, the folder, the summary.
 * @returns The reservation.
 */
export async function reserveNode(options: ReserveNodeOptions = {}): Promise<NodeReservation> {
  const dir = options.dir ?? controlDir();
  _ensureFolder(dir);
  for (;;) {
    const name = await _pickName(dir, options.name, _nameBase(options.type), Deno.pid);
    const entry = {
      name,
      pid: Deno.pid,
      startedAt: Date.now(),
      summary: options.summary ?? "",
      actors: 0,
      version: STREAMLIB_VERSION,
      reserved: true,
    };
    try {
      Deno.writeTextFileSync(_entryPath(dir, name), `${JSON.stringify(entry, null, 2)}\n`, {
        createNew: true,
        mode: 0o600,
      });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (options.name === undefined) continue; // another launcher took it since the check
      throw new StreamlibError("SL_NAME_TAKEN", `A node named "${name}" is starting already`, {
        details: { name },
      });
    }
    return {
      name,
      dir,
      socket: _socketPath(dir, name),
      release(child?: number): void {
        _removeNode(dir, name, Deno.pid);
        if (child !== undefined) _removeNode(dir, name, child);
      },
    };
  }
}
