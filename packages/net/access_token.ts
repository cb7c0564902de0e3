/**
 * The access-token rule every streamlib server follows: a loopback address needs no token, any
 * other address needs one (the user's, or one made up), and a request carries it as
 * `Authorization: Bearer <token>`, `?token=<token>` or the cookie a page gets once opened with
 * it.
 *
 * @module
 */

import { _sameText } from "./_same_text.ts";

/** Name of the cookie a page gets once it was opened with the right token. */
export const ACCESS_TOKEN_COOKIE: string = "streamlib_token";

/**
 * Whether `host` is a loopback address (`127.x.x.x`, `::1`, `localhost`), where a server needs
 * no token: only this machine reaches it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "@streamlib/net";
 * assert.ok(isLoopback("127.0.0.1") && isLoopback("[::1]"));
 * assert.ok(!isLoopback("0.0.0.0"));
 * ```
 *
 * @param host A host name or address, IPv6 with or without brackets.
 * @returns Whether it is loopback.
 */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}

/**
 * The token a server on `host` requires: the user's when given, else none on loopback, else 128
 * random bits in hex, made up for this server (print it for the user).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accessToken } from "@streamlib/net";
 * assert.equal(accessToken("127.0.0.1"), undefined);
 * assert.equal(accessToken("127.0.0.1", "s3cret"), "s3cret");
 * assert.match(accessToken("0.0.0.0")!, /^[0-9a-f]{32}$/);
 * ```
 *
 * @param host The address the server binds.
 * @param token The user's token; `""` or absent for none.
 * @returns The token requests must carry, or `undefined` when none is needed.
 */
export function accessToken(host: string, token: string = ""): string | undefined {
  if (token !== "") return token;
  if (isLoopback(host)) return undefined;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The token a control surface on TCP needs: the one given, else 128 random bits made up. Unlike
 * a display page, a control surface takes one on loopback too, since any user of the machine
 * can reach a loopback port: only the user who started it should steer a pipeline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlToken } from "@streamlib/net";
 * assert.equal(controlToken("secret"), "secret");
 * assert.match(controlToken(), /^[0-9a-f]{32}$/);
 * ```
 *
 * @param token The user's token, or empty for a random one.
 * @returns The token.
 */
export function controlToken(token: string = ""): string {
  if (token !== "") return token;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether a request carries `token` (`Authorization: Bearer`, `?token=`, or the
 * {@linkcode ACCESS_TOKEN_COOKIE} cookie), compared in constant time. Always `true` when no
 * token is needed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasAccessToken } from "@streamlib/net";
 * const request = new Request("http://0.0.0.0:9000/mcp", {
 *   headers: { authorization: "Bearer s3cret" },
 * });
 * assert.ok(hasAccessToken(request, "s3cret"));
 * assert.ok(!hasAccessToken(new Request("http://0.0.0.0:9000/mcp"), "s3cret"));
 * ```
 *
 * @param request The request.
 * @param token The token required, or `undefined` for none.
 * @returns Whether it may pass.
 */
export function hasAccessToken(request: Request, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = request.headers.get("authorization") ?? "";
  const query = new URL(request.url).searchParams.get("token") ?? undefined;
  const cookie = _cookie(request.headers.get("cookie") ?? "", ACCESS_TOKEN_COOKIE);
  const given = query ?? (header.startsWith("Bearer ") ? header.slice(7) : cookie);
  return given !== undefined && _sameText(given, token);
}

function _cookie(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}
