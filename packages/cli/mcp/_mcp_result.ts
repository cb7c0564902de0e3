/**
 * How the MCP tools answer: a short text for people and models, the same facts as structured
 * content that matches the tool's output schema, and for a failure `isError` with the error's
 * `SL_` code leading the text (`SL_PARAM_INVALID: Parameter "opacity" …`), its causes' codes
 * after it, and its details as JSON on the next line. Internal.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ContentBlock } from "@modelcontextprotocol/sdk/types";
import { isStreamlibError } from "@streamlib/core";
import { _causeCodes } from "../_error_text.ts";

/** A tool's result: `text` first, then `more` (images), and `structured`. */
export function _ok(
  structured: Record<string, unknown>,
  text: string,
  more: readonly ContentBlock[] = [],
): CallToolResult {
  return { content: [{ type: "text", text }, ...more], structuredContent: structured };
}

/** A tool's failure: the error's code and message, its causes' codes and its details. */
export function _failure(error: unknown): CallToolResult {
  const code = isStreamlibError(error)
    ? error.code
    : error instanceof Error
    ? `SL_INTERNAL (${error.name})`
    : "SL_INTERNAL";
  const message = error instanceof Error ? error.message : String(error);
  const codes = [code, ..._causeCodes(error)].join(" ← ");
  let details = "";
  if (isStreamlibError(error) && Object.keys(error.details).length !== 0) {
    try {
      details = `\ndetails: ${JSON.stringify(error.details)}`;
    } catch {
      // Details JSON cannot carry are left out.
    }
  }
  return { isError: true, content: [{ type: "text", text: `${codes}: ${message}${details}` }] };
}

/** Runs a tool's body; a throw becomes {@linkcode _failure}. */
export async function _answer(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return _failure(error);
  }
}

/** Bytes as base64. */
export function _base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * Gives the failures the MCP SDK answers itself an `SL_` code in front, like every failure of
 * ours: arguments that do not match a tool's input schema (`SL_PARAM_INVALID`), a tool that does
 * not exist (`SL_USAGE`). The SDK makes those results in `McpServer.createToolError`, which it
 * does not let subclasses override in its types, so the method is wrapped on the instance; the
 * SDK is pinned, and a test fails if a new version makes it otherwise.
 */
export function _codeSdkFailures(server: McpServer): void {
  const target = server as unknown as { createToolError?: (message: string) => CallToolResult };
  const original = target.createToolError;
  if (typeof original !== "function") return;
  target.createToolError = (message: string): CallToolResult =>
    original.call(server, `${_sdkFailureCode(message)}: ${message}`);
}

/** The code for a failure the SDK words as `message`. */
function _sdkFailureCode(message: string): string {
  if (/Input validation error|Invalid arguments for tool/.test(message)) return "SL_PARAM_INVALID";
  if (/Tool \S+ (?:not found|disabled)/.test(message)) return "SL_USAGE";
  return "SL_INTERNAL";
}
