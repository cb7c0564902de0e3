import assert from "node:assert/strict";
import { UpstreamClock } from "./upstream_clock.ts";

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

Deno.test("UpstreamClock starts at -Infinity with no upstreams", () => {
  const clock = new UpstreamClock({ id: "up" });
  assert.equal(clock.id, "up");
  assert.equal(clock.now(), -Infinity);
  assert.match(new UpstreamClock().id, /^upstream-\d+$/);
});

Deno.test("UpstreamClock stays at -Infinity until every tracked upstream reports", () => {
  const clock = new UpstreamClock();
  const a = {}, b = {}, c = {};
  clock.track(a);
  clock.track(b);
  clock.track(c);
  clock.observe(a, 40_000);
  clock.observe(b, 60_000);
  assert.equal(clock.now(), -Infinity);
  clock.observe(c, 50_000);
  assert.equal(clock.now(), 40_000);
});

Deno.test("UpstreamClock reads the minimum over tracked upstreams", () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.observe(a, 40_000);
  clock.observe(b, 20_000);
  assert.equal(clock.now(), 20_000);
  clock.observe(b, 80_000);
  assert.equal(clock.now(), 40_000);
  clock.observe(a, 100_000);
  assert.equal(clock.now(), 80_000);
});

Deno.test("UpstreamClock tracks an upstream automatically on its first report", () => {
  const clock = new UpstreamClock();
  const a = {};
  clock.observe(a, 10);
  assert.equal(clock.now(), 10);
  clock.track(a); // tracking again keeps what it reached
  assert.equal(clock.now(), 10);
});

Deno.test("UpstreamClock never moves an upstream backwards", () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.observe(a, 50_000);
  clock.observe(b, 90_000);
  clock.observe(a, 10_000);
  assert.equal(clock.now(), 50_000);
  clock.observe(a, 50_000);
  assert.equal(clock.now(), 50_000);
});

Deno.test("UpstreamClock lets time move on when the slowest upstream is untracked", () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.track(a);
  clock.track(b);
  clock.observe(a, 40_000);
  clock.untrack(b); // b ended without a word
  assert.equal(clock.now(), 40_000);
});

Deno.test("UpstreamClock stays at the high-water mark after the last upstream is untracked", () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.observe(a, 40_000);
  clock.observe(b, 20_000);
  clock.untrack(b);
  assert.equal(clock.now(), 40_000);
  clock.observe(a, 30_000); // a stale report does not raise the high-water mark
  clock.untrack(a);
  assert.equal(clock.now(), 40_000);
});

Deno.test("UpstreamClock keeps the furthest time reached even by an upstream that fell behind", () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.observe(a, 90_000);
  clock.observe(b, 10_000);
  clock.untrack(a);
  assert.equal(clock.now(), 10_000);
  clock.untrack(b);
  assert.equal(clock.now(), 90_000);
});

Deno.test("UpstreamClock.sleepUntil() resolves once the slowest upstream passes the time", async () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.track(a);
  clock.track(b);
  let wokeAt: number | undefined;
  const sleeping = clock.sleepUntil(40_000).then(() => wokeAt = clock.now());
  clock.observe(a, 100_000);
  await settle();
  assert.equal(wokeAt, undefined);
  clock.observe(b, 39_999);
  await settle();
  assert.equal(wokeAt, undefined);
  clock.observe(b, 40_000);
  await sleeping;
  assert.equal(wokeAt, 40_000);
});

Deno.test("UpstreamClock.sleepUntil() wakes only the sleeps that are due", async () => {
  const clock = new UpstreamClock();
  const a = {};
  clock.track(a);
  const woke: number[] = [];
  for (const t of [30, 10, 20]) clock.sleepUntil(t).then(() => woke.push(t));
  clock.observe(a, 20);
  await settle();
  assert.deepEqual(woke.sort(), [10, 20]);
  clock.observe(a, 30);
  await settle();
  assert.deepEqual(woke.sort(), [10, 20, 30]);
});

Deno.test("UpstreamClock.sleepUntil() resolves when untracking the slowest upstream", async () => {
  const clock = new UpstreamClock();
  const a = {}, b = {};
  clock.observe(a, 50);
  clock.track(b);
  const sleeping = clock.sleepUntil(50);
  clock.untrack(b);
  await sleeping;
  assert.equal(clock.now(), 50);
});

Deno.test("UpstreamClock.sleepUntil() resolves at once for a time already reached", async () => {
  const clock = new UpstreamClock();
  clock.observe({}, 100);
  await clock.sleepUntil(100);
  await clock.sleepUntil(-5);
});

Deno.test("UpstreamClock.sleepUntil() rejects with the abort reason and forgets the sleep", async () => {
  const clock = new UpstreamClock();
  const a = {};
  clock.track(a);
  const controller = new AbortController();
  const reason = new Error("stop");
  let resolved = false;
  const sleeping = clock.sleepUntil(10, controller.signal).then(() => resolved = true);
  controller.abort(reason);
  await assert.rejects(sleeping, (e: unknown) => e === reason);
  clock.observe(a, 100);
  await settle();
  assert.equal(resolved, false);
});

Deno.test("UpstreamClock.sleepUntil() rejects at once when the signal has already aborted", async () => {
  const clock = new UpstreamClock();
  const reason = new Error("already");
  await assert.rejects(
    clock.sleepUntil(10, AbortSignal.abort(reason)),
    (e: unknown) => e === reason,
  );
});
