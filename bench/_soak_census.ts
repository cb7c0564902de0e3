/**
 * What the soak counts about this process, read from Linux's /proc (Deno lets only `-A` read
 * it): its resident memory, its open file descriptors, and its child processes, alive or
 * zombie.
 *
 * @module
 */

/** This process's child processes, by state. */
export interface _Children {
  /** Children still running (any state but zombie), with their command names. */
  readonly alive: readonly { pid: number; command: string }[];
  /** Children that exited and were never reaped (state `Z`). */
  readonly zombies: readonly { pid: number; command: string }[];
}

/** Open file descriptors of this process (the entries of /proc/self/fd). */
export function _openFds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
  return n;
}

/** The file each open descriptor points at, for telling what leaked (`pipe:[…]`, a path). */
export function _fdTargets(): string[] {
  const targets: string[] = [];
  for (const { name } of Deno.readDirSync("/proc/self/fd")) {
    try {
      targets.push(Deno.readLinkSync(`/proc/self/fd/${name}`));
    } catch {
      // Closed between listing and reading (the listing's own descriptor).
    }
  }
  return targets;
}

/** Resident set size of this process in bytes. */
export function _rss(): number {
  return Deno.memoryUsage().rss;
}

/**
 * The child processes of `parent` (default this process), from each /proc/<pid>/stat: its
 * parent id and state.
 */
export function _children(parent: number = Deno.pid): _Children {
  const alive: { pid: number; command: string }[] = [];
  const zombies: { pid: number; command: string }[] = [];
  for (const { name } of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${name}/stat`);
    } catch {
      continue; // gone meanwhile
    }
    // "pid (command) state ppid …": the command may hold spaces and parentheses.
    const close = stat.lastIndexOf(")");
    const [state, ppid] = stat.slice(close + 2).split(" ");
    if (Number(ppid) !== parent) continue;
    const entry = { pid: Number(name), command: stat.slice(stat.indexOf("(") + 1, close) };
    (state === "Z" ? zombies : alive).push(entry);
  }
  return { alive, zombies };
}
