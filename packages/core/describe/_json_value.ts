/**
 * What counts as a parameter value in a pipeline description: JSON's values, nested at most
 * {@linkcode _MAX_DEPTH} deep, checked without recursion so that no value, however deep or
 * cyclic, overflows the stack. The parser and `validatePipelineSpec` share it. Internal: nothing
 * here is public API.
 *
 * @module
 */

/** How deep arrays and objects may nest in a parameter value. */
export const _MAX_DEPTH = 1000;

/**
 * Why `value` is not a JSON value nested at most {@linkcode _MAX_DEPTH} deep: `"depth"`, or
 * `"type"` for anything JSON cannot hold (a non-finite number, a bigint, `undefined`, a function,
 * a symbol, an array hole, an object other than a plain one, a value that contains itself);
 * `undefined` when it is one.
 *
 * @param value The value.
 * @returns The problem, if any.
 */
export function _jsonValueProblem(value: unknown): "depth" | "type" | undefined {
  // Depth first; an `exit` entry takes a container off the path when its children are done.
  const stack: Array<{ value: unknown; depth: number } | { exit: object }> = [{ value, depth: 0 }];
  const path = new Set<object>();
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if ("exit" in entry) {
      path.delete(entry.exit);
      continue;
    }
    const v = entry.value;
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return "type";
      continue;
    }
    if (typeof v !== "object") return "type";
    const array = Array.isArray(v);
    const proto = Object.getPrototypeOf(v);
    if (!array && proto !== Object.prototype && proto !== null) return "type";
    if (path.has(v)) return "type";
    if (entry.depth >= _MAX_DEPTH) return "depth";
    path.add(v);
    stack.push({ exit: v });
    if (array) {
      for (let i = 0; i < v.length; i++) {
        if (!Object.hasOwn(v, i)) return "type";
        stack.push({ value: v[i], depth: entry.depth + 1 });
      }
    } else {
      for (const child of Object.values(v)) stack.push({ value: child, depth: entry.depth + 1 });
    }
  }
  return undefined;
}
