import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { listNodes } from "@streamlib/net/control";
import { cli, isAlive, MAIN, ROOT, RunningCli } from "../_testing.ts";
import { agentSession, DEADLINE_MS, ok } from "./_mcp_testing.ts";

/** `streamlib mcp` as a child process, with an SDK client on its stdin and stdout. */
async function server(): Promise<
  & { client: Client; transport: StdioClientTransport; dir: string; stderr: () => string }
  & AsyncDisposable
> {
  const root = await Deno.makeTempDir({ prefix: "streamlib-mcp-stdio-" });
  const dir = `${root}/nodes`;
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", MAIN, "mcp"],
    cwd: ROOT,
    env: { ...Deno.env.toObject(), NO_COLOR: "1", STREAMLIB_CONTROL_DIR: dir },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk));
  const client = new Client({ name: "streamlib-stdio-test", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    transport,
    dir,
    stderr: () => stderr,
    async [Symbol.asyncDispose](): Promise<void> {
      await client.close().catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** Waits until every process in `pids` has ended. */
async function allGone(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  for (const pid of pids) {
    while (await isAlive(pid)) {
      assert.ok(Date.now() < deadline, `process ${pid} outlived the MCP server`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

Deno.test("The SDK's client drives a live pipeline end to end through streamlib mcp on stdio", async () => {
  await using s = await server();
  const { pid } = await agentSession(s.client, "studio");
  await allGone([pid]);
  assert.deepEqual(await listNodes({ dir: s.dir }), []);
  assert.match(s.stderr(), /streamlib: MCP server on stdio; files allowed in none/);
});

for (
  const [how, end] of [
    ["killed", (t: StdioClientTransport) => Deno.kill(t.pid!, "SIGKILL")],
    ["terminated", (t: StdioClientTransport) => Deno.kill(t.pid!, "SIGTERM")],
    ["left by its client (stdin closes)", (t: StdioClientTransport) => t.close()],
  ] as const
) {
  Deno.test(`No node or process outlives streamlib mcp ${how}`, async () => {
    await using s = await server();
    const started = await Promise.all([
      ok<{ pid: number }>(s.client, "run_pipeline", { pipeline: "datasrc fps=20 ! nullsink" }),
      ok<{ pid: number }>(s.client, "run_pipeline", {
        pipeline: "videotestsrc width=64 height=36 ! nullsink",
      }),
    ]);
    const pids = [s.transport.pid!, ...started.map((n) => n.pid)];
    assert.equal((await listNodes({ dir: s.dir })).length, 2);
    await end(s.transport);
    await allGone(pids);
    assert.deepEqual(await listNodes({ dir: s.dir }), []);
    assert.deepEqual([...Deno.readDirSync(s.dir)].map((e) => e.name), []);
  });
}

Deno.test("streamlib mcp --http serves Streamable HTTP where it says, until SIGTERM", async () => {
  const root = await Deno.makeTempDir({ prefix: "streamlib-mcp-cmd-" });
  try {
    await using run = new RunningCli(["mcp", "--http", "0", "--allow-files", root]);
    const [, url, token] = await run.waitFor(
      "stderr",
      /MCP server \(Streamable HTTP\) on (http:\/\/\S+\/mcp) \(token ([0-9a-f]{32}):/,
    );
    assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.match(run.stderr, new RegExp(`files allowed in ${await Deno.realPath(root)}`));
    const client = new Client({ name: "streamlib-cmd-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url!), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    assert.equal((await client.listTools()).tools.length, 12);
    await client.close();
    run.kill("SIGTERM");
    const ended = await run.ended();
    assert.equal(ended.code, 0, ended.stderr);
    const usage = await cli(["mcp", "--token", "x"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /SL_USAGE: --token applies to --http/);
    const missing = await cli(["mcp", "--allow-files", `${root}/nope`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /SL_USAGE: --allow-files takes a folder that exists/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("examples/agent_session.ts runs its session through streamlib mcp and prints the transcript", async () => {
  const root = await Deno.makeTempDir({ prefix: "streamlib-mcp-example-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}examples/agent_session.ts`],
      cwd: ROOT,
      env: { NO_COLOR: "1", STREAMLIB_CONTROL_DIR: `${root}/nodes` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, `${text}\n${new TextDecoder().decode(stderr)}`);
    assert.match(text, /^← added ball \(videotestsrc\); linked ball\.out → mix\.layer_1$/m);
    assert.match(text, /^← \[image\/png, \d+ bytes\]$/m);
    assert.match(text, /^← \S+ stopped: drained to end-of-stream; its process has ended$/m);
    assert.deepEqual(await listNodes({ dir: `${root}/nodes` }), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
