import { _errorText } from "./_error_text.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Catalogue,
  formatPipeline,
  parseActorAddress,
  type PermissionName,
  type PermissionSet,
} from "@streamlib/core";
import type { NodeReservation } from "@streamlib/net/control";
import { withControlPermissions } from "./control_permissions.ts";
import type { Discovery } from "./discover_plugins.ts";
import { exitCodeOf } from "./exit_code.ts";
import type { LoadedPipeline } from "./load_pipeline.ts";
import { permissionFlags } from "./permission_flags.ts";
import { ProgressDisplay } from "./progress_display.ts";
import { type ChildMessage, decodeMessage, PROTOCOL_MARKER } from "./protocol.ts";
import { runnerSource } from "./runner_source.ts";
import { shellQuote } from "./shell_quote.ts";

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
  /**
   * Serve the pipeline's control API as the node `reservation` holds the name of (released
   * when the pipeline process ends), on TCP too when `tcp` is given.
   */
  readonly control?: {
    readonly reservation: NodeReservation;
    readonly tcp?: { readonly host: string; readonly port: number; readonly token?: string };
  };
}

/** Exit status after an abort, as a shell reports a process ended by Ctrl-C. */
const _ABORTED = 130;
/** How long the pipeline process has to end after `abort` before it is killed. */
const _KILL_AFTER_MS = 5_000;
const _encoder = new TextEncoder();
const _decoder = new TextDecoder();
const _MARKER = _encoder.encode(PROTOCOL_MARKER);

/**
 * Runs a pipeline with least privilege: computes the Deno flags its actors' manifests ask for,
 * writes a runner module that imports exactly the plugin modules it uses, and runs that in a
 * `deno run --no-prompt` process with only those flags. Lines the pipeline prints pass through
 * to stdout; its stats drive a progress display on stderr. The first SIGINT asks it to drain
 * (end-of-stream flows, files are finalised), the second to abort; it is killed if it has not
 * ended 5 s after the abort. When this process dies, the pipeline process sees its stdin end
 * and aborts, so it never outlives this one.
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
 *   the pipeline failed, 2 when it could not be built, 130 when aborted.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<number> {
  const { loaded, discovery, control } = options;
  const { catalogue } = discovery;
  const permissions = runPermissions(catalogue, loaded, control);
  const flags = permissionFlags(permissions);
  const stderr = (line: string): void => _writeAll(Deno.stderr, _encoder.encode(`${line}\n`));

  const dir = await Deno.makeTempDir({ prefix: "streamlib-run-" });
  const runner = join(dir, "runner.ts");
  await Deno.writeTextFile(
    runner,
    runnerSource({
      spec: loaded.spec,
      ...(loaded.text === undefined ? {} : { text: loaded.text }),
      mode: options.offline ? "offline" : "live",
      plugins: _pluginsUsed(loaded, discovery),
      ...(control === undefined ? {} : {
        control: {
          name: control.reservation.name,
          dir: control.reservation.dir,
          summary: _summary(loaded),
          ...(control.tcp === undefined ? {} : { tcp: control.tcp }),
        },
        granted: permissions,
        available: _pluginsAvailable(loaded, discovery),
      }),
    }),
  );
  let removed = false;
  const removeRunner = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const config = await _findConfig();
  const args = [
    "run",
    "--no-prompt",
    ...(config === undefined ? ["--no-config"] : ["--config", config]),
    ...flags,
    runner,
  ];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    await removeRunner();
    throw error;
  }

  const terminal = Deno.stderr.isTerminal();
  const display = new ProgressDisplay({
    write: (text) => _writeAll(Deno.stderr, _encoder.encode(text)),
    terminal,
    stats: options.stats ?? false,
    ...(terminal ? { columns: _columns() } : {}),
  });
  const note = (line: string): void => display.around(() => stderr(`streamlib: ${line}`));
  if (options.verbose) {
    note(
      `pipeline process ${child.pid}: ${[Deno.execPath(), ...args].map(shellQuote).join(" ")}`,
    );
    for (const line of _reasons(permissions)) note(line);
  }

  const commands = child.stdin.getWriter();
  const send = (command: "drain" | "abort"): void => {
    commands.write(_encoder.encode(`${command}\n`)).catch(() => {});
  };
  let interrupts = 0;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let killed = false;
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      send("drain");
      note("draining: end-of-stream flows through the pipeline (Ctrl-C again to abort)");
    } else if (interrupts === 2) {
      send("abort");
      note("aborting");
      killTimer = setTimeout(() => {
        killed = true;
        note(
          `the pipeline did not stop within ${_KILL_AFTER_MS / 1000} s of the abort; killing it`,
        );
        _kill(child);
      }, _KILL_AFTER_MS);
    } else {
      killed = true;
      _kill(child);
    }
  };
  Deno.addSignalListener("SIGINT", onInterrupt);

  let ending: ChildMessage | undefined;
  const passThrough = terminal && Deno.stdout.isTerminal()
    ? (bytes: Uint8Array) => display.around(() => _writeAll(Deno.stdout, bytes))
    : (bytes: Uint8Array) => _writeAll(Deno.stdout, bytes);
  const onLine = (bytes: Uint8Array): void => {
    if (!_startsWith(bytes, _MARKER)) return passThrough(bytes);
    const message = decodeMessage(_decoder.decode(bytes).replace(/\r?\n$/, ""));
    if (message === undefined) return passThrough(bytes);
    switch (message.type) {
      case "hello":
        void removeRunner(); // its modules are loaded: nothing reads it again
        break;
      case "stats":
        display.update(message);
        break;
      case "eos":
        if (options.verbose) note(`end-of-stream: ${message.actor}`);
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
      default:
        ending = message;
    }
  };

  let status: Deno.CommandStatus;
  try {
    await _lines(child.stdout, onLine);
    status = await child.status;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    clearTimeout(killTimer);
    await commands.close().catch(() => {});
    await removeRunner();
    // The node's entry and socket go with it, even when it was killed.
    control?.reservation.release(child.pid);
  }

  if (ending?.type === "result") {
    display.finish(ending);
    if (ending.status === "aborted") {
      stderr("streamlib: aborted");
      return _ABORTED;
    }
    if (interrupts > 0) stderr("streamlib: drained after Ctrl-C: end-of-stream reached every sink");
    return 0;
  }
  display.clear();
  if (ending?.type === "error") {
    const text = _describeError(ending, loaded, catalogue, flags);
    stderr(`streamlib: ${_errorText(ending.code, ending.causes ?? [], text)}`);
    return ending.phase === "build" ? exitCodeOf(ending.code) : 1;
  }
  if (killed) return _ABORTED;
  stderr(
    `streamlib: the pipeline process ended without a result (${
      status.signal ? `signal ${status.signal}` : `exit code ${status.code}`
    }); see its messages above`,
  );
  return 1;
}

/**
 * Every permission a pipeline process gets: what its actors' manifests declare, and, when it
 * serves its control API, what serving needs (`--print-permissions` prints these).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { loadPipeline, runPermissions } from "@streamlib/cli";
 * const catalogue = Catalogue.withCore();
 * const loaded = await loadPipeline("datasrc ! log", catalogue);
 * assert.deepEqual(runPermissions(catalogue, loaded), {});
 * ```
 *
 * @param catalogue The catalogue.
 * @param loaded The pipeline.
 * @param control Where it serves its control API, if it does.
 * @returns The permissions, with reasons.
 */
