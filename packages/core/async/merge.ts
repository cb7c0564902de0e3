/**
 * Yields the values of several async iterables as each arrives, interleaved fairly. Ends when
 * all have ended; if one throws, the others are asked to close and the error is thrown.
 * Stopping early (`break`) asks every source to close, without waiting for sources that are
 * blocked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { merge } from "@streamlib/core";
 * async function* letters(): AsyncGenerator<string | number> { yield "a"; yield "b"; }
 * async function* numbers(): AsyncGenerator<string | number> { yield 1; }
 * const seen: Array<string | number> = [];
 * for await (const value of merge(letters(), numbers())) seen.push(value);
 * assert.ok(seen.length === 3);
 * ```
 *
 * @typeParam T The value type.
 * @param iterables The sources.
 * @returns One async iterable of all their values.
 */
export async function* merge<T>(
  ...iterables: AsyncIterable<T>[]
): AsyncGenerator<T, void, undefined> {
  const iterators = iterables.map((it) => it[Symbol.asyncIterator]());
  type Step = { index: number; result: IteratorResult<T> };
  const pending = new Map<number, Promise<Step>>();
  const next = (index: number): void => {
    pending.set(index, iterators[index]!.next().then((result) => ({ index, result })));
  };
  iterators.forEach((_, i) => next(i));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      // Re-inserting at the end of the map keeps the race fair: a source that always has a
      // value ready cannot starve the others.
      pending.delete(index);
      if (!result.done) {
        next(index);
        yield result.value;
      }
    }
  } finally {
    // Ask every source still running to close, without waiting: an async generator answers
    // return() only after its current step, which may never come.
    for (const i of pending.keys()) iterators[i]!.return?.()?.catch(() => {});
  }
}
