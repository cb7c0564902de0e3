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
    if (spec.actors.length === 0) {
      throw new StreamlibError(
        "SL_PIPELINE_INVALID",
        `${file}: the pipeline has no actors (empty pipelines are not allowed); ` +
          `give at least one in "actors"`,
      );
    }
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
  let parsed: ParsedPipeline;
  try {
    parsed = catalogue.parse(target);
  } catch (error) {
    throw await _pipelineFileHint(target, error);
  }
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
 * The error for pipeline text that is one word naming a file holding pipeline text
 * (`streamlib run p.txt`): say how to run that text, which the command takes only as an
 * argument. Any other error is returned as it is.
 */
async function _pipelineFileHint(target: string, error: unknown): Promise<unknown> {
  const file = target.trim();
  if (!isStreamlibError(error, "SL_PIPELINE_SYNTAX") || file === "" || /[\s!=]/.test(file)) {
    return error;
  }
  let text: string;
  try {
    const info = await Deno.stat(file);
    if (!info.isFile || info.size > 1_000_000) return error;
    text = await Deno.readTextFile(file);
  } catch {
    return error; // No such file (or none this process may read): the parser's message stands.
  }
  try {
    parsePipeline(text);
  } catch {
    return error; // Not pipeline text either.
  }
  const offset = target.indexOf(file);
  const span = { offset, line: 1, column: offset + 1, length: file.length };
  const expected = `its text: streamlib run "$(cat ${file})" (pipeline text is given as an ` +
    "argument; a file is read only when it is the JSON form, named *.json)";
  return new StreamlibError(
    "SL_PIPELINE_SYNTAX",
    pointAt(target, span, `"${file}" is a file that holds pipeline text; expected ${expected}`),
    { cause: error, details: { line: 1, column: span.column, expected } },
  );
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
