/**
 * How the manifest validator collects problems: each check records the field's path, what was
 * expected and what was there. Internal: nothing here is public API.
 *
 * @module
 */

/** One problem in a manifest. */
export interface _Problem {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

export const _UNKNOWN_KEY = "unknown key";

export function _line(problem: _Problem): string {
  const at = problem.path === "" ? "" : `${problem.path}: `;
  return problem.got === _UNKNOWN_KEY
    ? `${at}${_UNKNOWN_KEY}; expected ${problem.expected}`
    : `${at}expected ${problem.expected}, got ${problem.got}`;
}

/** A field's check: what it must be, and the test. */
export interface _Rule {
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
}

export const _isString = (value: unknown): value is string => typeof value === "string";
export const _isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const _isNumber = (value: unknown): boolean =>
  typeof value === "number" && Number.isFinite(value);
export const _matching =
  (pattern: RegExp): (value: unknown) => boolean => (value: unknown): boolean =>
    typeof value === "string" && pattern.test(value);
export const _oneOf =
  (values: readonly unknown[]): (value: unknown) => boolean => (value: unknown): boolean =>
    values.includes(value);

export const _STRING: _Rule = { expected: "a string", test: _isString };
export const _TEXT: _Rule = { expected: "a non-empty string", test: _matching(/./su) };
export const _NUMBER: _Rule = { expected: "a number", test: _isNumber };
export const _COUNT: _Rule = {
  expected: "an integer ≥ 0",
  test: (value) => Number.isInteger(value) && (value as number) >= 0,
};
export const _BOOLEAN: _Rule = { expected: "true or false", test: (v) => typeof v === "boolean" };

export function _quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(", ");
}

/** A key as a path segment: `.name`, or `["odd name"]`. */
export function _key(key: string): string {
  return /^[A-Za-z0-9_$%-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function _join(path: string, key: string): string {
  const segment = _key(key);
  return path === "" && segment.startsWith(".") ? segment.slice(1) : `${path}${segment}`;
}

/** What was there, briefly, for messages. */
export function _got(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  switch (typeof value) {
    case "string": {
      const text = JSON.stringify(value);
      return text.length > 60 ? `${text.slice(0, 58)}…"` : text;
    }
    case "object": {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        // A cycle: describe it instead.
      }
      if (text !== undefined && text.length <= 60) return text;
      return Array.isArray(value) ? `an array of ${value.length} items` : "an object";
    }
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return `a ${typeof value}`;
  }
}

/** Collects problems. Each check returns whether the value passed. */
export class _Check {
  readonly problems: _Problem[] = [];

  fail(path: string, expected: string, value: unknown): false {
    this.problems.push({ path, expected, got: _got(value) });
    return false;
  }

  /** Reports each key of `object` not in `allowed`. */
  keys(path: string, object: Record<string, unknown>, allowed: readonly string[]): boolean {
    let ok = true;
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      this.problems.push({
        path: _join(path, key),
        expected: `one of ${allowed.join(", ")}`,
        got: _UNKNOWN_KEY,
      });
      ok = false;
    }
    return ok;
  }

  required(path: string, value: unknown, rule: _Rule): boolean {
    return rule.test(value) || this.fail(path, rule.expected, value);
  }

  optional(path: string, value: unknown, rule: _Rule): boolean {
    return value === undefined || this.required(path, value, rule);
  }

  /** An optional array of distinct items, each passing `item`. */
  list(path: string, value: unknown, item: _Rule, options: { nonEmpty: boolean }): boolean {
    if (value === undefined) return true;
    if (!Array.isArray(value) || (options.nonEmpty && value.length === 0)) {
      return this.fail(
        path,
        `${options.nonEmpty ? "a non-empty" : "an"} array of distinct items, each ${item.expected}`,
        value,
      );
    }
    let ok = true;
    // An index loop, not forEach: a hole (from a JavaScript caller) is refused, not skipped.
    for (let i = 0; i < value.length; i++) {
      const entry: unknown = value[i];
      const at = `${path}[${i}]`;
      if (!this.required(at, entry, item)) {
        ok = false;
      } else if (value.indexOf(entry) !== i) {
        ok = this.fail(
          at,
          `a value not listed before (it repeats ${path}[${value.indexOf(entry)}])`,
          entry,
        );
      }
    }
    return ok;
  }
}
