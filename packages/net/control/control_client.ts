import {
  type Connection,
  type ControlEvent,
  type ControlGraph,
  type DeliveryPolicy,
  type EventQuery,
  type PatchOptions,
  type PatchResult,
  type PipelineStats,
  type RunResult,
  type SetResult,
  type SpecValue,
  type StopOptions,
  StreamlibError,
} from "@streamlib/core";
import { findNode } from "./node_entry.ts";
import type { NodeInfo, TapReply, TapRequest } from "./control_wire.ts";
import { _decodeTap, type _WireReply } from "./_tap_encode.ts";
import { _sseEvents } from "./_sse.ts";

/**
 * Options of {@linkcode ControlClient.connect}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControlClientOptions } from "@streamlib/net";
 * const options: ControlClientOptions = { token: "3f2a…", timeoutMs: 10_000 };
 * assert.ok(options.timeoutMs === 10_000);
 * ```
 */
export interface ControlClientOptions {
  /** The control folder where node names are looked up (default `controlDir()`). */
  readonly dir?: string;
  /** The access token of a node served on TCP off loopback. */
  readonly token?: string;
  /** How long a request may take, in ms (default 30 000; a tap adds its own time limit). */
  readonly timeoutMs?: number;
}

/**
 * A client of a node's control API, with one method per operation of `PipelineControl`: the
 * same names, arguments and results, over the node's Unix socket (found by name in the
 * registry) or TCP. Errors from the node come back as {@linkcode StreamlibError}s with the
 * node's `SL_` code, message and details; a node that does not answer is
 * `SL_CONTROL_UNREACHABLE`. The CLI's `nodes`, `graph`, `tap`, `logs`, `set`, `patch` and
 * `stop` commands are made of it.
 *
 * Permissions: `--allow-net=unix:<socket>` and `--allow-read`/`--allow-write` of the socket,
 * `--allow-net=127.0.0.1` (the host the requests name), `--allow-read` of the control folder
 * to find names, `--allow-run` to tell stale entries (see {@linkcode listNodes}).
 *
 * @example Change a node and watch what happens
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { ControlClient, serveControl } from "@streamlib/net";
 *
 * const dir = await Deno.makeTempDir();
 * const pipeline = await Catalogue.withCore().build("datasrc name=src fps=50 ! log name=out");
 * await pipeline.start();
 * await using _server = await serveControl(pipeline, { dir, name: "demo", exitOnSignal: false });
 *
 * await using client = await ControlClient.connect("demo", { dir });
 * await client.set("src", { fps: "25Hz" });
 * const [change] = await client.events({ types: ["control"] });
 * assert.ok(change?.type === "control" && change.text === "set src fps=25Hz");
 * const tap = await client.tap("src.out", { count: 2 });
 * assert.ok(tap.messages.length === 2 && tap.messages[0]!.kind === "data");
 * await client.stop({ mode: "abort" });
 * ```
 */
export class ControlClient implements AsyncDisposable {
  /** The node's name, when it was found by name. */
  readonly name: string | undefined;
  /** The node's socket, when the client talks through one. */
  readonly socket: string | undefined;
  /** The base URL requests go to (`http://127.0.0.1` over a socket). */
  readonly url: string;

  readonly #client: Deno.HttpClient | undefined;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #closing = new AbortController();

