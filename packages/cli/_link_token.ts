/**
 * The link access token of a `streamlib run` node: `STREAMLIB_TOKEN` when set (the variable the
 * control server reads too); else, when `--listen` is off loopback, 128 random bits made up for
 * this run, which `run` prints; else none, as only this machine reaches a loopback port.
 *
 * @module
 */

import { accessToken, isLoopback } from "@streamlib/net/control";
import { _hostPort } from "./_address.ts";

/**
 * The token for a node listening on `listen` (`host:port`; absent: 127.0.0.1) and on the NATS
 * server `nats` (absent: none), given `STREAMLIB_TOKEN`'s value (`undefined` or `""` when unset):
 * one is made up when either is off loopback, since other machines reach the node there.
 */
export function _linkToken(
  listen: string | undefined,
  given: string | undefined,
  nats?: string,
): string | undefined {
  const listenHost = listen === undefined ? "127.0.0.1" : _hostPort(listen, "--listen").host;
  const natsHost = nats === undefined ? "127.0.0.1" : _natsHost(nats);
  return accessToken(isLoopback(listenHost) ? natsHost : listenHost, given ?? "");
}

/** The host of a NATS server URL (`nats://10.0.0.5:4222`, or `host:port`). */
function _natsHost(url: string): string {
  try {
    return new URL(url.includes("://") ? url : `nats://${url}`).hostname || "127.0.0.1";
  } catch {
    return url; // not loopback as far as can be told: a token is made up
  }
}
