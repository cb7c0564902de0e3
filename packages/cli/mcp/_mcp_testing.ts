/**
 * Helpers for the MCP tests: calling tools through the SDK's own `Client`, reading codes out of
 * failures, watching frames flow through `stats`, reading pixels of tapped frames, and one
 * whole agent session (discover, run, patch, set, tap, events, remove, stop) that the
 * in-memory and the stdio tests both drive. Not published.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client";
import { decodePng } from "@streamlib/video";

/** How long any one wait may take before a test fails (generous for a loaded machine). */
export const DEADLINE_MS = 30_000;

/** A tool's result, as the client gives it. */
export interface ToolResult {
  readonly isError?: boolean;
  readonly content: ReadonlyArray<
    { type: string; text?: string; data?: string; mimeType?: string }
  >;
  readonly structuredContent?: Record<string, unknown>;
}

/** Calls a tool. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult> {
  return await client.callTool({ name, arguments: args }) as ToolResult;
}

/** The first text of a result. */
export function textOf(result: ToolResult): string {
  return result.content.find((c) => c.type === "text")?.text ?? "";
}

/** Calls a tool that must succeed; its structured content. */
export async function ok<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const result = await call(client, name, args);
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  assert.ok(result.structuredContent !== undefined, `${name} gave no structured content`);
  return result.structuredContent as T;
}

/** Calls a tool that must fail; the `SL_` code leading its text, and the text. */
export async function failure(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ code: string; text: string }> {
  const result = await call(client, name, args);
  const text = textOf(result);
  assert.ok(result.isError === true, `${name} should have failed: ${text}`);
  const code = /^(SL_[A-Z_]+)/.exec(text)?.[1];
  assert.ok(code !== undefined, `no SL_ code leads the error: ${text}`);
  return { code, text };
}

/** How many messages `actor` of `node` has processed. */
export async function processed(client: Client, node: string, actor: string): Promise<number> {
  const { stats } = await ok<{ stats: { actors: Array<{ name: string; processed: number }> } }>(
    client,
    "stats",
    { node },
  );
  const found = stats.actors.find((a) => a.name === actor);
  assert.ok(found !== undefined, `no actor ${actor} in the stats`);
  return found.processed;
}

/** Waits until `actor` has processed more than `after` messages (frames keep flowing). */
export async function flowing(
  client: Client,
  node: string,
  actor: string,
  after: number,
): Promise<number> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const count = await processed(client, node, actor);
    if (count > after) return count;
    assert.ok(Date.now() < deadline, `${actor} stayed at ${count} frames: nothing flows`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The live graph's actor names and links, to tell that a refused change changed nothing. */
export async function shape(client: Client, node: string): Promise<string> {
  const { graph } = await ok<{
    graph: {
      actors: Array<{ name: string; type: string; params: unknown; inputs: unknown[] }>;
      links: Array<{ from: string; to: string }>;
    };
  }>(client, "graph", { node });
  return JSON.stringify({
    actors: graph.actors.map((a) => [a.name, a.type, a.params]),
    ports: graph.actors.map((a) =>
      (a.inputs as Array<{ name: string; params?: unknown }>).map((i) => [i.name, i.params])
    ),
    links: graph.links.map((l) => `${l.from}>${l.to}`),
  });
}

/** Taps one frame of `port` and reads the RGBA of pixels `at` from its PNG image. */
export async function tapPixels(
  client: Client,
  node: string,
  port: string,
  at: ReadonlyArray<readonly [number, number]>,
): Promise<number[][]> {
  const result = await call(client, "tap", { node, port, count: 1, timeoutMs: 5_000 });
  assert.ok(!result.isError, textOf(result));
  const image = result.content.find((c) => c.type === "image");
  assert.ok(image?.data !== undefined && image.mimeType === "image/png", textOf(result));
  const bytes = Uint8Array.from(atob(image.data), (c) => c.charCodeAt(0));
  const frame = decodePng(bytes);
  return at.map(([x, y]) => {
    const i = (y * frame.codedWidth + x) * 4;
    return [...frame.data.subarray(i, i + 4)];
  });
}

/**
 * Taps until every pixel `at` shows its colour within `tolerance` (frames made before a change
 * may still be on their way), at most 40 times.
 */
export async function tapUntil(
  client: Client,
  node: string,
  port: string,
  expect: ReadonlyArray<{ at: readonly [number, number]; rgb: readonly number[] }>,
  tolerance = 0,
): Promise<number[][]> {
  let seen: number[][] = [];
  for (let i = 0; i < 40; i++) {
    seen = await tapPixels(client, node, port, expect.map((e) => e.at));
    const matches = expect.every((e, j) =>
      e.rgb.every((v, c) => Math.abs(seen[j]![c]! - v) <= tolerance)
    );
    if (matches) return seen;
  }
  assert.fail(`${port} showed ${JSON.stringify(seen)}, never ${JSON.stringify(expect)}`);
}

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];

