/**
 * `streamlib mcp`: serves streamlib to agents over MCP, on stdio (the default: an MCP client
 * starts the command and talks on its stdin and stdout) or on Streamable HTTP (`--http`). It
 * ends when stdin closes (stdio), on SIGINT or SIGTERM, and stops every node its tools started
 * before it exits. Internal: `main.ts` adds the command; the SDK is loaded only when it runs.
 *
 * @module
 */

import process from "node:process";
import { StreamlibError } from "@streamlib/core";
import { _hostPort } from "./_address.ts";
import type { Discovery } from "./discover_plugins.ts";

/** The command's options. */
export interface _McpOptions {
  http?: string;
  token?: string;
  allowFiles: string[];
}

/** Runs the MCP server until told to stop; returns the exit status. */
export async function _serveMcp(
  options: _McpOptions,
  discovery: Discovery,
  err: (text: string) => void,
): Promise<number> {
  if (options.token !== undefined && options.http === undefined) {
    throw new StreamlibError("SL_USAGE", "--token applies to --http: stdio needs none");
  }
  const address = options.http === undefined ? undefined : _hostPort(options.http, "--http");
  const { StreamlibMcp, serveMcpHttp } = await import("./mcp/mod.ts");
  const mcp = new StreamlibMcp({ discovery, allowFiles: options.allowFiles });

  const stop = Promise.withResolvers<void>();
  const signals: Array<[Deno.Signal, () => void]> = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = (): void => stop.resolve();
    try {
      Deno.addSignalListener(signal, listener);
      signals.push([signal, listener]);
    } catch {
      // No such signal here.
    }
  }
  const folders = mcp.allowFiles.length ? mcp.allowFiles.join(", ") : "none (--allow-files DIR)";
  try {
    if (address !== undefined) {
      const http = serveMcpHttp(mcp, {
        ...address,
        ...(options.token === undefined ? {} : { token: options.token }),
      });
      err(
        `streamlib: MCP server (Streamable HTTP) on ${http.url} (token ${http.token}: ` +
          `Authorization: Bearer <token>); files allowed in ${folders}\n`,
      );
      await stop.promise;
      await http.close();
    } else {
      // @ts-types="@modelcontextprotocol/sdk/server/stdio"
      const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
      const ended = (): void => stop.resolve();
      process.stdin.once("end", ended);
      process.stdin.once("close", ended);
      const server = await mcp.connect(new StdioServerTransport());
      server.server.onclose = ended;
      err(`streamlib: MCP server on stdio; files allowed in ${folders}\n`);
      await stop.promise;
    }
  } finally {
    for (const [signal, listener] of signals) Deno.removeSignalListener(signal, listener);
    await mcp.close();
  }
  return 0;
}
