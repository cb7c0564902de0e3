/**
 * The receiving end of a link, across its sessions: it accepts a sender's hello, counts what
 * was lost (holes in the sequence, a sender that started again), grants credit — the sequence
 * number the sender may send up to: the next expected plus the room left in its window, where
 * a message makes room once the pipeline took it (`queue`) or on arrival (`latest`) — and
 * measures the sender's clock with pings (min-RTT filtered, see `ClockSync`). Silence longer
 * than 3 s closes a session. Internal to the link code.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import type { _Conduit } from "./_conduit.ts";
import { type _Hello, _SILENCE_MS } from "./_link_sender.ts";
import { ClockSync } from "./clock_sync.ts";
import { WIRE_VERSION, type WireMessage } from "./wire_format.ts";

/** A media message, end-of-stream or flush, as the receiver hands it on. */
export type _Delivery = Extract<
  WireMessage,
  { type: "video" | "video-coded" | "audio" | "audio-coded" | "event" | "data" | "eos" | "flush" }
>;

/** Options of a receiver. */
export interface _ReceiverOptions {
  /** The local clock, µs. */
  readonly clock: () => number;
  /** Hands a message on; `taken` says the pipeline took it (for `queue` credit). */
  readonly deliver: (message: _Delivery, taken: () => void) => void;
  /** Codecs this side can decode, beyond `raw`. */
  readonly codecs: () => readonly string[];
  /** Each distinct failure, once. */
  readonly log: (text: string) => void;
}

const _PING_MS = 1_000;
const _CREDIT_MS = 500;

/** The receiving end of one link. */
export class _LinkReceiver {
  state: "connecting" | "up" | "down" | "closed" = "connecting";
  transport = "";
  codec = "raw";
  kind = "any";
  policy: "latest" | "queue" = "queue";
  from = "";
  sender = "";
  received = 0;
  gaps = 0;
  missing = 0;
  reconnects = 0;
  bytes = 0;
  lastError: StreamlibError | undefined;
  readonly clockSync: ClockSync = new ClockSync();
  readonly #options: _ReceiverOptions;
  #conduit: _Conduit | undefined;
  #link: string | undefined;
  #expected = 0;
  #window = 8;
  /** Messages delivered and not yet taken. */
  #held = 0;
  #granted = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ended = false;

  constructor(options: _ReceiverOptions) {
    this.#options = options;
  }

  /** Whether the current session's sender is connected. */
  get connected(): boolean {
    return this.#conduit !== undefined && !this.#conduit.closed;
  }

