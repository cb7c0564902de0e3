/**
 * Errors that point at pipeline text: a `StreamlibError` about part of a pipeline description
 * turned into the same error with a caret under that part, as the catalogue's `build()` and the
 * control API's `patch()` report them. Internal: nothing here is public API.
 *
 * @module
 */

import { isStreamlibError, StreamlibError } from "../errors.ts";
import type { ParsedPipeline } from "./parse_pipeline.ts";
import { pointAt } from "./point_at.ts";
import type { ActorSpec } from "./pipeline_spec.ts";

/**
 * `error` pointing at the first of `keys` (span keys such as `actors[0].params.fps`) that the
 * text has a span for; `error` unchanged when it came from JSON or is not a `StreamlibError`.
 */
export function _located(
  parsed: ParsedPipeline | undefined,
  error: unknown,
  ...keys: string[]
): unknown {
  if (parsed === undefined || !isStreamlibError(error)) return error;
  const span = keys.map((k) => parsed.spans.get(k)).find((s) => s !== undefined);
  if (span === undefined) return error;
  return new StreamlibError(error.code, pointAt(parsed.text, span, error.message), {
    cause: error,
    details: { ...error.details, line: span.line, column: span.column },
  });
}

/**
 * The span keys an error creating actor `i` points at, most precise first: the parameter or
 * port parameter its details name, that port, then the actor's type.
 */
export function _creationKeys(i: number, actor: ActorSpec, error: unknown): string[] {
  const details = isStreamlibError(error) ? error.details : {};
  const { param, pad } = details;
  const key = typeof pad === "string"
    ? `actors[${i}].pads.${pad}${typeof param === "string" ? `.${param}` : ""}`
    : typeof param === "string" && actor.params && Object.hasOwn(actor.params, param)
    ? `actors[${i}].params.${param}`
    : `actors[${i}]`;
  return [key, ...(typeof pad === "string" ? [`actors[${i}].pads.${pad}`] : []), `actors[${i}]`];
}
