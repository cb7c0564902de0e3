import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { delay } from "./delay.ts";

Deno.test("delay() resolves only once its time has passed", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    let done = false;
    const waiting = delay(100).then(() => done = true);
    await clock.tickAsync(99);
    assert.equal(done, false);
    await clock.tickAsync(1);
    await waiting;
    assert.equal(done, true);
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("delay() with a signal resolves normally when it never aborts", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const controller = new AbortController();
    let done = false;
    const waiting = delay(50, { signal: controller.signal }).then(() => done = true);
    await clock.tickAsync(50);
    await waiting;
    assert.equal(done, true);
    controller.abort(new Error("late")); // an abort after resolving changes nothing
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("delay() rejects with the signal's reason when aborted and clears its timer", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const waiting = delay(60_000, { signal: controller.signal });
    await clock.tickAsync(1_000);
    assert.equal(clock.countTimers(), 1);
    controller.abort(reason);
    assert.equal(clock.countTimers(), 0);
    await assert.rejects(waiting, (e: unknown) => e === reason);
  } finally {
    clock.uninstall();
  }
});

Deno.test("delay() rejects with an AbortError when aborted without a reason", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const controller = new AbortController();
    const waiting = delay(1_000, { signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => (e as Error).name === "AbortError");
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("delay() rejects at once when the signal has already aborted", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install();
  try {
    const reason = new Error("already");
    const waiting = delay(1_000, { signal: AbortSignal.abort(reason) });
    assert.equal(clock.countTimers(), 0);
    await assert.rejects(waiting, (e: unknown) => e === reason);
  } finally {
    clock.uninstall();
  }
});
