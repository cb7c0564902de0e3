import {
  type Catalogue,
  type PermissionSet,
  Pipeline,
  PipelineControl,
  STREAMLIB_VERSION,
  StreamlibError,
} from "@streamlib/core";
import { Hono } from "hono";
import { _serve, type _Server, _tokenGuard } from "../_server.ts";
import { controlToken } from "../access_token.ts";
import { controlDir } from "./node_entry.ts";
import type { NodeEntry, NodeInfo } from "./control_wire.ts";
import { _controlApp } from "./_routes.ts";
import {
  _ensureFolder,
  _nameBase,
  _pickName,
  _removeNode,
  _socketPath,
  _writeEntry,
} from "./_registry.ts";

/**
 * Options of {@linkcode serveControl}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ServeControlOptions } from "@streamlib/net";
 * const options: ServeControlOptions = { name: "studio", tcp: { host: "127.0.0.1", port: 0 } };
 * assert.ok(options.name === "studio");
 * ```
 */
export interface ServeControlOptions {
  /**
   * The node's name, unique on the machine (`SL_NAME_TAKEN` when a live node has it). Default:
   * the pipeline's first actor type and the first free number, `videotestsrc-1`.
   */
  readonly name?: string;
  /** The control folder (default {@linkcode controlDir}). */
  readonly dir?: string;
  /** Serve on a Unix socket in the control folder (default `true`). */
  readonly socket?: boolean;
  /**
   * Serve on TCP too: `host` (default 127.0.0.1) and `port` (default 0, a free one). TCP always
   * requires an access token (`token`, else a random one made up; see `token` on the server),
   * loopback included: any user of the machine can reach a loopback port, and only the one who
   * started the node may steer it (the Unix socket needs none: only its user can open it).
   */
  readonly tcp?: { readonly host?: string; readonly port?: number; readonly token?: string };
  /** For a pipeline: the catalogue patches and `set` check against (default: core's actors). */
  readonly catalogue?: Catalogue;
  /** For a pipeline: the permissions a least-privilege process was granted. */
  readonly granted?: PermissionSet;
  /** The pipeline in a line, for `streamlib nodes` (default: its actors' types). */
  readonly summary?: string;
  /** Stop serving when the pipeline's run ends (default `true`). */
  readonly closeWhenDone?: boolean;
  /**
   * On SIGINT or SIGTERM, remove the node's socket and registry entry and exit with 130 or 143,
   * as the process would without a listener (default `true`; `false` leaves signals alone).
   */
  readonly exitOnSignal?: boolean;
}

/**
 * A node serving its control API; `close()` stops serving and removes its registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControlServer } from "@streamlib/net";
 * function where(server: ControlServer): string {
 *   return server.socket ?? server.url ?? "nowhere";
 * }
 * assert.ok(typeof where === "function");
 * ```
 */
export interface ControlServer extends AsyncDisposable {
  /** The node's name. */
  readonly name: string;
  /** The control model it serves. */
  readonly control: PipelineControl;
  /** Its Unix socket, when it serves one. */
  readonly socket: string | undefined;
  /** Its TCP address (`http://host:port`), when it serves on TCP. */
  readonly url: string | undefined;
  /** The token TCP requests need, when one is needed. */
  readonly token: string | undefined;
  /** Its registry entry. */
  readonly entry: NodeEntry;
  /** Settles once it has stopped serving. */
  readonly closed: Promise<void>;
  /** Stops serving (event streams end, taps return), removes the socket and the entry. */
  close(): Promise<void>;
}

/**
 * Makes a running pipeline a node reachable from outside: serves its control API
 * ({@linkcode PipelineControl}: graph, stats, events, tap, set, patch, connect, disconnect,
 * remove, stop) over HTTP with JSON, events also as server-sent events. By default on a Unix
 * socket only its user can open (mode 0600, in the 0700 control folder), with a registry file
 * beside it so that `streamlib nodes` and {@linkcode listNodes} find it by name; optionally on
 * TCP as well (127.0.0.1 by default; any other address requires a token). The socket and the
 * entry go when the pipeline's run ends, on `close()`, on SIGINT/SIGTERM and when the process
 * exits. `ControlClient` talks to it; so does `curl --unix-socket`.
 *
 * Permissions: read and write of the control folder and `--allow-net=unix:<socket>` (or
 * `--allow-net` when the name is not known in advance), `--allow-env` to find the folder, and
 * `--allow-net=<host>` for TCP.
 *
 * @example A node in a script, then a client
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { ControlClient, serveControl } from "@streamlib/net";
 *
 * const dir = await Deno.makeTempDir(); // default: $XDG_RUNTIME_DIR/streamlib
 * const pipeline = await Catalogue.withCore().build("datasrc fps=20 ! nullsink");
 * await pipeline.start();
 * await using server = await serveControl(pipeline, { dir, exitOnSignal: false });
 * assert.ok(server.name === "datasrc-1");
 *
 * await using client = await ControlClient.connect("datasrc-1", { dir });
 * assert.deepEqual((await client.graph()).actors.map((a) => a.name), ["datasrc0", "nullsink0"]);
 * await client.stop({ mode: "abort" });
 * await server.closed;
 * ```
 *
 * @param target The pipeline (a {@linkcode PipelineControl} is made for it) or a control.
 * @param options Name, folder, TCP, catalogue, granted permissions.
 * @returns The server, once it listens.
 */
