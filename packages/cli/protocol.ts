import type { PipelineStats } from "@streamlib/core";

/**
 * What starts a protocol line on the pipeline process's stdout: the ASCII record separator and
 * `STREAMLIB `, then one JSON {@linkcode ChildMessage}. Every other line the pipeline process
 * prints (the `log` actor's, say) is the user's output and passes through unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROTOCOL_MARKER } from "@streamlib/cli";
 * assert.ok(PROTOCOL_MARKER === "\u001eSTREAMLIB ");
 * ```
 */
export const PROTOCOL_MARKER: string = "\u001eSTREAMLIB ";

/**
 * A message from the pipeline process to the `streamlib` command:
 * - `hello`: the process has started and loaded its modules;
 * - `running`: every actor has started and the pipeline runs;
 * - `stats`: a snapshot of the pipeline's stats, `t` ms after it started (about every 500 ms);
 * - `eos`: an actor finished;
 * - `log`: an actor logged a line (`Actor.log`: a link that cannot reach its node, a refusal),
 *   except the `log` actor, whose lines are already on stdout;
 * - `serving`: an actor serves a page (a `display`, an `hlssink`) at `url`, once running;
 * - `control`: the pipeline is a node named `name`, serving its control API on `socket` (and
 *   `url`, with the `token` requests need there, when it serves on TCP too);
 * - `result`: the run ended (`eos`, or `aborted` after an abort);
 * - `error`: the pipeline could not be loaded or built, or an actor failed; `denied` says which
 *   permission Deno refused when that is the cause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ChildMessage } from "@streamlib/cli";
 * const message: ChildMessage = { type: "eos", actor: "actor://local/log/log0" };
 * assert.ok(message.type === "eos");
 * ```
 */
export type ChildMessage =
  | { readonly type: "hello"; readonly pid: number }
  | { readonly type: "running" }
  | { readonly type: "stats"; readonly t: number; readonly stats: PipelineStats }
  | { readonly type: "eos"; readonly actor: string }
  | { readonly type: "log"; readonly actor: string; readonly text: string }
  | { readonly type: "serving"; readonly actor: string; readonly url: string }
  | {
    readonly type: "control";
    readonly name: string;
    readonly socket?: string;
    readonly url?: string;
    readonly token?: string;
  }
  | {
    readonly type: "result";
    readonly status: "eos" | "aborted";
    readonly t: number;
    readonly stats: PipelineStats;
  }
  | {
    readonly type: "error";
    /** `load`: importing plugin code; `build`: creating and linking actors; `run`: running. */
    readonly phase: "load" | "build" | "run";
    /** The error's `code` (`SL_ACTOR_FAILED`…), or its name when it has none. */
    readonly code: string;
    /** The `SL_` codes of the error's causes, outermost first (`SL_FILE_INVALID`…). */
    readonly causes?: readonly string[];
    readonly message: string;
    /** The `actor://` address of the actor that failed, when one did. */
    readonly actor?: string;
    /** The module that failed to load (`load` phase). */
    readonly module?: string;
    /** The permission Deno refused, when that caused the failure. */
    readonly denied?: DeniedPermission;
  };

/**
 * A permission Deno refused: its name as in `--allow-<name>`, what was asked for (a quoted
 * path, host or variable, when Deno names one), and Deno's own message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DeniedPermission } from "@streamlib/cli";
 * const denied: DeniedPermission = {
 *   permission: "read",
 *   target: '"/etc/hostname"',
 *   message: 'Requires read access to "/etc/hostname", run again with the --allow-read flag',
 * };
 * assert.ok(denied.permission === "read");
 * ```
 */
export interface DeniedPermission {
  /** `read`, `write`, `net`, `env`, `run`, `ffi`, `sys` or `import`. */
  readonly permission: string;
  /** What was asked for, as Deno quotes it; absent when Deno names nothing. */
  readonly target?: string;
  /** Deno's message. */
  readonly message: string;
}

/**
 * Encodes a message as one protocol line, newline included. With a `key`, the line carries it
 * after the marker, and only a decoder given the same key reads it: the `streamlib` command
 * makes one up for each pipeline process, so that a sandboxed plugin, whose Workers share the
 * process's stdout, cannot pass its own lines off as the process's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage, encodeMessage } from "@streamlib/cli";
 * const line = encodeMessage({ type: "hello", pid: 42 });
 * assert.ok(line.endsWith("\n"));
 * assert.ok(decodeMessage(line.trimEnd())?.type === "hello");
 * const keyed = encodeMessage({ type: "hello", pid: 42 }, "k3y").trimEnd();
 * assert.ok(decodeMessage(keyed, "k3y")?.type === "hello");
 * assert.ok(decodeMessage(line.trimEnd(), "k3y") === undefined);
 * ```
 *
 * @param message The message.
 * @param key The process's key (letters and digits), if it has one.
 * @returns The marker, the key and a space if any, the JSON and a newline.
 */
export function encodeMessage(message: ChildMessage, key?: string): string {
  return `${PROTOCOL_MARKER}${key === undefined ? "" : `${key} `}${JSON.stringify(message)}\n`;
}

/**
 * Decodes one line (without its newline): the message when it is a protocol line (with `key`
 * after the marker, when one is given), else `undefined` (the line is the user's output).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage } from "@streamlib/cli";
 * assert.ok(decodeMessage("log0: t=0.000000s #0 data 0") === undefined);
 * assert.ok(decodeMessage('\u001eSTREAMLIB {"type":"eos","actor":"a"}')?.type === "eos");
 * ```
 *
 * @param line A line of the pipeline process's stdout.
 * @param key The key the process was given, if any (see {@linkcode encodeMessage}).
 * @returns The message, or `undefined`.
 */
export function decodeMessage(line: string, key?: string): ChildMessage | undefined {
  const marker = key === undefined ? PROTOCOL_MARKER : `${PROTOCOL_MARKER}${key} `;
  if (!line.startsWith(marker)) return undefined;
  try {
    const value = JSON.parse(line.slice(marker.length));
    return typeof value === "object" && value !== null && typeof value.type === "string"
      ? value as ChildMessage
      : undefined;
  } catch {
    return undefined;
  }
}
