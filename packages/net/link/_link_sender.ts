/**
 * The sending end of a link: dials (again and again, with backoff, while the other node is
 * away), says hello, and sends messages only within the credit the receiver grants — an
 * absolute sequence number it may send up to, so a lost credit message is made good by the
 * next one. A sender that has waited a second for credit asks again (`probe`), which also
 * tells the receiver which messages were lost on the way. It never blocks its pipeline while
 * the link is down: `waitCredit()` then says no, and the caller drops (and counts). Internal.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import type { _Conduit } from "./_conduit.ts";
import type { WireMessage } from "./wire_format.ts";

/** What a sender says in its hello. */
export interface _Hello {
  readonly wire: number;
  /** The sending node's name. */
  readonly node: string;
  /** The link's id: the same across reconnections of one sender. */
  readonly link: string;
  /** Counts the sender's sessions. */
  readonly session: number;
  /** The target on the receiving node (`type/name.port` or `name.port`), or `""`. */
  readonly target: string;
  readonly kind: string;
  readonly codec: string;
  readonly policy: "latest" | "queue";
  /** Messages the receiver may hold for the sender (its credit window). */
  readonly window: number;
  /** The sequence number the sender sends next. */
  readonly next: number;
  /** The sending actor's name, for the receiver's graph. */
  readonly from: string;
  /**
   * The receiving node's link access token, when it has one. It never travels: each dial sends
   * a proof made for that hello alone instead (`_sealed` in `_link_token.ts`).
   */
  readonly key?: string;
}

/** A made connection and the receiver's accept. */
export interface _Dialled {
  readonly conduit: _Conduit;
  readonly accept: Readonly<Record<string, unknown>>;
}

/** Connects and says hello; throws a coded error when it cannot. */
export type _Dial = (hello: _Hello) => Promise<_Dialled>;

/** Silence on a link longer than this closes it. */
export const _SILENCE_MS = 3_000;
const _PING_MS = 1_000;
const _PROBE_MS = 1_000;
const _BACKOFF_MIN_MS = 100;
const _BACKOFF_MAX_MS = 2_000;

/** Options of a sender. */
export interface _SenderOptions {
  readonly dial: _Dial;
  readonly hello: Omit<_Hello, "session" | "next">;
  /** The local clock, µs (answers the receiver's pings). */
  readonly clock: () => number;
  /** Each distinct failure, once (for the pipeline's log). */
  readonly log: (text: string) => void;
  /** Before the first connection, how long `waitCredit()` waits for it (lossless links). */
  readonly connectGraceMs?: number;
  /** The transport of a session, once known. */
  readonly transportOf?: (conduit: _Conduit) => string;
}

/** The sending end of one link. */
export class _LinkSender {
  state: "connecting" | "up" | "down" | "closed" = "connecting";
  transport = "";
  sent = 0;
  reconnects = 0;
  lastError: StreamlibError | undefined;
  /**
   * Set when the receiver refused this sender's access token (`SL_UNAUTHORIZED`): dialling
   * again would only be refused again, so the sender has stopped, and the actor fails with it.
   */
  failure: StreamlibError | undefined;
  readonly #options: _SenderOptions;
  #conduit: _Conduit | undefined;
  #next = 0;
  #limit = 0;
  #sessions = 0;
  #waiters: Array<(ok: boolean) => void> = [];
  #wake: (() => void) | undefined;
  #heard = 0;
  #blockedSince = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #started = 0;
  #loop: Promise<void> | undefined;
  /** End-of-stream's sequence number, once sent; the same on every session it goes on. */
  #eosSeq: number | undefined;
  #eosAcked = false;
  /** Wakes `endStream()`: the receiver acknowledged end-of-stream, or the session closed. */
  #eosWake: (() => void) | undefined;

  constructor(options: _SenderOptions) {
    this.#options = options;
  }

  /** Bytes the current session sent and received. */
  get bytes(): number {
    return this.#conduit?.bytes ?? 0;
  }

  /** Whether a message may go now. */
  get canSend(): boolean {
    return this.state === "up" && this.#next < this.#limit;
  }

