import assert from "node:assert/strict";
import fc from "fast-check";
import { BoundedQueue, type FullBehavior } from "./bounded_queue.ts";
import { StreamlibError } from "../errors.ts";

const isPolicyInvalid = (error: unknown): boolean =>
  error instanceof StreamlibError && error.code === "SL_POLICY_INVALID";

Deno.test("BoundedQueue rejects a capacity that is not a positive integer with SL_POLICY_INVALID", () => {
  for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0]) {
    assert.throws(() => new BoundedQueue<number>(capacity), isPolicyInvalid, String(capacity));
  }
  assert.throws(() => new BoundedQueue<number>("3" as unknown as number), isPolicyInvalid);
});

Deno.test("BoundedQueue names the bad capacity in its error message", () => {
  assert.throws(
    () => new BoundedQueue<number>(0),
    (e) => e instanceof StreamlibError && e.message.includes("got 0"),
  );
});

Deno.test("BoundedQueue blocks by default and reports its capacity and behaviour", () => {
  const q = new BoundedQueue<number>(3);
  assert.equal(q.capacity, 3);
  assert.equal(q.full, "block");
  assert.equal(q.size, 0);
  assert.equal(q.dropped, 0);
  assert.equal(q.take(), undefined);
  assert.equal(q.peek(), undefined);
});

Deno.test("BoundedQueue returns messages in the order they were offered", () => {
  const q = new BoundedQueue<string>(4);
  q.offer("a");
  q.offer("b");
  q.offer("c");
  assert.equal(q.size, 3);
  assert.equal(q.peek(), "a");
  assert.equal(q.take(), "a");
  assert.equal(q.take(), "b");
  assert.equal(q.take(), "c");
  assert.equal(q.take(), undefined);
  assert.equal(q.size, 0);
});

Deno.test("BoundedQueue in block mode refuses a write when full and does not store it", () => {
  const q = new BoundedQueue<string>(2, "block");
  assert.equal(q.offer("a"), true);
  assert.equal(q.offer("b"), true);
  assert.equal(q.offer("c"), false);
  assert.equal(q.size, 2);
  assert.equal(q.dropped, 0);
  assert.equal(q.take(), "a");
  assert.equal(q.offer("d"), true);
  assert.equal(q.take(), "b");
  assert.equal(q.take(), "d");
  assert.equal(q.take(), undefined);
});

Deno.test("BoundedQueue in drop-oldest mode discards the head to make room", () => {
  const q = new BoundedQueue<number>(2, "drop-oldest");
  assert.equal(q.offer(1), true);
  assert.equal(q.offer(2), true);
  assert.equal(q.offer(3), true);
  assert.equal(q.dropped, 1);
  assert.equal(q.size, 2);
  assert.equal(q.peek(), 2);
  assert.equal(q.take(), 2);
  assert.equal(q.take(), 3);
});

Deno.test("BoundedQueue in drop-newest mode discards the incoming message and keeps the rest", () => {
  const q = new BoundedQueue<number>(2, "drop-newest");
  q.offer(1);
  q.offer(2);
  assert.equal(q.offer(3), true);
  assert.equal(q.dropped, 1);
  assert.equal(q.size, 2);
  assert.equal(q.take(), 1);
  assert.equal(q.take(), 2);
  assert.equal(q.take(), undefined);
});

Deno.test("BoundedQueue with capacity 1 in drop-oldest mode keeps only the newest message", () => {
  const q = new BoundedQueue<number>(1, "drop-oldest");
  for (let i = 0; i < 5; i++) q.offer(i);
  assert.equal(q.size, 1);
  assert.equal(q.dropped, 4);
  assert.equal(q.take(), 4);
});

Deno.test("BoundedQueue keeps FIFO order as its head wraps around the array many times", () => {
  const q = new BoundedQueue<number>(3);
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 20; round++) {
    while (q.offer(next)) next++;
    assert.equal(q.size, 3);
    assert.equal(q.take(), expected++);
    assert.equal(q.take(), expected++);
  }
  while (q.size > 0) assert.equal(q.take(), expected++);
  assert.equal(expected, next);
  assert.equal(q.dropped, 0);
});

