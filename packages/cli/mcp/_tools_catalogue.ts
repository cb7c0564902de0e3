/**
 * The MCP tools that find out what exists and start pipelines: `list_types`, `describe_type`
 * (manifests only, no code imported), `validate_pipeline`, `run_pipeline` and `list_nodes`.
 * Internal: `StreamlibMcp` registers them.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types";
import { z } from "zod";
import { type Connection, isStreamlibError } from "@streamlib/core";
import { ControlClient, listNodes } from "@streamlib/net/control";
import { formatInspect } from "../format_inspect.ts";
import { inspectJson, listJson } from "../format_json.ts";
import type { LoadedPipeline } from "../load_pipeline.ts";
import { permissionFlags } from "../permission_flags.ts";
import { _checkFiles } from "./_allowed_files.ts";
import { _checkLinks } from "./_check_links.ts";
import { _ago, _load, type _McpContext } from "./_mcp_context.ts";
import { _answer, _ok } from "./_mcp_result.ts";
import {
  _ACTOR_REF,
  _CONNECTION,
  _ENDED_ROW,
  _ERROR,
  _LISTED_TYPE,
  _NODE_ROW,
  _TYPE,
} from "./_mcp_schemas.ts";

const _PIPELINE = z.string().min(1).describe(
  'pipeline text, gst-launch style: "videotestsrc name=bg ! compositor name=mix ! nullsink" ' +
    "(name=, type key=value, ! links, name.port, port::key=value for a request port), or its " +
    'JSON form {"actors": [...], "links": [...]}',
);

/** What a pipeline would be: checked in full from the manifests, files against the folders. */
function _check(
  context: _McpContext,
  loaded: LoadedPipeline,
  offline: boolean,
): { links: Connection[]; flags: string[] } {
  const { catalogue } = context.discovery;
  const links = _checkLinks(loaded, catalogue, offline ? "offline" : "live");
  _checkFiles(catalogue, loaded.spec.actors, loaded.parsed, context.folders, context.cwd);
  return { links, flags: permissionFlags(catalogue.permissions(loaded.spec)) };
}

function _linksText(links: readonly Connection[]): string {
  return links.map((l) => `${l.from} → ${l.to} (${l.kind}, ${l.policy})`).join(", ") || "none";
}

