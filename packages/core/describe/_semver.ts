/**
 * Semantic versions and npm-style version ranges, parsed without dependencies: what
 * `satisfiesVersion` and the manifest validator use. Internal: nothing here is public API.
 *
 * @module
 */

import { StreamlibError } from "../errors.ts";

const _NUM = "0|[1-9][0-9]*";
const _PRE_ID = "0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*";
const _PRE = `(?:${_PRE_ID})(?:\\.(?:${_PRE_ID}))*`;
const _BUILD = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
/** A semantic version, capturing major, minor, patch and prerelease. */
export const _SEMVER: RegExp = new RegExp(
  `^(${_NUM})\\.(${_NUM})\\.(${_NUM})(?:-(${_PRE}))?(?:\\+${_BUILD})?$`,
);

/** A parsed semantic version. */
export interface _Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: readonly (string | number)[];
}

/** A version with wildcards (`undefined`) from a range: `1.x`, `1.2`, `*`. */
interface _Partial {
  readonly major: number | undefined;
  readonly minor: number | undefined;
  readonly patch: number | undefined;
  readonly pre: readonly (string | number)[];
}

type _Op = ">=" | ">" | "<=" | "<" | "=";

export interface _Comparator {
  readonly op: _Op;
  readonly version: _Version;
}

const _XR = "x|X|\\*|0|[1-9][0-9]*";
const _PARTIAL = new RegExp(
  `^(${_XR})(?:\\.(${_XR})(?:\\.(${_XR})(?:-(${_PRE}))?(?:\\+${_BUILD})?)?)?$`,
);
const _COMPARATOR = /^(<=|>=|<|>|=|\^|~)?(.*)$/s;
const _HYPHEN = /^(\S+)\s+-\s+(\S+)$/;
/** Matches no version at all (`>*`). */
const _NOTHING: readonly _Comparator[] = [{ op: "<", version: _v(0, 0, 0, [0]) }];

function _v(major: number, minor: number, patch: number, pre: _Version["pre"] = []): _Version {
  return { major, minor, patch, pre };
}

function _invalid(what: string, text: string, why: string): StreamlibError {
  return new StreamlibError(
    "SL_MANIFEST_INVALID",
    `Invalid ${what} ${JSON.stringify(text)}: ${why}`,
    { details: { [what === "version" ? "version" : "range"]: text, reason: why } },
  );
}

