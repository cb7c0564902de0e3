// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport";
import cliConfig from "../deno.json" with { type: "json" };
import type { Discovery } from "../discover_plugins.ts";
import { _allowedFolders } from "./_allowed_files.ts";
import type { _McpContext } from "./_mcp_context.ts";
import { _Nodes } from "./_mcp_nodes.ts";
import { _codeSdkFailures } from "./_mcp_result.ts";
import { _resources } from "./_resources.ts";
import { _catalogueTools } from "./_tools_catalogue.ts";
import { _liveTools } from "./_tools_live.ts";

/**
 * Options of {@linkcode StreamlibMcp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StreamlibMcpOptions } from "@streamlib/cli/mcp";
 * const options: Partial<StreamlibMcpOptions> = { allowFiles: ["./media"] };
 * assert.ok(options.allowFiles?.length === 1);
 * ```
 */
export interface StreamlibMcpOptions {
  /** The actor types (`discoverPlugins()`), and the plugin manifests they came from. */
  readonly discovery: Discovery;
  /**
   * The folders pipelines may read and write files in (`--allow-files`): a file parameter
   * outside them is refused with `SL_FILE_NOT_ALLOWED` before anything runs. Default: none,
   * so no pipeline may touch a file.
   */
  readonly allowFiles?: readonly string[];
  /** Where relative paths start (default: the working folder). */
  readonly cwd?: string;
  /** The control folder where nodes are found and served (default `controlDir()`). */
  readonly dir?: string;
}

/** What the server tells an agent about itself when it connects. */
const _INSTRUCTIONS = `streamlib runs realtime media pipelines (video, audio, data) as nodes.
Discover: list_types, describe_type (ports, parameters, permissions). Build pipeline text
gst-launch style: "videotestsrc name=bg pattern=smpte ! compositor name=mix ! nullsink".
Check it with validate_pipeline, start it with run_pipeline (it returns the node's name and
keeps running). Watch it: graph, stats, tap (video frames as PNG images; pass width 320 or
640), events. Change it while it runs: set_params (also a compositor layer's pads:
{"layer_1": {"opacity": 0.5}}), patch (add "videotestsrc name=b ! mix." links a new layer;
remove; disconnect). stop ends it. Errors carry stable SL_ codes.`;

/**
 * streamlib as an MCP server (Model Context Protocol, with the official SDK): an agent with
 * only this server can discover what exists, build a pipeline, run it, watch it, change it
 * while it runs and stop it. Tools: `list_types`, `describe_type`, `validate_pipeline`,
 * `run_pipeline`, `list_nodes`, `graph`, `stats`, `tap`, `events`, `set_params`, `patch`,
 * `stop`, each with input and output schemas; errors carry `SL_` codes. Resources: the actor
 * types and each running node's live graph.
 *
 * `run_pipeline` starts a node as `streamlib run` does (a process granted only what its
 * actors' manifests need, serving its control API on a socket only this user can open); the
 * node keeps running after the call and is stopped by `stop` or by {@linkcode close}, and its
 * process ends by itself when this one dies. File parameters must lie in `allowFiles`. The
 * other tools reach any node of this user through its control API, whoever started it.
 *
 * One instance serves any number of connections ({@linkcode connect}, one `McpServer` each);
 * `streamlib mcp` serves one over stdio, or several over Streamable HTTP
 * ({@linkcode serveMcpHttp}).
 *
 * @example An agent session over an in-memory transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "@modelcontextprotocol/sdk/client";
 * import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
 * import { discoverPlugins } from "@streamlib/cli";
 * import { StreamlibMcp } from "@streamlib/cli/mcp";
 *
 * const dir = `${await Deno.makeTempDir()}/nodes`; // default: the user's control folder
 * await using mcp = new StreamlibMcp({ discovery: await discoverPlugins(), dir });
 * const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
 * await mcp.connect(serverSide);
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(clientSide);
 *
 * const run = await client.callTool({
 *   name: "run_pipeline",
 *   arguments: { pipeline: "datasrc name=src fps=20 ! nullsink" },
 * });
 * const { node } = run.structuredContent as { node: string };
 * const graph = await client.callTool({ name: "graph", arguments: { node } });
 * assert.match((graph.content as Array<{ text: string }>)[0]!.text, /src\.out → nullsink0\.in/);
 * await client.callTool({ name: "stop", arguments: { node } });
 * await client.close();
 * ```
 */
export class StreamlibMcp implements AsyncDisposable {
  /** The tools every connection gets, in the order they are listed. */
  static readonly TOOLS: readonly string[] = [
    "list_types",
    "describe_type",
    "validate_pipeline",
    "run_pipeline",
    "list_nodes",
    "graph",
    "stats",
    "tap",
    "events",
    "set_params",
    "patch",
    "stop",
  ];

  /** The folders files may be in, resolved (`allowFiles`). */
  readonly allowFiles: readonly string[];

  readonly #context: _McpContext;
  readonly #servers = new Set<McpServer>();
  #closing: Promise<void> | undefined;

  /**
   * Makes the server's shared state: the catalogue, the allowed folders (each must exist:
   * `SL_USAGE` otherwise) and the nodes it will start.
   *
   * @param options The catalogue, allowed folders, working and control folders.
   */
  constructor(options: StreamlibMcpOptions) {
    const cwd = options.cwd ?? Deno.cwd();
    this.allowFiles = _allowedFolders(options.allowFiles ?? [], cwd);
    const nodes = new _Nodes(options.discovery, options.dir, () => {
      for (const server of this.#servers) {
        if (server.isConnected()) server.sendResourceListChanged();
      }
    });
    this.#context = {
      discovery: options.discovery,
      nodes,
      folders: this.allowFiles,
      cwd,
      dir: options.dir,
    };
  }

  /**
   * A new MCP server with every tool and resource, not yet connected; {@linkcode connect}
   * makes and connects one.
   *
   * @returns The server.
   */
  server(): McpServer {
    const server = new McpServer(
      { name: "streamlib", version: cliConfig.version },
      { capabilities: { resources: { listChanged: true } }, instructions: _INSTRUCTIONS },
    );
    _codeSdkFailures(server);
    _catalogueTools(server, this.#context);
    _liveTools(server, this.#context);
    _resources(server, this.#context);
    this.#servers.add(server);
    const previous = server.server.onclose;
    server.server.onclose = (): void => {
      this.#servers.delete(server);
      previous?.();
    };
    return server;
  }

  /**
   * Serves one connection: a new server on `transport` (stdio, Streamable HTTP, in memory).
   *
   * @param transport The transport, not yet started.
   * @returns The server, connected.
   */
  async connect(transport: Transport): Promise<McpServer> {
    const server = this.server();
    await server.connect(transport);
    return server;
  }

  /**
   * The names of the nodes this server started that still run.
   *
   * @returns Their names.
   */
  started(): string[] {
    return this.#context.nodes.list().map((n) => n.name);
  }

  /**
   * Closes every connection and stops every node this server started (abort; killed 5 s
   * later if still there), waiting until each process and its registry entry are gone.
   *
   * @returns Once all is stopped.
   */
  close(): Promise<void> {
    return this.#closing ??= (async () => {
      await Promise.all([...this.#servers].map((s) => s.close().catch(() => {})));
      await this.#context.nodes.close();
    })();
  }

  /** Closes, as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
