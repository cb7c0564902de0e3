/**
 * The pipeline process's side of `streamlib run`. The `streamlib` command writes a small
 * runner module that imports this one, imports each plugin module the pipeline needs (with
 * literal specifiers, so no `--allow-read` is needed to load them) and calls
 * {@linkcode runChild}. It runs with only the permissions the pipeline's manifests declare.
 *
 * Protocol: {@linkcode encodeMessage} lines on stdout; commands on stdin, one a line: `drain`
 * (stop the sources, let end-of-stream flow) and `abort`. When stdin ends, the parent has gone:
 * the pipeline is aborted and the process exits, so it never outlives the command.
 *
 * @module
 */

import { _causeCodes } from "./_error_text.ts";
import {
  Catalogue,
  isStreamlibError,
  type PermissionName,
  type PermissionSet,
  type Pipeline,
  type PipelineSpec,
  type RunResult,
  StreamlibError,
  validateManifest,
} from "@streamlib/core";
import { type ChildMessage, type DeniedPermission, encodeMessage } from "./protocol.ts";
import { sandboxOf } from "./sandbox.ts";

/** One plugin manifest the pipeline needs, with loaders for the modules it uses. */
export interface ChildPlugin {
  /** The manifest (parsed JSON). */
  readonly manifest: unknown;
  /** Where it was read from. */
  readonly url: string;
  /** Module URL → a function that imports it (a literal `import()`). */
  readonly modules: Readonly<Record<string, () => Promise<Record<string, unknown>>>>;
  /** Its actors run sandboxed in Workers, with what it was granted; its modules load there. */
  readonly sandbox?: { readonly granted: readonly PermissionName[] };
}

/** What to run. */
export interface ChildOptions {
  /** The plugins the pipeline needs (core's actors are always there). */
  readonly plugins: readonly ChildPlugin[];
  /** The pipeline. */
  readonly spec: PipelineSpec;
  /** The pipeline text, when it came as text: build errors then point at it. */
  readonly text?: string;
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** Serve the control API under this name, in this folder (and on TCP when asked). */
  readonly control?: {
    readonly name: string;
    readonly dir: string;
    readonly tcp?: { readonly host: string; readonly port: number; readonly token?: string };
    readonly summary: string;
  };
  /**
   * Start a node's link service under this name before building (remote addresses), with its
   * link access token when it has one.
   */
  readonly net?: {
    readonly name: string;
    readonly nats?: string;
    readonly peers?: Readonly<Record<string, string>>;
    readonly listen?: string;
    readonly token?: string;
    readonly codecs?: { readonly video?: string; readonly audio?: string };
  };
  /** What this process was granted: a patch needing more is refused. */
  readonly granted?: PermissionSet;
  /** Plugins a patch may use, their modules imported only when one does. */
  readonly available?: readonly ChildPlugin[];
  /** The working folder sandboxed actors' relative paths are resolved against. */
  readonly cwd?: string;
  /** The key every protocol line carries (see `encodeMessage`), which Workers never see. */
  readonly key?: string;
}

const _STATS_EVERY_MS = 500;

/** The stats of a pipeline aborted before it ran. */
function _notStarted(mode: "live" | "offline"): RunResult["stats"] {
  return { state: "stopped", mode, runningTime: 0, actors: [] };
}

/** After stdin ends, exit at the latest this long after asking the pipeline to abort. */
const _ORPHAN_EXIT_MS = 2_000;

/**
 * Loads the plugins, builds and runs the pipeline, reports on stdout and obeys stdin. Never
 * returns: the process exits with 0 after a result and 1 after an error.
 *
 * @param options What to run.
 * @returns Never.
 */