  private constructor(
    where: { name?: string; socket?: string; url?: string },
    options: ControlClientOptions,
  ) {
    this.name = where.name;
    this.socket = where.socket;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (where.socket !== undefined) {
      this.url = "http://127.0.0.1";
      this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: where.socket } });
    } else {
      const url = new URL(where.url!);
      this.#token ??= url.searchParams.get("token") ?? undefined;
      this.url = url.origin;
      this.#client = undefined;
    }
  }

  /**
   * Connects to a node: by name (looked up in the registry), by socket path (any text with a
   * `/`), or by URL (`http://host:port`, with `?token=` or `options.token` off loopback). Asks
   * the node who it is, so a node that is gone fails here (`SL_NODE_NOT_FOUND`,
   * `SL_CONTROL_UNREACHABLE`).
   *
   * @param target Name, socket path or URL.
   * @param options Folder, token, time limit.
   * @returns The client.
   */
  static async connect(target: string, options: ControlClientOptions = {}): Promise<ControlClient> {
    let client: ControlClient;
    if (/^https?:\/\//.test(target)) {
      client = new ControlClient({ url: target }, options);
    } else if (target.includes("/")) {
      client = new ControlClient({ socket: target }, options);
    } else {
      const entry = await findNode(target, options.dir === undefined ? {} : { dir: options.dir });
      client = entry.socket !== undefined
        ? new ControlClient({ name: entry.name, socket: entry.socket }, options)
        : new ControlClient({ name: entry.name, url: entry.tcp! }, options);
    }
    try {
      await client.info();
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /**
   * What the node says of itself: name, process, state, actors, where it serves.
   *
   * @returns The node's facts.
   */
  info(): Promise<NodeInfo> {
    return this.#request("GET", "/v1/info");
  }

  /**
   * The live graph, as `PipelineControl.graph()` gives it.
   *
   * @returns The graph.
   */
  graph(): Promise<ControlGraph> {
    return this.#request("GET", "/v1/graph");
  }

  /**
   * The live graph in Graphviz DOT.
   *
   * @returns DOT text.
   */
  dot(): Promise<string> {
    return this.#request("GET", "/v1/graph?format=dot", undefined, "text");
  }

  /**
   * The pipeline's stats.
   *
   * @returns The stats.
   */
  stats(): Promise<PipelineStats> {
    return this.#request("GET", "/v1/stats");
  }

  /**
   * The events the node keeps that a query asks for.
   *
   * @param query Types, actor, since, limit.
   * @returns The events, oldest first.
   */
  events(query: EventQuery = {}): Promise<ControlEvent[]> {
    return this.#request("GET", `/v1/events${_search(query, false)}`);
  }

  /**
   * Follows the node's events (server-sent events): those kept after `since` when given, then
   * each new one, until `signal` aborts, the client closes or the node stops serving.
   *
   * @param query Types, actor, since.
   * @param options `signal` ends it.
   * @returns The events as they come.
   */
  async *follow(
    query: EventQuery = {},
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<ControlEvent> {
    const signals = [this.#closing.signal, ...(options.signal ? [options.signal] : [])];
    const signal = AbortSignal.any(signals);
    let response: Response;
    try {
      response = await fetch(`${this.url}/v1/events${_search(query, true)}`, {
        ...this.#init("GET"),
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      throw this.#unreachable(error);
    }
    if (!response.ok) throw await _failure(response);
    try {
      for await (const event of _sseEvents(response.body!, signal)) {
        yield event as ControlEvent;
      }
    } catch (error) {
      if (!signal.aborted) throw this.#unreachable(error);
    }
  }

  /**
   * Samples what an output carries, encoded: video as PNG (scaled when asked), audio as levels
   * and a WAV, data and events as JSON.
   *
   * @param port The output, `actor.port`.
   * @param request Count, time limit, size.
   * @returns What was sampled.
   */
  async tap(port: string, request: TapRequest = {}): Promise<TapReply> {
    const wire = await this.#request<_WireReply>(
      "POST",
      "/v1/tap",
      { port, ...request },
      "json",
      (request.timeoutMs ?? 2_000) + this.#timeoutMs,
    );
    // A tap under way is answered 200 at once; a failure after that comes as the body.
    const failed = (wire as { error?: { code?: unknown } }).error;
    if (typeof failed?.code === "string") throw _failed(failed as _ErrorBody["error"]);
    return _decodeTap(wire);
  }

  /**
   * Changes an actor's parameters and its ports' parameters, checked as pipeline text is.
   *
   * @param actor The actor's name.
   * @param params Parameter values (`"10s"` for a quantity).
   * @param pads Port parameters by port.
   * @returns The values set, converted.
   */
  set(
    actor: string,
    params: { readonly [key: string]: SpecValue } = {},
    pads: { readonly [pad: string]: { readonly [key: string]: SpecValue } } = {},
  ): Promise<SetResult> {
    return this.#request("POST", "/v1/set", { actor, params, pads });
  }

  /**
   * Applies pipeline text to the running graph after validating all of it; `dryRun` only
   * validates. Errors point at the text with a caret.
   *
   * @param text Pipeline text.
   * @param options `dryRun`.
   * @returns What was (or would be) added.
   */
  patch(text: string, options: PatchOptions = {}): Promise<PatchResult> {
    return this.#request("POST", "/v1/patch", { text, dryRun: options.dryRun ?? false });
  }

  /**
   * Links two actors or ports.
   *
   * @param from The upstream actor or output.
   * @param to The downstream actor or input.
   * @param options A delivery policy for the input.
   * @returns The link made.
   */
  connect(
    from: string,
    to: string,
    options: { readonly policy?: DeliveryPolicy } = {},
  ): Promise<Connection> {
    return this.#request("POST", "/v1/connect", { from, to, ...options });
  }

  /**
   * Removes a link.
   *
   * @param from The upstream actor or output.
   * @param to The downstream actor or input.
   * @returns The link removed.
   */
  disconnect(from: string, to: string): Promise<Connection> {
    return this.#request("POST", "/v1/disconnect", { from, to });
  }

  /**
   * Removes an actor and its links.
   *
   * @param actor The actor's name.
   * @returns Once it has stopped.
   */
  async remove(actor: string): Promise<void> {
    await this.#request("POST", "/v1/remove", { actor });
  }

  /**
   * Stops the pipeline (`drain` by default, or `abort`) and waits for its end; the node then
   * stops serving.
   *
   * @param options Mode and drain timeout.
   * @returns How the run ended.
   */
  stop(options: StopOptions = {}): Promise<RunResult> {
    return this.#request(
      "POST",
      "/v1/stop",
      { ...options },
      "json",
      (options.timeoutMs ?? 0) + this.#timeoutMs,
    );
  }

  /** Ends follows under way and lets the connection go. */
  close(): void {
    this.#closing.abort();
    this.#client?.close();
  }

  /** Closes the client, as {@linkcode ControlClient.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  #init(method: string, body?: unknown): RequestInit & { client?: Deno.HttpClient } {
    return {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.#client === undefined ? {} : { client: this.#client }),
    };
  }

  async #request<T>(
    method: string,
    path: string,
    body?: unknown,
    as: "json" | "text" = "json",
    timeoutMs: number = this.#timeoutMs,
  ): Promise<T> {
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { ...this.#init(method, body), signal });
    } catch (error) {
      throw this.#unreachable(error, timeoutMs);
    }
    if (!response.ok) throw await _failure(response);
    try {
      return (as === "json" ? await response.json() : await response.text()) as T;
    } catch (error) {
      throw this.#unreachable(error, timeoutMs);
    }
  }

  #unreachable(error: unknown, timeoutMs?: number): StreamlibError {
    const where = this.socket ?? this.url;
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return new StreamlibError(
      "SL_CONTROL_UNREACHABLE",
      timedOut
        ? `The node at ${where} did not answer within ${timeoutMs} ms`
        : `Cannot reach the node at ${where}: ${(error as Error)?.message ?? error}`,
      { cause: error, details: { where } },
    );
  }
}

/** The query string of an event query. */
function _search(query: EventQuery, follow: boolean): string {
  const params = new URLSearchParams();
  if (query.types?.length) params.set("type", query.types.join(","));
  if (query.actor !== undefined) params.set("actor", query.actor);
  if (query.since !== undefined) params.set("since", String(query.since));
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  if (follow) params.set("follow", "1");
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The error body the node answers a failure with. */
interface _ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The node's error body as a `StreamlibError`. */
function _failed(error: _ErrorBody["error"]): StreamlibError {
  return new StreamlibError(error.code, String(error.message), { details: error.details ?? {} });
}

/** The node's error in a failed response, as a `StreamlibError`. */
async function _failure(response: Response): Promise<StreamlibError> {
  const text = await response.text().catch(() => "");
  try {
    const { error } = JSON.parse(text) as _ErrorBody;
    if (typeof error?.code === "string") return _failed(error);
  } catch {
    // Not the node's JSON: the token guard's or a proxy's answer.
  }
  if (response.status === 401) {
    return new StreamlibError(
      "SL_UNAUTHORIZED",
      `The node refused the request without its access token: give the token the node printed ` +
        `(--token, or ?token= in the URL)`,
    );
  }
  return new StreamlibError(
    "SL_CONTROL_UNREACHABLE",
    `The node answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
  );
}
