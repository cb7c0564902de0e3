import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { isStreamlibError } from "../errors.ts";
import { SoftwareClock } from "./software_clock.ts";

Deno.test("SoftwareClock.now() counts microseconds since the clock was made", () => {
  let ms = 5_000;
  const clock = new SoftwareClock({ id: "sw", nowMs: () => ms });
  assert.equal(clock.id, "sw");
  assert.equal(clock.now(), 0);
  ms = 5_001;
  assert.equal(clock.now(), 1_000);
  ms = 5_002.5;
  assert.equal(clock.now(), 2_500);
  ms = 5_000.0004; // sub-microsecond readings round to the nearest µs
  assert.equal(clock.now(), 0);
  ms = 5_000.0006;
  assert.equal(clock.now(), 1);
});

Deno.test("SoftwareClock gets a unique default id", () => {
  const a = new SoftwareClock({ nowMs: () => 0 });
  const b = new SoftwareClock({ nowMs: () => 0 });
  assert.match(a.id, /^software-\d+$/);
  assert.notEqual(a.id, b.id);
});

Deno.test("SoftwareClock.now() defaults to performance.now and starts near 0", () => {
  const clock = new SoftwareClock();
  const t = clock.now();
  assert.ok(t >= 0 && t < 1_000_000, String(t));
});

Deno.test("SoftwareClock.sleepUntil() resolves once its time is reached, not before", async () => {
  const fake = FakeTimers.withGlobal(globalThis).install();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now });
    let wokeAt: number | undefined;
    const sleeping = clock.sleepUntil(5_000).then(() => wokeAt = clock.now());
    await fake.tickAsync(4);
    assert.equal(wokeAt, undefined);
    await fake.tickAsync(1);
    await sleeping;
    assert.equal(wokeAt, 5_000);
    assert.equal(fake.countTimers(), 0);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() on timers alone waits a whole millisecond for a sub-millisecond sleep", async () => {
  const fake = FakeTimers.withGlobal(globalThis).install();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now, preciseMs: 0 });
    let woke = false;
    clock.sleepUntil(300).then(() => woke = true);
    await fake.tickAsync(0);
    assert.equal(woke, false);
    await fake.tickAsync(1);
    assert.equal(woke, true);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() on timers alone never resolves early when a timer fires early", async () => {
  const fake = FakeTimers.withGlobal(globalThis).install();
  try {
    // The clock's source lags the timers by `lag` ms: timers fire before the clock is due.
    let lag = 0;
    const clock = new SoftwareClock({ nowMs: () => fake.now - lag, preciseMs: 0 });
    let wokeAt: number | undefined;
    const sleeping = clock.sleepUntil(10_000).then(() => wokeAt = clock.now());
    lag = 3;
    await fake.tickAsync(10); // the 10 ms timer fires, but the clock reads 7 ms
    assert.equal(wokeAt, undefined);
    assert.equal(clock.now(), 7_000);
    assert.equal(fake.countTimers(), 1); // it re-armed for the remaining time
    await fake.tickAsync(2);
    assert.equal(wokeAt, undefined);
    await fake.tickAsync(1);
    await sleeping;
    assert.equal(wokeAt, 10_000);
    assert.equal(fake.countTimers(), 0);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() resolves at once for a time already reached", async () => {
  let ms = 0;
  const clock = new SoftwareClock({ nowMs: () => ms });
  ms = 2;
  await clock.sleepUntil(2_000);
  await clock.sleepUntil(0);
});

Deno.test("SoftwareClock.sleepUntil() rejects with the abort reason and clears its timer", async () => {
  const fake = FakeTimers.withGlobal(globalThis).install();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now });
    const controller = new AbortController();
    const reason = new Error("stop");
    const sleeping = clock.sleepUntil(50_000, controller.signal);
    await fake.tickAsync(10);
    assert.equal(fake.countTimers(), 1);
    controller.abort(reason);
    assert.equal(fake.countTimers(), 0);
    await assert.rejects(sleeping, (e: unknown) => e === reason);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() rejects at once when the signal has already aborted", async () => {
  const fake = FakeTimers.withGlobal(globalThis).install();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now });
    const reason = new Error("already");
    await assert.rejects(
      clock.sleepUntil(50_000, AbortSignal.abort(reason)),
      (e: unknown) => e === reason,
    );
    assert.equal(fake.countTimers(), 0);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() ignores an abort after it has resolved", async () => {
  const fake = FakeTimers.withGlobal(globalThis).install();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now });
    const controller = new AbortController();
    const sleeping = clock.sleepUntil(1_000, controller.signal);
    await fake.tickAsync(1);
    await sleeping;
    controller.abort(new Error("late"));
    assert.equal(fake.countTimers(), 0);
  } finally {
    fake.uninstall();
  }
});

/** Fakes timers only: the precise wait's turns of the event loop stay real. */
function fakeTimersOnly(): ReturnType<ReturnType<typeof FakeTimers.withGlobal>["install"]> {
  return FakeTimers.withGlobal(globalThis).install({ toFake: ["setTimeout", "clearTimeout"] });
}

Deno.test("SoftwareClock.sleepUntil() waits its last preciseMs without a timer, and resolves at its time, not before", async () => {
  const fake = fakeTimersOnly();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now, preciseMs: 2 });
    let wokeAt: number | undefined;
    const sleeping = clock.sleepUntil(10_000).then(() => wokeAt = clock.now());
    assert.equal(fake.countTimers(), 1); // a timer for the first 8 ms
    await fake.tickAsync(7);
    assert.equal(fake.countTimers(), 1);
    await fake.tickAsync(1);
    assert.equal(fake.countTimers(), 0, "the last 2 ms are waited without a timer");
    await fake.tickAsync(1);
    assert.equal(wokeAt, undefined);
    await fake.tickAsync(1);
    await sleeping;
    assert.equal(wokeAt, 10_000);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() waits a sleep shorter than preciseMs precisely from the start", async () => {
  const fake = fakeTimersOnly();
  try {
    let ms = 0;
    const clock = new SoftwareClock({ nowMs: () => ms });
    let wokeAt: number | undefined;
    const sleeping = clock.sleepUntil(300).then(() => wokeAt = clock.now());
    assert.equal(fake.countTimers(), 0, "no timer: it would take a whole millisecond");
    ms = 0.2;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(wokeAt, undefined);
    ms = 0.3;
    await sleeping;
    assert.equal(wokeAt, 300);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock.sleepUntil() stops waiting precisely when aborted", async () => {
  const fake = fakeTimersOnly();
  try {
    const clock = new SoftwareClock({ nowMs: () => fake.now });
    const controller = new AbortController();
    const reason = new Error("stop");
    const sleeping = clock.sleepUntil(1_000, controller.signal);
    controller.abort(reason);
    await assert.rejects(sleeping, (e: unknown) => e === reason);
    // Time passes; a check still running would find nothing to resolve and stop by itself.
    await fake.tickAsync(5);
    assert.equal(fake.countTimers(), 0);
  } finally {
    fake.uninstall();
  }
});

Deno.test("SoftwareClock takes preciseMs from 0 to 1000 ms", () => {
  for (const preciseMs of [0, 0.5, 2, 1_000]) new SoftwareClock({ preciseMs });
  for (const preciseMs of [-1, 1_001, Number.NaN]) {
    assert.throws(
      () => new SoftwareClock({ preciseMs }),
      (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID") && /preciseMs/.test(e.message),
      String(preciseMs),
    );
  }
});
