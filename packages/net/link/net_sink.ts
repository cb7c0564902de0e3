import {
  Actor,
  type Contract,
  type DeliveryPolicy,
  isRemoteAddress,
  type Message,
  parseRemoteEndpoint,
  type RemoteLinkActor,
  type RemoteLinkInfo,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { type _Dial, _LinkSender } from "./_link_sender.ts";
import { _directDial, _hostPort, _natsAddress, _natsDial } from "./_dial.ts";
import { _acquireHub, _releaseHub } from "./_hubs.ts";
import { type _LinkService, _linkService, _linkTokenOf } from "./_link_service.ts";
import { _checkCodec, type _Codec, _codecKind, type _Encoder, _rawEncoder } from "./_codecs.ts";
import { _makeEncoder } from "./_codec_factory.ts";
import { _LINK_PERMISSIONS } from "./_permissions.ts";

/**
 * The contract of {@linkcode NetSink}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netSinkContract } from "@streamlib/net";
 * assert.ok(netSinkContract.type === "netsink");
 * ```
 */
export const netSinkContract = {
  type: "netsink",
  description: "Sends its input to another node — a netsrc (tcp://, nats://) or an actor " +
    "there (actor://node/name.port) — over a direct TCP connection or NATS, raw or " +
    "compressed, reconnecting with backoff; latest drops stale frames here, queue follows " +
    "the receiver's credit",
  classification: "Sink/Network",
  inputs: {
    in: { kind: "any", description: "What to send: video, audio, events or data" },
  },
  params: {
    to: {
      type: "string",
      default: "",
      pattern: "^((tcp|nats|actor)://.+)?$",
      description: "tcp://host:port (a netsrc or a node's link port), " +
        "nats://host:port/subject (a netsrc on NATS), or actor://node/[type/]name.port",
    },
    codec: {
      type: "string",
      enum: ["raw", "jpeg", "h264", "opus"],
      default: "raw",
      description: "raw; video as jpeg or h264 (ffmpeg libx264, ultrafast, zerolatency); " +
        "audio as opus (ffmpeg libopus, low delay). Other kinds go raw",
    },
    quality: {
      type: "integer",
      default: 75,
      minimum: 1,
      maximum: 100,
      description: "JPEG quality, or H.264's constant rate factor (75 → 23, 100 → 10)",
    },
    policy: {
      type: "string",
      default: "",
      pattern: "^(latest|queue(:[0-9]+)?)?$",
      description: "latest: the newest frame goes, stale ones are dropped here (counted); " +
        "queue:N: up to N wait at the receiver and a slow receiver slows this side; " +
        "empty: latest for video, queue:8 for the rest",
    },
    token: {
      type: "string",
      default: "",
      description: "The receiver's link access token, proved in each hello (never sent); " +
        "empty: the node's (STREAMLIB_TOKEN under streamlib run), else none. A wrong or missing " +
        "one fails this actor with SL_UNAUTHORIZED",
    },
  },
  permissions: _LINK_PERMISSIONS,
} as const satisfies Contract;

/** Bytes queued on a session beyond which sending waits for the transport. */
const _HIGH_WATER = 32 * 1024 * 1024;
/** How long a lossless link's first messages wait for the first connection. */
const _CONNECT_GRACE_MS = 3_000;
/** How long end-of-stream waits for the receiver's acknowledgement (the link may be down). */
const _EOS_ACK_MS = 5_000;

/**
 * `netsink`: sends its input to another node. `to` says where: `tcp://host:port` (a `netsrc`
 * listening, or a node's link port), `nats://host:port/subject` (a `netsrc` on that subject),
 * or `actor://node/[type/]name.port`, an actor's input on a node, reached through this
 * process's link service ({@linkcode startNetNode}) over NATS or directly. A remote address in
 * `Pipeline.connect()` or pipeline text makes one of these.
 *
 * The link survives its peer: while the other node is away it redials with backoff (100 ms,
 * doubling to 2 s) and drops what arrives meanwhile (counted); the pipeline never waits on it.
 * Delivery holds across the network: under `latest` a frame waits here in a one-frame slot
 * (stale ones are dropped, counted) until the receiver has room for it; under `queue:N` this
 * actor's input blocks when the receiver's N slots are full, so a slow receiver slows the
 * sender and nothing grows. Video may go as JPEG or H.264 and audio as Opus (`codec`); the
 * receiver decodes, so the actor there sees ordinary frames. End-of-stream crosses the link.
 * A receiver with a link access token takes only hellos that carry it: `token`, or the
 * node's ({@linkcode NetNodeOptions.token}). Refused, this actor fails with `SL_UNAUTHORIZED`
 * and dials no more: another try would be refused again.
 *
 * @example Send data to a netsrc listening on a port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, type DataMessage, DataSource, Pipeline } from "@streamlib/core";
 * import { NetSink, NetSrc } from "@streamlib/net";
 *
 * const receiver = new Pipeline();
 * const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
 * const got = receiver.add(new Collect<DataMessage>());
 * receiver.link(src, got);
 * await receiver.start();
 * const sender = new Pipeline();
 * sender.pipe(new DataSource({ count: 3, fps: 100 }), new NetSink({ to: src.url }));
 * await sender.run();
 * await receiver.done; // end-of-stream crossed the link
 * assert.deepEqual(got.messages.map((m) => m.value), [0, 1, 2]);
 * ```
 */
export class NetSink extends Actor<typeof netSinkContract> implements RemoteLinkActor {
  /** Ports, parameters and permissions. */
  static override contract: typeof netSinkContract = netSinkContract;

  #sender: _LinkSender | undefined;
  #encoder: _Encoder = _rawEncoder;
  #encoderSession = 0;
  #codec: _Codec = "raw";
  #dropped = 0;
  #hub: string | undefined;
  /** @internal The link service that made this stand-in, which finds `actor://` nodes. */
  _service: _LinkService | undefined;

  /**
   * The input's policy from `policy`: `latest`, or `queue:N:block`.
   *
   * @param _input The input.
   * @returns The policy, or `undefined` for the kind's default.
   */
  override inputPolicy(_input: string): DeliveryPolicy | undefined {
    const policy = this.params.policy;
    if (policy === "") return undefined;
    if (policy === "latest") return "latest";
    const n = Number(policy.split(":")[1] ?? 8);
    return `queue:${Math.max(1, n)}:block` as DeliveryPolicy;
  }

  /** Checks `to` and starts dialling; never waits for the other node. */
  override async start(): Promise<void> {
    const to = this.params.to;
    this.#codec = _checkCodec(this.params.codec);
    const dial = await this.#dial(to);
    const policy = this.inputs.in.policy;
    const latest = policy.startsWith("latest");
    const window = latest ? 2 : Math.max(1, Number(policy.split(":")[1]) || 8);
    const target = isRemoteAddress(to) ? _target(to) : "";
    const token = this.params.token || _linkTokenOf(this._service ?? _linkService());
    this.#sender = new _LinkSender({
      dial,
      hello: {
        wire: 1,
        node: (this._service ?? _linkService())?.name ?? `pid-${Deno.pid}`,
        link: crypto.randomUUID(),
        target,
        kind: this.inputs.in.spec.kind,
        codec: this.#codec,
        policy: latest ? "latest" : "queue",
        window,
        from: this.name,
        ...(token ? { key: token } : {}),
      },
      clock: () => this.clock.now(),
      log: (text) => this.log(text),
      ...(latest ? {} : { connectGraceMs: _CONNECT_GRACE_MS }),
    });
    this.#sender.start();
  }

  /**
   * Sends the next message when the receiver has room; drops it (counted) while the link is
   * down.
   *
   * @param _tick Unused: input-driven.
   */
  async process(_tick: TimedTick): Promise<void> {
    const message = this.inputs.in.read();
    const sender = this.#sender;
    if (message === undefined || sender === undefined) return;
    const ok = await sender.waitCredit();
    if (sender.failure !== undefined) throw sender.failure;
    if (!ok) {
      this.#dropped++;
      sender.skip();
      return;
    }
    const encoder = await this.#encoderFor(message);
    const outgoing = await encoder.encode(message);
    for (const make of outgoing) {
      if (!sender.canSend && !(await sender.waitCredit())) {
        this.#dropped++;
        sender.skip();
        continue;
      }
      sender.send(make);
    }
    if (sender.canSend || sender.state === "up") await sender.drained(_HIGH_WATER);
  }

  /**
   * Sends what the encoder holds back, then end-of-stream, waiting (a few seconds at most) for
   * the receiver to acknowledge it.
   */
  override async flush(): Promise<void> {
    const sender = this.#sender;
    if (sender === undefined) return;
    for (const make of await this.#encoder.finish()) {
      if (await sender.waitCredit()) sender.send(make);
    }
    // Until the receiver says it has the end: closing sooner could lose it on the way.
    const acknowledged = await sender.endStream(_EOS_ACK_MS);
    if (sender.failure !== undefined) throw sender.failure;
    if (!acknowledged) {
      this.log(`end-of-stream could not cross the link: it is ${sender.state}`);
    }
  }

  /** Closes the link and the encoder. */
  override async stop(): Promise<void> {
    const sender = this.#sender;
    // Give the last frames a moment to leave before the connection closes.
    if (sender?.state === "up") {
      await Promise.race([sender.drained(), new Promise((r) => setTimeout(r, 500))]);
    }
    await sender?.close();
    await this.#encoder.close();
    this.#encoder = _rawEncoder;
    if (this.#hub !== undefined) {
      await _releaseHub(this.#hub);
      this.#hub = undefined;
    }
  }

  /**
   * The link's state and counters.
   *
   * @returns Where it goes, over what, and how it fares.
   */
  remoteLink(): RemoteLinkInfo {
    const s = this.#sender;
    return {
      actor: this.name,
      direction: "out",
      remote: this.params.to,
      transport: s?.transport ?? "",
      codec: this.#codec,
      state: s?.state ?? "connecting",
      sent: s?.sent ?? 0,
      received: 0,
      dropped: this.#dropped + this.inputs.in.dropped,
      gaps: 0,
      missing: 0,
      reconnects: s?.reconnects ?? 0,
      bytes: s?.bytes ?? 0,
      ...(s?.lastError === undefined || s.state === "up"
        ? {}
        : { error: `${s.lastError.code}: ${s.lastError.message}` }),
    };
  }

  /** The encoder for the current session: a new session starts a new one (a key frame). */
  async #encoderFor(message: Message): Promise<_Encoder> {
    const kind = _codecKind(this.#codec);
    if (kind === undefined || message.kind !== kind) return _rawEncoder;
    const session = this.#sender?.reconnects ?? 0;
    if (this.#encoder === _rawEncoder || session !== this.#encoderSession) {
      await this.#encoder.close();
      this.#encoder = await _makeEncoder(this.#codec, this.params.quality);
      this.#encoderSession = session;
    }
    return this.#encoder;
  }

  async #dial(to: string): Promise<_Dial> {
    if (to.startsWith("tcp://")) {
      const { host, port } = _hostPort(to.slice(6).replace(/\/$/, ""));
      return _directDial(host, port);
    }
    if (to.startsWith("nats://")) {
      const { server, subject } = _natsAddress(to);
      const hub = await _acquireHub(server, `streamlib ${this.name}`);
      this.#hub = server;
      return _natsDial(hub, `${subject}.hello`);
    }
    if (isRemoteAddress(to)) {
      const service = this._service ?? _linkService();
      const end = parseRemoteEndpoint(to);
      if (service === undefined) {
        // Without a link service only host:port addresses can be reached.
        const { host, port } = _hostPort(end.host);
        return _directDial(host, port);
      }
      return service.dialActor(end.host, _target(to));
    }
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `netsink "${this.name}" needs to=tcp://host:port, nats://host:port/subject or ` +
        `actor://node/name.port, got ${JSON.stringify(to)}`,
      { details: { to } },
    );
  }
}

/** The target part of an actor address: `type/name.port` or `name.port`. */
function _target(address: string): string {
  const end = parseRemoteEndpoint(address);
  const where = `${end.actor}${end.port === undefined ? "" : `.${end.port}`}`;
  return end.type === undefined ? where : `${end.type}/${where}`;
}
