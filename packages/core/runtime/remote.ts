/**
 * Links to actors on other nodes. Core parses `actor://host/…` link ends and knows nothing of
 * networks: when one end of `Pipeline.connect()` or `link()` (or a pipeline text's `!`) names an
 * actor on another host, the pipeline asks a {@linkcode RemoteLinkResolver} for a local actor
 * that stands for the remote end, adds it and links the local port to it. `@streamlib/net`
 * installs the resolver (a node's link service); tests and other transports may install their
 * own with {@linkcode setRemoteResolver} or `PipelineOptions.remote`.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";
import type { PortKind } from "../messages.ts";
import { StreamlibError } from "../errors.ts";

/**
 * One end of a link on another node, as written: `actor://edge/compositor/mix.layer_1` (type
 * given) or `actor://edge/mix.layer_1`; the port may be left out (`actor://edge/mix`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRemoteEndpoint } from "@streamlib/core";
 * const end = parseRemoteEndpoint("actor://edge/compositor/mix.layer_1");
 * assert.deepEqual([end.host, end.type, end.actor, end.port], ["edge", "compositor", "mix", "layer_1"]);
 * ```
 */
export interface RemoteEndpoint {
  /** The node: a node name (`edge`) or `host:port`. */
  readonly host: string;
  /** The actor's type, when given. */
  readonly type?: string;
  /** The actor's name on that node. */
  readonly actor: string;
  /** The port, when given. */
  readonly port?: string;
  /** The text it was parsed from. */
  readonly address: string;
}

const _SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9_.~-]*$/;
const _PORT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Whether a link end names an actor on another node: `actor://` with a host other than
 * `local`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRemoteAddress } from "@streamlib/core";
 * assert.ok(isRemoteAddress("actor://edge/mix.layer_1"));
 * assert.ok(!isRemoteAddress("actor://local/mix/mix") && !isRemoteAddress("mix.layer_1"));
 * ```
 *
 * @param text A link end.
 * @returns `true` for a remote `actor://` address.
 */
export function isRemoteAddress(text: unknown): text is string {
  if (typeof text !== "string" || !text.startsWith("actor://")) return false;
  const host = text.slice(8).split("/", 1)[0]!.toLowerCase();
  return host !== "local" && host !== "";
}

/**
 * Parses a remote link end, `actor://host/[type/]name[.port]`; throws `SL_ADDRESS_INVALID`
 * saying what is wrong. The host keeps its port (`10.0.0.2:7400`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRemoteEndpoint } from "@streamlib/core";
 * const end = parseRemoteEndpoint("actor://127.0.0.1:7400/cam.out");
 * assert.ok(end.host === "127.0.0.1:7400" && end.actor === "cam" && end.port === "out");
 * assert.ok(end.type === undefined);
 * ```
 *
 * @param text The address.
 * @returns Its parts.
 */
