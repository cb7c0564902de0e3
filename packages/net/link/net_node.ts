import {
  type Actor,
  type Clock,
  type Pipeline,
  type RemoteLinkRequest,
  type RemoteLinkResolver,
  setRemoteResolver,
  SoftwareClock,
  StreamlibError,
} from "@streamlib/core";
import { type _Conduit, type _DirectListener, _listenDirect } from "./_conduit.ts";
import { _acceptDirect, _directDial, _hostPort, _natsDial, _serveNatsHellos } from "./_dial.ts";
import { _acquireHub, _natsUrl, _releaseHub } from "./_hubs.ts";
import type { _NatsHub } from "./_nats.ts";
import type { _Dial, _Hello } from "./_link_sender.ts";
import { _setLinkService, _setLinkToken } from "./_link_service.ts";
import { _linkGate, _logRefusals, _withToken } from "./_link_token.ts";
import { NetSink } from "./net_sink.ts";
import { _checkCodec, _codecKind } from "./_codecs.ts";
import { _probeCodecs } from "./_codec_factory.ts";
import { NetSrc } from "./net_src.ts";
import { ClockSync } from "./clock_sync.ts";
import { NetClock } from "./net_clock.ts";
import { _clockExchange, _serveClock } from "./_node_clock.ts";
import { _announcement, _watchAnnouncements, type NodeAnnouncement } from "./_announce.ts";

/**
 * Options of {@linkcode startNetNode}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NetNodeOptions } from "@streamlib/net";
 * const options: NetNodeOptions = {
 *   name: "edge",
 *   nats: "nats://127.0.0.1:4222",
 *   token: "s3cret", // links to and from this node carry it
 * };
 * assert.ok(options.name === "edge");
 * ```
 */
export interface NetNodeOptions {
  /** The node's name, as other nodes address it (`actor://edge/…`): letters, digits, `_`, `-`. */
  readonly name: string;
  /** Where links to this node's actors land; also later with `attach()`. */
  readonly pipeline?: Pipeline;
  /** A NATS server: the node announces itself there and takes links over it. */
  readonly nats?: string;
  /** `host:port` to take direct links on (default `127.0.0.1:0`, a free port); `""` for none. */
  readonly listen?: string;
  /** Other nodes by name, `host:port` of their link port, for nodes without NATS. */
  readonly peers?: Readonly<Record<string, string>>;
  /** The codec of links made by address, by kind (default raw): `{ video: "h264" }`. */
  readonly codecs?: { readonly video?: string; readonly audio?: string };
  /** Install as the process's remote resolver and link service (default `true`). */
  readonly install?: boolean;
  /** How often the node announces itself on NATS, in ms (default 2,000). */
  readonly announceMs?: number;
  /**
   * The link access token (`""` or absent: none). Every hello this node sends proves it, and
   * every hello it receives, directly or over NATS, must prove the same one: any other link is
   * refused with `SL_UNAUTHORIZED`. Nodes that link to each other share one; `streamlib run`
   * takes it from `STREAMLIB_TOKEN`. It never travels: each hello carries a proof made for it
   * alone, taken once. Refusals are logged in the attached pipeline (ten, then one in a hundred).
   */
  readonly token?: string;
}

const _NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A node's link service: it makes remote addresses work. Links to `actor://node/…` made in
 * this process (`Pipeline.connect`, pipeline text) become `netsink`s that reach that node —
 * over NATS when both share a NATS server, otherwise directly, to a `--peer` address, an
 * address the node announced, or a `host:port` written in the address. Links to this node's
 * actors land in its pipeline as `netsrc`s, one per target input, which a sender that comes
 * back (a restarted node) takes over, the gap counted. On NATS it announces itself
 * ({@linkcode listNetNodes} lists the nodes) and answers clock pings, so another node can tick
 * in step with this one ({@linkcode NetNode.clockOf}).
 *
 * @example Two nodes in one process, linked by address over a direct connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, type DataMessage, DataSource, Pipeline } from "@streamlib/core";
 * import { startNetNode } from "@streamlib/net";
 *
 * const edge = new Pipeline();
 * const sink = edge.add(new Collect<DataMessage>(), { name: "sink" });
 * const edgeNode = await startNetNode({ name: "edge", pipeline: edge, install: false });
 * await edge.start();
 * const studio = new Pipeline({ remote: await startNetNode({ name: "studio", install: false, peers: { edge: edgeNode.address! } }) });
 * studio.add(new DataSource({ count: 3, fps: 100 }), { name: "src" });
 * studio.connect("src.out", "actor://edge/collect/sink.in");
 * await studio.run();
 * await edge.done;
 * assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2]);
 * ```
 *
 * @example A node with an access token takes links only from nodes with the same one
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, isStreamlibError, Pipeline } from "@streamlib/core";
 * import { startNetNode } from "@streamlib/net";
 *
 * const edge = new Pipeline();
 * const sink = edge.add(new Collect(), { name: "sink" });
 * const edgeNode = await startNetNode({ name: "edge", pipeline: edge, install: false, token: "s3cret" });
 * await edge.start();
 * const intruderNode = await startNetNode({ name: "intruder", install: false, peers: { edge: edgeNode.address! } });
 * const intruder = new Pipeline({ remote: intruderNode });
 * intruder.add(new DataSource({ count: 3, fps: 100 }), { name: "src" });
 * intruder.connect("src.out", "actor://edge/collect/sink.in");
 * await assert.rejects(intruder.run(), (e: Error) => isStreamlibError(e.cause, "SL_UNAUTHORIZED"));
 * assert.equal(sink.messages.length, 0);
 * await edge.stop();
 * await Promise.all([edgeNode.close(), intruderNode.close()]);
 * ```
 */