export async function runChild(options: ChildOptions): Promise<never> {
  // A terminal's Ctrl-C goes to the whole process group; only the parent's word counts here.
  Deno.addSignalListener("SIGINT", () => {});
  _key = options.key;
  _emit({ type: "hello", pid: Deno.pid });

  let pipeline: Pipeline | undefined = undefined;
  let requested: "drain" | "abort" | undefined;
  const obey = (command: "drain" | "abort"): void => {
    if (requested === "abort" || requested === command) return;
    requested = command;
    if (pipeline !== undefined) pipeline.stop({ mode: command }).catch(() => {});
    // Nothing runs yet (plugins load, actors are built): there is nothing to stop but this.
    else if (command === "abort") {
      _finish({ status: "aborted", stats: _notStarted(options.mode) }, performance.now());
    }
  };
  void _readCommands(obey, () => {
    obey("abort");
    setTimeout(() => Deno.exit(1), _ORPHAN_EXIT_MS);
    if (pipeline === undefined) Deno.exit(1);
  });

  const catalogue = Catalogue.withCore();
  for (const plugin of options.plugins) {
    const loaded = new Map<string, Record<string, unknown>>();
    for (const [url, load] of Object.entries(plugin.modules)) {
      try {
        loaded.set(url, await load());
      } catch (error) {
        _fail("load", error, { module: url });
      }
    }
    const classes: Record<string, new () => never> = {};
    try {
      for (const actor of validateManifest(plugin.manifest, plugin.url).actors) {
        const url = new URL(actor.module, plugin.url).href;
        const module = loaded.get(url);
        if (module === undefined) continue;
        const value = module[actor.export];
        if (typeof value !== "function") {
          throw new StreamlibError(
            "SL_MANIFEST_MISMATCH",
            `${url} has no actor class "${actor.export}" for type "${actor.type}"`,
            { details: { type: actor.type } },
          );
        }
        classes[actor.export] = value as new () => never;
      }
      catalogue.add(plugin.manifest, plugin.url, classes);
      _isolate(catalogue, plugin, options.cwd);
    } catch (error) {
      _fail("load", error);
    }
  }

  // Types a patch may add: their modules are in this program's module graph (literal imports
  // in the runner), so the catalogue imports them when a patch needs them.
  for (const plugin of options.available ?? []) {
    if (catalogue.list().some((entry) => entry.manifestUrl === plugin.url)) continue;
    try {
      catalogue.add(plugin.manifest, plugin.url);
      _isolate(catalogue, plugin, options.cwd);
    } catch (error) {
      _fail("load", error);
    }
  }

  // The link service first: building resolves actor://node/… addresses through it.
  let node: { attach(pipeline: Pipeline): void; close(): Promise<void> } | undefined;
  if (options.net !== undefined) {
    try {
      const { startNetNode } = await import("@streamlib/net");
      const { name, nats, peers, listen, token, codecs } = options.net;
      node = await startNetNode({
        name,
        ...(nats === undefined ? {} : { nats }),
        ...(peers === undefined ? {} : { peers }),
        ...(listen === undefined ? {} : { listen }),
        ...(token === undefined ? {} : { token }),
        ...(codecs === undefined ? {} : { codecs }),
      });
    } catch (error) {
      _fail("build", error);
    }
  }
  let running: Pipeline;
  try {
    running = await catalogue.build(options.text ?? options.spec, { mode: options.mode });
  } catch (error) {
    _fail("build", error);
  }
  node?.attach(running);
  let served: Promise<void> = Promise.resolve();
  if (options.control !== undefined) {
    const { name, dir, tcp, summary } = options.control;
    try {
      const { serveControl } = await import("@streamlib/net/control");
      const server = await serveControl(running, {
        name,
        dir,
        catalogue,
        granted: options.granted ?? {},
        summary,
        exitOnSignal: false,
        ...(tcp === undefined ? {} : { tcp }),
      });
      served = server.closed;
      _emit({
        type: "control",
        name: server.name,
        ...(server.socket === undefined ? {} : { socket: server.socket }),
        ...(server.url === undefined ? {} : { url: server.url }),
        ...(server.token === undefined ? {} : { token: server.token }),
      });
    } catch (error) {
      _fail("build", error);
    }
  }
  const t0 = performance.now();

  running.bus.on("eos", (event) => _emit({ type: "eos", actor: event.actor }));
  // What actors log (the log actor's lines are on stdout already).
  running.bus.on("log", (event) => {
    if (!/^actor:\/\/[^/]+\/log\//.test(event.actor)) {
      _emit({ type: "log", actor: event.actor, text: event.text });
    }
  });
  running.bus.on("state", (event) => {
    if (event.state !== "running") return;
    _emit({ type: "running" });
    for (const actor of running.actors) {
      const url = _servedUrl(actor);
      if (url !== undefined) _emit({ type: "serving", actor: actor.address, url });
    }
  });
  const timer = setInterval(
    () => _emit({ type: "stats", t: performance.now() - t0, stats: running.stats() }),
    _STATS_EVERY_MS,
  );
  // From here on a command stops the pipeline at once; a drain asked for earlier waits for it.
  pipeline = running;
  const done = running.run();
  if (requested === "drain") running.stop({ mode: "drain" }).catch(() => {});
  let result: RunResult;
  try {
    result = await done;
  } catch (error) {
    clearInterval(timer);
    await _settled(served);
    _fail("run", error);
  }
  clearInterval(timer);
  await _settled(served);
  _finish(result, t0);
}

