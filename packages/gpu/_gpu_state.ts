/**
 * What the package keeps per `Gpu` beyond its public face: its frames' texture and
 * buffer pools, and the errors the device reported for work submitted on someone's behalf.
 * Kept here, by device, so that the public class carries no internal members.
 *
 * @module
 */

import type { _Pools } from "./_pool.ts";

/** A device as this module knows it: any object (the `Gpu`; not imported, which would be a circle). */
type Gpu = object;

interface _State {
  readonly pools: _Pools;
  /** Errors by who submitted the work; the next check for them throws. */
  readonly errors: Map<string, string>;
}

const _states = new WeakMap<Gpu, _State>();

/** Gives `gpu` its state; its constructor calls it. */
export function _attachState(gpu: Gpu, pools: _Pools): void {
  _states.set(gpu, { pools, errors: new Map() });
}

/** The texture and buffer pools of `gpu`'s frames. */
export function _poolsOf(gpu: Gpu): _Pools {
  return _states.get(gpu)!.pools;
}

/**
 * Notes an error the device reported for work submitted for `who`; the next
 * `Gpu.check` for `who` throws it.
 */
export function _report(gpu: Gpu, who: string, message: string): void {
  const errors = _states.get(gpu)!.errors;
  if (!errors.has(who)) errors.set(who, message);
}

/** The error noted for `who`, forgotten as it is taken; `undefined` when there is none. */
export function _takeError(gpu: Gpu, who: string): string | undefined {
  const errors = _states.get(gpu)!.errors;
  const error = errors.get(who);
  errors.delete(who);
  return error;
}
