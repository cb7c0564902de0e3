/**
 * Reaching a receiver: a link's `to` is `tcp://host:port` (a `netsrc` listening, or a node's
 * link port), `nats://server:port/subject` (a `netsrc` on that subject), or `actor://node/…`
 * (an actor on a node, reached through this process's link service). Each gives a `_Dial`:
 * connect, say hello, get the accept or the refusal. Also the receiving side's half: reading a
 * hello off a new direct connection, and answering hellos on NATS. Internal to the link code.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import { type _Conduit, _dialDirect } from "./_conduit.ts";
import { _NatsConduit, type _NatsHub } from "./_nats.ts";
import type { _Dial, _Dialled, _Hello } from "./_link_sender.ts";
import { _admit, type _LinkGate, _sealed } from "./_link_token.ts";
import { encodeWire, type WireMessage } from "./wire_format.ts";
import { decodeWire } from "./wire_decoder.ts";

/** How long a hello may wait for its answer. */
export const _HELLO_TIMEOUT_MS = 3_000;

/** Splits `host:port` (IPv6 in brackets); `SL_ADDRESS_INVALID` without a port. */
export function _hostPort(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new StreamlibError(
      "SL_ADDRESS_INVALID",
      `${JSON.stringify(text)} is not host:port (for example 127.0.0.1:7400)`,
      { details: { address: text } },
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

/** Parses `nats://host:port/subject` into the server URL and the subject. */
export function _natsAddress(text: string): { server: string; subject: string } {
  const match = /^nats:\/\/([^/]+)\/([A-Za-z0-9_.-]+)$/.exec(text);
  if (match === null) {
    throw new StreamlibError(
      "SL_ADDRESS_INVALID",
      `${JSON.stringify(text)} is not nats://host:port/subject (a subject of letters, digits, ` +
        "_ . and -)",
      { details: { address: text } },
    );
  }
  return { server: `nats://${match[1]}`, subject: match[2]! };
}

/** Waits for the first message of a connection. */
export function _firstMessage(conduit: _Conduit, timeoutMs: number): Promise<WireMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conduit.close();
      reject(new StreamlibError("SL_LINK_UNREACHABLE", `No answer within ${timeoutMs} ms`));
    }, timeoutMs);
    conduit.onMessage = (message) => {
      clearTimeout(timer);
      conduit.onMessage = () => {};
      resolve(message);
    };
    conduit.onClose = (error) => {
      clearTimeout(timer);
      reject(error ?? new StreamlibError("SL_LINK_UNREACHABLE", "The connection closed"));
    };
  });
}

/** The accept or the refusal a hello got, as the dialler returns it. */
function _answered(conduit: _Conduit, answer: WireMessage): _Dialled {
  if (answer.type === "accept") return { conduit, accept: answer.body };
  conduit.close();
  if (answer.type === "refuse") {
    throw new StreamlibError(answer.code, `The other node refused the link: ${answer.message}`, {
      details: { refused: answer.code },
    });
  }
  throw new StreamlibError("SL_WIRE_MALFORMED", `A hello was answered with "${answer.type}"`);
}

/** Dials `host:port` directly. */
export function _directDial(host: string, port: number): _Dial {
  return async (hello: _Hello) => {
    const conduit = await _dialDirect(host, port, _HELLO_TIMEOUT_MS);
    const answer = _firstMessage(conduit, _HELLO_TIMEOUT_MS);
    conduit.send({ type: "hello", body: _sealed(hello) });
    return _answered(conduit, await answer);
  };
}

