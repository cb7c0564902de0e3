import { _signalStatus } from "./_stop_signals.ts";
import { shellQuote } from "./shell_quote.ts";

/**
 * Options of {@linkcode runScript}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RunScriptOptions } from "@streamlib/cli";
 * const options: RunScriptOptions = { flags: ["--allow-read=./data"], args: ["in.json"] };
 * assert.ok(options.flags.length === 1);
 * ```
 */
export interface RunScriptOptions {
  /** The `--allow-*` flags to grant, from `--allow` (see {@linkcode allowFlags}). */
  readonly flags: readonly string[];
  /** Arguments for the script. */
  readonly args?: readonly string[];
  /** Print the command on stderr first. */
  readonly verbose?: boolean;
}

/**
 * Runs a user's script with `deno run --no-prompt` and only the permissions the user passed
 * (`--allow read=./data`). Unlike a pipeline's, a script's permissions cannot be computed from
 * manifests: it can do anything its code does. Standard input and output are the script's.
 * Ctrl-C at a terminal reaches the script itself (it is in the same process group); this
 * process waits for it to end.
 *
 * @example
 * ```ts ignore
 * import { runScript } from "@streamlib/cli";
 * Deno.exitCode = await runScript("examples/demo.ts", { flags: [] });
 * ```
 *
 * @param path The script.
 * @param options Flags and arguments.
 * @returns The script's exit status (128 + the signal number when a signal ended it).
 */
export async function runScript(path: string, options: RunScriptOptions): Promise<number> {
  const args = ["run", "--no-prompt", ...options.flags, path, ...(options.args ?? [])];
  if (options.verbose) {
    const line = `streamlib: ${[Deno.execPath(), ...args].map(shellQuote).join(" ")}\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(line));
  }
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const ignore = (): void => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    const status = await child.status;
    return status.signal ? _signalStatus(status.signal) : status.code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}
