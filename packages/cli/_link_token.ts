/**
 * The link access token of a `streamlib run` node: `STREAMLIB_TOKEN` when set (the variable the
 * control server reads too); else, when `--listen` is off loopback, 128 random bits made up for
 * this run, which `run` prints; else none, as only this machine reaches a loopback port.
 *
 * @module
 */

import { accessToken } from "@streamlib/net/control";
import { _hostPort } from "./_address.ts";

/**
 * The token for a node listening on `listen` (`host:port`; absent: 127.0.0.1), given
 * `STREAMLIB_TOKEN`'s value (`undefined` or `""` when unset).
 */
export function _linkToken(
  listen: string | undefined,
  given: string | undefined,
): string | undefined {
  const host = listen === undefined ? "127.0.0.1" : _hostPort(listen, "--listen").host;
  return accessToken(host, given ?? "");
}
