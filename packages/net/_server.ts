/**
 * The HTTP side shared by the net actors: a hono app served by `Deno.serve` on one address, with
 * the access-token rule (a loopback address needs none; any other needs one, made up when the
 * user gave none) and clear errors for an address in use or refused.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import type { Hono, MiddlewareHandler } from "hono";
import { ACCESS_TOKEN_COOKIE, accessToken, hasAccessToken, isLoopback } from "./access_token.ts";

/** Where and how an actor serves. */
export interface _ServeOptions {
  /** Address to bind: `127.0.0.1` by default in the actors. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Access token; "" for none on loopback, or a made-up one elsewhere. */
  readonly token: string;
  /** The actor's name, for errors. */
  readonly name: string;
}

/** A running server. */
export interface _Server {
  /** The page's address, with `?token=` when a token is needed. */
  readonly url: string;
  /** Base address (`http://host:port`), without path or token. */
  readonly origin: string;
  /** The port bound. */
  readonly port: number;
  /** The token requests must carry, or undefined when none is needed. */
  readonly token: string | undefined;
  /** Stops listening and closes open connections (WebSockets included). */
  close(): Promise<void>;
}

/** The control API's answer to a request without its token. */
const _UNAUTHORIZED_CONTROL = {
  code: "SL_UNAUTHORIZED",
  message: "This node's control API needs its access token: give the token the node printed " +
    "(--token or STREAMLIB_TOKEN on the streamlib commands, an Authorization: Bearer header, " +
    "or ?token= in the URL)",
  details: {},
} as const;

/** Name of the cookie a page gets once it was opened with the right token. */
export const _TOKEN_COOKIE: string = ACCESS_TOKEN_COOKIE;

/** Whether `host` is a loopback address, where no token is needed. */
export const _isLoopback: (host: string) => boolean = isLoopback;

/** The token to use: the user's, else none on loopback, else 128 random bits in hex. */
export const _tokenFor: (host: string, token: string) => string | undefined = accessToken;

/**
 * Middleware refusing (401) requests that carry no valid token: `?token=`, an
 * `Authorization: Bearer` header, or the cookie set when the page was opened with `?token=`.
 * `answer` says how: `text` for the pages people open (display, HLS), `json` for the control
 * API, whose errors are `{ "error": { "code", "message", "details" } }`.
 */
export function _tokenGuard(
  token: string | undefined,
  answer: "text" | "json" = "text",
): MiddlewareHandler {
  return async (c, next): Promise<Response | void> => {
    if (!hasAccessToken(c.req.raw, token)) {
      if (answer === "json") {
        c.header("www-authenticate", 'Bearer realm="streamlib control"');
        return c.json({ error: _UNAUTHORIZED_CONTROL }, 401);
      }
      return c.text("401 Unauthorized: this stream needs its access token (?token=...)", 401);
    }
    await next();
    if (token !== undefined && c.req.query("token") !== undefined && c.res.status < 400) {
      c.res.headers.append(
        "set-cookie",
        `${_TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
      );
    }
  };
}

/**
 * Serves `app` on the address asked for; resolves once listening.
 *
 * @throws {StreamlibError} `SL_NET_ADDRESS_IN_USE` when the port is taken, `SL_NET_LISTEN` when
 * binding fails otherwise (refused permission included).
 */
export function _serve(app: Hono, options: _ServeOptions): _Server {
  const token = _tokenFor(options.host, options.token);
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.host,
      port: options.port,
      onListen: () => {},
      onError: (error) =>
        new Response(`500 Internal Server Error: ${(error as Error)?.message ?? error}`, {
          status: 500,
        }),
    }, app.fetch);
  } catch (error) {
    const where = `${options.host}:${options.port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new StreamlibError(
        "SL_NET_ADDRESS_IN_USE",
        `"${options.name}" cannot listen on ${where}: the port is in use; set port= to another ` +
          `(0 picks a free one)`,
        { cause: error },
      );
    }
    throw new StreamlibError(
      "SL_NET_LISTEN",
      `"${options.name}" cannot listen on ${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const port = server.addr.port;
  const host = options.host.includes(":") && !options.host.startsWith("[")
    ? `[${options.host}]`
    : options.host;
  const shown = host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host;
  const origin = `http://${shown}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/${token === undefined ? "" : `?token=${token}`}`,
    origin,
    port,
    token,
    close: () => closed ??= server.shutdown().then(() => server.finished),
  };
}

/** `text` safe inside HTML text and attribute values. */
export function _escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
