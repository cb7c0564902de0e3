/**
 * Speaking to a link receiver by hand, for the tests of what it refuses: a hello frame, and a
 * raw connection that sends bytes and reads the answer.
 *
 * @module
 */

import { encodeWire, WireDecoder, type WireMessage } from "./mod.ts";
import type { _Hello } from "./_link_sender.ts";

/** One message as one wire frame. */
export function wireFrame(message: WireMessage): Uint8Array {
  const [head, payload] = encodeWire(message);
  return new Uint8Array([...head, ...payload]);
}

/** A hello from node "poke" as a sender says it, with `fields` over the usual ones. */
export function helloBody(fields: Record<string, unknown>): _Hello {
  return {
    wire: 1,
    node: "poke",
    link: crypto.randomUUID(),
    session: 1,
    target: "",
    kind: "data",
    codec: "raw",
    policy: "queue",
    window: 8,
    next: 0,
    from: "poke",
    ...fields,
  } as _Hello;
}

/** {@linkcode helloBody} as one wire frame. */
export function helloFrame(fields: Record<string, unknown>): Uint8Array {
  return wireFrame({ type: "hello", body: { ...helloBody(fields) } });
}

/**
 * Sends `bytes` to `port` on 127.0.0.1 (closing the writing side after them when `half`: a
 * truncated frame whose rest never comes), then reads what comes back until the receiver
 * closes; decoded.
 */
export async function poke(port: number, bytes: Uint8Array, half = false): Promise<WireMessage[]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(bytes);
  if (half) await conn.closeWrite();
  const decoder = new WireDecoder();
  const got: WireMessage[] = [];
  const buffer = new Uint8Array(65_536);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    got.push(...decoder.push(buffer.slice(0, n)));
  }
  conn.close();
  return got;
}
