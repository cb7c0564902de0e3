/**
 * The control folder and its registry files: making the folder private (0700, owned by the
 * user), claiming a node name no live node holds, writing and removing a node's entry and
 * socket, and telling whether a node's process lives. Internal: `serveControl`, `reserveNode`
 * and `listNodes` are the public way in.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import type { NodeEntry } from "./control_wire.ts";

/** Names a node may have: what a file name and `node/actor.port` can carry. */
export const _NODE_NAME: RegExp = /^[A-Za-z0-9_~-][A-Za-z0-9_.~-]{0,63}$/;

/** Where a node's registry file is. */
export function _entryPath(dir: string, name: string): string {
  return `${dir}/${name}.json`;
}

/** Where a node's socket is. */
export function _socketPath(dir: string, name: string): string {
  return `${dir}/${name}.sock`;
}

/** Throws `SL_PARAM_INVALID` unless `name` is a valid node name. */
export function _checkName(name: string): void {
  if (!_NODE_NAME.test(name)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Invalid node name ${
        JSON.stringify(name)
      }: use up to 64 letters, digits, "_", "~", "-" and "." (not first)`,
      { details: { name } },
    );
  }
}

/** A node name from a pipeline's first actor type: what the name rule keeps of it. */
export function _nameBase(type: string | undefined): string {
  const base = (type ?? "node").replace(/[^A-Za-z0-9_~-]/g, "").slice(0, 48);
  return base === "" ? "node" : base;
}

/** The entry in a registry file, or `undefined` when it is missing or not one. */
export function _readEntry(path: string): NodeEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
  const e = value as Partial<NodeEntry> | null;
  if (
    typeof e !== "object" || e === null || typeof e.name !== "string" ||
    !Number.isInteger(e.pid) || typeof e.startedAt !== "number"
  ) {
    return undefined;
  }
  return {
    summary: "",
    actors: 0,
    version: "",
    ...e,
  } as NodeEntry;
}

/** Whether process `pid` lives: `undefined` when this process may not ask (no `--allow-run`). */
export function _pidAlive(pid: number): boolean | undefined {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    if (error instanceof Deno.errors.PermissionDenied) return true; // another user's process
    return undefined;
  }
}

/**
 * Whether the Unix socket at `path` takes connections: `undefined` when this process may not
 * try. A node's socket takes them while its process lives, even when its thread is busy (the
 * system queues them).
 */
async function _answers(path: string): Promise<boolean | undefined> {
  try {
    const connection = await Deno.connect({ transport: "unix", path });
    connection.close();
    return true;
  } catch (error) {
    return error instanceof Deno.errors.PermissionDenied ? undefined : false;
  }
}

/**
 * Whether a registered node lives: by its process when that may be asked, and by its socket. A
 * live process whose registered socket takes no connections is not the node: its pid was
 * given to another process after the node died. `unknown` when neither says.
 */
export async function _alive(entry: NodeEntry): Promise<"alive" | "dead" | "unknown"> {
  const pid = _pidAlive(entry.pid);
  if (pid === false) return "dead";
  const socket = entry.socket === undefined || entry.reserved === true
    ? undefined
    : await _answers(entry.socket);
  if (socket !== undefined) return socket ? "alive" : "dead";
  return pid === true ? "alive" : "unknown";
}

/** Removes a node's registry file (if it is still `pid`'s) and its socket. */
export function _removeNode(dir: string, name: string, pid: number): void {
  const entry = _readEntry(_entryPath(dir, name));
  if (entry !== undefined && entry.pid !== pid) return; // another node took the name since
  for (const path of [_entryPath(dir, name), _socketPath(dir, name)]) {
    try {
      Deno.removeSync(path);
    } catch {
      // Gone already.
    }
  }
}

/** Our user id: from the system when we may ask, else from a file we create in `dir`. */
function _ownUid(dir: string): number | null {
  try {
    return Deno.uid();
  } catch {
    const probe = `${dir}/.probe-${Deno.pid}-${crypto.randomUUID()}`;
    Deno.writeTextFileSync(probe, "", { createNew: true, mode: 0o600 });
    try {
      return Deno.lstatSync(probe).uid;
    } finally {
      Deno.removeSync(probe);
    }
  }
}

/**
 * Makes `dir` (mode 0700) when it is missing, and checks that it is private: a real folder, not
 * a link, owned by this user, that no one else may enter. Throws `SL_CONTROL_FOLDER` otherwise.
 */
export function _ensureFolder(dir: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.chmodSync(dir, 0o700);
    info = Deno.lstatSync(dir);
  }
  const refuse = (why: string): never => {
    throw new StreamlibError(
      "SL_CONTROL_FOLDER",
      `The control folder ${dir} ${why}, so control sockets there would not be private. ` +
        `Remove it (streamlib makes it again, mode 0700) or set STREAMLIB_CONTROL_DIR to a ` +
        `private folder`,
      { details: { dir } },
    );
  };
  if (info.isSymlink || !info.isDirectory) refuse("is not a folder");
  const uid = _ownUid(dir);
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    refuse(`belongs to another user (uid ${info.uid})`);
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    refuse(`may be entered by others (mode ${(info.mode & 0o777).toString(8)})`);
  }
}

/** Writes a node's registry file at once (through a temporary file), readable by the user only. */
export function _writeEntry(dir: string, entry: NodeEntry): void {
  const path = _entryPath(dir, entry.name);
  const temporary = `${dir}/.${entry.name}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(temporary, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
  Deno.renameSync(temporary, path);
}

/**
 * Whether `name` is free in `dir` for a node of process `pid`: no entry, a stale one (removed
 * here with its socket), or a reservation made for `pid` by its parent. A leftover socket
 * without an entry is removed too. A name this process holds already is taken: two pipelines
 * of one script are two nodes.
 */
export async function _free(dir: string, name: string, pid: number): Promise<boolean> {
  const entry = _readEntry(_entryPath(dir, name));
  if (entry !== undefined) {
    if (entry.reserved === true && entry.pid === Deno.ppid && pid === Deno.pid) return true;
    if (await _alive(entry) !== "dead") return false;
    _removeNode(dir, name, entry.pid);
    return true;
  }
  const socket = _socketPath(dir, name);
  try {
    Deno.lstatSync(socket);
  } catch {
    return true;
  }
  if (await _answers(socket)) return false;
  try {
    Deno.removeSync(socket);
  } catch {
    // Gone already.
  }
  return true;
}

/**
 * A name for a node: `wanted` when it is free (`SL_NAME_TAKEN` when a live node has it), else
 * the first free `<base>-<n>`, n from 1.
 */
export async function _pickName(
  dir: string,
  wanted: string | undefined,
  base: string,
  pid: number,
): Promise<string> {
  if (wanted !== undefined) {
    _checkName(wanted);
    if (await _free(dir, wanted, pid)) return wanted;
    const entry = _readEntry(_entryPath(dir, wanted));
    throw new StreamlibError(
      "SL_NAME_TAKEN",
      `A node named "${wanted}" runs already${
        entry ? ` (pid ${entry.pid})` : ""
      }; choose another name`,
      { details: { name: wanted } },
    );
  }
  for (let n = 1;; n++) {
    const name = `${base}-${n}`;
    if (await _free(dir, name, pid)) return name;
  }
}