/** Dials over NATS: a request on `helloSubject`, then the two subjects the accept names. */
export function _natsDial(
  hub: _NatsHub,
  helloSubject: string,
  timeoutMs = _HELLO_TIMEOUT_MS,
): _Dial {
  return async (hello: _Hello) => {
    if (!hub.connected) {
      throw new StreamlibError("SL_NATS", `The NATS server at ${hub.url} is not reachable now`);
    }
    const [head, payload] = encodeWire({ type: "hello", body: _sealed(hello) });
    const reply = await hub.request(helloSubject, _joined(head, payload), timeoutMs);
    const answer = decodeWire(reply);
    if (answer.type !== "accept") return _answered(_closedConduit(), answer);
    const data = answer.body.data;
    const control = answer.body.control;
    if (typeof data !== "string" || typeof control !== "string") {
      throw new StreamlibError("SL_WIRE_MALFORMED", "The accept names no NATS subjects");
    }
    return { conduit: new _NatsConduit(hub, data, control), accept: answer.body };
  };
}

/**
 * Answers hellos on NATS: each one gets a pair of subjects of its own and a conduit on them,
 * which `accept` takes (returning the accept) or refuses (throwing a coded error). A hello
 * that `gate` refuses (no or another access token) gets `SL_UNAUTHORIZED` and no subjects.
 */
export function _serveNatsHellos(
  hub: _NatsHub,
  helloSubject: string,
  accept: (conduit: _Conduit, hello: _Hello) => Record<string, unknown>,
  gate?: _LinkGate,
): () => void {
  return hub.subscribe(helloSubject, (bytes, reply) => {
    if (reply === undefined) return;
    let answer: WireMessage;
    let conduit: _NatsConduit | undefined;
    try {
      const hello = decodeWire(bytes);
      if (hello.type !== "hello") {
        throw new StreamlibError("SL_WIRE_MALFORMED", `Expected a hello, got "${hello.type}"`);
      }
      _admit(hello.body, gate);
      const session = `streamlib.link.${crypto.randomUUID()}`;
      const data = `${session}.d`;
      const control = `${session}.c`;
      conduit = new _NatsConduit(hub, control, data);
      const body = accept(conduit, hello.body as unknown as _Hello);
      answer = { type: "accept", body: { ...body, data, control } };
    } catch (error) {
      conduit?.close();
      const coded = error instanceof StreamlibError
        ? error
        : new StreamlibError("SL_LINK_REFUSED", String((error as Error)?.message ?? error));
      answer = { type: "refuse", code: coded.code, message: coded.message };
    }
    const [head, payload] = encodeWire(answer);
    reply(_joined(head, payload));
  });
}

/**
 * Reads the hello on a new direct connection and answers it with what `accept` says; bad
 * bytes, silence or anything but a hello close the connection. A hello that `gate` refuses (no
 * or another access token) is answered `SL_UNAUTHORIZED` and the connection closed: `accept`
 * never sees it.
 */
export async function _acceptDirect(
  conduit: _Conduit,
  accept: (conduit: _Conduit, hello: _Hello) => Record<string, unknown>,
  gate?: _LinkGate,
): Promise<void> {
  let first: WireMessage;
  try {
    first = await _firstMessage(conduit, _HELLO_TIMEOUT_MS);
  } catch {
    conduit.close();
    return;
  }
  if (first.type !== "hello") {
    conduit.send({ type: "refuse", code: "SL_WIRE_MALFORMED", message: "Expected a hello first" });
    await conduit.drained();
    conduit.close();
    return;
  }
  try {
    _admit(first.body, gate);
    const body = accept(conduit, first.body as unknown as _Hello);
    conduit.send({ type: "accept", body });
  } catch (error) {
    const coded = error instanceof StreamlibError
      ? error
      : new StreamlibError("SL_LINK_REFUSED", String((error as Error)?.message ?? error));
    conduit.send({ type: "refuse", code: coded.code, message: coded.message });
    await conduit.drained();
    conduit.close();
  }
}

function _joined(head: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** A conduit that is already closed, for answers that carry no session. */
function _closedConduit(): _Conduit {
  return {
    transport: "nats",
    queuedBytes: 0,
    bytes: 0,
    closed: true,
    send: () => {},
    drained: () => Promise.resolve(),
    onMessage: () => {},
    onClose: () => {},
    close: () => {},
  };
}
