/**
 * What every MCP tool and resource of one server works with: the catalogue and the plugins it
 * came from, the nodes this server started, the folders files may be in, and how to reach a
 * node. Internal.
 *
 * @module
 */

import {
  formatPipeline,
  isStreamlibError,
  StreamlibError,
  validatePipelineSpec,
} from "@streamlib/core";
import { ControlClient } from "@streamlib/net/control";
import type { Discovery } from "../discover_plugins.ts";
import { type LoadedPipeline, loadPipeline } from "../load_pipeline.ts";
import type { _Nodes } from "./_mcp_nodes.ts";

/** What the tools share. */
export interface _McpContext {
  readonly discovery: Discovery;
  readonly nodes: _Nodes;
  /** The folders files may be in, real paths; none when `--allow-files` was not given. */
  readonly folders: readonly string[];
  /** Where relative file paths start (the server's working folder). */
  readonly cwd: string;
  /** The control folder (default `controlDir()`). */
  readonly dir: string | undefined;
}

/** A client of `node`; `await using` closes it. */
export async function _connect(context: _McpContext, node: string): Promise<ControlClient> {
  try {
    return await ControlClient.connect(node, context.dir === undefined ? {} : { dir: context.dir });
  } catch (error) {
    const ended = context.nodes.endedNode(node);
    if (ended === undefined || !isStreamlibError(error, "SL_NODE_NOT_FOUND")) throw error;
    // A node this server started has ended: say how, which nothing else would tell the agent.
    throw new StreamlibError(
      "SL_NODE_NOT_FOUND",
      `Node "${node}" is not running: it ended ${_ago(ended.endedAt)} (${ended.how})`,
      { cause: error, details: { node, ended } },
    );
  }
}

/** `3 s ago`, `2 min ago`. */
export function _ago(at: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

/**
 * Pipeline text, or its JSON form as text (`{"actors": …, "links": …}`), checked against the
 * catalogue's manifests. Never reads a file.
 */
export async function _load(context: _McpContext, pipeline: string): Promise<LoadedPipeline> {
  const { catalogue } = context.discovery;
  if (!pipeline.trimStart().startsWith("{")) {
    return await loadPipeline(pipeline, catalogue, { text: true });
  }
  let value: unknown;
  try {
    value = JSON.parse(pipeline);
  } catch (error) {
    throw new StreamlibError(
      "SL_PIPELINE_INVALID",
      `The pipeline starts with "{" but is not JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // Its text form, so that the checks below and the node's own point at something.
  const text = formatPipeline(validatePipelineSpec(value, "pipeline"));
  return await loadPipeline(text, catalogue, { text: true });
}