export class NetNode implements RemoteLinkResolver {
  /** The node's name. */
  readonly name: string;
  readonly #options: NetNodeOptions;
  readonly #token: string | undefined;
  #pipeline: Pipeline | undefined;
  #hub: _NatsHub | undefined;
  #listener: _DirectListener | undefined;
  #stops: Array<() => void> = [];
  #announced = new Map<string, NodeAnnouncement>();
  #targets = new Map<string, NetSrc>();
  #ownClock = new SoftwareClock();
  #started = Date.now();
  #closed = false;

  private constructor(options: NetNodeOptions) {
    // A codec for the wrong kind (video=opus) would go raw without a word: refused here.
    for (const kind of ["video", "audio"] as const) {
      const codec = options.codecs?.[kind];
      if (codec === undefined || codec === "raw") continue;
      if (_codecKind(_checkCodec(codec)) !== kind) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `${codec} is not a codec for ${kind} links; ${kind} takes ${
            kind === "video" ? "raw, jpeg or h264" : "raw or opus"
          }`,
          { details: { kind, codec } },
        );
      }
    }
    this.name = options.name;
    this.#options = options;
    this.#token = options.token || undefined;
    _setLinkToken(this, this.#token);
    this.#pipeline = options.pipeline;
  }

  /**
   * Starts a node's link service (see {@linkcode startNetNode}).
   *
   * @param options Name, pipeline, NATS, listening address, peers.
   * @returns The running node.
   */
  static async start(options: NetNodeOptions): Promise<NetNode> {
    if (!_NAME.test(options.name)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Node name ${JSON.stringify(options.name)} may use only letters, digits, "_" and "-"`,
        { details: { name: options.name } },
      );
    }
    for (const address of Object.values(options.peers ?? {})) _hostPort(address);
    const node = new NetNode(options);
    try {
      await node.#open();
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  /**
   * `host:port` of the node's direct link port, when it listens.
   *
   * @returns The address, or `undefined`.
   */
  get address(): string | undefined {
    const l = this.#listener;
    if (l === undefined) return undefined;
    return `${l.host.includes(":") ? `[${l.host}]` : l.host}:${l.port}`;
  }

  /**
   * The NATS server's URL, when the node uses one.
   *
   * @returns The URL, or `undefined`.
   */
  get nats(): string | undefined {
    return this.#hub?.url;
  }

  /**
   * Where links to this node's actors land from now on.
   *
   * @param pipeline The pipeline.
   */
  attach(pipeline: Pipeline): void {
    this.#pipeline = pipeline;
  }

  /**
   * Makes the stand-in for a link to another node's actor: a `netsink` (the remote resolver's
   * job; `Pipeline.connect()` calls it).
   *
   * @param request The remote end and the local port.
   * @returns The stand-in, not in a pipeline yet.
   */
  resolve(request: RemoteLinkRequest): Actor {
    if (request.direction === "in") {
      throw new StreamlibError(
        "SL_LINK_REFUSED",
        `Cannot receive from ${request.remote.address} here: a remote link is made on the node ` +
          `that sends (there: "… ! actor://${this.name}/${request.local}")`,
        { details: { address: request.remote.address } },
      );
    }
    this.#checkReachable(request.remote.host);
    const kind = request.kind;
    const codec = kind === "video"
      ? this.#options.codecs?.video
      : kind === "audio"
      ? this.#options.codecs?.audio
      : undefined;
    const sink = new NetSink({
      to: request.remote.address,
      ...(codec ? { codec: _checkCodec(codec) } : {}),
    });
    sink._service = this;
    return sink;
  }

  /**
   * Throws `SL_NODE_NOT_FOUND` (with `details.permanent`) when nothing could ever reach `node`:
   * no NATS server to find it on, no peer address for it, and no `host:port` in its name.
   */
  #checkReachable(node: string): void {
    if (this.#options.nats !== undefined || this.#options.peers?.[node] !== undefined) return;
    if (/:\d+$/.test(node)) return;
    throw new StreamlibError(
      "SL_NODE_NOT_FOUND",
      `No way to node "${node}" from node "${this.name}": it has no NATS server to find it on ` +
        `(--nats) and no address for it (--peer ${node}=HOST:PORT, or actor://HOST:PORT/…)`,
      { details: { node, permanent: true } },
    );
  }

  /**
   * @internal A dial to `target` on `node`: NATS first when both share a server, else
   * directly; what a `netsink` to `actor://node/target` uses.
   */
  dialActor(node: string, target: string): _Dial {
    return async (said: _Hello) => {
      const hello = _withToken(said, this.#token);
      const hub = this.#hub;
      let natsError: StreamlibError | undefined;
      if (hub !== undefined && hub.connected && _NAME.test(node)) {
        try {
          return await _natsDial(hub, `streamlib.node.${node}.link`, 1_500)({ ...hello, target });
        } catch (error) {
          if (error instanceof StreamlibError && error.details.refused !== undefined) throw error;
          natsError = error as StreamlibError;
        }
      }
      this.#checkReachable(node);
      const address = this.#options.peers?.[node] ?? this.#announced.get(node)?.direct ??
        (/:\d+$/.test(node) ? node : undefined);
      if (address === undefined) {
        throw new StreamlibError(
          "SL_LINK_UNREACHABLE",
          `No way to node "${node}": ${
            hub === undefined ? "no NATS server (--nats)" : `not on NATS (${natsError?.message})`
          } and no peer address (--peer ${node}=HOST:PORT)`,
          { details: { node } },
        );
      }
      const { host, port } = _hostPort(address);
      return await _directDial(host, port)({ ...hello, target });
    };
  }

  /**
   * A clock that follows `peer`'s (its pipeline's running time), measured with pings every
   * second over NATS or directly; `sync` has the estimate with its bound.
   *
   * @param peer The node to follow.
   * @param local The local clock (default: a new `SoftwareClock`).
   * @returns The clock and its estimator.
   */
  clockOf(peer: string, local: Clock = new SoftwareClock()): { clock: NetClock; sync: ClockSync } {
    const sync = new ClockSync();
    const stop = _clockExchange({
      peer,
      local,
      sync,
      hub: () => this.#hub,
      dial: () => this.dialActor(peer, "~clock"),
      closed: () => this.#closed,
    });
    this.#stops.push(stop);
    return { clock: new NetClock({ local, estimate: () => sync.estimate(local.now()) }), sync };
  }

  /**
   * The nodes announced on this node's NATS server lately (this one included).
   *
   * @returns Their announcements.
   */
  nodes(): NodeAnnouncement[] {
    return [...this.#announced.values()];
  }

  /** Stops taking links and announcing; links already made go on until their actors stop. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#listener?.close();
    if (this.#options.install !== false) {
      setRemoteResolver(undefined);
      _setLinkService(undefined);
    }
    if (this.#hub !== undefined) await _releaseHub(this.#hub.url);
  }

  async #open(): Promise<void> {
    await _probeCodecs();
    const accept = (conduit: _Conduit, hello: _Hello): Record<string, unknown> =>
      this.#accept(conduit, hello);
    const gate = _linkGate({
      token: this.#token,
      who: `Node ${JSON.stringify(this.name)}`,
      // In the attached pipeline's log, as a lone netsrc logs its own.
      refused: _logRefusals((text) =>
        this.#pipeline?.bus.emit({ type: "log", actor: `actor://${this.name}/node`, text })
      ),
    });
    const listen = this.#options.listen ?? "127.0.0.1:0";
    if (listen !== "") {
      const { host, port } = _hostPort(listen);
      this.#listener = _listenDirect(host, port, (c) => _acceptDirect(c, accept, gate));
    }
    if (this.#options.nats !== undefined) {
      const hub = await _acquireHub(_natsUrl(this.#options.nats), `streamlib node ${this.name}`);
      this.#hub = hub;
      this.#stops.push(_serveNatsHellos(hub, `streamlib.node.${this.name}.link`, accept, gate));
      this.#stops.push(_serveClock(hub, `streamlib.node.${this.name}.time`, () => this.#now()));
      this.#stops.push(
        _watchAnnouncements(
          hub,
          this.#announced,
          () => this.#announcement(),
          this.#options.announceMs,
        ),
      );
    }
    if (this.#options.install !== false) {
      setRemoteResolver(this);
      _setLinkService(this);
    }
  }

  #now(): number {
    return this.#pipeline?.clock.now() ?? this.#ownClock.now();
  }

  #announcement(): NodeAnnouncement {
    return _announcement({
      name: this.name,
      started: this.#started,
      ...(this.address === undefined ? {} : { direct: this.address }),
      ...(this.#hub === undefined ? {} : { nats: this.#hub.url }),
      actors: this.#pipeline?.actors.map((a) => `${a.name} (${a.contract.type})`) ?? [],
    });
  }

  /** A hello to this node: a clock session, or a link into one of the pipeline's inputs. */
  #accept(conduit: _Conduit, hello: _Hello): Record<string, unknown> {
    if (hello.target === "~clock") return _clockSession(conduit, () => this.#now());
    const pipeline = this.#pipeline;
    if (pipeline === undefined || this.#closed) {
      throw new StreamlibError(
        "SL_LINK_REFUSED",
        `Node "${this.name}" has no pipeline to link into`,
      );
    }
    const target = String(hello.target ?? "");
    const match = /^(?:([A-Za-z_][A-Za-z0-9_-]*)\/)?([^/]+?)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?$/
      .exec(target);
    const actor = match ? pipeline.actor(match[2]!) : undefined;
    // A target that is not there fails the sender at once (any code but SL_LINK_REFUSED does):
    // redialling would not make it appear.
    if (match === null || actor === undefined) {
      throw new StreamlibError(
        "SL_ACTOR_NOT_FOUND",
        `Node "${this.name}" has no actor for ${JSON.stringify(target)}; its actors: ${
          pipeline.actors.map((a) => a.name).join(", ") || "none"
        }`,
        { details: { target } },
      );
    }
    if (match[1] !== undefined && actor.contract.type !== match[1]) {
      throw new StreamlibError(
        "SL_ACTOR_NOT_FOUND",
        `"${actor.name}" on node "${this.name}" is a ${actor.contract.type}, not a ${match[1]}`,
        { details: { target } },
      );
    }
    const key = `${actor.name}.${match[3] ?? ""}`;
    let src = this.#targets.get(key);
    if (src !== undefined && pipeline.actor(src.name) !== src) src = undefined;
    if (src === undefined) {
      src = new NetSrc();
      pipeline.add(src);
      try {
        pipeline.link(src, match[3] === undefined ? actor : `${actor.name}.${match[3]}`);
      } catch (error) {
        pipeline.remove(src).catch(() => {});
        throw new StreamlibError(
          error instanceof StreamlibError ? error.code : "SL_LINK_REFUSED",
          `Cannot link into ${JSON.stringify(target)} on node "${this.name}": ${
            (error as Error).message
          }`,
          { cause: error, details: { target } },
        );
      }
      this.#targets.set(key, src);
    } else if (src._linkConnected && src._linkSender !== `${hello.node}/${hello.from}`) {
      throw new StreamlibError(
        "SL_LINK_REFUSED",
        `"${target}" on node "${this.name}" already takes a link from ${src._linkSender}`,
        { details: { target } },
      );
    }
    return src._attach(conduit, hello);
  }
}

/** Answers pings on a session that only measures clocks. */
function _clockSession(conduit: _Conduit, now: () => number): Record<string, unknown> {
  conduit.onMessage = (message) => {
    if (message.type === "ping") {
      const t2 = now();
      conduit.send({ type: "pong", t1: message.t1, t2, t3: now() });
    }
  };
  conduit.onClose = () => {};
  return { limit: 0, clock: true };
}

/**
 * Starts a node's link service and installs it (see {@linkcode NetNode}): remote addresses
 * then work in this process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startNetNode } from "@streamlib/net";
 * const node = await startNetNode({ name: "solo", install: false });
 * assert.match(node.address!, /^127\.0\.0\.1:\d+$/);
 * await node.close();
 * ```
 *
 * @param options Name, pipeline, NATS, listening address, peers.
 * @returns The running node.
 */
export function startNetNode(options: NetNodeOptions): Promise<NetNode> {
  return NetNode.start(options);
}
