import assert from "node:assert/strict";
import fc from "fast-check";
import { LatestRing } from "./latest_ring.ts";

Deno.test("LatestRing.take() returns the newest message after three writes", () => {
  const ring = new LatestRing<number>();
  ring.offer(1);
  ring.offer(2);
  ring.offer(3);
  assert.equal(ring.take(), 3);
  assert.equal(ring.take(), undefined);
  assert.equal(ring.dropped, 2);
});

Deno.test("A new LatestRing is empty, has capacity 1 and has dropped nothing", () => {
  const ring = new LatestRing<string>();
  assert.equal(ring.capacity, 1);
  assert.equal(ring.size, 0);
  assert.equal(ring.dropped, 0);
  assert.equal(ring.peek(), undefined);
  assert.equal(ring.take(), undefined);
});

Deno.test("LatestRing.offer() always returns true, however many unread messages it replaces", () => {
  const ring = new LatestRing<number>();
  for (let i = 0; i < 10; i++) assert.equal(ring.offer(i), true);
  assert.equal(ring.size, 1);
  assert.equal(ring.dropped, 9);
});

Deno.test("LatestRing.peek() shows the newest unread message without consuming it", () => {
  const ring = new LatestRing<string>();
  ring.offer("a");
  ring.offer("b");
  assert.equal(ring.peek(), "b");
  assert.equal(ring.peek(), "b");
  assert.equal(ring.size, 1);
  assert.equal(ring.take(), "b");
  assert.equal(ring.peek(), undefined);
  assert.equal(ring.size, 0);
});

Deno.test("LatestRing.take() never returns the same message twice", () => {
  const ring = new LatestRing<number>();
  ring.offer(7);
  assert.equal(ring.take(), 7);
  assert.equal(ring.take(), undefined);
  assert.equal(ring.take(), undefined);
  assert.equal(ring.dropped, 0);
});

Deno.test("LatestRing returns each message when reads and writes alternate, dropping none", () => {
  const ring = new LatestRing<number>();
  for (let i = 0; i < 50; i++) {
    ring.offer(i);
    assert.equal(ring.size, 1);
    assert.equal(ring.take(), i);
    assert.equal(ring.size, 0);
  }
  assert.equal(ring.dropped, 0);
});

Deno.test("LatestRing returns the newest message after the writer laps the slot being read", () => {
  const ring = new LatestRing<number>();
  ring.offer(1);
  assert.equal(ring.take(), 1);
  // Slot of 1 is being read; the writer must cycle through the other two slots only.
  ring.offer(2);
  ring.offer(3);
  ring.offer(4);
  ring.offer(5);
  assert.equal(ring.take(), 5);
  assert.equal(ring.dropped, 3);
  ring.offer(6);
  assert.equal(ring.take(), 6);
  assert.equal(ring.dropped, 3);
});

Deno.test("LatestRing delivers falsy messages such as 0, empty string and false", () => {
  const ring = new LatestRing<number | string | boolean>();
  ring.offer(0);
  assert.equal(ring.size, 1);
  assert.equal(ring.peek(), 0);
  assert.equal(ring.take(), 0);
  ring.offer("");
  assert.equal(ring.take(), "");
  ring.offer(false);
  assert.equal(ring.take(), false);
  assert.equal(ring.dropped, 0);
});

Deno.test("LatestRing.clear() discards an unread message, counts it as dropped and returns 1", () => {
  const ring = new LatestRing<number>();
  ring.offer(1);
  ring.offer(2);
  assert.equal(ring.clear(), 1);
  assert.equal(ring.dropped, 2);
  assert.equal(ring.size, 0);
  assert.equal(ring.peek(), undefined);
  assert.equal(ring.take(), undefined);
});

Deno.test("LatestRing.clear() returns 0 and drops nothing when every message was read", () => {
  const ring = new LatestRing<number>();
  assert.equal(ring.clear(), 0);
  ring.offer(1);
  ring.take();
  assert.equal(ring.clear(), 0);
  assert.equal(ring.dropped, 0);
});

Deno.test("LatestRing keeps working normally after clear()", () => {
  const ring = new LatestRing<number>();
  ring.offer(1);
  ring.take();
  ring.offer(2);
  ring.clear();
  ring.offer(3);
  ring.offer(4);
  assert.equal(ring.take(), 4);
  assert.equal(ring.dropped, 2);
  ring.offer(5);
  assert.equal(ring.take(), 5);
});

type RingOp = { readonly op: "offer" } | { readonly op: "take" } | { readonly op: "peek" } | {
  readonly op: "clear";
};

const ringOp: fc.Arbitrary<RingOp> = fc.oneof(
  { arbitrary: fc.constant<RingOp>({ op: "offer" }), weight: 5 },
  { arbitrary: fc.constant<RingOp>({ op: "take" }), weight: 4 },
  { arbitrary: fc.constant<RingOp>({ op: "peek" }), weight: 2 },
  { arbitrary: fc.constant<RingOp>({ op: "clear" }), weight: 1 },
);

Deno.test("LatestRing.take() always returns the newest message offered since the last take (model)", () => {
  fc.assert(
    fc.property(fc.array(ringOp, { maxLength: 120, size: "max" }), (ops) => {
      const ring = new LatestRing<number>();
      let seq = 0;
      // Model: the newest message offered since the last take or clear, if any.
      let pending: number | undefined;
      let offered = 0;
      let returned = 0;
      let lastReturned = -1;
      for (const { op } of ops) {
        switch (op) {
          case "offer": {
            const value = seq++;
            assert.equal(ring.offer(value), true);
            pending = value;
            offered++;
            break;
          }
          case "take": {
            const expected = pending;
            assert.equal(ring.peek(), expected);
            const got = ring.take();
            assert.equal(got, expected);
            if (got !== undefined) {
              // Never stale: every returned message is newer than the previous one.
              assert.ok(got > lastReturned);
              lastReturned = got;
              returned++;
            }
            pending = undefined;
            break;
          }
          case "peek":
            assert.equal(ring.peek(), pending);
            break;
          case "clear":
            assert.equal(ring.clear(), pending === undefined ? 0 : 1);
            pending = undefined;
            break;
        }
        const size = pending === undefined ? 0 : 1;
        assert.equal(ring.size, size);
        assert.equal(ring.peek(), pending);
        // Every offered message is returned, dropped, or (at most one) still waiting.
        assert.equal(ring.dropped, offered - returned - size);
      }
    }),
    { seed: 20240611, numRuns: 300 },
  );
});
