// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp";
import { StreamlibError } from "@streamlib/core";
import { controlToken, hasAccessToken } from "@streamlib/net/control";
import type { StreamlibMcp } from "./streamlib_mcp.ts";

/**
 * Options of {@linkcode serveMcpHttp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { McpHttpOptions } from "@streamlib/cli/mcp";
 * const options: McpHttpOptions = { host: "127.0.0.1", port: 8765 };
 * assert.ok(options.port === 8765);
 * ```
 */
export interface McpHttpOptions {
  /** The address to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** The TCP port (default 0: a free one). */
  readonly port?: number;
  /**
   * The access token requests must carry (`Authorization: Bearer …`). Default: 128 random bits
   * made up (see {@linkcode McpHttpServer.token}).
   */
  readonly token?: string;
}

/**
 * streamlib's MCP server on Streamable HTTP. `close()` ends every session and stops listening;
 * the nodes its tools started belong to the {@linkcode StreamlibMcp}, which closes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { McpHttpServer } from "@streamlib/cli/mcp";
 * const where = (s: McpHttpServer): string => s.url;
 * assert.ok(typeof where === "function");
 * ```
 */
export interface McpHttpServer extends AsyncDisposable {
  /** The endpoint: `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  /** The port bound. */
  readonly port: number;
  /** The token requests must carry. */
  readonly token: string;
  /** The sessions open now. */
  readonly sessions: number;
  /** Ends every session and stops listening. */
  close(): Promise<void>;
}

/** The endpoint's path. */
const _PATH = "/mcp";

function _error(status: number, code: string, message: string): Response {
  return new Response(
    JSON.stringify({
      jsonrpc: "2.0",
      error: { code: -32000, message: `${code}: ${message}` },
      id: null,
    }),
    { status, headers: { "content-type": "application/json" } },
  );
}

/**
 * Serves `mcp` over Streamable HTTP (the MCP SDK's web-standard transport on `Deno.serve`) at
 * `/mcp`, one MCP session per client. It binds 127.0.0.1 by default and, as every control
 * surface on TCP (`controlToken` in `@streamlib/net`), always requires an access token, the one
 * given or one made up, carried as `Authorization: Bearer <token>`: a loopback port is open to
 * every user of the machine, and only the one who started the server may steer pipelines
 * through it. A request without the token gets 401.
 *
 * Permissions: `--allow-net` for the address, and what {@linkcode StreamlibMcp} needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "@modelcontextprotocol/sdk/client";
 * import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
 * import { discoverPlugins } from "@streamlib/cli";
 * import { serveMcpHttp, StreamlibMcp } from "@streamlib/cli/mcp";
 *
 * await using mcp = new StreamlibMcp({ discovery: await discoverPlugins() });
 * await using http = serveMcpHttp(mcp); // 127.0.0.1, a free port, a token made up
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(
 *   new StreamableHTTPClientTransport(new URL(http.url), {
 *     requestInit: { headers: { authorization: `Bearer ${http.token}` } },
 *   }),
 * );
 * const { tools } = await client.listTools();
 * assert.ok(tools.length === StreamlibMcp.TOOLS.length);
 * await client.close();
 * ```
 *
 * @param mcp The server's tools, resources and nodes.
 * @param options Address, port, token.
 * @returns The server, listening.
 */
export function serveMcpHttp(mcp: StreamlibMcp, options: McpHttpOptions = {}): McpHttpServer {
  const host = options.host ?? "127.0.0.1";
  const token: string = controlToken(options.token ?? "");
  const sessions = new Map<
    string,
    { transport: WebStandardStreamableHTTPServerTransport; server: McpServer }
  >();
  let port = 0;
  // The URL to print: an address bound on every interface is reached on loopback.
  const shown = host === "0.0.0.0" || host === "::"
    ? "127.0.0.1"
    : host.includes(":")
    ? `[${host}]`
    : host;
  const handle = async (request: Request): Promise<Response> => {
    if (!hasAccessToken(request, token)) {
      return _error(
        401,
        "SL_UNAUTHORIZED",
        "this MCP server needs its access token (Authorization: Bearer <token>)",
      );
    }
    if (new URL(request.url).pathname !== _PATH) {
      return _error(404, "SL_USAGE", `the MCP endpoint is ${_PATH}`);
    }
    const id = request.headers.get("mcp-session-id");
    if (id !== null) {
      const session = sessions.get(id);
      if (session === undefined) {
        return _error(404, "SL_USAGE", `no session ${JSON.stringify(id)}: initialize again`);
      }
      return await session.transport.handleRequest(request);
    }
    if (request.method !== "POST") {
      return _error(400, "SL_USAGE", "start a session with an initialize request (POST)");
    }
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid) => {
          sessions.set(sid, { transport, server });
        },
        onsessionclosed: (sid) => {
          sessions.delete(sid);
        },
      });
    const server = await mcp.connect(transport);
    const closed = transport.onclose;
    transport.onclose = (): void => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      closed?.();
    };
    const response = await transport.handleRequest(request);
    if (transport.sessionId === undefined) await server.close(); // it was no initialize
    return response;
  };

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: host,
      port: options.port ?? 0,
      onListen: () => {},
      onError: (error) => _error(500, "SL_INTERNAL", (error as Error)?.message ?? String(error)),
    }, handle);
  } catch (error) {
    const where = `${host}:${options.port ?? 0}`;
    throw new StreamlibError(
      error instanceof Deno.errors.AddrInUse ? "SL_NET_ADDRESS_IN_USE" : "SL_NET_LISTEN",
      `streamlib mcp cannot listen on ${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  port = server.addr.port;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closing ??= (async () => {
      await Promise.all(
        [...sessions.values()].map(({ transport }) => transport.close().catch(() => {})),
      );
      sessions.clear();
      await server.shutdown();
      await server.finished;
    })();
  return {
    url: `http://${shown}:${port}${_PATH}`,
    port,
    token,
    get sessions(): number {
      return sessions.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
