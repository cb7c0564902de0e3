import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Catalogue,
  formatPipeline,
  parseActorAddress,
  type PermissionName,
  type PermissionSet,
  StreamlibError,
} from "@streamlib/core";
import type { NodeReservation } from "@streamlib/net/control";
import { withControlPermissions } from "./control_permissions.ts";
import type { Discovery } from "./discover_plugins.ts";
import type { LoadedPipeline } from "./load_pipeline.ts";
import { permissionFlags } from "./permission_flags.ts";
import { type ChildMessage, decodeMessage, PROTOCOL_MARKER } from "./protocol.ts";
import { type RunnerOptions, runnerSource } from "./runner_source.ts";
import { scopePrograms } from "./scope_programs.ts";
import { _linkOutside } from "./_sandbox_links.ts";

const _encoder = new TextEncoder();
const _decoder = new TextDecoder();

/**
 * Options of {@linkcode startPipelineProcess}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineProcessOptions } from "@streamlib/cli";
 * const options: Partial<PipelineProcessOptions> = { offline: true, onOutput: () => {} };
 * assert.ok(options.offline);
 * ```
 */
export interface PipelineProcessOptions {
  /** The pipeline, checked against the catalogue. */
  readonly loaded: LoadedPipeline;
  /** The catalogue and the plugin manifests it was built from. */
  readonly discovery: Discovery;
  /** Run offline: as fast as possible, nothing dropped (default: live). */
  readonly offline?: boolean;
  /**
   * Serve the pipeline's control API as the node `reservation` holds the name of, on TCP too
   * when `tcp` is given. The caller releases the reservation once the process has ended.
   */
  readonly control?: {
    readonly reservation: NodeReservation;
    readonly tcp?: { readonly host: string; readonly port: number; readonly token?: string };
  };
  /**
   * Start a node's link service in the process (name, NATS server, peers, direct listening
   * address), so that `actor://node/…` addresses reach other nodes and links land here.
   */
  readonly net?: RunnerOptions["net"];
  /** Each protocol message from the process, as it comes (`hello`, `stats`, `control`…). */
  readonly onMessage?: (message: ChildMessage) => void;
  /**
   * Each line the pipeline prints (a `log` actor's, say), newline included. Default: dropped
   * (the node's events have its actors' log lines).
   */
  readonly onOutput?: (line: Uint8Array) => void;
}

/**
 * A pipeline running in a least-privilege child process (see {@linkcode startPipelineProcess}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineProcess } from "@streamlib/cli";
 * async function drain(p: PipelineProcess): Promise<boolean> {
 *   p.send("drain");
 *   return (await p.ended).ending?.type === "result";
 * }
 * assert.ok(typeof drain === "function");
 * ```
 */
export interface PipelineProcess {
  /** The process's id. */
  readonly pid: number;
  /** The command line it runs with: the Deno executable, then its arguments. */
  readonly command: readonly string[];
  /** What it was granted: its actors' needs, and serving's when it serves its control API. */
  readonly permissions: PermissionSet;
  /** Those permissions as Deno flags. */
  readonly flags: readonly string[];
  /** Asks it to `drain` (sources end, end-of-stream flows) or to `abort`. */
  send(command: "drain" | "abort"): void;
  /** Variables set for it on top of this process's environment (`STREAMLIB_FFMPEG`). */
  readonly env: Readonly<Record<string, string>>;
  /** Kills it at once (SIGKILL), with the processes of its group (its `ffmpeg -version` probe). */
  kill(): void;
  /**
   * Settles once it has exited and its output has been read: its exit status and its last
   * word, the `result` or `error` message (absent when it died without one).
   */
  readonly ended: Promise<{
    readonly status: Deno.CommandStatus;
    readonly ending: Extract<ChildMessage, { type: "result" | "error" }> | undefined;
  }>;
}

/**
 * Starts a pipeline in a process of its own with least privilege: computes the Deno flags its
 * actors' manifests ask for (and, when it serves its control API, exactly what serving needs),
 * writes a runner module that imports exactly the plugin modules it uses, and runs that in
 * `deno run --no-prompt` with only those flags. The process reports on its stdout in the
 * {@linkcode PROTOCOL_MARKER} protocol and takes `drain`/`abort` on its stdin; when this
 * process dies, it sees its stdin end and aborts, so it never outlives this one. It runs in a
 * session of its own, so signals sent to this process's group (a terminal's Ctrl-C) miss it.
 * `streamlib run` and `streamlib mcp` both start pipelines with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, loadPipeline, startPipelineProcess } from "@streamlib/cli";
 * const discovery = await discoverPlugins({ cwd: await Deno.makeTempDir() });
 * const loaded = await loadPipeline("datasrc count=3 ! nullsink", discovery.catalogue);
 * const child = await startPipelineProcess({ loaded, discovery, offline: true });
 * assert.deepEqual(child.flags, []); // core's actors need nothing
 * const { ending } = await child.ended;
 * assert.ok(ending?.type === "result" && ending.status === "eos");
 * ```
 *
 * @param options The pipeline, how to run it, and what to do with what it says.
 * @returns The running process.
 */
