/**
 * Helpers shared by the clocks. Internal: nothing here is public API.
 *
 * @module
 */

import { StreamlibError } from "../errors.ts";

let _ids = 0;

/** Makes a unique clock id like `software-3`. */
export function _clockId(prefix: string): string {
  return `${prefix}-${++_ids}`;
}

/** The error a sleep rejects with when its signal aborts. */
export function _abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new StreamlibError("SL_ABORTED", "The operation was aborted");
}
