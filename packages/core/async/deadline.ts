import { _abortReason } from "../clock/_clock_helpers.ts";
import { StreamlibError } from "../errors.ts";

/**
 * Settles like `promise`, unless `ms` milliseconds pass first: then it rejects with
 * `SL_DEADLINE`. An abort signal rejects it early with the signal's reason. The timer is
 * cleared either way, so it never keeps the process alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deadline, isStreamlibError } from "@streamlib/core";
 * const never = new Promise<void>(() => {});
 * try {
 *   await deadline(never, 10);
 * } catch (error) {
 *   assert.ok(isStreamlibError(error, "SL_DEADLINE"));
 * }
 * assert.ok(await deadline(Promise.resolve(7), 10) === 7);
 * ```
 *
 * @typeParam T The promise's value.
 * @param promise The work.
 * @param ms Milliseconds allowed.
 * @param options An abort signal.
 * @returns The work's value.
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(_abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(_abortReason(signal!));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new StreamlibError("SL_DEADLINE", `Deadline of ${ms} ms passed`, { details: { ms } }));
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then((value) => {
      cleanup();
      resolve(value);
    }, (error) => {
      cleanup();
      reject(error);
    });
  });
}
