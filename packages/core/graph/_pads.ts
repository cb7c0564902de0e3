/**
 * Parameters of request ports (GStreamer's pad properties): which template a port's parameters
 * come from, and checks of values given for them. Internal: nothing here is public API.
 *
 * @module
 */

import { _paramHint } from "./_closest.ts";
import { StreamlibError } from "../errors.ts";
import { checkParam, describeParam, type ParamSchema } from "./params.ts";
import type { Contract } from "./spec.ts";
import { _fitsTemplate } from "./_template.ts";

/** The schemas of a request template's port parameters. */
export type _PadSchemas = Readonly<Record<string, ParamSchema>>;

/**
 * The request input template of `contract` that `pad` is a port of, with its parameter
 * schemas; `SL_PORT_NOT_FOUND` when no template with parameters fits.
 */
export function _padTemplate(
  contract: Contract,
  owner: string,
  pad: string,
): [template: string, schemas: _PadSchemas] {
  const templates: string[] = [];
  for (const [template, spec] of Object.entries(contract.inputs ?? {})) {
    if (spec.presence !== "request" || spec.params === undefined) continue;
    if (_fitsTemplate(pad, template)) return [template, spec.params];
    templates.push(template);
  }
  throw new StreamlibError(
    "SL_PORT_NOT_FOUND",
    `"${owner}" has no port "${pad}" with parameters; ports with parameters come from ${
      templates.length ? templates.map((t) => `"${t}"`).join(", ") : "no template"
    }`,
    { details: { actor: owner, pad, templates } },
  );
}

/** `{ x, y, opacity (0 to 1) … }`-style list of a template's parameters, for messages. */
export function _padParamList(schemas: _PadSchemas): string {
  return Object.entries(schemas).map(([name, s]) => `${name} (${describeParam(s)})`).join(", ");
}

/**
 * What is wrong with the entries of a `pads` shorthand (`{ layer_1: { x: 10 } }`) against the
 * template's schemas, or `undefined`. Keys are checked by the shorthand's own schema.
 */
export function _padEntriesProblem(schemas: _PadSchemas, value: unknown): string | undefined {
  const entry: ParamSchema = { type: "object", properties: schemas, additionalProperties: false };
  for (const [pad, values] of Object.entries(value as Record<string, unknown>)) {
    const problem = checkParam(entry, values);
    if (problem) return `"${pad}" ${problem}`;
  }
  return undefined;
}

/**
 * Checks `changes` to a port's parameters: `SL_PARAM_UNKNOWN` for a name the template lacks,
 * `SL_PARAM_INVALID` for a bad value. `undefined` values are allowed (they restore defaults).
 */
export function _checkPadChanges(
  owner: string,
  pad: string,
  schemas: _PadSchemas,
  changes: Readonly<Record<string, unknown>>,
): void {
  for (const [key, value] of Object.entries(changes)) {
    const schema = Object.hasOwn(schemas, key) ? schemas[key] : undefined;
    if (schema === undefined) {
      throw new StreamlibError(
        "SL_PARAM_UNKNOWN",
        `Unknown parameter "${key}" of port "${pad}" of "${owner}"${
          _paramHint(key, Object.keys(schemas))
        }; its parameters: ${_padParamList(schemas) || "none"}`,
        { details: { actor: owner, pad, param: key, valid: Object.keys(schemas) } },
      );
    }
    if (value === undefined) continue;
    const problem = checkParam(schema, value);
    if (problem) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Parameter "${key}" of port "${pad}" of "${owner}" ${problem}; expected ${
          describeParam(schema)
        }`,
        { details: { actor: owner, pad, param: key, value } },
      );
    }
  }
}
