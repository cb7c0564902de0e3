import assert from "node:assert/strict";
import { Collect, type DataMessage, DataSource, Pipeline } from "@streamlib/core";
import { NetSink, NetSrc } from "./mod.ts";
import { _hostPort } from "./_dial.ts";
import { encodeWire, type WireMessage } from "./wire_format.ts";
import { WireDecoder } from "./wire_decoder.ts";

/**
 * A TCP relay in front of a receiver that reads the sender's frames and passes them on, except
 * the first end-of-stream: that one it swallows, and it cuts the connection both ways — what a
 * connection reset does to the end still waiting in a socket's buffer.
 */
class EosEater {
  readonly url: string;
  eaten = 0;
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #serving: Promise<void>;

  constructor(to: string) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.url = `tcp://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
    this.#serving = this.#serve(_hostPort(to.slice(6)));
  }

  async #serve(target: { host: string; port: number }): Promise<void> {
    const relays: Promise<void>[] = [];
    for await (const client of this.#listener) {
      const server = await Deno.connect({ hostname: target.host, port: target.port });
      relays.push(this.#relay(client, server));
    }
    await Promise.all(relays);
  }

  async #relay(client: Deno.Conn, server: Deno.Conn): Promise<void> {
    this.#conns.add(client).add(server);
    const cut = (): void => {
      for (const conn of [client, server]) {
        this.#conns.delete(conn);
        closeConn(conn);
      }
    };
    const back = server.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {});
    const decoder = new WireDecoder();
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n = await client.read(buffer); n !== null; n = await client.read(buffer)) {
        for (const message of decoder.push(buffer.subarray(0, n))) {
          if (message.type === "eos" && this.eaten === 0) {
            this.eaten++;
            return cut();
          }
          await this.#write(server, message);
        }
      }
    } catch {
      // Cut, or closed at the end.
    }
    cut();
    await back;
  }

  async #write(conn: Deno.Conn, message: WireMessage): Promise<void> {
    for (const part of encodeWire(message)) {
      for (let at = 0; at < part.length;) at += await conn.write(part.subarray(at));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    for (const conn of this.#conns) closeConn(conn);
    await this.#serving.catch(() => {});
  }
}

function closeConn(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** `promise`, or a failure after `ms`: a lost end-of-stream shows as a failure, not a hang. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("an end-of-stream lost with its connection goes again on the next one, and the receiver ends", async () => {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
  const got = receiver.add(new Collect<DataMessage>());
  receiver.link(src, got);
  await receiver.start();
  try {
    await using relay = new EosEater(src.url!);
    const sender = new Pipeline();
    const logs: string[] = [];
    sender.bus.on("log", (e) => logs.push(e.text));
    const sink = new NetSink({ to: relay.url });
    sender.pipe(new DataSource({ count: 3, fps: 100 }), sink);
    await within(sender.run(), 10_000, "the sender's end");
    await within(receiver.done, 10_000, "end-of-stream at the receiver");
    assert.equal(relay.eaten, 1);
    // The sender heard the receiver acknowledge the end.
    assert.ok(!logs.some((text) => text.includes("could not cross")), logs.join("\n"));
    assert.deepEqual(got.messages.map((m) => m.value), [0, 1, 2]);
    // The end went again with its own sequence number: nothing counts as lost.
    const link = src.remoteLink();
    assert.equal(link.reconnects, 1);
    assert.equal(link.gaps, 0);
    assert.equal(link.missing, 0);
  } finally {
    await receiver.stop({ mode: "abort" }).catch(() => {});
  }
});

Deno.test("the receiver acknowledges end-of-stream before it closes, so the sender ends without giving up on it", async () => {
  for (let i = 0; i < 5; i++) {
    const receiver = new Pipeline();
    const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
    receiver.link(src, receiver.add(new Collect<DataMessage>()));
    await receiver.start();
    try {
      const sender = new Pipeline();
      const logs: string[] = [];
      sender.bus.on("log", (e) => logs.push(e.text));
      sender.pipe(new DataSource({ count: 2, fps: 100 }), new NetSink({ to: src.url! }));
      await within(sender.run(), 10_000, "the sender's end");
      await within(receiver.done, 10_000, "end-of-stream at the receiver");
      assert.ok(!logs.some((text) => text.includes("could not cross")), logs.join("\n"));
    } finally {
      await receiver.stop({ mode: "abort" }).catch(() => {});
    }
  }
});
