/**
 * Where `netsink` finds the way to `actor://node/…`: the process's link service (a
 * `NetNode`), which knows the NATS server, the peers, the node's own name and its token. A separate file
 * so that the actors need not import the node, which makes them. Internal to the link code.
 *
 * @module
 */

import type { _Dial } from "./_link_sender.ts";

/** What a link service offers the actors. */
export interface _LinkService {
  /** This node's name. */
  readonly name: string;
  /** A dial to `target` (`type/name.port`) on `node` (a name or host:port). */
  dialActor(node: string, target: string): _Dial;
}

/** Each link service's access token, kept here so that the node's public class shows none. */
const _tokens = new WeakMap<object, string>();

/** Records `service`'s link access token (none: `undefined`). */
export function _setLinkToken(service: object, token: string | undefined): void {
  if (token === undefined) _tokens.delete(service);
  else _tokens.set(service, token);
}

/**
 * A link service's access token, when it has one: what its links' hellos carry, and what a
 * `netsink` or `netsrc` in its process without a `token` of its own uses.
 */
export function _linkTokenOf(service: object | undefined): string | undefined {
  return service === undefined ? undefined : _tokens.get(service);
}

let _current: _LinkService | undefined;

/** Installs (or, with `undefined`, removes) the process's link service. */
export function _setLinkService(service: _LinkService | undefined): void {
  _current = service;
}

/** The process's link service, if one runs. */
export function _linkService(): _LinkService | undefined {
  return _current;
}
