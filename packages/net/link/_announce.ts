/**
 * Nodes announce themselves on NATS: each publishes what it is on `streamlib.nodes.announce`
 * every two seconds and answers `streamlib.nodes.discover` at once; `listNetNodes` asks and
 * collects the answers. Internal but for the announcement's type.
 *
 * @module
 */

import type { _NatsHub } from "./_nats.ts";

/**
 * What a node says of itself on NATS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeAnnouncement } from "@streamlib/net";
 * const a: NodeAnnouncement = {
 *   name: "edge", pid: 42, host: "cam-box", started: 0, actors: ["mix (compositor)"],
 *   direct: "10.0.0.2:7400",
 * };
 * assert.ok(a.name === "edge");
 * ```
 */
export interface NodeAnnouncement {
  /** The node's name. */
  readonly name: string;
  /** Its process id. */
  readonly pid: number;
  /** The machine's name, if the node may read it. */
  readonly host: string;
  /** When it started, ms since 1970. */
  readonly started: number;
  /** Its actors, `name (type)`. */
  readonly actors: readonly string[];
  /** `host:port` of its direct link port, if it listens. */
  readonly direct?: string;
  /** Its NATS server. */
  readonly nats?: string;
}

const _ANNOUNCE = "streamlib.nodes.announce";
const _DISCOVER = "streamlib.nodes.discover";
const _encoder = new TextEncoder();
const _decoder = new TextDecoder();

/** A node's announcement, with what the process knows of itself. */
export function _announcement(
  fields: Omit<NodeAnnouncement, "pid" | "host">,
): NodeAnnouncement {
  let host = "";
  try {
    host = Deno.hostname();
  } catch {
    // No sys permission: the name stays unknown.
  }
  return { ...fields, pid: Deno.pid, host };
}

function _parse(bytes: Uint8Array): NodeAnnouncement | undefined {
  try {
    const a = JSON.parse(_decoder.decode(bytes));
    if (typeof a?.name !== "string" || typeof a?.pid !== "number") return undefined;
    return {
      name: a.name,
      pid: a.pid,
      host: String(a.host ?? ""),
      started: Number(a.started) || 0,
      actors: Array.isArray(a.actors) ? a.actors.map(String) : [],
      ...(typeof a.direct === "string" ? { direct: a.direct } : {}),
      ...(typeof a.nats === "string" ? { nats: a.nats } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Announces this node every `everyMs`, answers discovery, and keeps what other nodes announce
 * in `known` (entries not heard of for three periods go). Returns the stop function.
 */
export function _watchAnnouncements(
  hub: _NatsHub,
  known: Map<string, NodeAnnouncement>,
  self: () => NodeAnnouncement,
  everyMs = 2_000,
): () => void {
  const heard = new Map<string, number>();
  const offAnnounce = hub.subscribe(_ANNOUNCE, (bytes) => {
    const a = _parse(bytes);
    if (a === undefined) return;
    known.set(a.name, a);
    heard.set(a.name, Date.now());
  });
  const offDiscover = hub.subscribe(_DISCOVER, (_bytes, reply) => {
    reply?.(_encoder.encode(JSON.stringify(self())));
  });
  const announce = (): void => {
    hub.publish(_ANNOUNCE, _encoder.encode(JSON.stringify(self())));
    for (const [name, at] of heard) {
      if (Date.now() - at > 3 * everyMs) {
        heard.delete(name);
        known.delete(name);
      }
    }
  };
  announce();
  const timer = setInterval(announce, everyMs);
  return () => {
    clearInterval(timer);
    offAnnounce();
    offDiscover();
  };
}

/** Asks every node on the server and collects the answers for `timeoutMs`. */
export async function _discover(hub: _NatsHub, timeoutMs: number): Promise<NodeAnnouncement[]> {
  const replies = await hub.gather(_DISCOVER, new Uint8Array(0), timeoutMs);
  const byName = new Map<string, NodeAnnouncement>();
  for (const bytes of replies) {
    const a = _parse(bytes);
    if (a !== undefined) byName.set(a.name, a);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
