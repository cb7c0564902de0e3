/**
 * One NATS connection per server URL for the whole process, shared by every link and node,
 * counted, and closed when the last user lets go. Internal to the link code.
 *
 * @module
 */

import { _NatsHub } from "./_nats.ts";

const _hubs = new Map<string, { hub: Promise<_NatsHub>; users: number }>();

/** The normal form of a server URL: `nats://host:port`. */
export function _natsUrl(url: string): string {
  const bare = url.replace(/^nats:\/\//, "").replace(/\/.*$/, "");
  return `nats://${bare.includes(":") ? bare : `${bare}:4222`}`;
}

/** The connection to `url`, made on first use. */
export function _acquireHub(url: string, name: string): Promise<_NatsHub> {
  const key = _natsUrl(url);
  let entry = _hubs.get(key);
  if (entry === undefined) {
    entry = { hub: _NatsHub.connect(key, name), users: 0 };
    _hubs.set(key, entry);
    entry.hub.catch(() => _hubs.delete(key));
  }
  entry.users++;
  return entry.hub;
}

/** Lets go of a connection from `_acquireHub`. */
export async function _releaseHub(url: string): Promise<void> {
  const key = _natsUrl(url);
  const entry = _hubs.get(key);
  if (entry === undefined || --entry.users > 0) return;
  _hubs.delete(key);
  try {
    await (await entry.hub).close();
  } catch {
    // It never connected.
  }
}
