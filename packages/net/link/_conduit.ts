/**
 * A conduit is one session of a link over one transport: wire messages in both directions,
 * sending never blocks (bytes queue, and `drained()` says when they have gone), and bad bytes
 * close it with their `SL_WIRE_*` error. The direct transport is TCP; `_nats_conduit.ts` has
 * NATS. Internal to the link code.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import { encodeWire, type WireMessage } from "./wire_format.ts";
import { WireDecoder } from "./wire_decoder.ts";

/** One session of a link. */
export interface _Conduit {
  /** `direct` or `nats`. */
  readonly transport: "direct" | "nats";
  /** Bytes given to `send` and not yet handed to the operating system or the NATS client. */
  readonly queuedBytes: number;
  /** Bytes sent and received so far. */
  readonly bytes: number;
  /** Whether it has closed. */
  readonly closed: boolean;
  /** Queues a message. */
  send(message: WireMessage): void;
  /** Resolves once fewer than `lowWater` bytes wait to go out (or it closed). */
  drained(lowWater?: number): Promise<void>;
  /** Each message that arrives. */
  onMessage: (message: WireMessage) => void;
  /** Once, when it closes: with the error that closed it, if one did. */
  onClose: (error: StreamlibError | undefined) => void;
  /** Closes it (no `onClose` error). */
  close(): void;
}

/** The common part of conduits: the outgoing queue's accounting and closing once. */
export abstract class _BaseConduit implements _Conduit {
  abstract readonly transport: "direct" | "nats";
  queuedBytes = 0;
  bytes = 0;
  closed = false;
  onMessage: (message: WireMessage) => void = () => {};
  onClose: (error: StreamlibError | undefined) => void = () => {};
  #waiters: Array<{ lowWater: number; resolve: () => void }> = [];

  abstract send(message: WireMessage): void;

  drained(lowWater = 0): Promise<void> {
    if (this.closed || this.queuedBytes <= lowWater) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ lowWater, resolve }));
  }

  /** Call after bytes went out. */
  protected sentBytes(n: number): void {
    this.queuedBytes -= n;
    this.bytes += n;
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.queuedBytes > w.lowWater) return true;
      w.resolve();
      return false;
    });
  }

  /** Closes, once, telling why. */
  protected finish(error: StreamlibError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    this.release();
    try {
      this.onClose(error);
    } catch {
      // A listener's failure must not escape a socket callback.
    }
  }

  /** Releases the transport's resources. */
  protected abstract release(): void;

  close(): void {
    this.finish(undefined);
  }
}

/** Payload bytes still to come from which a read goes straight into the payload. */
const _IN_PLACE_BYTES = 64 * 1024;

/** A link session on a TCP connection: frames one after the other on the byte stream. */
export class _DirectConduit extends _BaseConduit {
  readonly transport = "direct" as const;
  readonly #conn: Deno.TcpConn;
  #queue: Uint8Array[] = [];
  #writing = false;

  constructor(conn: Deno.TcpConn) {
    super();
    this.#conn = conn;
    try {
      conn.setNoDelay(true);
    } catch {
      // Not every platform allows it; frames still go.
    }
    this.#read();
  }

  send(message: WireMessage): void {
    if (this.closed) return;
    const [head, payload] = encodeWire(message);
    this.#queue.push(head);
    if (payload.length !== 0) this.#queue.push(payload);
    this.queuedBytes += head.length + payload.length;
    if (!this.#writing) this.#write();
  }

  async #write(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length !== 0 && !this.closed) {
        // Small parts go out together: a header and a small payload in one write.
        let part = this.#queue.shift()!;
        if (part.length < 16_384 && this.#queue.length !== 0 && this.#queue[0]!.length < 16_384) {
          const next = this.#queue.shift()!;
          const joined = new Uint8Array(part.length + next.length);
          joined.set(part);
          joined.set(next, part.length);
          part = joined;
        }
        let at = 0;
        while (at < part.length) at += await this.#conn.write(part.subarray(at));
        this.sentBytes(part.length);
      }
    } catch (error) {
      this.finish(_closedBy(error));
    } finally {
      this.#writing = false;
    }
  }

  async #read(): Promise<void> {
    const decoder = new WireDecoder();
    const buffer = new Uint8Array(256 * 1024);
    try {
      for (;;) {
        // Large payloads are read straight into their own buffer: no copy.
        const space = decoder.payloadSpace();
        const into = space !== undefined && space.length >= _IN_PLACE_BYTES ? space : buffer;
        const n = await this.#conn.read(into);
        if (n === null) {
          decoder.end();
          this.finish(
            new StreamlibError("SL_LINK_UNREACHABLE", "The other node closed the connection"),
          );
          return;
        }
        this.bytes += n;
        const messages = into === buffer ? decoder.push(buffer.subarray(0, n)) : decoder.filled(n);
        for (const message of messages) {
          if (this.closed) return;
          this.onMessage(message);
        }
      }
    } catch (error) {
      this.finish(_closedBy(error));
    }
  }

  protected release(): void {
    this.#queue = [];
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** The error a conduit closes with: wire errors as they are, the rest as unreachable. */
export function _closedBy(error: unknown): StreamlibError | undefined {
  if (error instanceof StreamlibError) return error;
  if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
    return undefined; // closed here
  }
  return new StreamlibError(
    "SL_LINK_UNREACHABLE",
    `The link's connection failed: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}

/** Connects to `host:port`; `SL_LINK_UNREACHABLE` when nothing answers within `timeoutMs`. */
export async function _dialDirect(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<_DirectConduit> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connecting = Deno.connect({ hostname: host, port, transport: "tcp" });
  try {
    const conn = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return new _DirectConduit(conn);
  } catch (error) {
    connecting.then((c) => c.close(), () => {});
    throw new StreamlibError(
      "SL_LINK_UNREACHABLE",
      `Cannot connect to ${host}:${port}: ${(error as Error).message}`,
      { cause: error, details: { host, port } },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP listener that makes a conduit of each connection. */
export interface _DirectListener {
  readonly host: string;
  readonly port: number;
  close(): void;
}

/** Listens on `host:port` (0: a free port) and hands each connection's conduit on. */
export function _listenDirect(
  host: string,
  port: number,
  onConduit: (conduit: _DirectConduit) => void,
): _DirectListener {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: host, port, transport: "tcp" });
  } catch (error) {
    const taken = error instanceof Deno.errors.AddrInUse;
    throw new StreamlibError(
      taken ? "SL_NET_ADDRESS_IN_USE" : "SL_NET_LISTEN",
      `Cannot take links on ${host.includes(":") ? `[${host}]` : host}:${port}: ${
        taken ? "another program listens there already; pick another port" : String(
          (error as Error)?.message ?? error,
        )
      }`,
      { cause: error, details: { host, port } },
    );
  }
  const addr = listener.addr as Deno.NetAddr;
  let closed = false;
  (async () => {
    try {
      for await (const conn of listener) {
        if (closed) {
          conn.close();
          break;
        }
        try {
          onConduit(new _DirectConduit(conn));
        } catch {
          conn.close();
        }
      }
    } catch {
      // Closed.
    }
  })();
  return {
    host: addr.hostname,
    port: addr.port,
    close(): void {
      if (closed) return;
      closed = true;
      try {
        listener.close();
      } catch {
        // Already closed.
      }
    },
  };
}
