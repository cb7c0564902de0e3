/**
 * The link access token: a node (or a lone `netsrc`) that has one takes a hello only when it
 * carries a proof of the same token; any other hello is refused with `SL_UNAUTHORIZED` before a
 * session exists, so nothing is delivered. A receiver without a token takes every hello, as
 * before tokens existed. Internal to the link code.
 *
 * The token never travels. Each dial seals its hello (`_sealed`) with a proof made for it alone:
 * the time, a random nonce, and HMAC-SHA256 keyed with the token over those and the hello's
 * node, link, session and target. A receiver takes a proof once, within five minutes of its own
 * clock, so a hello read off the wire (on NATS, by any client that subscribes) cannot be
 * replayed to open another link, nor changed to reach another target.
 *
 * @module
 */

import { createHmac, randomBytes } from "node:crypto";
import { StreamlibError } from "@streamlib/core";
import { _sameText } from "../_same_text.ts";
import type { _Hello } from "./_link_sender.ts";

/** How far a proof's time may be from the receiver's clock, either way, in ms. */
export const _PROOF_WINDOW_MS = 5 * 60_000;

/** Proofs a receiver keeps, at most, to refuse them a second time. */
const _SEEN_MAX = 65_536;

/** What a receiver requires of a hello; made by {@linkcode _linkGate}. */
export interface _LinkGate {
  /** The token every hello must prove, or `undefined` for none. */
  readonly token: string | undefined;
  /** Who refuses, for the message: `node "edge"`, `netsrc "src"`. */
  readonly who: string;
  /** Told of each refusal (the sender is told too, in the refusal). */
  readonly refused?: (error: StreamlibError) => void;
  /** The wall clock in ms since the epoch (tests give their own). */
  readonly now: () => number;
  /** The proofs taken, each with when it may be forgotten (its time is out of the window). */
  readonly seen: Map<string, number>;
}

/** A receiver's gate: `token` (none: every hello is taken), named `who` in refusals. */
export function _linkGate(options: {
  token: string | undefined;
  who: string;
  refused?: (error: StreamlibError) => void;
  now?: () => number;
}): _LinkGate {
  return {
    token: options.token || undefined,
    who: options.who,
    ...(options.refused ? { refused: options.refused } : {}),
    now: options.now ?? Date.now,
    seen: new Map(),
  };
}

/**
 * Throws `SL_UNAUTHORIZED` when `gate` needs a token that `hello` does not prove, or proved
 * before; the message names both ends and why, never the token.
 */
export function _admit(
  hello: Readonly<Record<string, unknown>>,
  gate: _LinkGate | undefined,
): void {
  if (gate?.token === undefined) return;
  const why = _disproved(hello, gate);
  if (why === undefined) return;
  const from = typeof hello.node === "string" && hello.node !== ""
    ? `node ${JSON.stringify(hello.node)}`
    : "a node";
  const error = new StreamlibError(
    "SL_UNAUTHORIZED",
    `${gate.who} refused a link from ${from}: ${why}`,
    { details: { node: typeof hello.node === "string" ? hello.node : "" } },
  );
  gate.refused?.(error);
  throw error;
}

/** Why `hello`'s proof does not hold for `gate`, or `undefined` when it does (and is taken). */
function _disproved(
  hello: Readonly<Record<string, unknown>>,
  gate: _LinkGate,
): string | undefined {
  const proof = hello.proof;
  const parts = typeof proof === "string" ? proof.split(".") : [];
  const time = Number(parts[1]);
  if (parts.length !== 4 || parts[0] !== "v2" || !Number.isSafeInteger(time) || parts[2] === "") {
    return `its hello carries ${
      proof === undefined && hello.token === undefined ? "no" : "no valid"
    } access token proof; start the sending node with the receiver's token ` +
      `(STREAMLIB_TOKEN, or token=)`;
  }
  const mac = _mac(gate.token!, hello, time, parts[2]!);
  if (!_sameText(parts[3]!, mac)) {
    return "its hello was made with another access token; start the sending node with the " +
      "receiver's token (STREAMLIB_TOKEN, or token=)";
  }
  const now = gate.now();
  const off = time - now;
  if (Math.abs(off) > _PROOF_WINDOW_MS) {
    return `its hello is dated ${Math.round(Math.abs(off) / 1000)} s ${
      off < 0 ? "before" : "after"
    } this machine's clock, more than the ${_PROOF_WINDOW_MS / 1000} s allowed: set both ` +
      "machines' clocks (NTP), or the hello was recorded and sent again";
  }
  for (const [seen, forget] of gate.seen) {
    if (forget > now) break;
    gate.seen.delete(seen);
  }
  if (gate.seen.has(mac)) {
    return "its hello was used before (a replay): each hello opens one link";
  }
  if (gate.seen.size >= _SEEN_MAX) gate.seen.delete(gate.seen.keys().next().value!);
  gate.seen.set(mac, now + 2 * _PROOF_WINDOW_MS);
  return undefined;
}

/**
 * The hello as it goes on the wire: its `key` (the receiver's token) replaced by a proof made
 * now for this hello alone. Every dial calls it, so no two hellos carry the same proof.
 *
 * @param hello The hello, with `key` when the receiver has a token.
 * @param now The wall clock in ms since the epoch (tests give their own).
 */
export function _sealed(hello: _Hello, now: number = Date.now()): Record<string, unknown> {
  const { key, ...rest } = hello;
  if (key === undefined || key === "") return rest;
  const time = Math.round(now);
  const nonce = randomBytes(16).toString("base64url");
  return { ...rest, proof: `v2.${time}.${nonce}.${_mac(key, rest, time, nonce)}` };
}

/** The hello with the receiver's token as its `key`, when there is one and it has none. */
export function _withToken(hello: _Hello, token: string | undefined): _Hello {
  return token === undefined || token === "" || hello.key !== undefined
    ? hello
    : { ...hello, key: token };
}

/**
 * A gate's `refused` that logs refusals with `log`: the first ten, then one in a hundred with
 * the count, so a stranger who keeps knocking (under any node name a hello claims) cannot flood
 * the log.
 */
export function _logRefusals(log: (text: string) => void): (error: StreamlibError) => void {
  let refusals = 0;
  return (error) => {
    refusals++;
    if (refusals <= 10 || refusals % 100 === 0) {
      log(`${error.code} ${error.message}${refusals <= 10 ? "" : ` (${refusals} refused)`}`);
    }
  };
}

/** HMAC-SHA256, keyed with `token`, of what a proof binds. */
function _mac(
  token: string,
  hello: Readonly<Record<string, unknown>>,
  time: number,
  nonce: string,
): string {
  const bound = JSON.stringify([
    "streamlib link proof v2",
    String(hello.node ?? ""),
    String(hello.link ?? ""),
    String(hello.session ?? ""),
    String(hello.target ?? ""),
    time,
    nonce,
  ]);
  return createHmac("sha256", token).update(bound).digest("base64url");
}
