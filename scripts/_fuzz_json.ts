/**
 * The fuzz suite's JSON values: random ones, and mutations of real ones (manifests, pipeline
 * descriptions) that delete, retype, repeat and nest their parts. A value is written out with
 * {@linkcode _jsonText}, which turns deep-nesting markers into deep JSON text without a
 * recursive call. Internal to the scripts.
 *
 * @module
 */

import type { _Random } from "./_fuzz_random.ts";

/** A JSON value. */
export type _Json = null | boolean | number | string | _Json[] | { [key: string]: _Json };

/** Keys that trip code which treats objects as maps. */
const _ODD_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "",
  " ",
  "0",
  "-1",
  "a.b",
  "x::y",
  "layer_1",
  "in_%u",
  "%u",
  "é",
  "😀",
  "\u0000",
  "name",
  "type",
  "params",
  "default",
  "spans",
  "spec",
  "text",
];

const _STRINGS = [
  "",
  " ",
  "a",
  "datasrc",
  "log",
  "filesrc",
  "compositor",
  "layer_1",
  "in",
  "out",
  "a.out",
  "a.",
  ".",
  "10s",
  "48kHz",
  "1e400s",
  "-0",
  "NaN",
  "0.1.0",
  "^0.1.0",
  ">=0.0.0",
  "*",
  "x.x.x",
  "^99999999999999999999.0.0",
  "1.2.3-" + "a.".repeat(40) + "a",
  "./mod.ts",
  "../x.ts",
  "https://example.invalid/mod.ts",
  "Source/Video",
  "Filter/Data",
  "cpu",
  "gpu",
  "video",
  "audio",
  "data",
  "any",
  "request",
  "always",
  "queue:4:block",
  "latest",
  "%u",
  "layer_%u",
  "(a+)+$",
  "^(?:a|a)*$",
  "[",
  "\\",
  "\ud800",
  "😀",
  "--allow-all",
  "-A",
  "/tmp/x",
  "a,b",
  "a b",
];

const _NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  30,
  1e21,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 32,
  2 ** 53 + 2,
  -(2 ** 53),
  123456789,
];

/** A random JSON value, nesting at most `depth` levels. */
export function _randomJson(random: _Random, depth = 3): _Json {
  const kind = random.int(depth > 0 ? 8 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.chance(0.7)
        ? random.pick(_NUMBERS)
        : (random.float() - 0.5) * 2 ** random.int(70);
    case 3:
    case 4:
      return random.chance(0.8) ? random.pick(_STRINGS) : _randomString(random);
    case 5:
    case 6: {
      const out: Record<string, _Json> = {};
      const n = random.small(5) - 1;
      for (let i = 0; i < n; i++) {
        _setOwn(
          out,
          random.chance(0.3) ? random.pick(_ODD_KEYS) : _randomKey(random),
          _randomJson(random, depth - 1),
        );
      }
      return out;
    }
    default: {
      const n = random.small(5) - 1;
      return Array.from({ length: n }, () => _randomJson(random, depth - 1));
    }
  }
}

/** A short string of mostly printable characters, sometimes any UTF-16 code units. */
export function _randomString(random: _Random, max = 12): string {
  let out = "";
  const n = random.int(max + 1);
  for (let i = 0; i < n; i++) {
    out += String.fromCharCode(
      random.chance(0.8) ? random.between(0x20, 0x7e) : random.int(0x10000),
    );
  }
  return out;
}

function _randomKey(random: _Random): string {
  return random.chance(0.7)
    ? random.pick(["a", "b", "x", "count", "fps", "width"])
    : _randomString(random, 6);
}

/**
 * A copy of `value` with `count` mutations at random places: a part deleted, replaced by a
 * random value or one of another type, repeated, wrapped in deep nesting, given an odd key.
 */
