import assert from "node:assert/strict";
import { ManualClock } from "./manual_clock.ts";

const invalid = (e: unknown): boolean => (e as { code?: string }).code === "SL_PARAM_INVALID";

Deno.test("ManualClock starts at 0, or at the given start, with the given id", () => {
  assert.equal(new ManualClock().now(), 0);
  const clock = new ManualClock({ id: "m", start: 1_000 });
  assert.equal(clock.id, "m");
  assert.equal(clock.now(), 1_000);
  assert.match(new ManualClock().id, /^manual-\d+$/);
  assert.notEqual(new ManualClock().id, new ManualClock().id);
});

Deno.test("ManualClock.advance() wakes sleeps in time order, each at exactly its time", async () => {
  const clock = new ManualClock();
  const woke: Array<[string, number]> = [];
  // Registered out of order on purpose.
  clock.sleepUntil(30_000).then(() => woke.push(["c", clock.now()]));
  clock.sleepUntil(10_000).then(() => woke.push(["a", clock.now()]));
  clock.sleepUntil(20_000).then(() => woke.push(["b", clock.now()]));
  assert.equal(clock.pending, 3);
  await clock.advance(25_000);
  assert.deepEqual(woke, [["a", 10_000], ["b", 20_000]]);
  assert.equal(clock.now(), 25_000);
  assert.equal(clock.pending, 1);
  await clock.advance(5_000);
  assert.deepEqual(woke, [["a", 10_000], ["b", 20_000], ["c", 30_000]]);
  assert.equal(clock.pending, 0);
});

Deno.test("ManualClock does not wake a sleep one microsecond early", async () => {
  const clock = new ManualClock();
  let woke = -1;
  clock.sleepUntil(5_000).then(() => woke = clock.now());
  await clock.advance(4_999);
  assert.equal(woke, -1);
  await clock.advance(1);
  assert.equal(woke, 5_000);
});

Deno.test("ManualClock wakes every sleep due at the same time, in registration order", async () => {
  const clock = new ManualClock();
  const woke: Array<[number, number]> = [];
  for (let i = 0; i < 4; i++) clock.sleepUntil(7_000).then(() => woke.push([i, clock.now()]));
  assert.equal(clock.nextWake, 7_000);
  await clock.advanceTo(7_000);
  assert.deepEqual(woke, [[0, 7_000], [1, 7_000], [2, 7_000], [3, 7_000]]);
  assert.equal(clock.pending, 0);
});

Deno.test("ManualClock resolves a sleep until the present or past at once", async () => {
  const clock = new ManualClock({ start: 100 });
  await clock.sleepUntil(100);
  await clock.sleepUntil(0);
  assert.equal(clock.pending, 0);
});

Deno.test("ManualClock.advance(0) is allowed and leaves the time unchanged", async () => {
  const clock = new ManualClock();
  await clock.advance(0);
  assert.equal(clock.now(), 0);
  await clock.advanceTo(0);
  assert.equal(clock.now(), 0);
});

Deno.test("ManualClock refuses to move backwards", async () => {
  const clock = new ManualClock({ start: 1_000 });
  await assert.rejects(clock.advance(-1), invalid);
  await assert.rejects(clock.advance(NaN), invalid);
  await assert.rejects(clock.advanceTo(999), invalid);
  assert.equal(clock.now(), 1_000);
});

Deno.test({
  name: "ManualClock.advanceTo(NaN) leaves the time unchanged",
  async fn(): Promise<void> {
    const clock = new ManualClock({ start: 1_000 });
    await assert.rejects(clock.advanceTo(NaN), invalid);
    assert.equal(clock.now(), 1_000);
  },
});

Deno.test("ManualClock.nextWake reports the earliest pending sleep", async () => {
  const clock = new ManualClock();
  assert.equal(clock.nextWake, undefined);
  clock.sleepUntil(50);
  clock.sleepUntil(20);
  clock.sleepUntil(80);
  assert.equal(clock.nextWake, 20);
  await clock.advanceTo(20);
  assert.equal(clock.nextWake, 50);
  await clock.advanceTo(100);
  assert.equal(clock.nextWake, undefined);
});

Deno.test("ManualClock abort removes the sleep and rejects with the signal's reason", async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const reason = new Error("cancelled");
  let woke = false;
  const sleeping = clock.sleepUntil(10, controller.signal).then(() => woke = true);
  clock.sleepUntil(20);
  assert.equal(clock.pending, 2);
  assert.equal(clock.nextWake, 10);
  controller.abort(reason);
  assert.equal(clock.pending, 1);
  assert.equal(clock.nextWake, 20);
  await assert.rejects(sleeping, (e: unknown) => e === reason);
  await clock.advanceTo(30);
  assert.equal(woke, false);
});

Deno.test("ManualClock rejects a sleep whose signal has already aborted", async () => {
  const clock = new ManualClock();
  const reason = new Error("too late");
  await assert.rejects(
    clock.sleepUntil(10, AbortSignal.abort(reason)),
    (e: unknown) => e === reason,
  );
  assert.equal(clock.pending, 0);
});

Deno.test("ManualClock ignores an abort after the sleep has woken", async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const sleeping = clock.sleepUntil(10, controller.signal);
  await clock.advanceTo(10);
  controller.abort(new Error("late abort"));
  await sleeping;
});

Deno.test("ManualClock wakes sleeps registered during a wake-up within the same advance", async () => {
  const clock = new ManualClock();
  const woke: number[] = [];
  const chain = async (): Promise<void> => {
    for (const t of [10, 20, 35]) {
      await clock.sleepUntil(t);
      woke.push(clock.now());
    }
  };
  const done = chain();
  await clock.advanceTo(30);
  assert.deepEqual(woke, [10, 20]);
  assert.equal(clock.now(), 30);
  assert.equal(clock.nextWake, 35);
  await clock.advanceTo(100);
  assert.deepEqual(woke, [10, 20, 35]);
  await done;
});

Deno.test("ManualClock wakes a sleep registered during a wake-up for that same time", async () => {
  const clock = new ManualClock();
  const woke: string[] = [];
  clock.sleepUntil(10).then(() => {
    woke.push(`first@${clock.now()}`);
    clock.sleepUntil(10).then(() => woke.push(`again@${clock.now()}`));
    clock.sleepUntil(15).then(() => woke.push(`later@${clock.now()}`));
  });
  await clock.advance(15);
  assert.deepEqual(woke, ["first@10", "again@10", "later@15"]);
});
