import assert from "node:assert/strict";
import { merge } from "./merge.ts";

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => resolve = res);
  return { promise, resolve };
}

/** Yields `values[i]` once `gates[i]` opens. */
async function* gated<T>(values: T[], gates: Deferred<void>[]): AsyncGenerator<T> {
  for (let i = 0; i < values.length; i++) {
    await gates[i]!.promise;
    yield values[i]!;
  }
}

/** Yields 0, 1, 2… forever, awaiting between values; records when it is closed. */
async function* counter(closed: { value: boolean }, prefix: string): AsyncGenerator<string> {
  try {
    for (let i = 0;; i++) {
      await Promise.resolve();
      yield `${prefix}${i}`;
    }
  } finally {
    closed.value = true;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** Lets a few macrotasks run (no time passes on any clock the code under test reads). */
async function macrotasks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("merge() yields values in the order they arrive across sources", async () => {
  const a = [deferred(), deferred()];
  const b = [deferred(), deferred()];
  const merged = merge(gated(["a0", "a1"], a), gated(["b0", "b1"], b));
  let next = merged.next();
  b[0]!.resolve();
  assert.deepEqual(await next, { value: "b0", done: false });
  next = merged.next();
  a[0]!.resolve();
  assert.deepEqual(await next, { value: "a0", done: false });
  next = merged.next();
  a[1]!.resolve();
  assert.deepEqual(await next, { value: "a1", done: false });
  next = merged.next();
  b[1]!.resolve();
  assert.deepEqual(await next, { value: "b1", done: false });
  assert.deepEqual(await merged.next(), { value: undefined, done: true });
});

Deno.test("merge() alternates between sources that produce at the same pace", async () => {
  const a = { value: false };
  const b = { value: false };
  const seen: string[] = [];
  for await (const value of merge(counter(a, "a"), counter(b, "b"))) {
    seen.push(value);
    if (seen.length === 6) break;
  }
  assert.deepEqual(seen, ["a0", "b0", "a1", "b1", "a2", "b2"]);
});

Deno.test("merge() ends once every source has ended, keeping each source's order", async () => {
  async function* from<T>(values: T[]): AsyncGenerator<T> {
    for (const v of values) {
      await Promise.resolve();
      yield v;
    }
  }
  const seen = await collect(merge(from([1, 2, 3]), from<number>([]), from([10]), from([20, 21])));
  assert.equal(seen.length, 6);
  assert.deepEqual(seen.filter((v) => v < 10), [1, 2, 3]);
  assert.deepEqual(seen.filter((v) => v >= 20), [20, 21]);
  assert.ok(seen.includes(10));
});

Deno.test("merge() of no sources ends at once", async () => {
  assert.deepEqual(await collect(merge<number>()), []);
});

Deno.test("merge() takes async iterables that are not generators", async () => {
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: (): Promise<IteratorResult<number>> =>
          Promise.resolve(i < 3 ? { value: i++, done: false } : { value: undefined, done: true }),
      };
    },
  };
  assert.deepEqual(await collect(merge(iterable)), [0, 1, 2]);
});

Deno.test("merge() throws a source's error and closes the other sources", async () => {
  const failure = new Error("boom");
  const otherClosed = { value: false };
  let failingFinally = false;
  async function* failing(): AsyncGenerator<string> {
    try {
      yield "f0";
      await Promise.resolve();
      throw failure;
    } finally {
      failingFinally = true;
    }
  }
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const value of merge(counter(otherClosed, "c"), failing())) seen.push(value);
    },
    (e: unknown) => e === failure,
  );
  assert.ok(seen.includes("f0"));
  assert.equal(otherClosed.value, true);
  assert.equal(failingFinally, true);
});

Deno.test("merge() closes every source when the consumer breaks early", async () => {
  const a = { value: false };
  const b = { value: false };
  const c = { value: false };
  let count = 0;
  for await (const _ of merge(counter(a, "a"), counter(b, "b"), counter(c, "c"))) {
    if (++count === 5) break;
  }
  assert.deepEqual([a.value, b.value, c.value], [true, true, true]);
});

Deno.test("merge() closes every source when the consumer calls return()", async () => {
  const a = { value: false };
  const b = { value: false };
  const merged = merge(counter(a, "a"), counter(b, "b"));
  await merged.next();
  assert.deepEqual(await merged.return(), { value: undefined, done: true });
  assert.deepEqual([a.value, b.value], [true, true]);
  assert.deepEqual(await merged.next(), { value: undefined, done: true });
});

Deno.test({
  name: "merge() stops promptly on break while another source is still waiting for data",
  async fn(): Promise<void> {
    const gate = deferred();
    async function* blocked(): AsyncGenerator<number> {
      await gate.promise;
      yield -1;
    }
    async function* ready(): AsyncGenerator<number> {
      yield 1;
    }
    let finished = false;
    const loop = (async (): Promise<void> => {
      for await (const _ of merge(ready(), blocked())) break;
      finished = true;
    })();
    await macrotasks(10);
    const finishedBeforeGate = finished;
    gate.resolve();
    await loop;
    assert.equal(finishedBeforeGate, true);
  },
});

Deno.test({
  name: "merge() does not starve a source behind one that always has a value ready",
  async fn(): Promise<void> {
    async function* busy(): AsyncGenerator<string> {
      for (let i = 0;; i++) yield `busy${i}`;
    }
    async function* once(): AsyncGenerator<string> {
      yield "other";
    }
    const seen: string[] = [];
    for await (const value of merge(busy(), once())) {
      seen.push(value);
      if (seen.length === 100) break;
    }
    assert.ok(seen.includes("other"), "the second source's value never came out");
  },
});
