import { parsePipeline, type SpecValue, StreamlibError } from "@streamlib/core";

/**
 * Parameter values from command-line words, as `streamlib set` takes them: `key=value` sets a
 * parameter, `port::key=value` a parameter of one request port. A value reads as in pipeline
 * text — a number, `true`/`false`/`null`, a quantity kept as text for the node to convert
 * (`10s`, `48kHz`), JSON (`'{"layer_1":{"x":4}}'`, `[0,0,640,480]`), or text — and a value with
 * spaces that the shell kept together is text. Throws `SL_USAGE` for a word without `=`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAssignments } from "@streamlib/cli";
 * assert.deepEqual(parseAssignments(["fps=25", "pattern=ball", "layer_1::x=40", "title=a b"]), {
 *   params: { fps: 25, pattern: "ball", title: "a b" },
 *   pads: { layer_1: { x: 40 } },
 * });
 * ```
 *
 * @param words The words after the actor's name.
 * @returns Parameters, and port parameters by port.
 */
export function parseAssignments(words: readonly string[]): {
  params: Record<string, SpecValue>;
  pads: Record<string, Record<string, SpecValue>>;
} {
  const params: Record<string, SpecValue> = {};
  const pads: Record<string, Record<string, SpecValue>> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) {
      throw new StreamlibError(
        "SL_USAGE",
        `Expected key=value or port::key=value, got ${JSON.stringify(word)}`,
      );
    }
    const key = word.slice(0, eq);
    const raw = word.slice(eq + 1);
    if (key === "name" || key === "dispatch") {
      throw new StreamlibError(
        "SL_USAGE",
        `${key} is not a parameter: a running actor keeps its ${key}`,
      );
    }
    // The pipeline language reads the value; text with spaces the shell kept together is text.
    const quoted = /\s/.test(raw) && !/^["'[{]/.test(raw) ? JSON.stringify(raw) : raw;
    const { spec } = parsePipeline(`set ${key}=${quoted}`);
    const actor = spec.actors[0]!;
    if (actor.params !== undefined) Object.assign(params, actor.params);
    for (const [pad, values] of Object.entries(actor.pads ?? {})) {
      Object.assign(pads[pad] ??= {}, values);
    }
  }
  return { params, pads };
}