/** Registers the catalogue tools on `server`. */
export function _catalogueTools(server: McpServer, context: _McpContext): void {
  const { catalogue } = context.discovery;

  server.registerTool("list_types", {
    title: "List actor types",
    description: "Every actor type that pipelines can use: its name, package, classification " +
      "(Source/Video, Filter/Effect/Video, Sink/Any…) and what it does. `filter` keeps the " +
      "types whose name, classification or description contains it (case-insensitive).",
    inputSchema: { filter: z.string().optional().describe("e.g. video, Source, audio") },
    outputSchema: { types: z.array(_LISTED_TYPE) },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ filter }): Promise<CallToolResult> =>
    _answer(() => {
      const needle = filter?.toLowerCase();
      const types = listJson(catalogue.list()).filter((t) =>
        needle === undefined ||
        [t.type, t.classification, t.description].some((s) => s.toLowerCase().includes(needle))
      );
      const text = types.map((t) => `${t.type} (${t.classification}): ${t.description}`)
        .join("\n");
      return Promise.resolve(_ok({ types }, text || "no type matches"));
    }));

  server.registerTool("describe_type", {
    title: "Describe an actor type",
    description: "Everything an actor type's manifest says, without running or importing it: " +
      "its input and output ports (kinds, formats, request templates such as layer_%u with " +
      "their own parameters), its parameters (type, default, range, unit) and the " +
      "permissions it needs, with why.",
    inputSchema: { type: z.string().min(1).describe("an actor type, as list_types gives it") },
    outputSchema: { type: _TYPE },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ type }): Promise<CallToolResult> =>
    _answer(() => {
      const entry = catalogue.describe(type);
      return Promise.resolve(_ok({ type: inspectJson(entry) }, formatInspect(entry)));
    }));

  server.registerTool("validate_pipeline", {
    title: "Validate a pipeline",
    description: "Checks a pipeline without running it: the text, each actor's type and " +
      "parameters, each link's ports and formats (from the manifests), and that its files lie " +
      "in the folders this server allows. Says which ports each link joins and the permissions " +
      "run_pipeline would grant. An invalid pipeline is not a tool error: `valid` is false and " +
      "`error` says what and where (with its SL_ code).",
    inputSchema: {
      pipeline: _PIPELINE,
      offline: z.boolean().optional().describe("as run_pipeline would run it offline"),
    },
    outputSchema: {
      valid: z.boolean(),
      actors: z.array(_ACTOR_REF),
      links: z.array(_CONNECTION),
      permissions: z.array(z.string()).describe("the Deno flags the node would get"),
      error: _ERROR.optional(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ pipeline, offline }): Promise<CallToolResult> =>
    _answer(async () => {
      let loaded: LoadedPipeline | undefined;
      try {
        loaded = await _load(context, pipeline);
        const { links, flags } = _check(context, loaded, offline ?? false);
        const actors = loaded.spec.actors.map((a) => ({ name: a.name, type: a.type }));
        return _ok(
          { valid: true, actors, links, permissions: flags },
          `valid: ${actors.map((a) => `${a.name} (${a.type})`).join(", ")}; links ${
            _linksText(links)
          }; permissions: ${flags.join(" ") || "none"}`,
        );
      } catch (error) {
        if (!isStreamlibError(error)) throw error;
        const actors = (loaded?.spec.actors ?? []).map((a) => ({ name: a.name, type: a.type }));
        const details = JSON.parse(JSON.stringify(error.details ?? {}));
        return _ok(
          {
            valid: false,
            actors,
            links: [],
            permissions: [],
            error: { code: error.code, message: error.message, details },
          },
          `invalid: ${error.code}: ${error.message}`,
        );
      }
    }));

  server.registerTool("run_pipeline", {
    title: "Run a pipeline as a node",
    description: "Checks a pipeline as validate_pipeline does (nothing runs when it fails) and " +
      "starts it in a process of its own granted only what its actors' manifests need, as " +
      "`streamlib run` does. It becomes a node: it keeps running after this call, and the " +
      "other tools reach it by the name returned. It ends at end-of-stream, with `stop`, or " +
      "when this MCP server exits.",
    inputSchema: {
      pipeline: _PIPELINE,
      name: z.string().regex(/^[A-Za-z0-9_.~-]+$/).optional().describe(
        "the node's name (default: its first actor's type and a number, videotestsrc-1)",
      ),
      offline: z.boolean().optional().describe("run as fast as possible, nothing dropped"),
    },
    outputSchema: {
      node: z.string(),
      pid: z.number(),
      socket: z.string(),
      actors: z.array(_ACTOR_REF),
      links: z.array(_CONNECTION),
      permissions: z.array(z.string()).describe("the Deno flags it runs with"),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
  }, ({ pipeline, name, offline }): Promise<CallToolResult> =>
    _answer(async () => {
      const loaded = await _load(context, pipeline);
      const { links } = _check(context, loaded, offline ?? false);
      const node = await context.nodes.start(loaded, {
        ...(name === undefined ? {} : { name }),
        ...(offline ? { offline: true } : {}),
      });
      const actors = loaded.spec.actors.map((a) => ({ name: a.name, type: a.type }));
      return _ok(
        {
          node: node.name,
          pid: node.pid,
          socket: node.socket,
          actors,
          links,
          permissions: [...node.flags],
        },
        `node ${node.name} runs (pid ${node.pid}): ${
          actors.map((a) => `${a.name} (${a.type})`).join(", ")
        }; links ${_linksText(links)}; it was granted ${node.flags.join(" ") || "nothing"}`,
      );
    }));

  server.registerTool("list_nodes", {
    title: "List running nodes",
    description: "The pipelines running now as nodes, this user's: those this server started " +
      "and those started elsewhere (streamlib run, scripts), with their state and actors; " +
      "then the nodes this server started that have ended lately, and how each ended " +
      "(end-of-stream, aborted, or failed with its error).",
    inputSchema: {},
    outputSchema: { nodes: z.array(_NODE_ROW), ended: z.array(_ENDED_ROW) },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (): Promise<CallToolResult> =>
    _answer(async () => {
      const entries = await listNodes(context.dir === undefined ? {} : { dir: context.dir });
      const nodes = await Promise.all(entries.map(async (entry) => {
        let state = "not answering";
        let actors = entry.actors;
        try {
          await using client = await ControlClient.connect(entry.socket ?? entry.tcp!, {
            timeoutMs: 3_000,
          });
          const info = await client.info();
          ({ state, actors } = info);
        } catch {
          // Listed as not answering.
        }
        return {
          name: entry.name,
          pid: entry.pid,
          startedAt: entry.startedAt,
          summary: entry.summary,
          actors,
          state,
          ...(entry.socket === undefined ? {} : { socket: entry.socket }),
          ...(entry.tcp === undefined ? {} : { tcp: entry.tcp }),
          startedHere: context.nodes.has(entry.name),
        };
      }));
      const running = new Set(nodes.map((n) => n.name));
      const ended = context.nodes.endedNodes().filter((n) => !running.has(n.name));
      const text = [
        ...nodes.map((n) =>
          `${n.name}: ${n.state}, ${n.actors} actors, pid ${n.pid}${
            n.startedHere ? ", started here" : ""
          }: ${n.summary}`
        ),
        ...ended.map((n) => `${n.name}: ended ${_ago(n.endedAt)}, started here: ${n.how}`),
      ].join("\n");
      return _ok({ nodes, ended: [...ended] }, text || "no nodes are running");
    }));
}
