/**
 * The manifest validator's checks of parameter schemas. Internal: nothing here is public API.
 *
 * @module
 */

import type { ParamSchema } from "../graph/params.ts";
import { _NAME, _NAME_RULE, _PARAM_KEYS } from "./_manifest_rules.ts";
import {
  _BOOLEAN,
  type _Check,
  _COUNT,
  _isObject,
  _join,
  _NUMBER,
  _quoteAll,
  type _Rule,
  _STRING,
} from "./_manifest_check.ts";

export function _checkParams(
  check: _Check,
  path: string,
  params: unknown,
): Record<string, ParamSchema> | undefined {
  if (params === undefined) return undefined;
  if (!_isObject(params)) {
    check.fail(
      path,
      `an object of parameter schemas by name, like { fps: { type: "number" } }`,
      params,
    );
    return undefined;
  }
  const clean: Record<string, ParamSchema> = Object.create(null);
  for (const [name, schema] of Object.entries(params)) {
    const at = _join(path, name);
    const nameOk = _NAME.test(name) || check.fail(at, `a parameter name (${_NAME_RULE})`, name);
    if (_checkParam(check, at, schema) && nameOk) clean[name] = schema as ParamSchema;
  }
  return clean;
}

export function _checkParam(check: _Check, path: string, schema: unknown): boolean {
  if (!_isObject(schema)) {
    return check.fail(path, `a parameter schema like { type: "number", default: 1 }`, schema);
  }
  const type = schema.type;
  const keys = typeof type === "string" ? _PARAM_KEYS.get(type) : undefined;
  if (keys === undefined) {
    return check.fail(`${path}.type`, `one of ${_quoteAll([..._PARAM_KEYS.keys()])}`, type);
  }
  let ok = check.keys(path, schema, keys);
  ok = check.optional(`${path}.description`, schema.description, _STRING) && ok;
  const optional = (key: string, rule: _Rule): void => {
    ok = check.optional(`${path}.${key}`, schema[key], rule) && ok;
  };
  switch (type) {
    case "number":
    case "integer":
      optional(
        "default",
        type === "number" ? _NUMBER : { expected: "an integer", test: Number.isInteger },
      );
      for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
        optional(key, _NUMBER);
      }
      optional("unit", _STRING);
      break;
    case "string":
      optional("default", _STRING);
      ok = check.list(`${path}.enum`, schema.enum, _STRING, { nonEmpty: true }) && ok;
      if (check.optional(`${path}.pattern`, schema.pattern, _STRING)) {
        if (schema.pattern !== undefined && !_isRegExp(schema.pattern as string)) {
          ok = check.fail(
            `${path}.pattern`,
            "a valid regular expression (JavaScript syntax, Unicode mode)",
            schema.pattern,
          );
        }
      } else {
        ok = false;
      }
      optional("minLength", _COUNT);
      optional("maxLength", _COUNT);
      break;
    case "boolean":
      optional("default", _BOOLEAN);
      break;
    case "array":
      optional("default", { expected: "an array", test: Array.isArray });
      if (schema.items !== undefined) ok = _checkParam(check, `${path}.items`, schema.items) && ok;
      optional("minItems", _COUNT);
      optional("maxItems", _COUNT);
      break;
    default: // object
      optional("default", { expected: "an object", test: _isObject });
      if (schema.properties !== undefined) {
        if (_isObject(schema.properties)) {
          for (const [name, inner] of Object.entries(schema.properties)) {
            ok = _checkParam(check, _join(`${path}.properties`, name), inner) && ok;
          }
        } else {
          ok = check.fail(
            `${path}.properties`,
            "an object of parameter schemas by name",
            schema.properties,
          );
        }
      }
      ok = check.list(`${path}.required`, schema.required, _STRING, { nonEmpty: false }) && ok;
      optional("additionalProperties", _BOOLEAN);
  }
  return ok;
}

function _isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}
