/**
 * NATS for links: one client connection a process (`_NatsHub`, the npm `@nats-io` client,
 * reconnecting by itself), and a conduit over two subjects, one each way. A frame larger than
 * the server's max payload goes as `chunk` frames and is put together again on arrival; a
 * chunk lost on the way loses its frame, which the receiver counts as a hole in the sequence.
 * Internal to the link code.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { _BaseConduit } from "./_conduit.ts";
import { encodeWire, type WireMessage } from "./wire_format.ts";
import { decodeWire } from "./wire_decoder.ts";

/** Room left in each NATS message for its chunk frame's header and NATS' own. */
const _CHUNK_MARGIN = 1024;

/** One NATS connection, shared by every link of the process. */
export class _NatsHub {
  readonly url: string;
  readonly #nc: NatsConnection;
  #connected = true;
  #listeners = new Set<(up: boolean) => void>();

  private constructor(url: string, nc: NatsConnection) {
    this.url = url;
    this.#nc = nc;
    this.#watch();
  }

  /** Connects; `SL_NATS` when the server does not answer within `timeoutMs`. */
  static async connect(url: string, name: string, timeoutMs = 5_000): Promise<_NatsHub> {
    const servers = url.replace(/^nats:\/\//, "");
    try {
      const nc = await connect({
        servers,
        name,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 200,
        reconnectJitter: 100,
        timeout: timeoutMs,
        pingInterval: 2_000,
        maxPingOut: 2,
      });
      return new _NatsHub(url, nc);
    } catch (error) {
      throw new StreamlibError(
        "SL_NATS",
        `Cannot connect to the NATS server at ${url}: ${(error as Error).message}. Start one ` +
          "(nats-server -a 127.0.0.1 -p 4222) or give another --nats URL",
        { cause: error, details: { url } },
      );
    }
  }

  /** The largest message the server takes. */
  get maxPayload(): number {
    return this.#nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Whether the server is reachable now. */
  get connected(): boolean {
    return this.#connected && !this.#nc.isClosed();
  }

  /** Tells `listener` when the server goes away (`false`) and comes back (`true`). */
  onStatus(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #watch(): Promise<void> {
    try {
      for await (const status of this.#nc.status()) {
        const up = status.type === "reconnect"
          ? true
          : status.type === "disconnect"
          ? false
          : undefined;
        if (up === undefined || up === this.#connected) continue;
        this.#connected = up;
        for (const listener of [...this.#listeners]) listener(up);
      }
    } catch {
      // Closed.
    }
  }

  publish(subject: string, bytes: Uint8Array): void {
    if (this.#nc.isClosed()) return;
    this.#nc.publish(subject, bytes);
  }

  /** Subscribes; `reply` answers a request. Returns the unsubscribe function. */
  subscribe(
    subject: string,
    callback: (bytes: Uint8Array, reply: ((bytes: Uint8Array) => void) | undefined) => void,
  ): () => void {
    const sub = this.#nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const reply = msg.reply ? (bytes: Uint8Array) => msg.respond(bytes) : undefined;
        try {
          callback(msg.data, reply);
        } catch {
          // A handler's failure must not end the subscription.
        }
      },
    });
    return () => {
      try {
        sub.unsubscribe();
      } catch {
        // Already gone.
      }
    };
  }

  /** A request and its one reply; `SL_LINK_UNREACHABLE` when none comes in time. */
  async request(subject: string, bytes: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    try {
      return (await this.#nc.request(subject, bytes, { timeout: timeoutMs })).data;
    } catch (error) {
      throw new StreamlibError(
        "SL_LINK_UNREACHABLE",
        `No answer on NATS subject "${subject}" within ${timeoutMs} ms: ${
          (error as Error).message
        }`,
        { cause: error, details: { subject } },
      );
    }
  }

  /** Collects the replies to one request for `timeoutMs`. */
  async gather(subject: string, bytes: Uint8Array, timeoutMs: number): Promise<Uint8Array[]> {
    const inbox = `_INBOX.sl.${crypto.randomUUID()}`;
    const replies: Uint8Array[] = [];
    const sub = this.#nc.subscribe(inbox, {
      callback: (_e, msg) => {
        replies.push(msg.data);
      },
    });
    this.#nc.publish(subject, bytes, { reply: inbox });
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    sub.unsubscribe();
    return replies;
  }

  /** Sends what is buffered. */
  flush(): Promise<void> {
    return this.#nc.flush();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    try {
      await this.#nc.drain();
    } catch {
      await this.#nc.close().catch(() => {});
    }
  }
}

/** A link session over NATS: messages go on `sendSubject` and come on `recvSubject`. */
export class _NatsConduit extends _BaseConduit {
  readonly transport = "nats" as const;
  readonly #hub: _NatsHub;
  readonly #send: string;
  readonly #unsubscribe: () => void;
  readonly #offStatus: () => void;
  #chunkId = 0;
  /** The frame being put together from chunks. */
  #assembly: { id: number; parts: Uint8Array[]; got: number; total: number } | undefined;

