/**
 * The link access token: a node (or a lone `netsrc`) that has one takes a hello only when it
 * carries the same one, compared in constant time; any other hello is refused with
 * `SL_UNAUTHORIZED` before a session exists, so nothing is delivered. A receiver without a
 * token takes every hello, as before tokens existed. Internal to the link code.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { StreamlibError } from "@streamlib/core";
import { _sameText } from "../_same_text.ts";
import type { _Hello } from "./_link_sender.ts";

/** What a receiver requires of a hello. */
export interface _LinkGate {
  /** The token every hello must carry, or `undefined` for none. */
  readonly token: string | undefined;
  /** Who refuses, for the message: `node "edge"`, `netsrc "src"`. */
  readonly who: string;
  /** Told of each refusal (the sender is told too, in the refusal). */
  readonly refused?: (error: StreamlibError) => void;
}

/**
 * Throws `SL_UNAUTHORIZED` when `gate` needs a token that `hello` does not carry; the message
 * names both ends, never the token.
 */
export function _admit(
  hello: Readonly<Record<string, unknown>>,
  gate: _LinkGate | undefined,
): void {
  const token = gate?.token;
  if (token === undefined) return;
  const given = hello.token;
  if (typeof given === "string" && _sameText(given, _wireToken(token))) return;
  const from = typeof hello.node === "string" && hello.node !== ""
    ? `node ${JSON.stringify(hello.node)}`
    : "a node";
  const error = new StreamlibError(
    "SL_UNAUTHORIZED",
    `${gate!.who} refused a link from ${from}: its hello carries ${
      typeof given === "string" ? "another access token" : "no access token"
    }; start the sending node with the receiver's token (STREAMLIB_TOKEN, or token=)`,
    { details: { node: typeof hello.node === "string" ? hello.node : "" } },
  );
  gate!.refused?.(error);
  throw error;
}

/** The hello with the wire form of `token` in it, when there is one. */
export function _withToken(hello: _Hello, token: string | undefined): _Hello {
  return token === undefined || token === "" || hello.token !== undefined
    ? hello
    : { ...hello, token: _wireToken(token) };
}

/** Wire forms by token: each is worked out once. */
const _wire = new Map<string, string>();

/**
 * What a hello carries for `token`: HMAC-SHA256 of a fixed label, keyed with the token. The
 * token itself never travels, so whoever reads a hello (on NATS, any client that subscribes)
 * learns nothing that reaches the control API, which `STREAMLIB_TOKEN` also guards.
 */
export function _wireToken(token: string): string {
  let wire = _wire.get(token);
  if (wire === undefined) {
    wire = createHmac("sha256", token).update("streamlib link token v1").digest("base64url");
    if (_wire.size > 64) _wire.clear();
    _wire.set(token, wire);
  }
  return wire;
}
