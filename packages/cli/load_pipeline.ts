import {
  type Catalogue,
  isStreamlibError,
  type ParsedPipeline,
  parsePipeline,
  type PipelineSpec,
  pointAt,
  StreamlibError,
  validatePipelineSpec,
} from "@streamlib/core";

/**
 * A pipeline read from the command line, checked against the catalogue's manifests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LoadedPipeline } from "@streamlib/cli";
 * const loaded: LoadedPipeline = {
 *   spec: { actors: [{ name: "log0", type: "log" }], links: [] },
 *   source: "pipeline text",
 * };
 * assert.ok(loaded.text === undefined);
 * ```
 */
export interface LoadedPipeline {
  /** The JSON form. */
  readonly spec: PipelineSpec;
  /** The text and where each part stands in it, when it was given as text. */
  readonly parsed?: ParsedPipeline;
  /** The text, when it was given as text. */
  readonly text?: string;
  /** `pipeline text` or the JSON file's name, for messages. */
  readonly source: string;
}

/**
 * Reads a pipeline given on the command line — pipeline text, or the name of a `.json` file
 * holding its JSON form — and checks every actor's type and parameters against the catalogue,
 * reading manifests only (no actor code is imported). Text errors point at the text with a
 * caret (`SL_PIPELINE_SYNTAX`, `SL_UNKNOWN_TYPE`, `SL_PARAM_*`); JSON errors name the field
 * (`SL_PIPELINE_INVALID`). Links are checked when the pipeline is built.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue, isStreamlibError } from "@streamlib/core";
 * import { loadPipeline } from "@streamlib/cli";
 * const catalogue = Catalogue.withCore();
 * const { spec } = await loadPipeline("datasrc count=5 ! log", catalogue);
 * assert.ok(spec.actors.length === 2);
 * try {
 *   await loadPipeline("datasrc ! lgo", catalogue);
 * } catch (error) {
 *   assert.ok(isStreamlibError(error, "SL_UNKNOWN_TYPE"));
 *   assert.ok((error as Error).message.endsWith("datasrc ! lgo\n            ^^^"));
 * }
 * ```
 *
 * @param target Pipeline text, or a path ending in `.json` (text with a `!` or a `=` in it, such
 *   as `datasrc ! filesink location=out.json`, is always pipeline text).
 * @param catalogue The actor types available.
 * @param options `text: true` takes `target` as pipeline text even when it ends in `.json`
 *   (it never reads a file then).
 * @returns The pipeline.
 */
export async function loadPipeline(
  target: string,
  catalogue: Catalogue,
  options: { readonly text?: boolean } = {},
): Promise<LoadedPipeline> {
  if (!options.text && _isJsonFileName(target)) {
    const file = target.trim();
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      throw new StreamlibError(
        "SL_USAGE",
        `Cannot read the pipeline file "${file}": ${(error as Error).message}`,
        { cause: error },
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new StreamlibError(
        "SL_PIPELINE_INVALID",
        `${file} is not JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const spec = validatePipelineSpec(value, file);
    spec.actors.forEach((actor, i) => {
      try {
        catalogue.params(actor.type, actor.params ?? {});
        catalogue.padParams(actor.type, actor.pads ?? {});
      } catch (error) {
        if (!isStreamlibError(error)) throw error;
        throw new StreamlibError(error.code, `${file}: actors[${i}]: ${error.message}`, {
          cause: error,
          details: error.details,
        });
      }
    });
    return { spec, source: file };
  }
  const parsed = parsePipeline(target);
  parsed.spec.actors.forEach((actor, i) => {
    try {
      catalogue.params(actor.type, actor.params ?? {});
      catalogue.padParams(actor.type, actor.pads ?? {});
    } catch (error) {
      if (!isStreamlibError(error)) throw error;
      const { param, pad } = error.details;
      const key = typeof pad === "string"
        ? `actors[${i}].pads.${pad}${typeof param === "string" ? `.${param}` : ""}`
        : typeof param === "string" && actor.params && Object.hasOwn(actor.params, param)
        ? `actors[${i}].params.${param}`
        : `actors[${i}]`;
      const span = parsed.spans.get(key) ?? parsed.spans.get(`actors[${i}].pads.${pad}`) ??
        parsed.spans.get(`actors[${i}]`);
      if (span === undefined) throw error;
      throw new StreamlibError(error.code, pointAt(parsed.text, span, error.message), {
        cause: error,
        details: { ...error.details, line: span.line, column: span.column },
      });
    }
  });
  return { spec: parsed.spec, parsed, text: target, source: "pipeline text" };
}

/**
 * Whether `target` names a `.json` file rather than being pipeline text: it ends in `.json` and
 * has neither a link (`!`) nor a parameter (`=`), which no file name needs and every pipeline
 * that ends in a `.json` value has.
 */
function _isJsonFileName(target: string): boolean {
  const trimmed = target.trim();
  return trimmed.endsWith(".json") && !/[!=]/.test(trimmed);
}
