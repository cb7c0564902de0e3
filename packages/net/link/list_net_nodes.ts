import { _discover } from "./_announce.ts";
import type { NodeAnnouncement } from "./_announce.ts";
import { _acquireHub, _natsUrl, _releaseHub } from "./_hubs.ts";

export type { NodeAnnouncement } from "./_announce.ts";

/**
 * Lists the nodes on a NATS server: each running node answers with its announcement (name,
 * process, machine, actors, direct link port). `streamlib nodes --nats URL` prints them.
 * Throws `SL_NATS` when the server cannot be reached.
 *
 * @example
 * ```ts ignore
 * import { listNetNodes } from "@streamlib/net";
 * for (const node of await listNetNodes("nats://127.0.0.1:4222")) console.log(node.name);
 * ```
 *
 * @param nats The server's URL.
 * @param options How long to wait for answers (default 500 ms).
 * @returns The nodes, by name.
 */
export async function listNetNodes(
  nats: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<NodeAnnouncement[]> {
  const url = _natsUrl(nats);
  const hub = await _acquireHub(url, "streamlib nodes");
  try {
    return await _discover(hub, options.timeoutMs ?? 500);
  } finally {
    await _releaseHub(url);
  }
}