function _number(text: string, what: string, whole: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw _invalid(what, whole, `${text} is larger than ${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

function _prerelease(text: string | undefined): (string | number)[] {
  if (text === undefined) return [];
  return text.split(".").map((id) => {
    const n = Number(id);
    return /^[0-9]+$/.test(id) && Number.isSafeInteger(n) ? n : id;
  });
}

/** Parses a semantic version; `SL_MANIFEST_INVALID` when it is not one. */
export function _version(text: string): _Version {
  const match = typeof text === "string" ? _SEMVER.exec(text) : null;
  if (!match) {
    throw _invalid(
      "version",
      String(text),
      `expected a semantic version like "1.2.3" or "1.0.0-beta.1"`,
    );
  }
  return {
    major: _number(match[1]!, "version", text),
    minor: _number(match[2]!, "version", text),
    patch: _number(match[3]!, "version", text),
    pre: _prerelease(match[4]),
  };
}

function _partial(text: string, range: string): _Partial {
  const match = _PARTIAL.exec(text);
  if (!match) {
    throw _invalid("range", range, `${JSON.stringify(text)} is not a version like 1.2.3, 1.x or *`);
  }
  const parts = [match[1], match[2], match[3]].map((part) =>
    part === undefined || part === "x" || part === "X" || part === "*"
      ? undefined
      : _number(part, "range", range)
  );
  const firstWild = parts.indexOf(undefined);
  if (firstWild >= 0 && parts.slice(firstWild).some((part) => part !== undefined)) {
    throw _invalid("range", range, `${JSON.stringify(text)} has a number after a wildcard`);
  }
  if (firstWild >= 0 && match[4] !== undefined) {
    throw _invalid("range", range, `${JSON.stringify(text)} has a prerelease after a wildcard`);
  }
  return { major: parts[0], minor: parts[1], patch: parts[2], pre: _prerelease(match[4]) };
}

/**
 * Parses a range into alternatives, each a list of comparators that must all hold;
 * `SL_MANIFEST_INVALID` when it does not parse.
 */
export function _range(range: string): _Comparator[][] {
  if (typeof range !== "string") throw _invalid("range", String(range), "expected a string");
  return range.split("||").map((alternative) => {
    const text = alternative.trim().replace(/(<=|>=|<|>|=|\^|~)\s+/g, "$1");
    if (text === "") {
      throw _invalid("range", range, `it has an empty alternative; write "*" for any version`);
    }
    const hyphen = _HYPHEN.exec(text);
    const set = hyphen
      ? _hyphen(_partial(hyphen[1]!, range), _partial(hyphen[2]!, range))
      : text.split(/\s+/).flatMap((token) => {
        const [, op = "", rest = ""] = _COMPARATOR.exec(token)!;
        const partial = _partial(rest, range);
        if (op === "^") return _caret(partial);
        if (op === "~") return _tilde(partial);
        return _xRange(op as _Op | "", partial);
      });
    // As in npm, `>=0.0.0` bounds nothing, not even the prereleases of 0.0.0.
    return set.filter(({ op, version: v }) =>
      !(op === ">=" && v.major === 0 && v.minor === 0 && v.patch === 0 && v.pre.length === 0)
    );
  });
}

function _full(p: _Partial): _Version {
  return _v(p.major ?? 0, p.minor ?? 0, p.patch ?? 0, p.pre);
}

/** `1.2.3`, `>=1.2`, `<1.x`, `*`: a comparator with wildcards. */
function _xRange(op: _Op | "", p: _Partial): readonly _Comparator[] {
  const { major: M, minor: m, patch } = p;
  if (patch !== undefined) return [{ op: op === "" ? "=" : op, version: _full(p) }];
  if (M === undefined) return op === ">" || op === "<" ? _NOTHING : [];
  if (op === "" || op === "=") {
    return m === undefined
      ? [{ op: ">=", version: _v(M, 0, 0) }, { op: "<", version: _v(M + 1, 0, 0, [0]) }]
      : [{ op: ">=", version: _v(M, m, 0) }, { op: "<", version: _v(M, m + 1, 0, [0]) }];
  }
  switch (op) {
    case ">": // >1 is >=2.0.0; >1.2 is >=1.3.0
      return [{ op: ">=", version: m === undefined ? _v(M + 1, 0, 0) : _v(M, m + 1, 0) }];
    case ">=":
      return [{ op: ">=", version: _v(M, m ?? 0, 0) }];
    case "<":
      return [{ op: "<", version: _v(M, m ?? 0, 0, [0]) }];
    default: // <=1 is <2.0.0-0; <=1.2 is <1.3.0-0
      return [{
        op: "<",
        version: m === undefined ? _v(M + 1, 0, 0, [0]) : _v(M, m + 1, 0, [0]),
      }];
  }
}

/** `^1.2.3`: changes that keep the left-most non-zero number. */
function _caret(p: _Partial): readonly _Comparator[] {
  const { major: M, minor: m, patch: n } = p;
  if (M === undefined) return [];
  if (m === undefined) {
    return [{ op: ">=", version: _v(M, 0, 0) }, { op: "<", version: _v(M + 1, 0, 0, [0]) }];
  }
  const from: _Comparator = { op: ">=", version: _full(p) };
  if (n === undefined) {
    return [from, { op: "<", version: M === 0 ? _v(0, m + 1, 0, [0]) : _v(M + 1, 0, 0, [0]) }];
  }
  const to = M !== 0 ? _v(M + 1, 0, 0, [0]) : m !== 0 ? _v(0, m + 1, 0, [0]) : _v(0, 0, n + 1, [0]);
  return [from, { op: "<", version: to }];
}

/** `~1.2.3`: patch-level changes. */
function _tilde(p: _Partial): readonly _Comparator[] {
  const { major: M, minor: m } = p;
  if (M === undefined) return [];
  if (m === undefined) {
    return [{ op: ">=", version: _v(M, 0, 0) }, { op: "<", version: _v(M + 1, 0, 0, [0]) }];
  }
  return [{ op: ">=", version: _full(p) }, { op: "<", version: _v(M, m + 1, 0, [0]) }];
}

/** `1.2.3 - 2.3.4`: inclusive at both ends; a partial upper end covers what it leaves open. */
function _hyphen(from: _Partial, to: _Partial): _Comparator[] {
  const set: _Comparator[] = [];
  if (from.major !== undefined) set.push({ op: ">=", version: _full(from) });
  if (to.major !== undefined) {
    if (to.minor === undefined) set.push({ op: "<", version: _v(to.major + 1, 0, 0, [0]) });
    else if (to.patch === undefined) {
      set.push({ op: "<", version: _v(to.major, to.minor + 1, 0, [0]) });
    } else set.push({ op: "<=", version: _full(to) });
  }
  return set;
}

function _comparePre(a: _Version["pre"], b: _Version["pre"]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function _compare(a: _Version, b: _Version): number {
  return Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) ||
    Math.sign(a.patch - b.patch) || _comparePre(a.pre, b.pre);
}

function _holds(version: _Version, { op, version: bound }: _Comparator): boolean {
  const order = _compare(version, bound);
  switch (op) {
    case ">=":
      return order >= 0;
    case ">":
      return order > 0;
    case "<=":
      return order <= 0;
    case "<":
      return order < 0;
    default:
      return order === 0;
  }
}

/** Whether `version` satisfies every comparator of `set`, with npm's prerelease rule. */
export function _testSet(version: _Version, set: readonly _Comparator[]): boolean {
  if (!set.every((comparator) => _holds(version, comparator))) return false;
  if (version.pre.length === 0) return true;
  // npm's rule: a prerelease matches only where a comparator names a prerelease of the same
  // major.minor.patch.
  return set.some(({ version: bound }) =>
    bound.pre.length > 0 && bound.major === version.major && bound.minor === version.minor &&
    bound.patch === version.patch
  );
}
