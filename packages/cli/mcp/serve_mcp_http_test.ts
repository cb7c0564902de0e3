import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { discoverPlugins } from "../discover_plugins.ts";
import { serveMcpHttp } from "./serve_mcp_http.ts";
import { StreamlibMcp } from "./streamlib_mcp.ts";
import { ok } from "./_mcp_testing.ts";

const discovery = await discoverPlugins();

/** An MCP server with a control folder of its own. */
async function mcp(): Promise<{ mcp: StreamlibMcp } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "streamlib-mcp-http-" });
  const server = new StreamlibMcp({ discovery, dir: `${root}/nodes` });
  return {
    mcp: server,
    async [Symbol.asyncDispose](): Promise<void> {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("The SDK's client runs and stops a pipeline through streamlib mcp on Streamable HTTP at 127.0.0.1", async () => {
  await using m = await mcp();
  await using http = serveMcpHttp(m.mcp);
  assert.match(http.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  assert.match(http.token, /^[0-9a-f]{32}$/);
  const client = new Client({ name: "streamlib-http-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${http.token}` } },
    }),
  );
  try {
    assert.equal((await client.listTools()).tools.length, StreamlibMcp.TOOLS.length);
    const { node } = await ok<{ node: string }>(client, "run_pipeline", {
      pipeline: "datasrc name=src fps=20 ! nullsink",
    });
    const { graph } = await ok<{ graph: { actors: Array<{ name: string }> } }>(client, "graph", {
      node,
    });
    assert.deepEqual(graph.actors.map((a) => a.name), ["src", "nullsink0"]);
    assert.equal(http.sessions, 1);
    assert.deepEqual((await ok(client, "stop", { node, mode: "abort" })).status, "aborted");
  } finally {
    await client.close();
  }
});

Deno.test("streamlib mcp on loopback refuses requests without its token: other users reach loopback too", async () => {
  await using m = await mcp();
  await using http = serveMcpHttp(m.mcp);
  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "page", version: "1" },
    },
  };
  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(http.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify(init),
    });
  const bare = await post({});
  assert.equal(bare.status, 401);
  assert.match(await bare.text(), /SL_UNAUTHORIZED/);
  const page = await post({ origin: "http://evil.example" });
  assert.equal(page.status, 401);
  await page.body?.cancel();
  const elsewhere = await fetch(http.url.replace("/mcp", "/other"), {
    headers: { authorization: `Bearer ${http.token}` },
  });
  assert.equal(elsewhere.status, 404);
  await elsewhere.body?.cancel();
  const own = await post({ authorization: `Bearer ${http.token}` });
  assert.equal(own.status, 200);
  await own.body?.cancel();
});

Deno.test("streamlib mcp off loopback refuses a client without its token and serves one with it", async () => {
  await using m = await mcp();
  await using http = serveMcpHttp(m.mcp, { host: "0.0.0.0" });
  assert.match(http.token, /^[0-9a-f]{32}$/);
  const url = new URL(http.url); // 127.0.0.1: the address bound is what asks for the token
  const bare = new Client({ name: "no-token", version: "1.0.0" });
  await assert.rejects(bare.connect(new StreamableHTTPClientTransport(url)), /SL_UNAUTHORIZED/);
  const raw = await fetch(url, { method: "POST", body: "{}" });
  assert.equal(raw.status, 401);
  assert.match(await raw.text(), /SL_UNAUTHORIZED/);
  const wrong = new Client({ name: "wrong-token", version: "1.0.0" });
  await assert.rejects(
    wrong.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { authorization: "Bearer nope" } },
      }),
    ),
    /SL_UNAUTHORIZED/,
  );
  const client = new Client({ name: "token", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { authorization: `Bearer ${http.token}` } },
    }),
  );
  assert.equal((await client.listTools()).tools.length, StreamlibMcp.TOOLS.length);
  await client.close();
});