export async function startPipelineProcess(
  options: PipelineProcessOptions,
): Promise<PipelineProcess> {
  const { loaded, discovery, control } = options;
  const unsafe = await _unsafeSandboxes(discovery);
  for (const plugin of _pluginsUsed(loaded, discovery)) {
    const error = unsafe.get(plugin.url);
    if (error !== undefined) throw error;
  }
  const granted = runPermissions(discovery.catalogue, loaded, control, options.net);
  // `run=ffmpeg` becomes the one executable the process may run, named to it.
  const { permissions, env } = await scopePrograms(granted);
  const flags = permissionFlags(permissions);

  // The process's protocol lines carry a key its plugins' Workers never see (they share its
  // stdout): their own lines, forged or not, are the user's output.
  const key = _newKey();
  const marker = _encoder.encode(`${PROTOCOL_MARKER}${key} `);
  const dir = await Deno.makeTempDir({ prefix: "streamlib-run-" });
  const runner = join(dir, "runner.ts");
  let removed = false;
  const removeRunner = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  let child: Deno.ChildProcess;
  let args: string[];
  try {
    await Deno.writeTextFile(
      runner,
      runnerSource({
        spec: loaded.spec,
        ...(loaded.text === undefined ? {} : { text: loaded.text }),
        mode: options.offline ? "offline" : "live",
        ...(options.net === undefined ? {} : { net: options.net }),
        plugins: _pluginsUsed(loaded, discovery),
        cwd: Deno.cwd(),
        key,
        ...(control === undefined ? {} : {
          control: {
            name: control.reservation.name,
            dir: control.reservation.dir,
            summary: _summary(loaded),
            ...(control.tcp === undefined ? {} : { tcp: control.tcp }),
          },
          granted,
          // A patch may not add a plugin that could not run sandboxed either.
          available: _pluginsAvailable(loaded, discovery).filter((p) => !unsafe.has(p.url)),
        }),
      }),
    );
    const config = await _findConfig();
    args = [
      "run",
      "--no-prompt",
      ...(config === undefined ? ["--no-config"] : ["--config", config]),
      // Sandboxed plugins' Workers get permissions of their own.
      ...(discovery.plugins.some((p) => p.sandbox !== undefined)
        ? ["--unstable-worker-options"]
        : []),
      ...flags,
      runner,
    ];
    child = new Deno.Command(Deno.execPath(), {
      args,
      ...(Object.keys(env).length ? { env } : {}),
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      // A session of its own: what a terminal (Ctrl-C, hang-up) or `timeout` sends to the
      // command's process group must not reach it, or it would die before its files are final
      // (and its `ffmpeg -version` probe with it); only this process's word on stdin counts.
      detached: true,
    }).spawn();
  } catch (error) {
    await removeRunner();
    throw error;
  }

  const commands = child.stdin.getWriter();
  let ending: Extract<ChildMessage, { type: "result" | "error" }> | undefined;
  const onOutput = options.onOutput ?? ((): void => {});
  const onLine = (bytes: Uint8Array): void => {
    if (!_startsWith(bytes, marker)) return onOutput(bytes);
    const message = decodeMessage(_decoder.decode(bytes).replace(/\r?\n$/, ""), key);
    if (message === undefined) return onOutput(bytes);
    // Its modules are loaded once it says hello: nothing reads the runner again.
    if (message.type === "hello") void removeRunner();
    if (message.type === "result" || message.type === "error") ending = message;
    options.onMessage?.(message);
  };
  const ended = (async () => {
    try {
      await _lines(child.stdout, onLine);
      const status = await child.status;
      return { status, ending };
    } finally {
      await commands.close().catch(() => {});
      await removeRunner();
    }
  })();
  return {
    pid: child.pid,
    command: [Deno.execPath(), ...args],
    permissions,
    flags,
    send(command: "drain" | "abort"): void {
      commands.write(_encoder.encode(`${command}\n`)).catch(() => {});
    },
    env,
    kill(): void {
      try {
        Deno.kill(-child.pid, "SIGKILL"); // it leads its process group
      } catch {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }
    },
    ended,
  };
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
 * @param net The node's link service, if it runs one: it needs what `netsink` and `netsrc`
 *   need (the network, ffmpeg and Skia for compressed links).
 * @returns The permissions, with reasons.
 */
export function runPermissions(
  catalogue: Catalogue,
  loaded: LoadedPipeline,
  control?: PipelineProcessOptions["control"],
  net?: PipelineProcessOptions["net"],
): PermissionSet {
  const spec = net === undefined ? loaded.spec : {
    ...loaded.spec,
    actors: [
      ...loaded.spec.actors,
      { name: "remote-links-out", type: "netsink" },
      { name: "remote-links-in", type: "netsrc" },
    ],
  };
  const permissions = catalogue.permissions(spec);
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
): RunnerOptions["plugins"] {
  const loading = new Set(_pluginsUsed(loaded, discovery).flatMap((p) => p.modules));
  return discovery.plugins.map((p) => ({
    manifest: p.manifest,
    url: p.url,
    // A sandboxed plugin's code is imported only in its actors' Workers.
    modules: p.sandbox !== undefined
      ? []
      : [...new Set(p.manifest.actors.map((a) => new URL(a.module, p.url).href))]
        .filter((m) => !loading.has(m)),
    ...(p.sandbox === undefined ? {} : { sandbox: p.sandbox }),
  }));
}

/**
 * The sandboxed plugins that cannot be kept to their sandbox, by manifest URL, with the error
 * that says why: a link in the folder their Workers may read that leads outside it.
 */
async function _unsafeSandboxes(discovery: Discovery): Promise<Map<string, StreamlibError>> {
  const unsafe = new Map<string, StreamlibError>();
  for (const plugin of discovery.plugins) {
    if (plugin.sandbox === undefined || !plugin.url.startsWith("file:")) continue;
    const folder = dirname(fileURLToPath(plugin.url));
    const outside = await _linkOutside(folder);
    if (outside === undefined) continue;
    const name = plugin.manifest.name;
    unsafe.set(
      plugin.url,
      new StreamlibError(
        "SL_PERMISSION_NOT_GRANTED",
        `The plugin ${name} cannot run sandboxed: its folder ${folder} holds ${outside.link}, ` +
          `a link to ${outside.target}, outside the folder. Its actors' Workers may read their ` +
          `plugin's folder, and Deno checks paths, not where links lead, so the link would let ` +
          `it read there: replace the link with the files it leads to, or leave the plugin out`,
        { details: { plugin: name, link: outside.link, target: outside.target } },
      ),
    );
  }
  return unsafe;
}

/** The plugin manifests the pipeline uses, with the modules of the types it creates. */
function _pluginsUsed(
  loaded: LoadedPipeline,
  discovery: Discovery,
): RunnerOptions["plugins"] {
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
    modules: p.sandbox !== undefined ? [] : [...used.get(p.url)!],
    ...(p.sandbox === undefined ? {} : { sandbox: p.sandbox }),
  }));
}

