/**
 * The MCP tools that watch and change running nodes — `graph`, `stats`, `tap`, `events`,
 * `set_params`, `patch` and `stop` — as clients of each node's control API (`ControlClient`
 * over its private Unix socket), so they reach every node of this user, whoever started it.
 * Internal: `StreamlibMcp` registers them.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp";
import type { CallToolResult, ContentBlock } from "@modelcontextprotocol/sdk/types";
import { z } from "zod";
import {
  type ControlEvent,
  type ControlGraph,
  formatValue,
  type PatchResult,
  type SpecValue,
  StreamlibError,
} from "@streamlib/core";
import type { ControlClient, TappedMessage } from "@streamlib/net/control";
import { formatEvent } from "../format_event.ts";
import { _checkActorFiles, _checkFiles } from "./_allowed_files.ts";
import { _connect, type _McpContext } from "./_mcp_context.ts";
import { _answer, _base64, _ok } from "./_mcp_result.ts";
import { _CONNECTION, _EVENT, _GRAPH, _NODE, _STATS, _TAPPED, _VALUE } from "./_mcp_schemas.ts";

/** How long `stop` waits for a node this server started to be gone. */
const _GONE_WITHIN_MS = 15_000;

/** The live graph in a few lines: actors with their state, links with what waits and drops. */
function _graphText(node: string, graph: ControlGraph): string {
  const actors = graph.actors.map((a) => `  ${a.name} (${a.type}) ${a.state}`);
  const links = graph.links.map((l) =>
    `  ${l.from} → ${l.to} ${l.kind} ${l.policy} depth ${l.depth}/${l.capacity} dropped ${l.dropped}`
  );
  return [
    `${node}: ${graph.mode} pipeline ${graph.state}, running time ${
      (graph.runningTime / 1e6).toFixed(3)
    } s`,
    "actors:",
    ...actors,
    "links:",
    ...(links.length ? links : ["  none"]),
  ].join("\n");
}

/** A tapped message as structured content (pictures are image content). */
function _tapped(m: TappedMessage, image: number): Record<string, unknown> {
  if (m.kind !== "video") return { ...m };
  const { png: _png, ...rest } = m;
  return { ...rest, image };
}

function _tappedText(m: TappedMessage): string {
  const head = `t=${(m.timestamp / 1e6).toFixed(6)}s #${m.position}`;
  switch (m.kind) {
    case "video":
      return `${head} video ${m.format} ${m.width}×${m.height}${
        m.scaledFrom ? ` (scaled from ${m.scaledFrom.width}×${m.scaledFrom.height})` : ""
      }`;
    case "audio":
      return `${head} audio ${m.channels}ch ${m.sampleRate} Hz ${m.frames} samples, rms ${
        m.rms.map((v) => v.toFixed(1)).join("/")
      } dBFS, peak ${m.peak.map((v) => v.toFixed(1)).join("/")} dBFS`;
    case "data":
      return `${head} data ${m.topic} ${JSON.stringify(m.value)}`;
    case "event":
      return `${head} ${JSON.stringify(m.event)}`;
  }
}

/** The one link of `graph` that `from` and `to` name (actor or actor.port), as `disconnect` finds it. */
function _linkOf(
  graph: ControlGraph,
  from: string,
  to: string,
): { from: string; to: string } {
  const fits = (end: string, ref: string): boolean =>
    ref === end || ref.slice(0, ref.lastIndexOf(".")) === end.replace(/\.$/, "");
  const links = graph.links.filter((l) => fits(from, l.from) && fits(to, l.to));
  if (links.length !== 1) {
    throw new StreamlibError(
      links.length === 0 ? "SL_PORT_NOT_FOUND" : "SL_PIPE_AMBIGUOUS",
      links.length === 0
        ? `No link from "${from}" to "${to}"; links: ${
          graph.links.map((l) => `${l.from} → ${l.to}`).join(", ") || "none"
        }`
        : `${links.length} links join "${from}" and "${to}"; name the ports`,
      { details: { from, to } },
    );
  }
  return { from: links[0]!.from, to: links[0]!.to };
}

/** Checks that a patch's new actors keep their files in the allowed folders. */
function _checkPatchFiles(context: _McpContext, graph: ControlGraph, text: string): void {
  const parsed = context.discovery.catalogue.parse(text, {
    existing: graph.actors.map((a) => a.name),
  });
  _checkFiles(
    context.discovery.catalogue,
    parsed.spec.actors,
    parsed,
    context.folders,
    context.cwd,
  );
}

