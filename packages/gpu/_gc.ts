/**
 * Asking V8 for a collection, so that pooled GPU memory held only by unreachable frames comes
 * back soon: frames are small objects, and nothing else would make the collector run while they
 * pile up. The same way in as core's frame memory: V8's `gc`, exposed through `node:v8` and
 * `node:vm`, where the runtime allows it. Internal.
 *
 * @module
 */

type _GcFunction = (options: { type: "major" | "minor" }) => void;

let _gc: _GcFunction | null | undefined;
let _loading: Promise<void> | undefined;

/** Loads the collector's entry point once; afterwards {@linkcode _collect} can run. */
export function _loadGc(): Promise<void> {
  return _loading ??= (async () => {
    try {
      const v8 = await import("node:v8");
      const vm = await import("node:vm");
      v8.setFlagsFromString("--expose-gc");
      const gc = vm.runInNewContext("gc");
      _gc = typeof gc === "function" ? gc as _GcFunction : null;
    } catch {
      _gc = null;
    }
  })();
}

/** Time spent in the last collection, in ms, and when it ended. */
let _took = 0;
let _lastEnd = -Infinity;

/**
 * Runs a full collection unless one ran too recently: collections take at most a twentieth of
 * the time. Finalizers run afterwards, in a later task.
 *
 * @returns Whether a collection ran.
 */
export function _collect(): boolean {
  if (_gc === undefined || _gc === null) return false;
  const now = performance.now();
  if (now - _lastEnd < 20 * _took) return false;
  _gc({ type: "major" });
  _lastEnd = performance.now();
  _took = _lastEnd - now;
  return true;
}
