/**
 * `@streamlib/cli/mcp`: streamlib as an MCP server, so that an agent can discover actor
 * types, build and run pipelines, watch them (graphs, stats, frames as images, events), change
 * them while they run and stop them. `streamlib mcp` serves it over stdio, or over Streamable
 * HTTP with `--http`; {@linkcode StreamlibMcp} and {@linkcode serveMcpHttp} do the same from
 * code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamlibMcp } from "@streamlib/cli/mcp";
 * assert.ok(StreamlibMcp.TOOLS.includes("run_pipeline"));
 * ```
 *
 * @module
 */

export * from "./streamlib_mcp.ts";
export * from "./serve_mcp_http.ts";