/**
 * What a pipeline process's `error` message says, for people: its message, or for a permission
 * Deno refused, which actor needed what, what its manifest declares, and the flags it ran with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { describeChildError, loadPipeline } from "@streamlib/cli";
 * const catalogue = Catalogue.withCore();
 * const loaded = await loadPipeline("datasrc ! log", catalogue);
 * const text = describeChildError(
 *   { type: "error", phase: "run", code: "SL_ACTOR_FAILED", message: "it broke" },
 *   loaded,
 *   catalogue,
 *   [],
 * );
 * assert.equal(text, "it broke");
 * ```
 *
 * @param error The process's `error` message.
 * @param loaded The pipeline it ran.
 * @param catalogue The catalogue it was checked against.
 * @param flags The Deno flags it ran with.
 * @returns The text.
 */
export function describeChildError(
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
  const sandboxed = entry !== undefined && catalogue.isolated(entry.type);
  const from = entry
    ? ` (${entry.type}, from ${sandboxed ? "the plugin " : ""}${entry.package} ${entry.version})`
    : "";
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
    ...(sandboxed
      ? [
        `  The plugin's actors run sandboxed, each in a Worker with only what its manifest declares.`,
      ]
      : []),
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

/** A key for one pipeline process's protocol lines: 128 random bits in hex. */
function _newKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

function _startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
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