  /** Starts dialling, in the background. */
  start(): void {
    this.#started = performance.now();
    this.#loop ??= this.#run();
  }

  /**
   * Resolves `true` once a message may go, or `false` at once while the link is down (and when
   * it goes down while waiting): the caller then drops the message.
   */
  waitCredit(): Promise<boolean> | boolean {
    if (this.canSend) return true;
    if (this.state === "connecting" && this.#options.connectGraceMs !== undefined) {
      // Before the first connection a lossless link waits a little for the receiver.
      const grace = this.#started + this.#options.connectGraceMs - performance.now();
      if (grace > 0) return this.waitUp(grace).then((up) => up && this.waitCredit());
    }
    if (this.state !== "up") return false;
    if (this.#blockedSince === 0) this.#blockedSince = performance.now();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once the link is up (`true`), or `false` after `timeoutMs`. */
  async waitUp(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (this.state !== "up" && !this.#closed && performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.state === "up";
  }

  /** Sends a media message with the next sequence number (call when `canSend`). */
  send(make: (seq: number) => WireMessage): void {
    const conduit = this.#conduit;
    if (conduit === undefined || this.state !== "up") return;
    const seq = this.#next++;
    conduit.send(make(seq));
    this.sent++;
  }

  /**
   * Notes a message dropped while the link was down: its sequence number is used up, so the
   * receiver sees the hole when the link is back (a gap, the messages missing counted).
   */
  skip(): void {
    this.#next++;
  }

  /**
   * Sends end-of-stream (no credit needed) and waits until the receiver says it has it (it
   * sends the `eos` back). A session that closes first — a connection reset with the end still
   * in its buffers, a transport that went away — does not lose it: it goes again, with the same
   * sequence number, on the next session. Resolves `false` when no acknowledgement came within
   * `timeoutMs` (the link stayed down, or the receiver is gone).
   */
  async endStream(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (!this.#eosAcked && !this.#closed) {
      const left = end - performance.now();
      if (left <= 0 || !(await this.waitUp(left))) break;
      const conduit = this.#conduit;
      if (this.#eosAcked) break;
      if (conduit === undefined || conduit.closed) {
        // Closing this moment: the next session is a little way off.
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      this.#eosSeq ??= this.#next++;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#eosWake = resolve;
        timer = setTimeout(resolve, Math.max(0, end - performance.now()));
        conduit.send({ type: "eos", seq: this.#eosSeq! });
      });
      clearTimeout(timer);
      this.#eosWake = undefined;
    }
    return this.#eosAcked;
  }

  /** Resolves once the session's queued bytes are below `lowWater`. */
  drained(lowWater = 0): Promise<void> {
    return this.#conduit?.drained(lowWater) ?? Promise.resolve();
  }

  /** Stops for good. */
  async close(): Promise<void> {
    this.#closed = true;
    this.state = "closed";
    this.#conduit?.close();
    this.#wake?.();
    this.#eosWake?.();
    this.#release(false);
    await this.#loop;
  }

  async #run(): Promise<void> {
    let backoff = _BACKOFF_MIN_MS;
    let attempts = 0;
    let wasUp = false;
    while (!this.#closed) {
      try {
        // While end-of-stream waits for its acknowledgement, a new session starts at it.
        const next = this.#eosSeq ?? this.#next;
        const { conduit, accept } = await this.#options.dial({
          ...this.#options.hello,
          session: ++this.#sessions,
          next,
        });
        if (this.#closed) {
          conduit.close();
          break;
        }
        const limit = Number(accept.limit);
        if (!Number.isFinite(limit) || limit < next) {
          conduit.close();
          throw new StreamlibError("SL_LINK_REFUSED", `The receiver's accept has no usable limit`);
        }
        this.#limit = limit;
        this.#conduit = conduit;
        this.transport = this.#options.transportOf?.(conduit) ?? conduit.transport;
        if (wasUp) this.reconnects++;
        wasUp = true;
        attempts = 0;
        backoff = _BACKOFF_MIN_MS;
        this.lastError = undefined;
        this.state = "up";
        // Messages dropped while dialling used up numbers the hello did not know: say so at
        // once, so the receiver counts the gap and grants credit past it.
        if (this.#eosSeq === undefined && this.#next > next) {
          conduit.send({ type: "probe", next: this.#next });
        }
        this.#release(true);
        await this.#serve(conduit);
      } catch (error) {
        const coded = error instanceof StreamlibError
          ? error
          : new StreamlibError("SL_LINK_UNREACHABLE", String((error as Error)?.message ?? error));
        if (this.lastError?.code !== coded.code && attempts === 0) {
          this.#options.log(
            `link ${this.#options.hello.target || "stream"}: ${coded.code} ${coded.message}`,
          );
        }
        this.lastError = coded;
        // The receiver answered, and not "not now" (SL_LINK_REFUSED): no token, no such actor
        // or port, a port linked already, a codec it lacks. Or no way to the node exists at
        // all (no NATS, no address). Dialling again cannot help.
        const refused = coded.details.refused !== undefined && coded.code !== "SL_LINK_REFUSED";
        if (refused || coded.details.permanent === true) {
          this.failure = coded;
          this.#closed = true;
        }
      }
      if (this.#closed) break;
      this.state = wasUp ? "down" : "connecting";
      this.#release(false);
      attempts++;
      const wait = backoff * (0.75 + Math.random() * 0.5);
      backoff = Math.min(_BACKOFF_MAX_MS, backoff * 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.state = "closed";
    this.#release(false);
  }

  /** Runs one session until its conduit closes. */
  #serve(conduit: _Conduit): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#heard = performance.now();
      conduit.onMessage = (message) => {
        this.#heard = performance.now();
        switch (message.type) {
          case "credit":
            if (message.limit > this.#limit) {
              this.#limit = message.limit;
              if (this.canSend) {
                this.#blockedSince = 0;
                this.#release(true);
              }
            }
            break;
          case "ping": {
            const t2 = this.#options.clock();
            conduit.send({ type: "pong", t1: message.t1, t2, t3: this.#options.clock() });
            break;
          }
          case "refuse":
            conduit.close();
            this.lastError = new StreamlibError(message.code, message.message);
            break;
          case "eos":
            // The receiver has end-of-stream: the link may close.
            if (message.seq === this.#eosSeq) {
              this.#eosAcked = true;
              this.#eosWake?.();
            }
            break;
          default:
            break; // pongs to our keep-alive pings, and anything else, only show life
        }
      };
      conduit.onClose = (error) => {
        clearInterval(this.#timer);
        if (error !== undefined) {
          if (this.lastError?.code !== error.code) {
            this.#options.log(
              `link ${this.#options.hello.target || "stream"} down: ${error.code} ${error.message}`,
            );
          }
          this.lastError = error;
        }
        if (this.#conduit === conduit) this.#conduit = undefined;
        this.state = this.#closed ? "closed" : "down";
        this.#release(false);
        this.#eosWake?.();
        resolve();
      };
      let lastPing = 0;
      this.#timer = setInterval(() => {
        const now = performance.now();
        if (now - this.#heard > _SILENCE_MS) {
          this.lastError = new StreamlibError(
            "SL_LINK_UNREACHABLE",
            `No word from the receiver for ${_SILENCE_MS} ms`,
          );
          conduit.close();
          return;
        }
        if (now - lastPing >= _PING_MS) {
          lastPing = now;
          conduit.send({ type: "ping", t1: this.#options.clock() });
        }
        if (this.#blockedSince !== 0 && now - this.#blockedSince > _PROBE_MS) {
          this.#blockedSince = now;
          conduit.send({ type: "probe", next: this.#next });
        }
      }, 250);
      if (conduit.closed) {
        clearInterval(this.#timer);
        resolve();
      }
    });
  }

  #release(ok: boolean): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    if (!ok) this.#blockedSince = 0;
    for (const resolve of waiters) resolve(ok && this.canSend);
  }
}
