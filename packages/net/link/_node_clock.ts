/**
 * Clock exchanges between nodes outside any media link: a node answers pings on its NATS
 * subject `streamlib.node.<name>.time` (and on direct `~clock` sessions); `_clockExchange`
 * pings a peer once a second (a burst of five first) and feeds a `ClockSync`. Internal.
 *
 * @module
 */

import type { Clock } from "@streamlib/core";
import type { _NatsHub } from "./_nats.ts";
import type { _Dial } from "./_link_sender.ts";
import type { _Conduit } from "./_conduit.ts";
import type { ClockSync } from "./clock_sync.ts";
import { encodeWire } from "./wire_format.ts";
import { decodeWire } from "./wire_decoder.ts";

function _bytes(parts: [Uint8Array, Uint8Array]): Uint8Array {
  const out = new Uint8Array(parts[0].length + parts[1].length);
  out.set(parts[0]);
  out.set(parts[1], parts[0].length);
  return out;
}

/** Answers clock pings on a NATS subject with `now()`. */
export function _serveClock(hub: _NatsHub, subject: string, now: () => number): () => void {
  return hub.subscribe(subject, (bytes, reply) => {
    if (reply === undefined) return;
    const t2 = now();
    let ping;
    try {
      ping = decodeWire(bytes);
    } catch {
      return; // not a ping: no answer
    }
    if (ping.type !== "ping") return;
    reply(_bytes(encodeWire({ type: "pong", t1: ping.t1, t2, t3: now() })));
  });
}

/** What a clock exchange needs. */
export interface _ClockExchange {
  readonly peer: string;
  readonly local: Clock;
  readonly sync: ClockSync;
  readonly hub: () => _NatsHub | undefined;
  readonly dial: () => _Dial;
  readonly closed: () => boolean;
}

/** Pings `peer` once a second until stopped; returns the stop function. */
export function _clockExchange(x: _ClockExchange): () => void {
  let stopped = false;
  let conduit: _Conduit | undefined;
  const stop = (): void => {
    stopped = true;
    conduit?.close();
  };
  (async () => {
    let burst = 5;
    while (!stopped && !x.closed()) {
      const hub = x.hub();
      try {
        if (hub !== undefined && hub.connected) {
          const t1 = x.local.now();
          const reply = decodeWire(
            await hub.request(
              `streamlib.node.${x.peer}.time`,
              _bytes(encodeWire({ type: "ping", t1 })),
              1_000,
            ),
          );
          const t4 = x.local.now();
          if (reply.type === "pong") x.sync.add({ t1: reply.t1, t2: reply.t2, t3: reply.t3, t4 });
        } else {
          if (conduit === undefined || conduit.closed) {
            const made = await x.dial()({
              wire: 1,
              node: "",
              link: crypto.randomUUID(),
              session: 1,
              target: "~clock",
              kind: "any",
              codec: "raw",
              policy: "latest",
              window: 1,
              next: 0,
              from: "",
            });
            conduit = made.conduit;
            conduit.onMessage = (m) => {
              if (m.type === "pong") {
                x.sync.add({ t1: m.t1, t2: m.t2, t3: m.t3, t4: x.local.now() });
              }
            };
          }
          conduit.send({ type: "ping", t1: x.local.now() });
        }
      } catch {
        // The peer is away: try again later.
      }
      await new Promise((resolve) => setTimeout(resolve, burst > 0 ? 30 : 1_000));
      if (burst > 0) burst--;
    }
    conduit?.close();
  })();
  return stop;
}
