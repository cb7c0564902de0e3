import { accessToken, isLoopback } from "../access_token.ts";
import {
  Actor,
  type Contract,
  type Message,
  type RemoteLinkActor,
  type RemoteLinkInfo,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import type { _Conduit } from "./_conduit.ts";
import { _listenDirect } from "./_conduit.ts";
import { _acceptDirect, _hostPort, _natsAddress, _serveNatsHellos } from "./_dial.ts";
import { _linkService, _linkTokenOf } from "./_link_service.ts";
import { _linkGate, _logRefusals } from "./_link_token.ts";
import { _acquireHub, _releaseHub } from "./_hubs.ts";
import type { _Hello } from "./_link_sender.ts";
import { type _Delivery, _LinkReceiver } from "./_link_receiver.ts";
import { _checkCodec, type _Decoder, _rawDecoder } from "./_codecs.ts";
import { _decodableCodecs, _makeDecoder, _probeCodecs } from "./_codec_factory.ts";
import { _LINK_PERMISSIONS } from "./_permissions.ts";
import { _Percentiles } from "./_percentiles.ts";

/**
 * The contract of {@linkcode NetSrc}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netSrcContract } from "@streamlib/net";
 * assert.ok(netSrcContract.type === "netsrc");
 * ```
 */
export const netSrcContract = {
  type: "netsrc",
  description: "Receives what a netsink on another node sends — on a TCP port, a NATS " +
    "subject, or from a node's link service — decodes it and writes ordinary frames, with " +
    "timestamps mapped to this node's clock; counts gaps, reports latency and clock offset",
  classification: "Source/Network",
  schedule: "external",
  outputs: {
    out: { kind: "any", description: "What the other node sent, decoded" },
  },
  params: {
    listen: {
      type: "string",
      default: "",
      pattern: "^((tcp|nats)://.+)?$",
      description: "tcp://host:port (0: a free port) or nats://host:port/subject to receive " +
        "on; empty when a node's link service hands it its links",
    },
    timestamps: {
      type: "string",
      enum: ["local", "remote"],
      default: "local",
      description: "local: map the sender's timestamps to this pipeline's running time with " +
        "the measured clock offset (so remote and local streams line up); remote: keep them",
    },
    token: {
      type: "string",
      default: "",
      description: "Link access token every sender's hello must carry (others are refused " +
        "with SL_UNAUTHORIZED); empty: the node's (STREAMLIB_TOKEN under streamlib run), " +
        "else none",
    },
  },
  permissions: _LINK_PERMISSIONS,
} as const satisfies Contract;

/** How long end-of-stream waits for a decoder's last frames. */
const _FINISH_MS = 5_000;

/**
 * `netsrc`: receives what a `netsink` on another node sends, and writes it as ordinary
 * messages: coded video and audio are decoded here. `listen` says where: `tcp://host:port`
 * (port 0 picks a free one; {@linkcode NetSrc.url} says which) or `nats://host:port/subject`;
 * a node's link service makes one without `listen` for each link to one of its actors, and
 * hands it the sender's sessions.
 *
 * It counts what was lost (`gaps`, `missing`: holes in the sequence, a sender that started
 * again), grants the sender credit as its messages are taken (so a slow pipeline here slows the
 * sender under `queue`), and measures the sender's clock NTP-style: timestamps become this
 * pipeline's running time (`timestamps=local`), and `remoteLink()` reports the latency from a
 * frame's timestamp to its arrival, and the offset with its error bound. The link's
 * end-of-stream ends it; a sender that goes away does not: it waits for it to come back.
 * With a link access token (`token`, or the node's), a sender whose hello lacks it is refused
 * with `SL_UNAUTHORIZED` and its connection closed: nothing it sends is delivered.
 *
 * @example A receiver on a free port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, Pipeline } from "@streamlib/core";
 * import { NetSrc } from "@streamlib/net";
 * const pipeline = new Pipeline();
 * const src = pipeline.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
 * pipeline.link(src, pipeline.add(new Collect()));
 * await pipeline.start();
 * assert.match(src.url!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
 * await pipeline.stop({ mode: "abort" });
 * ```
 */
export class NetSrc extends Actor<typeof netSrcContract> implements RemoteLinkActor {
  /** Ports, parameters and permissions. */
  static override contract: typeof netSrcContract = netSrcContract;

  #receiver: _LinkReceiver | undefined;
  #decoder: _Decoder = _rawDecoder;
  #decoderCodec = "raw";
  #queue: Array<{ message: _Delivery; taken: () => void }> = [];
  #pumping = false;
  #closeListener: (() => void) | undefined;
  #hub: string | undefined;
  #url: string | undefined;
  #remote = "";
  #latency = new _Percentiles(512);
  #dropped = 0;
  #ended = false;
  #started = false;

  /**
   * Where it receives, once started with `listen`: `tcp://host:port` with the port it got.
   *
   * @returns The address, or `undefined`.
   */
  get url(): string | undefined {
    return this.#url;
  }

  /** Starts receiving (listening, when `listen` says where). */
  override async start(): Promise<void> {
    this.#ended = false;
    await _probeCodecs();
    if (this.#receiver?.state === "closed") this.#receiver = undefined; // a restart
    this.#ensureReceiver();
    const listen = this.params.listen;
    const accept = (conduit: _Conduit, hello: _Hello): Record<string, unknown> =>
      this._attach(conduit, hello);
    let token = this.params.token || _linkTokenOf(_linkService());
    const host = listen.startsWith("tcp://")
      ? _hostPort(listen.slice(6).replace(/\/$/, "")).host
      : listen.startsWith("nats://")
      ? _natsAddress(listen).server.replace(/^nats:\/\//, "").replace(/:\d+$/, "")
      : "127.0.0.1";
    if (token === undefined && !isLoopback(host.replace(/^\[|\]$/g, ""))) {
      // Other machines reach it: as the control server does, it makes a token up and says so.
      token = accessToken(host, "");
      this.log(
        `takes links only with the access token ${token}: give the sending netsink ` +
          `token=${token} (or start its node with STREAMLIB_TOKEN=${token})`,
      );
    }
    const gate = _linkGate({
      token,
      who: `netsrc ${JSON.stringify(this.name)}`,
      refused: _logRefusals((text) => this.log(text)),
    });
    if (listen.startsWith("tcp://")) {
      const { host, port } = _hostPort(listen.slice(6).replace(/\/$/, ""));
      const listener = _listenDirect(host, port, (c) => _acceptDirect(c, accept, gate));
      const shown = listener.host.includes(":") ? `[${listener.host}]` : listener.host;
      this.#url = `tcp://${shown}:${listener.port}`;
      this.#remote = this.#url;
      this.#closeListener = () => listener.close();
    } else if (listen.startsWith("nats://")) {
      const { server, subject } = _natsAddress(listen);
      const hub = await _acquireHub(server, `streamlib ${this.name}`);
      this.#hub = server;
      this.#url = listen;
      this.#remote = listen;
      this.#closeListener = _serveNatsHellos(hub, `${subject}.hello`, accept, gate);
    } else if (listen !== "") {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `netsrc "${this.name}" listens on tcp://host:port or nats://host:port/subject, got ` +
          JSON.stringify(listen),
        { details: { listen } },
      );
    }
    this.#started = true;
    if (this.#queue.length !== 0 && !this.#pumping) this.#pump();
  }

  /**
   * @internal Takes a sender's session (what a node's link service calls for each hello to
   * this receiver's target): ends the one before, counts what was lost between, and returns
   * the accept. Throws `SL_WIRE_CODEC` for a codec this node cannot decode.
   */
  _attach(conduit: _Conduit, hello: _Hello): Record<string, unknown> {
    if (this.#ended) {
      throw new StreamlibError("SL_LINK_REFUSED", `netsrc "${this.name}" has finished`);
    }
    return this.#ensureReceiver().attach(conduit, hello);
  }

  /** @internal Whether a sender is connected now. */
  get _linkConnected(): boolean {
    return this.#receiver?.connected ?? false;
  }

  /** @internal The connected sender, `node/actor`. */
  get _linkSender(): string {
    return `${this.#receiver?.sender ?? ""}/${this.#receiver?.from ?? ""}`;
  }

  #ensureReceiver(): _LinkReceiver {
    return this.#receiver ??= new _LinkReceiver({
      clock: () => this.clock.now(),
      deliver: (message, taken) => this.#arrived(message, taken),
      codecs: _decodableCodecs,
      log: (text) => this.log(text),
    });
  }

  /** Never called: the actor writes as messages arrive. */
  process(_tick: TimedTick): void {}

  /** Stops receiving. */
  override async stop(): Promise<void> {
    this.#ended = true;
    this.#started = false;
    this.#closeListener?.();
    this.#closeListener = undefined;
    this.#receiver?.close();
    for (const { taken } of this.#queue) taken();
    this.#queue = [];
    await this.#decoder.close();
    this.#decoder = _rawDecoder;
    this.#decoderCodec = "raw";
    if (this.#hub !== undefined) {
      await _releaseHub(this.#hub);
      this.#hub = undefined;
    }
  }

  /**
   * The link's state and counters.
   *
   * @returns Where it comes from, over what, and how it fares.
   */
  remoteLink(): RemoteLinkInfo {
    const r = this.#receiver;
    const clock = r?.clockSync.estimate(this.clock.now());
    const latency = this.#latency.summary();
    return {
      actor: this.name,
      direction: "in",
      remote: r?.sender ? `actor://${r.sender}/${r.from}` : this.#remote,
      transport: r?.transport ?? "",
      codec: r?.codec ?? "raw",
      state: r?.state ?? "connecting",
      sent: 0,
      received: r?.received ?? 0,
      dropped: this.#dropped,
      gaps: r?.gaps ?? 0,
      missing: r?.missing ?? 0,
      reconnects: r?.reconnects ?? 0,
      bytes: r?.bytes ?? 0,
      ...(latency === undefined ? {} : { latencyUs: latency }),
      ...(clock === undefined
        ? {}
        : { clock: { offsetUs: clock.offsetUs, boundUs: clock.boundUs, rttUs: clock.rttUs } }),
      ...(r?.lastError === undefined || r.state === "up"
        ? {}
        : { error: `${r.lastError.code}: ${r.lastError.message}` }),
    };
  }

  /**
   * The sender's clock offset now (its clock − this pipeline's), with its bound, in µs.
   *
   * @returns The estimate, or `undefined` before the first round trip.
   */
  clockOffset(): { offsetUs: number; boundUs: number; rttUs: number } | undefined {
    const e = this.#receiver?.clockSync.estimate(this.clock.now());
    return e === undefined
      ? undefined
      : { offsetUs: e.offsetUs, boundUs: e.boundUs, rttUs: e.rttUs };
  }

  #arrived(message: _Delivery, taken: () => void): void {
    if (this.#ended) return taken();
    if (message.type === "flush") {
      // Drop what waits: the sender says it is stale.
      for (const q of this.#queue) q.taken();
      this.#dropped += this.#queue.length;
      this.#queue = [];
      return;
    }
    const latest = this.#receiver?.policy === "latest";
    const coded = message.type === "video-coded" || message.type === "audio-coded";
    if (latest && !coded && this.#pumping && message.type !== "eos") {
      // Under latest only the newest waits: what it replaces is dropped (counted).
      const i = this.#queue.findIndex((q) => q.message.type !== "eos");
      if (i !== -1) {
        this.#queue.splice(i, 1)[0]!.taken();
        this.#dropped++;
      }
    }
    this.#queue.push({ message, taken });
    if (!this.#pumping && this.#started) this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length !== 0 && !this.#ended) {
        const { message, taken } = this.#queue.shift()!;
        if (message.type === "eos") {
          taken();
          // What a decoder still holds goes out before the end (a stuck one does not hold it).
          const rest = await this.#finishDecoder();
          for (const m of rest) await this.#emit(m);
          this.#ended = true;
          this.#receiver?.close();
          this.end();
          return;
        }
        await this.#clockKnown();
        let decoded: Message[];
        try {
          decoded = await (await this.#decoderFor(message)).decode(message);
        } catch (error) {
          this.#dropped++;
          this.log(`could not decode a ${message.type} frame: ${(error as Error).message}`);
          taken();
          continue;
        }
        for (const m of decoded) {
          await this.#emit(m);
          if (this.#ended) break;
        }
        taken();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** What the decoder still holds, waited for at most `_FINISH_MS`. */
  async #finishDecoder(): Promise<Message[]> {
    const finishing = this.#decoder.finish?.().catch(() => []);
    if (finishing === undefined) return [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), _FINISH_MS);
    });
    const rest = await Promise.race([finishing, late]);
    clearTimeout(timer);
    if (rest === undefined) {
      this.log(`the ${this.#decoderCodec} decoder did not finish within ${_FINISH_MS} ms`);
    }
    return rest ?? [];
  }

  /** The decoder for the session's codec, made when the first coded message needs it. */
  async #decoderFor(message: _Delivery): Promise<_Decoder> {
    if (message.type !== "video-coded" && message.type !== "audio-coded") return _rawDecoder;
    const codec = message.message.codec;
    if (this.#decoderCodec !== codec) {
      await this.#decoder.close();
      this.#decoder = await _makeDecoder(_checkCodec(codec));
      this.#decoderCodec = codec;
      // ffmpeg's decoders yield in the background.
      if (this.#decoder.output !== undefined) this.#decoder.output = (m) => this.#emit(m);
    }
    return this.#decoder;
  }

  /**
   * Before the first message of a session, waits (at most 200 ms) for the first round trip of
   * the clock sync, so that even that one gets a local timestamp.
   */
  async #clockKnown(): Promise<void> {
    if (this.params.timestamps !== "local") return;
    for (let i = 0; i < 40 && !this.#ended; i++) {
      if (this.#receiver?.clockSync.estimate() !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Writes a decoded message (with its local timestamp), waiting for room. */
  #emit(m: Message): Promise<void> | void {
    if (this.#ended) return;
    const written = this.outputs.out.write(this.#local(m));
    if (written !== undefined) return written.then(() => {});
  }

  /** The message with its timestamp on this pipeline's clock, its latency noted. */
  #local(m: Message): Message {
    const now = this.clock.now();
    const offset = this.#receiver?.clockSync.estimate(now)?.offsetUs;
    if (offset === undefined) return m;
    const timestamp = Math.round(m.timestamp - offset);
    this.#latency.add(now - timestamp);
    if (this.params.timestamps === "remote") return m;
    return { ...m, timestamp, clockId: this.clock.id } as Message;
  }
}