export function _mutateJson(random: _Random, value: _Json, count = random.small(5)): _Json {
  let root = structuredClone(value);
  for (let i = 0; i < count; i++) {
    const before = structuredClone(root);
    root = _mutateOnce(random, root);
    // A mutation that makes the value larger than a few megabytes is undone.
    if (_size(root) > 3e6) root = before;
  }
  return root;
}

/** `root` with one mutation, in place where it can be. */
function _mutateOnce(random: _Random, root: _Json): _Json {
  const [parent, key] = random.pick(_nodes(root));
  if (parent === undefined) return _replacement(random, root);
  const current = (parent as Record<string, _Json>)[key]!;
  switch (random.int(6)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string, _Json>)[key];
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(Number(key), 0, structuredClone(current));
      else _setOwn(parent, random.pick(_ODD_KEYS), structuredClone(current));
      break;
    case 2:
      if (Array.isArray(current)) current.push(_randomJson(random, 2));
      else if (current !== null && typeof current === "object") {
        const name = random.chance(0.5) ? random.pick(_ODD_KEYS) : _randomKey(random);
        _setOwn(current, name, _randomJson(random, 2));
      } else (parent as Record<string, _Json>)[key] = _replacement(random, current);
      break;
    default:
      (parent as Record<string, _Json>)[key] = _replacement(random, current);
  }
  return root;
}

/** A value to put where `current` was: another of its type, another type, a deep nest. */
function _replacement(random: _Random, current: _Json): _Json {
  switch (random.int(8)) {
    case 0:
      return _deep(random.pick([100, 1_000, 10_000, 100_000]), random.pick(["[", "{"]));
    case 1:
      // Long, but at most about a megabyte.
      return typeof current === "string"
        ? current.repeat(Math.min(random.pick([2, 100, 10_000]), 1e6 / (current.length + 1)))
        : random.pick(_STRINGS);
    case 2:
      return Array.isArray(current)
        ? []
        : current !== null && typeof current === "object"
        ? {}
        : [current];
    case 3: {
      if (!Array.isArray(current)) return { value: current };
      // Many copies of the first item, at most about a megabyte of them.
      const item = current[0] ?? null;
      const text = JSON.stringify(item);
      // A deep-nesting marker stands for up to a megabyte itself: two copies at most.
      const size = text.includes("\\u0000deep:") ? 5e5 : text.length + 1;
      return Array.from({ length: Math.min(random.pick([2, 100, 5_000]), 1e6 / size) }, () => item);
    }
    case 4:
      return typeof current === "number" ? random.pick(_NUMBERS) : random.pick(_STRINGS);
    default:
      return _randomJson(random, 2);
  }
}

/** The length of a value's JSON text, deep-nesting markers counted at their full size. */
function _size(value: _Json): number {
  const text = JSON.stringify(value);
  return text.length + 6e5 * (text.split("\\u0000deep:").length - 1);
}

/** Every place in `root` as `[parent, key]`; the root itself as `[undefined, ""]`. */
function _nodes(root: _Json): Array<[Record<string, _Json> | _Json[] | undefined, string]> {
  const out: Array<[Record<string, _Json> | _Json[] | undefined, string]> = [[undefined, ""]];
  const stack: _Json[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    for (const [key, child] of Object.entries(node)) {
      out.push([node, key]);
      stack.push(child);
    }
  }
  return out;
}

/** Sets an own property, `__proto__` included (assignment would set the prototype). */
function _setOwn(object: object, key: string, value: _Json): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const _DEEP = "\u0000deep:";

/** A marker that {@linkcode _jsonText} writes as `depth` nested arrays or objects. */
function _deep(depth: number, open: "[" | "{"): string {
  return `${_DEEP}${open}${depth}`;
}

/** JSON text of `value`, deep-nesting markers written out as nested arrays or objects. */
export function _jsonText(value: _Json): string {
  return JSON.stringify(value).replace(
    /"\\u0000deep:([[{])(\d+)"/g,
    (_m, open: string, n: string) => {
      const depth = Number(n);
      return open === "["
        ? "[".repeat(depth) + "]".repeat(depth)
        : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    },
  );
}