/** Registers the tools for running nodes on `server`. */
export function _liveTools(server: McpServer, context: _McpContext): void {
  const { catalogue } = context.discovery;
  const withClient = (
    node: string,
    body: (client: ControlClient) => Promise<CallToolResult>,
  ): Promise<CallToolResult> =>
    _answer(async () => {
      await using client = await _connect(context, node);
      return await body(client);
    });

  server.registerTool("graph", {
    title: "Live graph of a node",
    description: "A running node's graph now: each actor with its type, state and parameters " +
      "(request ports such as compositor layers with their own), each link with its delivery " +
      "policy, what waits in it and what it dropped. `dot: true` adds it in Graphviz DOT.",
    inputSchema: { node: _NODE, dot: z.boolean().optional() },
    outputSchema: { node: z.string(), graph: _GRAPH, dot: z.string().optional() },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ node, dot }): Promise<CallToolResult> =>
    withClient(node, async (client) => {
      const graph = await client.graph();
      const name = client.name ?? node;
      const text = dot ? await client.dot() : undefined;
      // The DOT in the text the model reads too: many clients pass it nothing else.
      return _ok(
        { node: name, graph, ...(text === undefined ? {} : { dot: text }) },
        _graphText(name, graph),
        text === undefined ? [] : [{ type: "text", text }],
      );
    }));

  server.registerTool("stats", {
    title: "Stats of a node",
    description: "A running node's counters: per actor messages processed, dropped, errors, " +
      "restarts and processing time; per input its policy, depth and drops. Call it twice to " +
      "see rates (frames keep flowing when `processed` grows).",
    inputSchema: { node: _NODE },
    outputSchema: { node: z.string(), stats: _STATS },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ node }): Promise<CallToolResult> =>
    withClient(node, async (client) => {
      const stats = await client.stats();
      const lines = stats.actors.map((a) =>
        `  ${a.name} (${a.type}) ${a.state}: processed ${a.processed}, dropped ${a.dropped}, ` +
        `errors ${a.errors}, restarts ${a.restarts}, p50 ${a.processingTimeUs.p50.toFixed(0)} µs`
      );
      return _ok(
        { node: client.name ?? node, stats },
        [`${client.name ?? node}: ${stats.state}, ${stats.mode}`, ...lines].join("\n"),
      );
    }));

  server.registerTool(
    "tap",
    {
      title: "Sample an output",
      description: "Samples what an output of a running node carries, without holding it back: " +
        "video frames come back as PNG images (scaled when `width`/`height` is given; a 1080p " +
        "frame is a large image, so ask for width 320 or 640 to look), audio as levels and a " +
        "WAV, data and events as JSON. A quiet output returns what came within `timeoutMs`.",
      inputSchema: {
        node: _NODE,
        port: z.string().regex(/^[^.\s]+\.[^.\s]+$/).describe("the output, actor.port: mix.out"),
        count: z.number().int().min(1).max(10).optional().describe("messages, 1 to 10 (1)"),
        timeoutMs: z.number().int().min(0).max(60_000).optional().describe("default 2000"),
        width: z.number().int().min(1).max(16_384).optional(),
        height: z.number().int().min(1).max(16_384).optional(),
      },
      outputSchema: {
        node: z.string(),
        port: z.string(),
        kind: z.string(),
        reason: z.enum(["count", "timeout", "eos", "aborted"]),
        messages: z.array(_TAPPED),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ node, port, count, timeoutMs, width, height }): Promise<CallToolResult> =>
      withClient(node, async (client) => {
        const reply = await client.tap(port, {
          ...(count === undefined ? {} : { count }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          ...(width === undefined ? {} : { width }),
          ...(height === undefined ? {} : { height }),
        });
        const images: ContentBlock[] = [];
        const messages = reply.messages.map((m) => {
          if (m.kind === "video") {
            images.push({ type: "image", data: _base64(m.png), mimeType: "image/png" });
          }
          return _tapped(m, images.length - 1);
        });
        if (reply.wav !== undefined) {
          images.push({ type: "audio", data: _base64(reply.wav), mimeType: "audio/wav" });
        }
        const text = reply.messages.length === 0
          ? `nothing came out of ${port} (${reply.reason})`
          : [
            `${port}: ${reply.messages.length} ${reply.kind} (${reply.reason})`,
            ...reply.messages.map(_tappedText),
          ].join("\n");
        return _ok(
          {
            node: client.name ?? node,
            port: reply.port,
            kind: reply.kind,
            reason: reply.reason,
            messages,
          },
          text,
          images,
        );
      }),
  );

  server.registerTool(
    "events",
    {
      title: "Events of a node",
      description: "What happened in a running node, oldest first: errors (with their SL_ code " +
        "and what supervision did), restarts, end-of-stream, state changes, actors' log lines, " +
        "and every change made through its control API (set, patch, remove, stop — by any " +
        "client). Pass the `last` of a reply as `since` to get only newer ones.",
      inputSchema: {
        node: _NODE,
        types: z.array(z.enum(["error", "restart", "eos", "state", "log", "control"])).optional(),
        actor: z.string().optional().describe("only events about this actor"),
        since: z.number().int().min(0).optional().describe("only events after this seq"),
        limit: z.number().int().min(1).max(1_000).optional().describe("the newest n (50)"),
      },
      outputSchema: {
        node: z.string(),
        events: z.array(_EVENT),
        last: z.number().describe("the seq of the newest event returned (since for the next call)"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ node, types, actor, since, limit }): Promise<CallToolResult> =>
      withClient(node, async (client) => {
        const events: ControlEvent[] = await client.events({
          ...(types === undefined ? {} : { types }),
          ...(actor === undefined ? {} : { actor }),
          ...(since === undefined ? {} : { since }),
          limit: limit ?? 50,
        });
        const last = events.at(-1)?.seq ?? since ?? 0;
        return _ok(
          { node: client.name ?? node, events, last },
          events.map((e) => formatEvent(e)).join("\n") || "no events",
        );
      }),
  );

  server.registerTool(
    "set_params",
    {
      title: "Change parameters",
      description: "Changes parameters of a running actor, and of its request ports (a " +
        'compositor layer: pads {"layer_1": {"opacity": 0.5, "x": 40}}), checked against its ' +
        'manifest and converted as pipeline text is ("10s", "48kHz"), all before any is ' +
        "applied: a bad value changes nothing.",
      inputSchema: {
        node: _NODE,
        actor: z.string().min(1).describe("the actor's name in the graph"),
        params: z.record(z.string(), _VALUE).optional(),
        pads: z.record(z.string(), z.record(z.string(), _VALUE)).optional().describe(
          'port parameters by port: {"layer_1": {"x": 40}}',
        ),
      },
      outputSchema: {
        node: z.string(),
        actor: z.string(),
        params: z.record(z.string(), z.unknown()),
        pads: z.record(z.string(), z.record(z.string(), z.unknown())),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    ({ node, actor, params, pads }): Promise<CallToolResult> =>
      withClient(node, async (client) => {
        const given = (params ?? {}) as Record<string, SpecValue>;
        if (Object.keys(given).length !== 0) {
          const target = (await client.graph()).actors.find((a) => a.name === actor);
          if (target !== undefined && catalogue.has(target.type)) {
            _checkActorFiles(
              catalogue,
              { name: actor, type: target.type, params: given },
              context.folders,
              context.cwd,
              undefined,
              Object.keys(given),
            );
          }
        }
        const result = await client.set(
          actor,
          given,
          (pads ?? {}) as Record<string, Record<string, SpecValue>>,
        );
        const shown = [
          ...Object.entries(result.params).map(([k, v]) => `${k}=${formatValue(v as SpecValue)}`),
          ...Object.entries(result.pads).flatMap(([pad, vs]) =>
            Object.entries(vs).map(([k, v]) => `${pad}::${k}=${formatValue(v as SpecValue)}`)
          ),
        ];
        return _ok(
          { node: client.name ?? node, ...result },
          `set ${result.actor} ${shown.join(" ")}`.trim(),
        );
      }),
  );

  server.registerTool(
    "patch",
    {
      title: "Change a running graph",
      description: "Changes a running node's graph while frames keep flowing. `add` is pipeline " +
        "text naming running actors as in the graph: `videotestsrc name=b pattern=ball ! mix.` " +
        "adds a source and links it to the compositor's next layer. `remove` takes actors out " +
        "with their links; `disconnect` removes links. Everything is checked first (text, " +
        "types, parameters, ports, permissions the node was granted, files) and nothing changes " +
        "when anything is wrong; then disconnections, removals and the text are applied in that " +
        "order. `dryRun` only checks.",
      inputSchema: {
        node: _NODE,
        add: z.string().optional().describe("pipeline text to add"),
        remove: z.array(z.string()).optional().describe("actors to take out"),
        disconnect: z.array(z.object({ from: z.string(), to: z.string() })).optional().describe(
          "links to remove: actor or actor.port at each end",
        ),
        dryRun: z.boolean().optional(),
      },
      outputSchema: {
        node: z.string(),
        applied: z.boolean(),
        added: z.array(z.object({ name: z.string(), type: z.string() })),
        linked: z.array(_CONNECTION),
        removed: z.array(z.string()),
        disconnected: z.array(z.object({ from: z.string(), to: z.string() })),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    },
    ({ node, add, remove, disconnect, dryRun }): Promise<CallToolResult> =>
      withClient(node, async (client) => {
        const text = add?.trim() ? add : undefined;
        if (text === undefined && !remove?.length && !disconnect?.length) {
          throw new StreamlibError(
            "SL_USAGE",
            "Give the patch something to do: add, remove or disconnect",
          );
        }
        const graph = await client.graph();
        const names = new Set(graph.actors.map((a) => a.name));
        for (const actor of remove ?? []) {
          if (names.has(actor)) continue;
          throw new StreamlibError(
            "SL_ACTOR_NOT_FOUND",
            `No actor ${JSON.stringify(actor)} in this pipeline; actors: ${[...names].join(", ")}`,
            { details: { actor } },
          );
        }
        const unlink = (disconnect ?? []).map((l) => _linkOf(graph, l.from, l.to));
        let planned: PatchResult = { applied: false, actors: [], links: [] };
        if (text !== undefined) {
          _checkPatchFiles(context, graph, text);
          planned = await client.patch(text, { dryRun: true });
        }
        const name = client.name ?? node;
        if (dryRun) {
          return _ok(
            {
              node: name,
              applied: false,
              added: planned.actors,
              linked: planned.links,
              removed: remove ?? [],
              disconnected: unlink,
            },
            `valid: would ${
              _patchText(
                planned.actors,
                planned.links,
                remove ?? [],
                unlink,
                true,
              )
            }`,
          );
        }
        for (const link of unlink) await client.disconnect(link.from, link.to);
        for (const actor of remove ?? []) await client.remove(actor);
        const done = text === undefined ? { actors: [], links: [] } : await client.patch(text);
        return _ok(
          {
            node: name,
            applied: true,
            added: done.actors,
            linked: done.links,
            removed: remove ?? [],
            disconnected: unlink,
          },
          _patchText(done.actors, done.links, remove ?? [], unlink),
        );
      }),
  );

  server.registerTool("stop", {
    title: "Stop a node",
    description: "Stops a running node: `drain` (default) lets end-of-stream flow so files " +
      "are finished, `abort` stops at once. Returns once the pipeline has ended (and, for a " +
      "node this server started, once its process is gone).",
    inputSchema: {
      node: _NODE,
      mode: z.enum(["drain", "abort"]).optional(),
      timeoutMs: z.number().int().min(0).max(600_000).optional().describe(
        "abort a drain not done in this time",
      ),
    },
    outputSchema: {
      node: z.string(),
      status: z.enum(["eos", "aborted"]),
      gone: z.boolean().describe("its process has ended (known for nodes started here)"),
    },
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
  }, ({ node, mode, timeoutMs }): Promise<CallToolResult> =>
    withClient(node, async (client) => {
      const { name } = await client.info();
      const result = await client.stop({
        mode: mode ?? "drain",
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      const ours = context.nodes.has(name);
      const gone = ours ? await context.nodes.ended(name, _GONE_WITHIN_MS) : false;
      return _ok(
        { node: name, status: result.status, gone },
        `${name} stopped: ${result.status === "eos" ? "drained to end-of-stream" : "aborted"}${
          ours ? (gone ? "; its process has ended" : "; its process is still there") : ""
        }`,
      );
    }));
}

function _patchText(
  actors: ReadonlyArray<{ name: string; type: string }>,
  links: ReadonlyArray<{ from: string; to: string }>,
  removed: readonly string[],
  unlinked: ReadonlyArray<{ from: string; to: string }>,
  would = false,
): string {
  const verb = (done: string, to: string): string => would ? to : done;
  return [
    ...(unlinked.length
      ? [
        `${verb("disconnected", "disconnect")} ${
          unlinked.map((l) => `${l.from} → ${l.to}`).join(", ")
        }`,
      ]
      : []),
    ...(removed.length ? [`${verb("removed", "remove")} ${removed.join(", ")}`] : []),
    ...(actors.length
      ? [`${verb("added", "add")} ${actors.map((a) => `${a.name} (${a.type})`).join(", ")}`]
      : []),
    ...(links.length
      ? [`${verb("linked", "link")} ${links.map((l) => `${l.from} → ${l.to}`).join(", ")}`]
      : []),
  ].join("; ") || (would ? "change nothing" : "nothing");
}
