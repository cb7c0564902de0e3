/**
 * Runs `fn` in a new macrotask, after pending I/O and timers have had a turn: `setImmediate`
 * where the runtime has it (Deno, Node), else a `MessageChannel` message (browsers).
 * Never nested `setTimeout(0)`, which browsers and Deno clamp to 4 ms.
 *
 * @internal
 */
export const _macrotask: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate;
    return (fn: () => void): void => void setImmediate(fn);
  }
  if (typeof MessageChannel === "function") {
    return (fn: () => void): void => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (): void => {
        channel.port1.close();
        fn();
      };
      channel.port2.postMessage(null);
      channel.port2.close();
    };
  }
  return (fn: () => void): void => void setTimeout(fn, 0);
})();

/** Resolves in a new macrotask. @internal */
export function _nextMacrotask(): Promise<void> {
  return new Promise((resolve) => _macrotask(resolve));
}
