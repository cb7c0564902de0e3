import { _errorText, _exitText } from "./_error_text.ts";
import { _printable } from "./_printable.ts";
import type { NodeReservation } from "@streamlib/net/control";
import { isStreamlibError, type PermissionSet } from "@streamlib/core";
import type { Discovery } from "./discover_plugins.ts";
import { exitCodeOf } from "./exit_code.ts";
import type { LoadedPipeline } from "./load_pipeline.ts";
import {
  describeChildError,
  type PipelineProcess,
  type PipelineProcessOptions,
  startPipelineProcess,
} from "./pipeline_process.ts";
import { ProgressDisplay } from "./progress_display.ts";
import type { ChildMessage } from "./protocol.ts";
import { shellQuote } from "./shell_quote.ts";
import {
  _signalName,
  _signalStatus,
  _STOP_SIGNALS,
  _stoppedBeforeStart,
  type _StopSignal,
  _StopSignals,
} from "./_stop_signals.ts";

/**
 * Options of {@linkcode runPipeline}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RunPipelineOptions } from "@streamlib/cli";
 * const options: Partial<RunPipelineOptions> = { offline: true, stats: true };
 * assert.ok(options.offline);
 * ```
 */
export interface RunPipelineOptions {
  /** The pipeline, checked against the catalogue. */
  readonly loaded: LoadedPipeline;
  /** The catalogue and the plugin manifests it was built from. */
  readonly discovery: Discovery;
  /** Run offline: as fast as possible, nothing dropped (default: live). */
  readonly offline?: boolean;
  /** Show each actor's rate and drops below the progress line. */
  readonly stats?: boolean;
  /** Say more on stderr: the pipeline process's id and command, permissions, end-of-stream. */
  readonly verbose?: boolean;
  /** Start a node's link service in the pipeline process (see `PipelineProcessOptions`). */
  readonly net?: PipelineProcessOptions["net"];
  /**
   * Serve the pipeline's control API as the node `reservation` holds the name of (released
   * when the pipeline process ends), on TCP too when `tcp` is given.
   */
  readonly control?: {
    readonly reservation: NodeReservation;
    readonly tcp?: { readonly host: string; readonly port: number; readonly token?: string };
  };
}

/** How long the pipeline process has to end after `abort` before it is killed. */
const _KILL_AFTER_MS = 5_000;
const _encoder = new TextEncoder();