export async function serveControl(
  target: Pipeline | PipelineControl,
  options: ServeControlOptions = {},
): Promise<ControlServer> {
  const own = target instanceof Pipeline;
  const control = own
    ? new PipelineControl(target, {
      ...(options.catalogue ? { catalogue: options.catalogue } : {}),
      ...(options.granted ? { granted: options.granted } : {}),
    })
    : target;
  const pipeline = control.pipeline;
  const types = pipeline.actors.map((a) => a.contract.type);
  const summary = options.summary ?? (types.join(", ").slice(0, 200) || "(no actors)");
  const dir = options.dir ?? controlDir();
  const streams = new AbortController();
  const startedAt = Date.now();
  const servers: Array<{ close(): Promise<void> }> = [];
  let name = "";
  let socket: string | undefined;
  let tcp: _Server | undefined;
  const info = (): NodeInfo => ({
    name,
    pid: Deno.pid,
    startedAt,
    state: pipeline.state,
    mode: pipeline.mode,
    actors: control.stats().actors.length,
    summary,
    version: STREAMLIB_VERSION,
    ...(socket === undefined ? {} : { socket }),
    ...(tcp === undefined ? {} : { tcp: tcp.origin }),
  });
  // Event streams end with the control when this server owns it, after what came before (the
  // pipeline's last end-of-stream, `done`); a control it was given ends them with the server.
  const follows = own ? new AbortController().signal : streams.signal;
  const app = _controlApp(control, info, streams.signal, follows);
  const fail = async (error: unknown): Promise<never> => {
    streams.abort();
    for (const server of servers) await server.close().catch(() => {});
    if (own) control.close();
    throw error;
  };

  try {
    _ensureFolder(dir);
    name = await _pickName(dir, options.name, _nameBase(types[0]), Deno.pid);
    if (options.socket !== false) {
      for (;;) {
        const path = _socketPath(dir, name);
        try {
          servers.push(_serveSocket(app, path));
          socket = path;
          break;
        } catch (error) {
          // Another node took the name between the check and the bind.
          if (!(error instanceof Deno.errors.AddrInUse) || options.name !== undefined) {
            throw _listenError(error, path, dir);
          }
          name = await _pickName(dir, undefined, _nameBase(types[0]), Deno.pid);
        }
      }
      Deno.chmodSync(socket, 0o600);
    }
    if (options.tcp !== undefined) {
      const host = options.tcp.host ?? "127.0.0.1";
      const token = controlToken(options.tcp.token ?? "");
      const guarded = new Hono();
      guarded.use(_tokenGuard(token, "json"));
      guarded.all("*", (c) => app.fetch(c.req.raw));
      tcp = _serve(guarded, { host, port: options.tcp.port ?? 0, token, name });
      servers.push(tcp);
    }
  } catch (error) {
    return await fail(error);
  }

  const entry: NodeEntry = {
    name,
    pid: Deno.pid,
    startedAt,
    ...(socket === undefined ? {} : { socket }),
    ...(tcp === undefined ? {} : { tcp: tcp.origin, tokenRequired: tcp.token !== undefined }),
    summary,
    actors: types.length,
    version: STREAMLIB_VERSION,
  };
  try {
    _writeEntry(dir, entry);
  } catch (error) {
    return await fail(error);
  }

  const forget = (): void => _removeNode(dir, name, Deno.pid);
  const onUnload = (): void => forget();
  globalThis.addEventListener("unload", onUnload);
  const signals: Array<[Deno.Signal, () => void]> = [];
  if (options.exitOnSignal !== false) {
    for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const listener = (): void => {
        forget();
        Deno.exit(status);
      };
      try {
        Deno.addSignalListener(signal, listener);
        signals.push([signal, listener]);
      } catch {
        // No signals here (Windows has no SIGTERM listener).
      }
    }
  }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => resolveClosed = resolve);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closing ??= (async () => {
      for (const [signal, listener] of signals) Deno.removeSignalListener(signal, listener);
      globalThis.removeEventListener("unload", onUnload);
      if (own) control.close();
      streams.abort();
      for (const server of servers) await server.close().catch(() => {});
      forget();
      resolveClosed();
    })();
  if (options.closeWhenDone !== false) {
    pipeline.done.then(close, close);
  }
  return {
    name,
    control,
    socket,
    url: tcp?.origin,
    token: tcp?.token,
    entry,
    closed,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Serves `app` on the Unix socket `path`; throws as `Deno.serve` does. */
function _serveSocket(app: Hono, path: string): { close(): Promise<void> } {
  const server = Deno.serve({
    path,
    onListen: () => {},
    onError: (error) =>
      new Response(
        JSON.stringify({
          error: { code: "SL_INTERNAL", message: (error as Error)?.message ?? String(error) },
        }),
        { status: 500, headers: { "content-type": "application/json" } },
      ),
  }, app.fetch);
  let closing: Promise<void> | undefined;
  return { close: () => closing ??= server.shutdown().then(() => server.finished) };
}

/** Why a socket could not be served, with the permissions it takes. */
function _listenError(error: unknown, path: string, dir: string): unknown {
  if (error instanceof StreamlibError) return error;
  if (error instanceof Deno.errors.AddrInUse) {
    return new StreamlibError(
      "SL_NAME_TAKEN",
      `The control socket ${path} is in use: another node has this name`,
      { cause: error },
    );
  }
  const denied = error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied;
  return new StreamlibError(
    "SL_NET_LISTEN",
    `Cannot serve the control API on ${path}: ${(error as Error).message}${
      denied ? `. It needs --allow-read=${dir} --allow-write=${dir} --allow-net=unix:${path}` : ""
    }`,
    { cause: error },
  );
}
