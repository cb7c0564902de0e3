/**
 * A short, precise wait for the last stretch of a sleep. Timers fire in whole milliseconds, most
 * often one or more late; a thread blocked in `Atomics.wait` is woken by the system within tens
 * of µs of its timeout, and sleeps meanwhile instead of burning a core (which a busy system
 * would also make it pay for with late wake-ups). Internal: nothing here is public API.
 *
 * @module
 */

/** The longest a single wait blocks the thread, so that the event loop turns in between. */
export const _SLICE_US = 200;

/** The cell waits block on; `null` where this thread may not block (a browser's main thread). */
let _cell: Int32Array | null | undefined;

/**
 * Blocks this thread for `us` µs (at most {@linkcode _SLICE_US}) where it may block.
 *
 * @param us Microseconds to wait.
 * @returns `false` when this thread may not block: the caller must wait some other way.
 */
export function _waitPrecisely(us: number): boolean {
  if (_cell === undefined) {
    try {
      _cell = new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(_cell, 0, 0, 0);
    } catch {
      _cell = null;
    }
  }
  if (_cell === null) return false;
  Atomics.wait(_cell, 0, 0, Math.min(us, _SLICE_US) / 1000);
  return true;
}
