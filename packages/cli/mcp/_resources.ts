/**
 * The MCP resources: the actor types (`streamlib://types`, and `streamlib://types/{type}` for
 * each, from the manifests) and the live graph of each running node
 * (`streamlib://nodes/{node}/graph`). Internal: `StreamlibMcp` registers them.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types";
import { listNodes } from "@streamlib/net/control";
import { inspectJson, listJson } from "../format_json.ts";
import { _connect, type _McpContext } from "./_mcp_context.ts";

const _JSON = "application/json";

/** One variable of a filled-in URI template, as text. */
function _one(value: string | string[] | undefined): string {
  return decodeURIComponent(Array.isArray(value) ? value[0] ?? "" : value ?? "");
}

function _json(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: _JSON, text: JSON.stringify(value, null, 2) }] };
}

/** Registers the resources on `server`. */
export function _resources(server: McpServer, context: _McpContext): void {
  const { catalogue } = context.discovery;
  const types = (): string[] => catalogue.list().map((e) => e.type);
  const nodes = async (): Promise<string[]> =>
    (await listNodes(context.dir === undefined ? {} : { dir: context.dir })).map((n) => n.name);

  server.registerResource("actor-types", "streamlib://types", {
    title: "Actor types",
    description: "Every actor type pipelines can use, from the manifests",
    mimeType: _JSON,
  }, (uri): ReadResourceResult => _json(uri, { types: listJson(catalogue.list()) }));

  server.registerResource(
    "actor-type",
    new ResourceTemplate("streamlib://types/{type}", {
      list: () => ({
        resources: catalogue.list().map((e) => ({
          uri: `streamlib://types/${encodeURIComponent(e.type)}`,
          name: e.type,
          description: e.actor.description,
          mimeType: _JSON,
        })),
      }),
      complete: { type: (value) => types().filter((t) => t.startsWith(value)) },
    }),
    {
      title: "Actor type",
      description: "One actor type's manifest entry: ports, parameters, permissions",
      mimeType: _JSON,
    },
    (uri, variables): ReadResourceResult =>
      _json(uri, inspectJson(catalogue.describe(_one(variables.type)))),
  );

  server.registerResource(
    "live-graph",
    new ResourceTemplate("streamlib://nodes/{node}/graph", {
      list: async () => ({
        resources: (await nodes()).map((name) => ({
          uri: `streamlib://nodes/${encodeURIComponent(name)}/graph`,
          name: `${name} graph`,
          description: `The live graph of node ${name}`,
          mimeType: _JSON,
        })),
      }),
      complete: { node: async (value) => (await nodes()).filter((n) => n.startsWith(value)) },
    }),
    {
      title: "Live graph",
      description: "A running node's graph: actors, parameters, links, what waits and drops",
      mimeType: _JSON,
    },
    async (uri, variables): Promise<ReadResourceResult> => {
      await using client = await _connect(context, _one(variables.node));
      return _json(uri, await client.graph());
    },
  );
}