  constructor(hub: _NatsHub, sendSubject: string, recvSubject: string) {
    super();
    this.#hub = hub;
    this.#send = sendSubject;
    this.#unsubscribe = hub.subscribe(recvSubject, (bytes) => this.#arrived(bytes));
    this.#offStatus = hub.onStatus((up) => {
      if (!up) {
        this.finish(
          new StreamlibError(
            "SL_NATS",
            `Lost the NATS server at ${hub.url}; the link waits for it`,
          ),
        );
      }
    });
  }

  send(message: WireMessage): void {
    if (this.closed) return;
    const [head, payload] = encodeWire(message);
    const total = head.length + payload.length;
    const limit = this.#hub.maxPayload - _CHUNK_MARGIN;
    if (total <= limit) {
      this.#hub.publish(this.#send, _span(head, payload, 0, total));
    } else {
      // Each chunk is cut from the frame's head and payload as they are, not from a joined copy.
      const id = ++this.#chunkId >>> 0;
      const count = Math.ceil(total / limit);
      for (let index = 0; index < count; index++) {
        const data = _span(head, payload, index * limit, Math.min(total, (index + 1) * limit));
        const [h, p] = encodeWire({ type: "chunk", id, index, count, total, data });
        const chunk = new Uint8Array(h.length + p.length);
        chunk.set(h);
        chunk.set(p, h.length);
        this.#hub.publish(this.#send, chunk);
      }
    }
    this.bytes += total;
  }

  #arrived(bytes: Uint8Array): void {
    if (this.closed) return;
    this.bytes += bytes.length;
    let message: WireMessage;
    try {
      message = decodeWire(bytes);
      if (message.type === "chunk") {
        const whole = this.#chunk(message);
        if (whole === undefined) return;
        message = decodeWire(whole);
      }
    } catch (error) {
      this.finish(error as StreamlibError);
      return;
    }
    this.onMessage(message);
  }

  /** Adds a chunk; returns its frame once every chunk is in. A frame cut short is given up. */
  #chunk(c: Extract<WireMessage, { type: "chunk" }>): Uint8Array | undefined {
    if (c.index === 0) this.#assembly = { id: c.id, parts: [], got: 0, total: c.total };
    const a = this.#assembly;
    if (a === undefined || a.id !== c.id || a.parts.length !== c.index || a.total !== c.total) {
      this.#assembly = undefined; // a chunk was lost: the frame is missing
      return undefined;
    }
    a.parts.push(c.data);
    a.got += c.data.length;
    if (a.got > a.total) {
      throw new StreamlibError("SL_WIRE_MALFORMED", `Chunks of frame ${c.id} overrun its size`);
    }
    if (c.index !== c.count - 1) return undefined;
    this.#assembly = undefined;
    if (a.got !== a.total) {
      throw new StreamlibError(
        "SL_WIRE_MALFORMED",
        `Chunks of frame ${c.id} fall short of its size`,
      );
    }
    const whole = new Uint8Array(a.total);
    let at = 0;
    for (const part of a.parts) {
      whole.set(part, at);
      at += part.length;
    }
    return whole;
  }

  protected release(): void {
    this.#unsubscribe();
    this.#offStatus();
    this.#assembly = undefined;
  }
}

/** Bytes `start` to `end` of `head` then `payload`: a view where they lie in one, else a copy. */
function _span(head: Uint8Array, payload: Uint8Array, start: number, end: number): Uint8Array {
  const h = head.length;
  if (start >= h) return payload.subarray(start - h, end - h);
  if (end <= h && end - start === h) return head;
  const out = new Uint8Array(end - start);
  out.set(head.subarray(start, Math.min(end, h)));
  if (end > h) out.set(payload.subarray(0, end - h), h - start);
  return out;
}
