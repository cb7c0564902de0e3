/**
 * How the catalogue checks the values a pipeline description gives an actor against its
 * manifest entry: parameters, `pads` shorthands and port parameters, with quantities (`"10s"`)
 * converted to each parameter's unit. Internal: nothing here is public API.
 *
 * @module
 */

import { _gstreamerValueHint } from "../graph/_gstreamer_names.ts";
import { _paramHint } from "../graph/_closest.ts";
import { StreamlibError } from "../errors.ts";
import { checkParam, describeParam, type ParamSchema } from "../graph/params.ts";
import { _padEntriesProblem, _padParamList, _padTemplate } from "../graph/_pads.ts";
import type { ManifestActor } from "./manifest.ts";
import { contractOf } from "./manifest.ts";
import type { SpecValue } from "./pipeline_spec.ts";
import { QUANTITY } from "./parse_pipeline.ts";
import { convertQuantity } from "./convert_quantity.ts";

/** Values by name, as a pipeline description gives them. */
type _Values = { readonly [key: string]: SpecValue };

/** Checks parameter values against the actor's schemas; returns them with quantities converted. */
export function _specParams(actor: ManifestActor, params: _Values): Record<string, unknown> {
  const schemas: Readonly<Record<string, ParamSchema>> = actor.params ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, given] of Object.entries(params)) {
    const schema = Object.hasOwn(schemas, key) ? schemas[key] : undefined;
    if (schema === undefined) {
      throw new StreamlibError(
        "SL_PARAM_UNKNOWN",
        `Unknown parameter "${key}" for "${actor.type}"${
          _paramHint(key, Object.keys(schemas))
        }; valid parameters: ${_list(schemas) || "none"}`,
        { details: { actor: actor.type, param: key, valid: Object.keys(schemas) } },
      );
    }
    const value = _value(`Parameter "${key}" of "${actor.type}"`, schema, given, {
      actor: actor.type,
      param: key,
      value: given,
    });
    if (schema.type === "object" && schema.pads !== undefined) {
      const padSchemas = actor.inputs?.[schema.pads]?.params ?? {};
      const problem = _padEntriesProblem(padSchemas, value);
      if (problem) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `Parameter "${key}" of "${actor.type}": ${problem}; each port takes ${
            _padParamList(padSchemas)
          }`,
          { details: { actor: actor.type, param: key, value: given } },
        );
      }
    }
    out[key] = value;
  }
  return out;
}

/**
 * Checks port parameter values (`{ layer_1: { x: 10 } }`) against the actor's request
 * templates; returns them with quantities converted.
 */
export function _specPads(
  actor: ManifestActor,
  pads: { readonly [pad: string]: _Values },
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [pad, values] of Object.entries(pads)) {
    const [, schemas] = _padTemplate(contractOf(actor), actor.type, pad);
    const converted: Record<string, unknown> = {};
    for (const [key, given] of Object.entries(values)) {
      const schema = Object.hasOwn(schemas, key) ? schemas[key] : undefined;
      const details = { actor: actor.type, pad, param: key, value: given };
      if (schema === undefined) {
        throw new StreamlibError(
          "SL_PARAM_UNKNOWN",
          `Unknown parameter "${key}" of port "${pad}" of "${actor.type}"${
            _paramHint(key, Object.keys(schemas))
          }; its parameters: ${_list(schemas) || "none"}`,
          { details: { ...details, valid: Object.keys(schemas) } },
        );
      }
      converted[key] = _value(
        `Parameter "${key}" of port "${pad}" of "${actor.type}"`,
        schema,
        given,
        details,
      );
    }
    out[pad] = converted;
  }
  return out;
}

/** `given` converted (a quantity to the schema's unit) and checked; `what` starts messages. */
function _value(
  what: string,
  schema: ParamSchema,
  given: SpecValue,
  details: Record<string, unknown>,
): unknown {
  let value: unknown = given;
  if (
    typeof given === "string" && (schema.type === "number" || schema.type === "integer") &&
    QUANTITY.test(given)
  ) {
    try {
      if (schema.unit === undefined) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `"${details.param}" takes a plain number, without a unit`,
        );
      }
      value = convertQuantity(given, schema.unit);
    } catch (error) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `${what}: ${(error as Error).message}; expected ${describeParam(schema)}`,
        { details },
      );
    }
  }
  if (typeof given === "string" && (schema.type === "object" || schema.type === "array")) {
    // A quoted value for an object or array parameter is its JSON: `layers='{"layer_1": {…}}'`
    // means the same as the same JSON unquoted.
    try {
      value = JSON.parse(given);
    } catch (error) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `${what} is not valid JSON (${(error as Error).message}); expected ${
          describeParam(schema)
        }`,
        { details },
      );
    }
  }
  const problem = checkParam(schema, value);
  if (problem) {
    // A problem that lists the allowed values already says what was expected.
    const expected = /must be one of /.test(problem)
      ? ""
      : `; expected ${describeParam(schema)}${
        "unit" in schema && schema.unit ? ` in ${schema.unit}` : ""
      }`;
    const hint = _gstreamerValueHint(
      String(details.param),
      value,
      schema.type === "string" ? schema.enum : undefined,
    );
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `${what} ${problem}${expected}${hint ? ` (${hint})` : ""}`,
      { details },
    );
  }
  return value;
}

/** `name (type…)` for each schema, for messages. */
function _list(schemas: Readonly<Record<string, ParamSchema>>): string {
  return Object.entries(schemas).map(([name, s]) => `${name} (${describeParam(s)})`).join(", ");
}