/**
 * Runs a pipeline with least privilege, in a process started by
 * {@linkcode startPipelineProcess} (the Deno flags its actors' manifests ask for, a runner
 * module that imports exactly the plugin modules it uses), and waits for its end. Lines the pipeline prints pass through
 * to stdout; its stats drive a progress display on stderr. The first SIGINT, SIGTERM or SIGHUP
 * asks it to drain (end-of-stream flows, files are finalised before this returns), the second
 * to abort; it is killed if it has not ended 5 s after the abort, or on a third. One that comes
 * before the pipeline runs stops it there ("stopped before the pipeline started"). When this
 * process dies, the pipeline process sees its stdin end and aborts, so it never outlives this
 * one.
 *
 * @example
 * ```ts ignore
 * import { discoverPlugins, loadPipeline, runPipeline } from "@streamlib/cli";
 * const discovery = await discoverPlugins();
 * const loaded = await loadPipeline("datasrc count=5 ! log", discovery.catalogue);
 * Deno.exitCode = await runPipeline({ loaded, discovery });
 * ```
 *
 * @param options The pipeline and how to run it.
 * @returns The exit status: 0 after end-of-stream (also when drained after Ctrl-C), 1 when
 *   the pipeline failed, 2 when it could not be built; after a signal, as a shell reports a
 *   process that signal ended (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP) when it was
 *   aborted or stopped before it started, and when drained after SIGTERM or SIGHUP.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<number> {
  // Caught from here on: a signal during start-up stops the run, never the command half-way.
  using signals = new _StopSignals();
  const { loaded, discovery, control } = options;
  const { catalogue } = discovery;
  const stderr = (line: string): void => _writeAll(Deno.stderr, _encoder.encode(`${line}\n`));
  const terminal = Deno.stderr.isTerminal();
  const display = new ProgressDisplay({
    write: (text) => _writeAll(Deno.stderr, _encoder.encode(text)),
    terminal,
    stats: options.stats ?? false,
    ...(terminal ? { columns: _columns() } : {}),
  });
  const note = (line: string): void => display.around(() => stderr(`streamlib: ${line}`));
  let running = false;
  const onMessage = (message: ChildMessage): void => {
    switch (message.type) {
      case "running":
        running = true;
        break;
      case "stats":
        display.update(message);
        break;
      case "eos":
        if (options.verbose) note(`end-of-stream: ${message.actor}`);
        break;
      case "log":
        note(`${String(message.actor).split("/").pop()}: ${_printable(String(message.text))}`);
        break;
      case "serving":
        note(`${message.actor.split("/").pop()} serves ${message.url}`);
        break;
      case "control":
        note(
          `node ${message.name} serves control on ${message.socket ?? message.url}${
            message.socket !== undefined && message.url !== undefined ? ` and ${message.url}` : ""
          }${
            message.token === undefined ? "" : ` (token ${message.token})`
          }: streamlib graph ${message.name}, tap, logs, set, patch, stop`,
        );
        break;
    }
  };
  let child: PipelineProcess;
  try {
    child = await startPipelineProcess({
      loaded,
      discovery,
      ...(options.offline ? { offline: true } : {}),
      ...(control === undefined ? {} : { control }),
      ...(options.net === undefined ? {} : { net: options.net }),
      onMessage,
      onOutput: terminal && Deno.stdout.isTerminal()
        ? (bytes) => display.around(() => _writeAll(Deno.stdout, bytes))
        : (bytes) => _writeAll(Deno.stdout, bytes),
    });
  } catch (error) {
    // Stopped while finding ffmpeg, say: what went wrong then is the stop, not the probe, which
    // a terminal's Ctrl-C ends too (it may tell of that before the signal reaches us).
    const signal = signals.first ?? _probeStoppedBy(error);
    if (signal !== undefined) return _stoppedBeforeStart(signal, stderr);
    throw error;
  }
  const { permissions, flags } = child;
  if (options.verbose) {
    note(`pipeline process ${child.pid}: ${child.command.map(shellQuote).join(" ")}`);
    for (const line of _reasons(permissions)) note(line);
  }

  let first: _StopSignal | undefined;
  let stops = 0;
  /** The first signal came before the pipeline ran: it was aborted, not drained. */
  let beforeStart = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let killed = false;
  const abort = (): void => {
    child.send("abort");
    killTimer = setTimeout(() => {
      killed = true;
      note(`the pipeline did not stop within ${_KILL_AFTER_MS / 1000} s of the abort; killing it`);
      child.kill();
    }, _KILL_AFTER_MS);
  };
  signals.handle((signal) => {
    first ??= signal;
    stops++;
    if (stops === 1 && !running) {
      beforeStart = true;
      abort();
    } else if (stops === 1) {
      child.send("drain");
      note(
        signal === "SIGINT"
          ? "draining: end-of-stream flows through the pipeline (Ctrl-C again to abort)"
          : `draining after ${signal}: end-of-stream flows through the pipeline (${signal} or ` +
            "Ctrl-C again to abort)",
      );
    } else if (stops === 2 && !beforeStart) {
      note("aborting");
      abort();
    } else if (!killed) {
      killed = true;
      child.kill();
    }
  });

  let status: Deno.CommandStatus;
  let ending: Extract<ChildMessage, { type: "result" | "error" }> | undefined;
  try {
    ({ status, ending } = await child.ended);
  } finally {
    clearTimeout(killTimer);
    // The node's entry and socket go with it, even when it was killed.
    control?.reservation.release(child.pid);
  }

  if (
    beforeStart && first !== undefined &&
    (ending === undefined || (ending.type === "result" && ending.status === "aborted"))
  ) {
    display.clear();
    return _stoppedBeforeStart(first, stderr);
  }
  if (ending?.type === "result") {
    display.finish(ending);
    if (ending.status === "aborted") {
      stderr("streamlib: aborted");
      return _signalStatus(first ?? "SIGINT");
    }
    if (first === undefined) return 0;
    stderr(`streamlib: drained after ${_signalName(first)}: end-of-stream reached every sink`);
    // Ctrl-C is how a user ends a live run; a stop sent by another program is reported to it.
    return first === "SIGINT" ? 0 : _signalStatus(first);
  }
  display.clear();
  if (ending?.type === "error") {
    const text = _truthAboutFfmpeg(describeChildError(ending, loaded, catalogue, flags), child);
    stderr(`streamlib: ${_errorText(ending.code, ending.causes ?? [], text)}`);
    return ending.phase === "build" ? exitCodeOf(ending.code) : 1;
  }
  if (killed) return _signalStatus(first ?? "SIGINT");
  stderr(
    `streamlib: the pipeline process ended without a result (${
      _exitText(status)
    }); see its messages above`,
  );
  return 1;
}

/** The stop signal that ended the `ffmpeg -version` probe, when that is what `error` says. */
function _probeStoppedBy(error: unknown): _StopSignal | undefined {
  if (!isStreamlibError(error, "SL_FFMPEG_EXITED")) return undefined;
  const signal = error.details.signal;
  return _STOP_SIGNALS.find((s) => s === signal);
}

/**
 * An error text that says `STREAMLIB_FFMPEG is "…"` when the user never set it (this command
 * set it for the pipeline process, to the ffmpeg it found on `PATH` or in the npm package),
 * told as it is.
 */
function _truthAboutFfmpeg(text: string, child: PipelineProcess): string {
  const named = child.env.STREAMLIB_FFMPEG;
  let ours: boolean;
  try {
    ours = named !== undefined && Deno.env.get("STREAMLIB_FFMPEG") === undefined;
  } catch {
    ours = false; // this command may not read it: it cannot tell, so it says nothing more
  }
  if (!ours) return text;
  return text.replace(
    `STREAMLIB_FFMPEG is ${JSON.stringify(named)}, which does not run as ffmpeg; ` +
      "point it at an ffmpeg executable or unset it",
    `the ffmpeg streamlib found, ${JSON.stringify(named)}, did not run as ffmpeg in the ` +
      `pipeline process; check that "${named} -version" works, or set STREAMLIB_FFMPEG to an ` +
      "ffmpeg that does",
  );
}

/** One line per permission granted: the flag's name and why each actor needs it. */
function _reasons(permissions: PermissionSet): string[] {
  const lines: string[] = [];
  for (const [name, need] of Object.entries(permissions)) {
    for (const reason of need?.reasons ?? []) lines.push(`needs ${name}: ${reason}`);
  }
  return lines.length ? lines : ["needs no permissions"];
}

function _writeAll(file: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  try {
    for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
  } catch {
    // Nobody reads any more: a closed pipe, or a terminal that hung up (EIO) on SIGHUP.
  }
}

function _columns(): number | undefined {
  try {
    const { columns } = Deno.consoleSize();
    return columns >= 20 ? columns : undefined; // a pseudo-terminal may say 0
  } catch {
    return undefined;
  }
}
