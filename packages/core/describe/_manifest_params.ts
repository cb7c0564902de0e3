/**
 * The manifest validator's checks of parameter schemas, driven by {@linkcode PARAM_KEYWORDS}:
 * which keywords a type may use, and what each keyword's value must be. Internal: nothing here
 * is public API.
 *
 * @module
 */

import { PARAM_KEYWORDS, type ParamKeywordValue, type ParamSchema } from "../graph/params.ts";
import { _patternProblem } from "../graph/_pattern.ts";
import { _NAME, _NAME_RULE, _TEMPLATE } from "./_manifest_rules.ts";
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

/** Checks a parameters record; returns the well-formed schemas (`undefined` when none). */
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

/** Checks one parameter schema: its type, then each keyword against the table. */
export function _checkParam(check: _Check, path: string, schema: unknown): boolean {
  if (!_isObject(schema)) {
    return check.fail(path, `a parameter schema like { type: "number", default: 1 }`, schema);
  }
  const type = schema.type;
  const keywords = typeof type === "string" && Object.hasOwn(PARAM_KEYWORDS, type)
    ? PARAM_KEYWORDS[type as ParamSchema["type"]]
    : undefined;
  if (keywords === undefined) {
    return check.fail(`${path}.type`, `one of ${_quoteAll(Object.keys(PARAM_KEYWORDS))}`, type);
  }
  let ok = check.keys(path, schema, ["type", ...Object.keys(keywords)]);
  for (const [keyword, kind] of Object.entries(keywords)) {
    const value = schema[keyword];
    if (value !== undefined) ok = _VALUES[kind](check, `${path}.${keyword}`, value) && ok;
  }
  return ok;
}

/** A check of a keyword's value, reporting at `path`. */
type _ValueCheck = (check: _Check, path: string, value: unknown) => boolean;

const _rule = (rule: _Rule): _ValueCheck => (check, path, value) =>
  check.required(path, value, rule);

/** How each kind of keyword value is checked; every kind of the table has its entry. */
const _VALUES: Readonly<Record<ParamKeywordValue, _ValueCheck>> = {
  number: _rule(_NUMBER),
  integer: _rule({ expected: "an integer", test: Number.isInteger }),
  count: _rule(_COUNT),
  string: _rule(_STRING),
  boolean: _rule(_BOOLEAN),
  array: _rule({ expected: "an array", test: Array.isArray }),
  object: _rule({ expected: "an object", test: _isObject }),
  strings: (check, path, value) => check.list(path, value, _STRING, { nonEmpty: true }),
  names: (check, path, value) => check.list(path, value, _STRING, { nonEmpty: false }),
  regexp: (check, path, value) =>
    check.required(path, value, _STRING) &&
    (_patternProblem(value as string) === undefined ||
      check.fail(
        path,
        "a valid regular expression (JavaScript syntax, Unicode mode) without backreferences " +
          `or lookaround (${_patternProblem(value as string)})`,
        value,
      )),
  template: _rule({
    expected: `a request template name containing %u, like "layer_%u"`,
    test: (value) => typeof value === "string" && _TEMPLATE.test(value),
  }),
  schema: _checkParam,
  schemas: (check, path, value) => {
    if (!_isObject(value)) return check.fail(path, "an object of parameter schemas by name", value);
    let ok = true;
    for (const [name, inner] of Object.entries(value)) {
      ok = _checkParam(check, _join(path, name), inner) && ok;
    }
    return ok;
  },
};
