import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { listNodes } from "@streamlib/net/control";
import { isAlive } from "../_testing.ts";
import { discoverPlugins } from "../discover_plugins.ts";
import { StreamlibMcp, type StreamlibMcpOptions } from "./streamlib_mcp.ts";
import {
  agentSession,
  call,
  DEADLINE_MS,
  failure,
  flowing,
  LAYER,
  ok,
  shape,
  STUDIO,
  textOf,
} from "./_mcp_testing.ts";

const discovery = await discoverPlugins();

/** An MCP server and an SDK client joined in memory, with a control folder of their own. */
async function session(
  options: Partial<StreamlibMcpOptions> = {},
): Promise<{ mcp: StreamlibMcp; client: Client; dir: string } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "streamlib-mcp-test-" });
  const dir = `${root}/nodes`;
  const mcp = new StreamlibMcp({ discovery, dir, ...options });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  const client = new Client({ name: "streamlib-test", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    mcp,
    client,
    dir,
    async [Symbol.asyncDispose](): Promise<void> {
      await client.close();
      await mcp.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Waits until process `pid` has ended. */
async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (await isAlive(pid)) {
    assert.ok(Date.now() < deadline, `process ${pid} is still there`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("An agent with only the MCP server runs a pipeline, patches in a layer, sets its opacity, taps, reads the events, removes it and stops", async () => {
  await using s = await session();
  const tools = (await s.client.listTools()).tools;
  assert.deepEqual(tools.map((t) => t.name), [...StreamlibMcp.TOOLS]);
  assert.ok(
    tools.every((t) => t.inputSchema.type === "object" && t.outputSchema?.type === "object"),
  );
  const { pid } = await agentSession(s.client, "studio");
  await gone(pid);
  assert.deepEqual(await listNodes({ dir: s.dir }), []);
});

Deno.test("A malformed patch, an unknown actor and a bad parameter value fail with a code and change nothing", async () => {
  await using s = await session();
  const { client } = s;
  const { node } = await ok<{ node: string }>(client, "run_pipeline", { pipeline: STUDIO });
  await ok(client, "patch", { node, add: LAYER });
  const before = await shape(client, node);
  let frames = await flowing(client, node, "mix", 0);

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["patch", { add: "videotestsrc ! ! mix." }, "SL_PIPELINE_SYNTAX", /line 1, column \d+/],
    ["patch", { add: "lgo name=x ! mix." }, "SL_UNKNOWN_TYPE", /Unknown actor type "lgo"/],
    ["patch", { add: "videotestsrc pattern=zigzag ! mix." }, "SL_PARAM_INVALID", /"pattern"/],
    ["patch", { add: "videotestsrc name=b ! mix." }, "SL_NAME_TAKEN", /already has an actor "b"/],
    ["patch", { remove: ["nope"] }, "SL_ACTOR_NOT_FOUND", /No actor "nope"/],
    // Nothing is removed when the text that comes with it is wrong.
    ["patch", { remove: ["b"], add: "lgo ! mix." }, "SL_UNKNOWN_TYPE", /"lgo"/],
    ["patch", { disconnect: [{ from: "b", to: "bg" }] }, "SL_PORT_NOT_FOUND", /No link/],
    ["patch", {}, "SL_USAGE", /add, remove or disconnect/],
    ["set_params", { actor: "nope", params: { x: 1 } }, "SL_ACTOR_NOT_FOUND", /"nope"/],
    ["set_params", { actor: "bg", params: { pattern: "zigzag" } }, "SL_PARAM_INVALID", /"pattern"/],
    ["set_params", { actor: "bg", params: { nope: 1 } }, "SL_PARAM_UNKNOWN", /"nope"/],
    [
      "set_params",
      { actor: "mix", pads: { layer_1: { opacity: 5 } } },
      "SL_PARAM_INVALID",
      /"opacity" of port "layer_1" .* must be ≤ 1, got 5/,
    ],
    ["tap", { port: "nope.out" }, "SL_ACTOR_NOT_FOUND", /"nope"/],
    ["graph", { node: "nope" }, "SL_NODE_NOT_FOUND", /No node "nope"/],
  ];
  for (const [tool, args, code, message] of refused) {
    const error = await failure(client, tool, { node, ...args });
    assert.equal(error.code, code, error.text);
    assert.match(error.text, message);
    if (tool !== "graph") assert.equal(await shape(client, node), before, `${tool} changed it`);
    frames = await flowing(client, node, "mix", frames);
  }

  // Arguments the tool's schema refuses, and a tool that does not exist, are answered by the
  // MCP SDK itself; they lead with a code too.
  const wrongType = await failure(client, "set_params", { node, actor: "bg", params: "x" });
  assert.equal(wrongType.code, "SL_PARAM_INVALID", wrongType.text);
  assert.match(wrongType.text, /Invalid arguments for tool set_params/);
  const missing = await failure(client, "describe_type", {});
  assert.equal(missing.code, "SL_PARAM_INVALID", missing.text);
  const unknown = await failure(client, "no_such_tool", {});
  assert.equal(unknown.code, "SL_USAGE", unknown.text);
  assert.match(unknown.text, /Tool no_such_tool not found/);

  // A pipeline that does not check never runs.
  const nodes = (await listNodes({ dir: s.dir })).length;
  const bad = await failure(client, "run_pipeline", { pipeline: "videotestsrc ! lgo" });
  assert.equal(bad.code, "SL_UNKNOWN_TYPE");
  assert.match(bad.text, /\n {2}videotestsrc ! lgo\n {17}\^\^\^/);
  const mismatch = await failure(client, "run_pipeline", {
    pipeline: "videotestsrc ! audioresample",
  });
  assert.equal(mismatch.code, "SL_PIPE_NO_MATCH");
  assert.equal((await listNodes({ dir: s.dir })).length, nodes);
  const invalid = await ok<{ valid: boolean; error: { code: string } }>(
    client,
    "validate_pipeline",
    {
      pipeline: "videotestsrc ! audioresample",
    },
  );
  assert.deepEqual([invalid.valid, invalid.error.code], [false, "SL_PIPE_NO_MATCH"]);
  // A source's format parameter is checked against what it is linked to, before anything runs.
  const yuv = await ok<{ valid: boolean; error: { code: string; message: string } }>(
    client,
    "validate_pipeline",
    { pipeline: "videotestsrc format=I420 ! compositor ! nullsink" },
  );
  assert.deepEqual([yuv.valid, yuv.error.code], [false, "SL_PIPE_NO_MATCH"]);
  assert.match(yuv.error.message, /out \(video: I420, as format=I420 says\)/);
  const patchYuv = await failure(client, "patch", {
    node,
    add: "videotestsrc name=y format=I420 ! mix.",
  });
  assert.equal(patchYuv.code, "SL_PIPE_NO_MATCH", patchYuv.text);
  assert.equal(await shape(client, node), before);
});

Deno.test("--allow-files refuses a file outside its folders before anything runs, and lets one inside be written", async () => {
  const root = await Deno.makeTempDir({ prefix: "streamlib-mcp-files-" });
  try {
    const inside = `${root}/media`;
    const outside = `${root}/elsewhere`;
    await Deno.mkdir(inside);
    await Deno.mkdir(outside);
    await Deno.symlink(outside, `${inside}/link`);
    await using s = await session({ allowFiles: [inside] });
    const { client } = s;
    const sink = (location: string): string =>
      `videotestsrc width=64 height=36 ! filesink location=${location}`;
    for (
      const location of [
        `${outside}/out.mkv`,
        `${inside}/../elsewhere/out.mkv`,
        `${inside}/link/out.mkv`,
      ]
    ) {
      const refused = await failure(client, "run_pipeline", { pipeline: sink(location) });
      assert.equal(refused.code, "SL_FILE_NOT_ALLOWED", refused.text);
      assert.match(
        refused.text,
        /"filesink0" \(filesink\) would write .* outside the folders allowed/,
      );
      assert.match(refused.text, /\n {2}videotestsrc .* filesink location=\S+\n {2} +\^+/);
      const check = await ok<{ valid: boolean; error: { code: string } }>(
        client,
        "validate_pipeline",
        {
          pipeline: sink(location),
        },
      );
      assert.deepEqual([check.valid, check.error.code], [false, "SL_FILE_NOT_ALLOWED"]);
    }
    // Nothing ran: no node, no file, no entry.
    assert.deepEqual(await listNodes({ dir: s.dir }), []);
    assert.deepEqual([...Deno.readDirSync(outside)], []);

    const file = `${inside}/out.mkv`;
    const run = await ok<{ node: string; permissions: string[] }>(client, "run_pipeline", {
      pipeline: sink(file),
    });
    assert.ok(
      run.permissions.includes(`--allow-write=${file},${s.dir}`),
      run.permissions.join(" "),
    );
    await flowing(client, run.node, "filesink0", 0);
    // Its parameters and patches stay inside too.
    const moved = await failure(client, "set_params", {
      node: run.node,
      actor: "filesink0",
      params: { location: `${outside}/moved.mkv` },
    });
    assert.equal(moved.code, "SL_FILE_NOT_ALLOWED");
    const more = await failure(client, "patch", {
      node: run.node,
      add: `videotestsrc ! filesink location=${outside}/more.mkv`,
    });
    assert.equal(more.code, "SL_FILE_NOT_ALLOWED");
    assert.deepEqual(await ok(client, "stop", { node: run.node }), {
      node: run.node,
      status: "eos",
      gone: true,
    });
    assert.ok(Deno.statSync(file).size > 0);
    assert.deepEqual([...Deno.readDirSync(outside)], []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Without --allow-files no pipeline may touch a file", async () => {
  await using s = await session();
  const refused = await failure(s.client, "run_pipeline", {
    pipeline: "videotestsrc ! snapshot location=frame.png",
  });
  assert.equal(refused.code, "SL_FILE_NOT_ALLOWED");
  assert.match(refused.text, /no folder is allowed \(start streamlib mcp with --allow-files DIR\)/);
  const hls = await ok<{ valid: boolean; error: { code: string; message: string } }>(
    s.client,
    "validate_pipeline",
    { pipeline: "videotestsrc ! hlssink" },
  );
  assert.deepEqual([hls.valid, hls.error.code], [false, "SL_FILE_NOT_ALLOWED"]);
  assert.match(hls.error.message, /"hlssink0" \(hlssink\) would read any file/);
});

Deno.test("The resources list the actor types and each running node's live graph", async () => {
  await using s = await session();
  const { client } = s;
  const resources = (await client.listResources()).resources.map((r) => r.uri);
  assert.ok(
    resources.includes("streamlib://types") && resources.includes("streamlib://types/compositor"),
  );
  const compositor = await client.readResource({ uri: "streamlib://types/compositor" });
  const entry = JSON.parse((compositor.contents[0] as { text: string }).text);
  assert.equal(entry.type, "compositor");
  const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) =>
    t.uriTemplate
  );
  assert.deepEqual(templates, ["streamlib://types/{type}", "streamlib://nodes/{node}/graph"]);

  const { node } = await ok<{ node: string }>(client, "run_pipeline", {
    pipeline: "datasrc name=src fps=20 ! nullsink",
    name: "tiny",
  });
  assert.ok(
    (await client.listResources()).resources.some((r) => r.uri === "streamlib://nodes/tiny/graph"),
  );
  const live = await client.readResource({ uri: `streamlib://nodes/${node}/graph` });
  const graph = JSON.parse((live.contents[0] as { text: string }).text);
  assert.deepEqual(graph.links.map((l: { from: string; to: string }) => `${l.from} > ${l.to}`), [
    "src.out > nullsink0.in",
  ]);
  const listed = await ok<{ nodes: Array<{ name: string; startedHere: boolean; state: string }> }>(
    client,
    "list_nodes",
  );
  assert.deepEqual(listed.nodes.map((n) => [n.name, n.startedHere, n.state]), [[
    "tiny",
    true,
    "running",
  ]]);
  assert.match(textOf(await call(client, "graph", { node })), /src\.out → nullsink0\.in/);
  // dot: true puts the DOT in the text the model reads, not only in the structured content.
  const dotted = await call(client, "graph", { node, dot: true });
  assert.match(dotted.content.map((c) => c.type === "text" ? c.text : "").join("\n"), /^digraph/m);
  // A dry-run patch says what it would do in words that read.
  const dry = textOf(
    await call(client, "patch", { node, add: "datasrc name=more ! nullsink", dryRun: true }),
  );
  assert.equal(
    dry,
    "valid: would add more (datasrc), nullsink1 (nullsink); link more.out → nullsink1.in",
  );
});

Deno.test("A node this server started that ends is listed as ended, with how, and calls about it say so", async () => {
  await using s = await session();
  const { client } = s;
  interface Ended {
    name: string;
    how: string;
    failed: boolean;
  }
  const endedOf = async (name: string): Promise<Ended> => {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const listed = await ok<{ ended: Ended[] }>(client, "list_nodes");
      const found = listed.ended.find((n) => n.name === name);
      if (found !== undefined) return found;
      assert.ok(Date.now() < deadline, `${name} never listed as ended`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  // One that reaches its end.
  await ok(client, "run_pipeline", {
    pipeline: "datasrc count=3 fps=50 ! nullsink",
    name: "brief",
  });
  const brief = await endedOf("brief");
  assert.equal(brief.how, "end-of-stream");
  assert.equal(brief.failed, false);
  // One whose process dies.
  const { pid } = await ok<{ pid: number }>(client, "run_pipeline", {
    pipeline: "datasrc fps=5 ! nullsink",
    name: "doomed",
  });
  Deno.kill(pid, "SIGKILL");
  const doomed = await endedOf("doomed");
  assert.equal(doomed.failed, true);
  assert.match(doomed.how, /^failed: its process ended \(signal SIGKILL\) without a result$/);
  assert.match(
    textOf(await call(client, "list_nodes")),
    /^doomed: ended \d+ s ago, started here: failed: /m,
  );
  const asked = await failure(client, "stats", { node: "doomed" });
  assert.equal(asked.code, "SL_NODE_NOT_FOUND");
  assert.match(
    asked.text,
    /Node "doomed" is not running: it ended \d+ s ago \(failed: its process/,
  );
});

Deno.test("Closing the MCP server stops every node it started, with its process and entry", async () => {
  await using s = await session();
  const a = await ok<{ node: string; pid: number }>(s.client, "run_pipeline", {
    pipeline: "datasrc fps=20 ! nullsink",
  });
  const b = await ok<{ node: string; pid: number }>(s.client, "run_pipeline", {
    pipeline: "videotestsrc width=64 height=36 ! nullsink",
  });
  assert.deepEqual(s.mcp.started().sort(), [a.node, b.node].sort());
  await s.mcp.close();
  assert.equal(await isAlive(a.pid), false);
  assert.equal(await isAlive(b.pid), false);
  assert.deepEqual(await listNodes({ dir: s.dir }), []);
  // It starts no more afterwards.
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await s.mcp.connect(serverSide);
  const late = new Client({ name: "late", version: "1.0.0" });
  await late.connect(clientSide);
  assert.equal(
    (await failure(late, "run_pipeline", { pipeline: "datasrc ! nullsink" })).code,
    "SL_STATE",
  );
  await late.close();
});