export function runPermissions(
  catalogue: Catalogue,
  loaded: LoadedPipeline,
  control?: RunPipelineOptions["control"],
): PermissionSet {
  const permissions = catalogue.permissions(loaded.spec);
  if (control === undefined) return permissions;
  const { dir, socket } = control.reservation;
  return withControlPermissions(permissions, {
    dir,
    socket,
    ...(control.tcp === undefined ? {} : { tcp: control.tcp }),
  });
}

/** The pipeline in a line, for `streamlib nodes`. */
function _summary(loaded: LoadedPipeline): string {
  // Comments start where a word would (a colour such as foreground=#ff0000 is a value).
  const text = (loaded.text ?? formatPipeline(loaded.spec)).replace(/(^|\s)#[^\n]*/g, "$1")
    .replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Every plugin manifest, with the modules the pipeline does not load: a patch may use them,
 * and a literal import in the runner lets the process load them without `--allow-read`.
 */
function _pluginsAvailable(
  loaded: LoadedPipeline,
  discovery: Discovery,
): Array<{ manifest: Discovery["plugins"][number]["manifest"]; url: string; modules: string[] }> {
  const loading = new Set(_pluginsUsed(loaded, discovery).flatMap((p) => p.modules));
  return discovery.plugins.map((p) => ({
    manifest: p.manifest,
    url: p.url,
    modules: [...new Set(p.manifest.actors.map((a) => new URL(a.module, p.url).href))]
      .filter((m) => !loading.has(m)),
  }));
}

/** The plugin manifests the pipeline uses, with the modules of the types it creates. */
function _pluginsUsed(
  loaded: LoadedPipeline,
  discovery: Discovery,
): Array<{ manifest: Discovery["plugins"][number]["manifest"]; url: string; modules: string[] }> {
  const used = new Map<string, Set<string>>();
  for (const actor of loaded.spec.actors) {
    const entry = discovery.catalogue.describe(actor.type);
    if (entry.manifestUrl === Catalogue.coreManifestUrl) continue;
    const modules = used.get(entry.manifestUrl) ?? new Set();
    modules.add(entry.moduleUrl);
    used.set(entry.manifestUrl, modules);
  }
  return discovery.plugins.filter((p) => used.has(p.url)).map((p) => ({
    manifest: p.manifest,
    url: p.url,
    modules: [...used.get(p.url)!],
  }));
}

/** One line per permission granted: the flag's name and why each actor needs it. */
function _reasons(permissions: PermissionSet): string[] {
  const lines: string[] = [];
  for (const [name, need] of Object.entries(permissions)) {
    for (const reason of need?.reasons ?? []) lines.push(`needs ${name}: ${reason}`);
  }
  return lines.length ? lines : ["needs no permissions"];
}

/** Says what failed; for a refused permission, which actor, what, and what its manifest says. */
function _describeError(
  error: Extract<ChildMessage, { type: "error" }>,
  loaded: LoadedPipeline,
  catalogue: Catalogue,
  flags: readonly string[],
): string {
  const { denied } = error;
  if (denied === undefined) return error.message;
  let type: string | undefined;
  if (error.actor !== undefined) {
    try {
      type = parseActorAddress(error.actor).type;
    } catch {
      type = loaded.spec.actors.find((a) => error.actor!.endsWith(`/${a.name}`))?.type;
    }
  } else if (error.module !== undefined) {
    type = catalogue.list().find((e) => e.moduleUrl === error.module)?.type;
  }
  const entry = type !== undefined && catalogue.has(type) ? catalogue.describe(type) : undefined;
  const from = entry ? ` (${entry.type}, from ${entry.package} ${entry.version})` : "";
  const who = error.actor !== undefined
    ? `actor "${error.actor}"${from}`
    : error.module !== undefined
    ? `importing ${error.module}${from}`
    : "the pipeline";
  const request = entry?.actor.permissions?.[denied.permission as PermissionName];
  const declares = entry === undefined
    ? "no manifest of the pipeline declares it"
    : request === undefined
    ? `its manifest does not declare the "${denied.permission}" permission`
    : `that is outside what its manifest declares for "${denied.permission}" (${
      [
        ...(request.values ?? []),
        ...(request.params ?? []).map((p) => `the value of parameter "${p}"`),
      ].join(", ")
    })`;
  const what = `${denied.permission} access${denied.target ? ` to ${denied.target}` : ""}`;
  return [
    `permission denied: ${who} needed ${what}, but ${declares}, so Deno refused it.`,
    `  Deno said: ${denied.message}`,
    `  The pipeline ran with: ${flags.length ? flags.join(" ") : "no permissions"}`,
    ...(entry ? [`  Manifest: ${entry.manifestUrl}`] : []),
    "  Declare the permission in the manifest (with the values it needs) or leave the actor out.",
  ].join("\n");
}

/** Calls `onLine` with each line of `stream` (newline included; the last may lack one). */
async function _lines(
  stream: ReadableStream<Uint8Array>,
  onLine: (bytes: Uint8Array) => void,
): Promise<void> {
  let pending = new Uint8Array(0);
  for await (const chunk of stream) {
    const bytes = pending.length ? _concat(pending, chunk) : chunk;
    let start = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
      onLine(bytes.subarray(start, nl + 1));
      start = nl + 1;
    }
    pending = bytes.slice(start);
  }
  if (pending.length) onLine(pending);
}

function _concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function _startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function _writeAll(file: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  try {
    for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

function _kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
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

/**
 * The Deno config the pipeline process resolves imports with: the workspace this command
 * belongs to, so plugin modules that import `@streamlib/core` get the same core.
 */
async function _findConfig(): Promise<string | undefined> {
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return undefined;
  let nearest: string | undefined;
  for (let dir = fileURLToPath(here);; dir = dirname(dir)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const path = join(dir, name);
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch {
        continue;
      }
      nearest ??= path;
      if (/"workspace"\s*:/.test(text)) return path;
    }
    if (dirname(dir) === dir) return nearest;
  }
}
