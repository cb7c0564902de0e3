import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { deadline } from "./deadline.ts";

const hasCode = (code: string) => (e: unknown): boolean => (e as { code?: string }).code === code;

/** A promise with its resolve and reject. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

Deno.test("deadline() passes the work's value through and clears its timer", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const work = deferred<number>();
    const result = deadline(work.promise, 100);
    await clock.tickAsync(99);
    assert.equal(clock.countTimers(), 1);
    work.resolve(7);
    assert.equal(await result, 7);
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("deadline() passes the work's error through and clears its timer", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const failure = new Error("work failed");
    const result = deadline(Promise.reject(failure), 100);
    await assert.rejects(result, (e: unknown) => e === failure);
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("deadline() rejects with SL_DEADLINE once the time passes, not before", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const work = deferred<string>();
    const seen: { outcome?: unknown } = {};
    const result = deadline(work.promise, 250).then(
      () => seen.outcome = "resolved",
      (error) => seen.outcome = error,
    );
    await clock.tickAsync(249);
    assert.equal("outcome" in seen, false);
    await clock.tickAsync(1);
    await result;
    assert.ok(hasCode("SL_DEADLINE")(seen.outcome), String(seen.outcome));
    assert.deepEqual((seen.outcome as { details: unknown }).details, { ms: 250 });
    assert.equal(clock.countTimers(), 0);
    work.resolve("too late"); // settling afterwards changes nothing
    await clock.tickAsync(0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("deadline() ignores a late rejection of the work after the deadline", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const work = deferred<void>();
    const rejected = assert.rejects(deadline(work.promise, 10), hasCode("SL_DEADLINE"));
    await clock.tickAsync(10);
    await rejected;
    work.reject(new Error("late failure"));
    await clock.tickAsync(0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("deadline() rejects with the abort reason and clears its timer", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const controller = new AbortController();
    const reason = new Error("stop");
    const work = deferred<number>();
    const result = deadline(work.promise, 1_000, { signal: controller.signal });
    await clock.tickAsync(500);
    controller.abort(reason);
    assert.equal(clock.countTimers(), 0);
    await assert.rejects(result, (e: unknown) => e === reason);
    work.resolve(1);
    await clock.tickAsync(0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("deadline() is unaffected by an abort after it has settled", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const controller = new AbortController();
    const result = deadline(Promise.resolve("ok"), 1_000, { signal: controller.signal });
    assert.equal(await result, "ok");
    controller.abort(new Error("late"));
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("deadline() rejects at once when the signal has already aborted", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const reason = new Error("already");
    const result = deadline(Promise.resolve(1), 1_000, { signal: AbortSignal.abort(reason) });
    assert.equal(clock.countTimers(), 0);
    await assert.rejects(result, (e: unknown) => e === reason);
  } finally {
    clock.uninstall();
  }
});
