// deno-lint-ignore-file no-console
/**
 * An agent session, as an AI agent with only streamlib's MCP server would run it: the MCP SDK's
 * own client starts `streamlib mcp` (stdio), finds the compositor, checks and runs a pipeline,
 * patches a moving ball in as a second layer while frames flow, moves it and makes it
 * translucent, taps a frame (a PNG image), reads the stats and the events, takes the layer out
 * and stops the node. It prints the transcript: each call (→) and the text the server answered
 * (←), images noted by their size.
 *
 *   deno run -A examples/agent_session.ts
 *
 * @module
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

interface Result {
  isError?: boolean;
  content: Array<{ type: string; text?: string; data?: string; mimeType?: string }>;
  structuredContent?: Record<string, unknown>;
}

const WIDTH = 100; // columns of the transcript

function clip(line: string): string {
  return line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line;
}

const transport = new StdioClientTransport({
  command: Deno.execPath(),
  args: ["run", "-A", new URL("../packages/cli/main.ts", import.meta.url).pathname, "mcp"],
  stderr: "ignore",
});
const client = new Client({ name: "agent-session", version: "1.0.0" });
await client.connect(transport);

/** Calls a tool, prints the call and the answer, and returns the answer. */
async function call(name: string, args: Record<string, unknown> = {}): Promise<Result> {
  console.log(clip(`→ ${name} ${JSON.stringify(args)}`));
  const result = await client.callTool({ name, arguments: args }) as Result;
  for (const part of result.content) {
    if (part.type === "text") {
      const lines = part.text!.split("\n");
      for (const line of lines.slice(0, 8)) console.log(clip(`← ${line}`));
      if (lines.length > 8) console.log(`← … ${lines.length - 8} more lines`);
    } else {
      console.log(`← [${part.mimeType}, ${Math.round(part.data!.length * 3 / 4)} bytes]`);
    }
  }
  assert.ok(!result.isError, `${name} failed`);
  return result;
}

try {
  await call("list_types", { filter: "compositor" });
  const pipeline = "videotestsrc name=bg pattern=smpte width=640 height=360 " +
    "! compositor name=mix width=640 height=360 ! nullsink";
  await call("validate_pipeline", { pipeline });
  const run = await call("run_pipeline", { pipeline });
  const node = run.structuredContent!.node as string;

  await call("patch", {
    node,
    add: "videotestsrc name=ball pattern=ball width=160 height=160 ! mix.",
  });
  await call("set_params", {
    node,
    actor: "mix",
    pads: { layer_1: { x: 400, y: 100, opacity: 0.6 } },
  });
  const tap = await call("tap", { node, port: "mix.out", width: 320 });
  assert.ok(tap.content.some((c) => c.type === "image" && c.mimeType === "image/png"));
  await call("stats", { node });
  const events = await call("events", { node, types: ["control"] });
  assert.equal((events.structuredContent!.events as unknown[]).length, 2);
  await call("patch", { node, remove: ["ball"] });
  const stop = await call("stop", { node });
  assert.equal(stop.structuredContent!.status, "eos");
} finally {
  await client.close(); // streamlib mcp ends, and with it anything it started
}
