import { isStreamlibError } from "@streamlib/core";

/** Error codes that mean the command was used wrongly: exit status 2. */
const _USAGE = new Set([
  "SL_USAGE",
  "SL_PIPELINE_SYNTAX",
  "SL_PIPELINE_INVALID",
  "SL_UNKNOWN_TYPE",
  "SL_PARAM_UNKNOWN",
  "SL_PARAM_INVALID",
  "SL_CAPS_MISMATCH",
  "SL_KIND_MISMATCH",
  "SL_PORT_NOT_FOUND",
  "SL_ACTOR_NOT_FOUND",
  "SL_PIPE_AMBIGUOUS",
  "SL_PIPE_NO_MATCH",
  "SL_ALREADY_CONNECTED",
  "SL_NAME_TAKEN",
  "SL_MANIFEST_INVALID",
  "SL_PERMISSION_VALUE",
  "SL_NODE_NOT_FOUND",
  "SL_UNAUTHORIZED",
  "SL_PLUGIN_NOT_FOUND",
]);

/**
 * The exit status of the `streamlib` command for an error code: 2 when the command was used
 * wrongly (bad options, pipeline text or JSON that does not parse or validate, an unknown type
 * or parameter, ports that do not fit, an unusable `--plugin`, a node that is not running, a
 * missing access token), else 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeOf } from "@streamlib/cli";
 * assert.ok(exitCodeOf("SL_PIPELINE_SYNTAX") === 2);
 * assert.ok(exitCodeOf("SL_ACTOR_FAILED") === 1);
 * ```
 *
 * @param error An error, or its code.
 * @returns 2 for usage errors, else 1.
 */
export function exitCodeOf(error: unknown): 1 | 2 {
  const code = typeof error === "string" ? error : isStreamlibError(error) ? error.code : "";
  return _USAGE.has(code) ? 2 : 1;
}