  /**
   * Takes a sender's hello on `conduit`: checks it (`SL_WIRE_VERSION`, `SL_WIRE_CODEC`), ends
   * the session before it, counts what was lost between, and returns the accept.
   */
  attach(conduit: _Conduit, hello: _Hello): Record<string, unknown> {
    if (hello.wire !== WIRE_VERSION) {
      throw new StreamlibError(
        "SL_WIRE_VERSION",
        `The sender speaks wire format version ${hello.wire}; this node speaks ${WIRE_VERSION}`,
      );
    }
    const codecs = ["raw", ...this.#options.codecs()];
    if (!codecs.includes(hello.codec)) {
      throw new StreamlibError(
        "SL_WIRE_CODEC",
        `This node cannot decode ${JSON.stringify(hello.codec)}; it decodes ${codecs.join(", ")}`,
        { details: { codec: hello.codec, codecs } },
      );
    }
    if (this.#ended) {
      throw new StreamlibError("SL_LINK_REFUSED", "This link's receiver has finished");
    }
    const window = Math.max(1, Math.min(1_024, Math.floor(Number(hello.window) || 1)));
    const next = Math.max(0, Math.floor(Number(hello.next) || 0));
    const previous = this.#conduit;
    if (previous !== undefined) {
      this.#conduit = undefined;
      previous.close();
    }
    if (this.#link !== undefined) {
      this.reconnects++;
      if (this.#link !== hello.link) {
        // Another sender (or the same one started again): what it lost cannot be known.
        this.gaps++;
        this.clockSync.reset();
      } else if (next > this.#expected) {
        this.gaps++;
        this.missing += next - this.#expected;
      }
    }
    this.#link = hello.link;
    this.#expected = next;
    this.#window = window;
    this.#held = 0;
    this.codec = hello.codec;
    this.kind = hello.kind;
    this.policy = hello.policy === "latest" ? "latest" : "queue";
    this.from = hello.from;
    this.sender = hello.node;
    this.transport = conduit.transport;
    this.#conduit = conduit;
    this.state = "up";
    this.#granted = next + window;
    this.#watch(conduit);
    return { limit: this.#granted, wire: WIRE_VERSION };
  }

  /** No more sessions: the stream ended, or the pipeline stops. */
  close(): void {
    this.#ended = true;
    this.state = "closed";
    clearInterval(this.#timer);
    // What is queued (an end-of-stream's acknowledgement, a few bytes) goes out first.
    const conduit = this.#conduit;
    this.#conduit = undefined;
    conduit?.drained().then(() => conduit.close());
  }

  #watch(conduit: _Conduit): void {
    clearInterval(this.#timer);
    let heard = performance.now();
    let lastPing = 0;
    let lastCredit = performance.now();
    let burst = 5;
    conduit.onMessage = (message) => {
      heard = performance.now();
      this.#message(conduit, message);
    };
    conduit.onClose = (error) => {
      if (error !== undefined) {
        if (this.lastError?.code !== error.code) {
          this.#options.log(`link from ${this.sender || "?"} down: ${error.code} ${error.message}`);
        }
        this.lastError = error;
      }
      this.bytes += conduit.bytes;
      if (this.#conduit === conduit) {
        this.#conduit = undefined;
        clearInterval(this.#timer);
        if (!this.#ended) this.state = "down";
      }
    };
    const tick = (): void => {
      if (this.#conduit !== conduit) return;
      const now = performance.now();
      if (now - heard > _SILENCE_MS) {
        this.lastError = new StreamlibError(
          "SL_LINK_UNREACHABLE",
          `No word from the sender for ${_SILENCE_MS} ms`,
        );
        conduit.close();
        return;
      }
      // A burst of pings first, so the clock offset is known early; then one a second.
      if (burst > 0 || now - lastPing >= _PING_MS) {
        if (burst > 0) burst--;
        lastPing = now;
        conduit.send({ type: "ping", t1: this.#options.clock() });
      }
      if (now - lastCredit >= _CREDIT_MS) {
        lastCredit = now;
        conduit.send({ type: "credit", limit: this.#granted });
      }
    };
    this.#timer = setInterval(tick, 50);
    // The first tick waits for the accept to go out first.
    setTimeout(tick, 0);
  }

  #message(conduit: _Conduit, message: WireMessage): void {
    switch (message.type) {
      case "ping": {
        const t2 = this.#options.clock();
        conduit.send({ type: "pong", t1: message.t1, t2, t3: this.#options.clock() });
        return;
      }
      case "pong":
        this.clockSync.add({ ...message, t4: this.#options.clock() });
        return;
      case "probe":
        if (message.next > this.#expected) {
          this.gaps++;
          this.missing += message.next - this.#expected;
          this.#expected = message.next;
        }
        this.#grant(true);
        return;
      case "hello":
      case "accept":
      case "refuse":
      case "credit":
      case "chunk":
        return;
      default:
        break;
    }
    const seq = message.seq;
    if (seq < this.#expected) {
      // Old: a duplicate after a reconnection (an end-of-stream is acknowledged again).
      if (message.type === "eos") conduit.send({ type: "eos", seq });
      return;
    }
    if (seq > this.#expected) {
      this.gaps++;
      this.missing += seq - this.#expected;
    }
    this.#expected = seq + 1;
    if (message.type === "eos" || message.type === "flush") {
      // End-of-stream goes back: the sender may close the link once it knows it arrived.
      if (message.type === "eos") conduit.send({ type: "eos", seq });
      this.#options.deliver(message, () => {});
      this.#grant(false);
      return;
    }
    this.received++;
    this.#held++;
    let taken = false;
    const take = (): void => {
      if (taken) return;
      taken = true;
      this.#held--;
      this.#grant(false);
    };
    if (this.policy === "latest") take();
    this.#options.deliver(message, this.policy === "latest" ? () => {} : take);
  }

  /** Sends new credit when it grew (or always, when asked). */
  #grant(always: boolean): void {
    const limit = this.#expected + Math.max(0, this.#window - this.#held);
    if (limit <= this.#granted && !always) return;
    this.#granted = Math.max(this.#granted, limit);
    this.#conduit?.send({ type: "credit", limit: this.#granted });
  }
}