Deno.test("BoundedQueue.clear() empties the queue, counts the discarded messages as dropped and returns how many", () => {
  const q = new BoundedQueue<number>(4, "drop-newest");
  q.offer(1);
  q.offer(2);
  q.offer(3);
  assert.equal(q.clear(), 3);
  assert.equal(q.size, 0);
  assert.equal(q.dropped, 3);
  assert.equal(q.peek(), undefined);
  assert.equal(q.clear(), 0);
  assert.equal(q.dropped, 3);
  q.offer(4);
  q.offer(5);
  assert.equal(q.take(), 4);
  assert.equal(q.take(), 5);
});

Deno.test("BoundedQueue delivers falsy messages such as 0 and empty string", () => {
  const q = new BoundedQueue<number | string>(2);
  q.offer(0);
  q.offer("");
  assert.equal(q.size, 2);
  assert.equal(q.peek(), 0);
  assert.equal(q.take(), 0);
  assert.equal(q.take(), "");
});

type QueueOp = { readonly op: "offer" } | { readonly op: "take" } | { readonly op: "peek" } | {
  readonly op: "clear";
};

const queueOp: fc.Arbitrary<QueueOp> = fc.oneof(
  { arbitrary: fc.constant<QueueOp>({ op: "offer" }), weight: 6 },
  { arbitrary: fc.constant<QueueOp>({ op: "take" }), weight: 4 },
  { arbitrary: fc.constant<QueueOp>({ op: "peek" }), weight: 1 },
  { arbitrary: fc.constant<QueueOp>({ op: "clear" }), weight: 1 },
);

/** Runs `ops` on a real queue and on an array model, checking they agree after every step. */
function checkAgainstModel(full: FullBehavior, capacity: number, ops: readonly QueueOp[]): void {
  const q = new BoundedQueue<number>(capacity, full);
  const model: number[] = [];
  let dropped = 0;
  let seq = 0;
  for (const { op } of ops) {
    switch (op) {
      case "offer": {
        const value = seq++;
        let accepted = true;
        if (model.length < capacity) model.push(value);
        else if (full === "block") accepted = false;
        else if (full === "drop-oldest") {
          model.shift();
          model.push(value);
          dropped++;
        } else dropped++;
        assert.equal(q.offer(value), accepted);
        break;
      }
      case "take":
        assert.equal(q.take(), model.shift());
        break;
      case "peek":
        assert.equal(q.peek(), model[0]);
        break;
      case "clear":
        assert.equal(q.clear(), model.length);
        dropped += model.length;
        model.length = 0;
        break;
    }
    assert.equal(q.size, model.length);
    assert.ok(q.size <= capacity);
    assert.equal(q.peek(), model[0]);
    assert.equal(q.dropped, dropped);
  }
  // Drain: what is left comes out in model order.
  const rest: number[] = [];
  for (let m = q.take(); m !== undefined; m = q.take()) rest.push(m);
  assert.deepEqual(rest, model);
}

for (const [full, seed] of [["block", 101], ["drop-oldest", 202], ["drop-newest", 303]] as const) {
  Deno.test(`BoundedQueue in ${full} mode agrees with an array model for capacities 1 to 8`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(queueOp, { maxLength: 100, size: "max" }),
        (capacity, ops) => checkAgainstModel(full, capacity, ops),
      ),
      { seed, numRuns: 300 },
    );
  });
}

Deno.test("BoundedQueue of any capacity takes memory only for what it holds, growing in order", () => {
  // A capacity past JavaScript's longest array once threw a RangeError ("Invalid array length").
  for (const capacity of [2 ** 32, 4811038360862720, Number.MAX_SAFE_INTEGER]) {
    assert.equal(new BoundedQueue<number>(capacity).capacity, capacity);
  }
  const q = new BoundedQueue<number>(1000, "drop-oldest");
  let next = 0;
  let expected = 0;
  // Offers and takes out of step, so that the head wraps while the ring grows.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 37; i++) q.offer(next++);
    for (let i = 0; i < 20; i++) assert.equal(q.take(), expected++);
  }
  assert.equal(q.size, 50 * 17);
  assert.equal(q._at(0), expected);
  assert.equal(q._at(q.size - 1), next - 1);
  for (let i = 0; i < 500; i++) q.offer(next++);
  assert.equal(q.size, 1000);
  assert.equal(q.dropped, 350);
  assert.equal(q.peek(), next - 1000);
});