/** Runs a sandboxed plugin's actors in Workers with only what they ask for and were granted. */
function _isolate(catalogue: Catalogue, plugin: ChildPlugin, cwd: string | undefined): void {
  const sandbox = plugin.sandbox;
  if (sandbox === undefined) return;
  const name = (plugin.manifest as { name: string }).name;
  catalogue.isolate(
    plugin.url,
    (actor) =>
      sandboxOf(catalogue.actorPermissions(actor), {
        plugin: name,
        cwd: cwd ?? "/",
        granted: sandbox.granted,
      }),
  );
}

/**
 * Waits for the control server to close after the run (it answers the request that stopped
 * the pipeline first), for at most a second.
 */
async function _settled(closed: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([closed, new Promise((resolve) => timer = setTimeout(resolve, 1_000))]);
  clearTimeout(timer);
}

/** Reads `drain` / `abort` lines from stdin; calls `ended` when stdin closes. */
async function _readCommands(
  obey: (command: "drain" | "abort") => void,
  ended: () => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of Deno.stdin.readable) {
      pending += decoder.decode(chunk, { stream: true });
      for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n")) {
        const command = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (command === "drain" || command === "abort") obey(command);
      }
    }
  } catch {
    // A broken stdin means the same as its end.
  }
  ended();
}

function _finish(result: Pick<RunResult, "status" | "stats">, t0: number): never {
  _emit({ type: "result", status: result.status, t: performance.now() - t0, stats: result.stats });
  Deno.exit(0);
}

function _fail(
  phase: "load" | "build" | "run",
  error: unknown,
  extra: { module?: string } = {},
): never {
  const actor = isStreamlibError(error) && typeof error.details.actor === "string"
    ? error.details.actor
    : undefined;
  const denied = deniedPermission(error);
  _emit({
    type: "error",
    phase,
    code: isStreamlibError(error) ? error.code : error instanceof Error ? error.name : "Error",
    causes: _causeCodes(error),
    message: error instanceof Error ? error.message : String(error),
    ...(actor === undefined ? {} : { actor }),
    ...extra,
    ...(denied === undefined ? {} : { denied }),
  });
  Deno.exit(1);
}

/**
 * Finds a permission Deno refused in an error or its causes (`NotCapable`, `PermissionDenied`,
 * or a `TypeError` from a refused dynamic import, all saying "Requires … access").
 *
 * @param error The error.
 * @returns What was refused, or `undefined`.
 */
export function deniedPermission(error: unknown): DeniedPermission | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; depth++) {
    const match = /Requires (\w+) access(?: to (.+?))?(?:, run again with|$)/.exec(e.message);
    const refused = e instanceof Deno.errors.NotCapable ||
      e instanceof Deno.errors.PermissionDenied || e.name === "NotCapable";
    if (match && (refused || e instanceof TypeError)) {
      return {
        permission: match[1]!,
        ...(match[2] === undefined ? {} : { target: match[2] }),
        message: e.message,
      };
    }
    e = e.cause;
  }
  return undefined;
}

const _encoder = new TextEncoder();
/** The key of this process's protocol lines: plugin Workers print to the same stdout. */
let _key: string | undefined;

function _emit(message: ChildMessage): void {
  const bytes = _encoder.encode(encodeMessage(message, _key));
  try {
    for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
  } catch {
    Deno.exit(1); // the parent has gone
  }
}

/** The page an actor serves (its `url`, as `display` and `hlssink` have), if any. */
function _servedUrl(actor: object): string | undefined {
  try {
    const url = (actor as { url?: unknown }).url;
    return typeof url === "string" ? url : undefined;
  } catch {
    return undefined; // not serving
  }
}