export function parseRemoteEndpoint(text: string): RemoteEndpoint {
  const fail = (why: string): never => {
    throw new StreamlibError(
      "SL_ADDRESS_INVALID",
      `Invalid remote address ${JSON.stringify(text)}: ${why}; expected ` +
        "actor://node/name.port or actor://node/type/name.port",
      { details: { address: text } },
    );
  };
  if (typeof text !== "string" || !text.startsWith("actor://")) {
    fail('it must start with "actor://"');
  }
  const rest = text.slice(8);
  const parts = rest.split("/");
  const host = parts[0]!;
  if (!/^(?:[A-Za-z0-9_.~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    fail(`the node "${host}" is empty or has characters outside [A-Za-z0-9_.~-]`);
  }
  if (host.toLowerCase() === "local") fail('"local" is this process, not another node');
  if (parts.length < 2 || parts.length > 3) fail("the path must be /name.port or /type/name.port");
  const type = parts.length === 3 ? parts[1]! : undefined;
  if (type !== undefined && !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(type)) {
    fail(`the type "${type}" is not a type name`);
  }
  const last = parts[parts.length - 1]!;
  const dot = last.lastIndexOf(".");
  const actor = dot === -1 ? last : last.slice(0, dot);
  const port = dot === -1 ? undefined : last.slice(dot + 1);
  if (!_SEGMENT.test(actor)) fail(`the actor name "${actor}" is empty or not a name`);
  if (port !== undefined && !_PORT.test(port)) fail(`the port "${port}" is not a port name`);
  return {
    host,
    actor,
    address: text,
    ...(type === undefined ? {} : { type }),
    ...(port === undefined ? {} : { port }),
  };
}

/**
 * What a pipeline asks its {@linkcode RemoteLinkResolver} for: the local actor that stands for
 * a remote link end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRemoteEndpoint, type RemoteLinkRequest } from "@streamlib/core";
 * const request: RemoteLinkRequest = {
 *   direction: "out",
 *   remote: parseRemoteEndpoint("actor://edge/mix.layer_1"),
 *   kind: "video",
 *   local: "cam.out",
 * };
 * assert.ok(request.direction === "out");
 * ```
 */
export interface RemoteLinkRequest {
  /**
   * `out`: a local output feeds the remote input, so the stand-in has an input `in`;
   * `in`: the remote output feeds a local input, so the stand-in has an output `out`.
   */
  readonly direction: "out" | "in";
  /** The remote end. */
  readonly remote: RemoteEndpoint;
  /** The kind of the local port. */
  readonly kind: PortKind | "any";
  /** The local port, `name.port`. */
  readonly local: string;
  /** The delivery policy asked for the link, if any. */
  readonly policy?: DeliveryPolicy;
}

/**
 * Makes the local stand-in of a remote link end. `@streamlib/net` has one: a node's link
 * service, which makes `netsink` and `netsrc` actors that reach the other node over NATS or a
 * direct connection.
 *
 * @example A resolver that stands every remote input in with a local sink
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Pipeline, type RemoteLinkResolver } from "@streamlib/core";
 *
 * const resolver: RemoteLinkResolver = { resolve: () => new Collect() };
 * const pipeline = new Pipeline({ mode: "offline", remote: resolver });
 * pipeline.add(new DataSource({ count: 2 }), { name: "src" });
 * const link = pipeline.connect("src.out", "actor://edge/log/log0.in");
 * assert.ok(link.remote === "actor://edge/log/log0.in" && link.to === "collect0.in");
 * ```
 */
export interface RemoteLinkResolver {
  /**
   * Makes the stand-in: for `out` an actor with an input `in`, for `in` one with an output
   * `out`. The pipeline adds it (under a name of its type) and links it; it reaches the other
   * node by itself and must never block the pipeline while the node is unreachable.
   *
   * @param request The remote end and the local port.
   * @returns An actor not in any pipeline yet.
   */
  resolve(request: RemoteLinkRequest): Actor;
}

/**
 * What a remote link reports: where it goes, over what, and how it fares. The graph of a
 * pipeline lists one for each actor that stands for a remote end ({@linkcode RemoteLinkActor}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RemoteLinkInfo } from "@streamlib/core";
 * const info: RemoteLinkInfo = {
 *   actor: "netsink0", direction: "out", remote: "actor://edge/mix.layer_1",
 *   transport: "nats", codec: "h264", state: "up", sent: 300, received: 0, dropped: 0,
 *   gaps: 0, missing: 0, reconnects: 0,
 * };
 * assert.ok(info.state === "up");
 * ```
 */
export interface RemoteLinkInfo {
  /** The local actor that stands for the remote end. */
  readonly actor: string;
  /** `out`: this node sends; `in`: this node receives. */
  readonly direction: "out" | "in";
  /** The other end: an `actor://` address, or a transport address (`tcp://…`, `nats://…`). */
  readonly remote: string;
  /** `direct` (TCP) or `nats`; `""` before the first connection. */
  readonly transport: string;
  /** How the payload travels: `raw`, `jpeg`, `h264`, `opus`. */
  readonly codec: string;
  /** `connecting`, `up`, `down` (reconnecting), `closed`. */
  readonly state: "connecting" | "up" | "down" | "closed";
  /** Messages sent (out) on the link. */
  readonly sent: number;
  /** Messages received (in) from the link. */
  readonly received: number;
  /** Messages dropped at the sender: stale under `latest`, or while the link was down. */
  readonly dropped: number;
  /** Discontinuities the receiver saw: lost messages or a sender that started again. */
  readonly gaps: number;
  /** Messages the receiver knows were lost on the way (holes in the sequence). */
  readonly missing: number;
  /** Times the link was made again after it broke. */
  readonly reconnects: number;
  /** Timestamp → arrival, in µs on the receiver's clock (clock offset applied). */
  readonly latencyUs?: { readonly p50: number; readonly p99: number; readonly samples: number };
  /** The other node's clock offset (its clock − ours) ± half the best round trip, in µs. */
  readonly clock?: { readonly offsetUs: number; readonly boundUs: number; readonly rttUs: number };
  /** Bytes sent or received. */
  readonly bytes?: number;
  /** Why the link is down, when it is (`SL_` code first). */
  readonly error?: string;
}

/**
 * An actor that stands for a remote link end: the graph asks it for its {@linkcode
 * RemoteLinkInfo}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRemoteLinkActor } from "@streamlib/core";
 * assert.ok(!isRemoteLinkActor({}));
 * ```
 */
export interface RemoteLinkActor {
  /** The link's state and counters now. */
  remoteLink(): RemoteLinkInfo;
}

/**
 * Whether a value stands for a remote link end (has `remoteLink()`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRemoteLinkActor } from "@streamlib/core";
 * assert.ok(isRemoteLinkActor({ remoteLink: () => ({}) }));
 * ```
 *
 * @param value Anything.
 * @returns `true` when it has a `remoteLink` method.
 */
export function isRemoteLinkActor(value: unknown): value is RemoteLinkActor {
  return typeof value === "object" && value !== null &&
    typeof (value as { remoteLink?: unknown }).remoteLink === "function";
}

let _installed: RemoteLinkResolver | undefined;

/**
 * Installs the resolver pipelines use for remote link ends when their options name none (what
 * `@streamlib/net`'s link service does when it starts); `undefined` removes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, remoteResolver, setRemoteResolver } from "@streamlib/core";
 * const previous = setRemoteResolver({ resolve: () => new Collect() });
 * assert.ok(remoteResolver() !== undefined);
 * setRemoteResolver(previous);
 * ```
 *
 * @param resolver The resolver, or `undefined`.
 * @returns The one installed before.
 */
export function setRemoteResolver(
  resolver: RemoteLinkResolver | undefined,
): RemoteLinkResolver | undefined {
  const previous = _installed;
  _installed = resolver;
  return previous;
}

/**
 * The resolver installed with {@linkcode setRemoteResolver}, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { remoteResolver } from "@streamlib/core";
 * assert.ok(remoteResolver() === undefined || typeof remoteResolver()!.resolve === "function");
 * ```
 *
 * @returns The resolver, or `undefined`.
 */
export function remoteResolver(): RemoteLinkResolver | undefined {
  return _installed;
}