/** The pipeline the sessions run: a red background under a compositor, to a sink. */
export const STUDIO = "videotestsrc name=bg pattern=solid foreground=#ff0000 width=64 height=36 " +
  "! compositor name=mix width=64 height=36 ! nullsink";

/** The layer the sessions patch in: a green square in the top left corner. */
export const LAYER =
  "videotestsrc name=b pattern=solid foreground=#00ff00 width=16 height=16 ! mix.";

/**
 * What an agent does with only the MCP server: finds the types, checks and runs a pipeline,
 * patches a second layer in while it runs, sets its opacity, taps frames that show both
 * layers, reads the events, removes the layer and stops the node. Frames keep flowing before,
 * across and after each change (the compositor's count grows, from `stats`). Returns the node
 * and its process id.
 */
export async function agentSession(
  client: Client,
  name: string,
): Promise<{ node: string; pid: number }> {
  const { types } = await ok<{ types: Array<{ type: string }> }>(client, "list_types", {
    filter: "video",
  });
  assert.ok(
    types.some((t) => t.type === "compositor") && types.some((t) => t.type === "videotestsrc"),
  );
  const { type } = await ok<{ type: { inputs: Record<string, { params?: object }> } }>(
    client,
    "describe_type",
    { type: "compositor" },
  );
  assert.ok("opacity" in (type.inputs["layer_%u"]?.params ?? {}));
  const valid = await ok<{ valid: boolean; links: Array<{ to: string }> }>(
    client,
    "validate_pipeline",
    { pipeline: STUDIO },
  );
  assert.deepEqual([valid.valid, valid.links.map((l) => l.to)], [true, [
    "mix.layer_0",
    "nullsink0.in",
  ]]);

  const run = await ok<{ node: string; pid: number; permissions: string[] }>(
    client,
    "run_pipeline",
    { pipeline: STUDIO, name },
  );
  assert.equal(run.node, name);
  assert.ok(
    run.permissions.every((f) => /^--allow-(read|write|net)=/.test(f)),
    run.permissions.join(" "),
  );
  const node = run.node;
  let frames = await flowing(client, node, "mix", 0);
  await tapUntil(client, node, "mix.out", [{ at: [4, 4], rgb: RED }]);

  // A second layer joins while frames flow.
  const patched = await ok<{ applied: boolean; linked: Array<{ to: string }> }>(client, "patch", {
    node,
    add: LAYER,
  });
  assert.deepEqual([patched.applied, patched.linked.map((l) => l.to)], [true, ["mix.layer_1"]]);
  frames = await flowing(client, node, "mix", frames);
  await tapUntil(client, node, "mix.out", [{ at: [4, 4], rgb: GREEN }, { at: [40, 20], rgb: RED }]);
  frames = await flowing(client, node, "mix", frames);

  // Its opacity: the layer blends with the background, which shows around it.
  const set = await ok<{ pads: Record<string, Record<string, unknown>> }>(client, "set_params", {
    node,
    actor: "mix",
    pads: { layer_1: { opacity: 0.5 } },
  });
  assert.deepEqual(set.pads, { layer_1: { opacity: 0.5 } });
  frames = await flowing(client, node, "mix", frames);
  await tapUntil(client, node, "mix.out", [
    { at: [4, 4], rgb: [128, 128, 0] },
    { at: [40, 20], rgb: RED },
  ], 2);
  frames = await flowing(client, node, "mix", frames);

  // What was done is in the events.
  const { events } = await ok<{ events: Array<{ text?: string }> }>(client, "events", {
    node,
    types: ["control"],
  });
  assert.deepEqual(events.map((e) => e.text), [
    `patch ${LAYER}`,
    "set mix layer_1::opacity=0.5",
  ]);

  // The layer goes; the background alone shows again.
  const removed = await ok<{ removed: string[] }>(client, "patch", { node, remove: ["b"] });
  assert.deepEqual(removed.removed, ["b"]);
  frames = await flowing(client, node, "mix", frames);
  await tapUntil(client, node, "mix.out", [{ at: [4, 4], rgb: RED }]);
  await flowing(client, node, "mix", frames);
  assert.ok(!(await shape(client, node)).includes('"b"'));

  const stopped = await ok<{ status: string; gone: boolean }>(client, "stop", { node });
  assert.deepEqual(stopped, { node, status: "eos", gone: true });
  return { node, pid: run.pid };
}
