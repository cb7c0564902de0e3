import assert from "node:assert/strict";
import fc from "fast-check";
import { _Deque } from "./_deque.ts";

/** Shifts every item out of `deque`, in order. */
function drain<T>(deque: _Deque<T>): T[] {
  const out: T[] = [];
  while (deque.length > 0) out.push(deque.shift() as T);
  return out;
}

/** An ascending range `[from, to)`. */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

Deno.test("A new _Deque is empty and shift() returns undefined", () => {
  const deque = new _Deque<number>();
  assert.equal(deque.length, 0);
  assert.equal(deque.shift(), undefined);
  assert.equal(deque.length, 0);
});

Deno.test("_Deque.push() then shift() gives items back first in, first out", () => {
  const deque = new _Deque<string>();
  deque.push("a");
  deque.push("b");
  deque.push("c");
  assert.equal(deque.length, 3);
  assert.deepEqual(drain(deque), ["a", "b", "c"]);
  assert.equal(deque.shift(), undefined);
});

Deno.test("_Deque.unshift() then shift() gives items back last in, first out", () => {
  const deque = new _Deque<number>();
  deque.unshift(1);
  deque.unshift(2);
  deque.unshift(3);
  assert.deepEqual(drain(deque), [3, 2, 1]);
});

Deno.test("_Deque.unshift() puts an item in front of pushed ones", () => {
  const deque = new _Deque<number>();
  deque.push(2);
  deque.push(3);
  deque.unshift(1);
  deque.unshift(0);
  assert.deepEqual(drain(deque), [0, 1, 2, 3]);
});

Deno.test("_Deque keeps order when push() grows it well past 16 items", () => {
  const deque = new _Deque<number>();
  for (const i of range(0, 100)) deque.push(i);
  assert.equal(deque.length, 100);
  assert.deepEqual(drain(deque), range(0, 100));
});

Deno.test("_Deque keeps order when unshift() grows it past 16 items from a wrapped head", () => {
  const deque = new _Deque<number>();
  for (const i of range(0, 40)) deque.unshift(i);
  assert.equal(deque.length, 40);
  assert.deepEqual(drain(deque), range(0, 40).reverse());
});

Deno.test("_Deque keeps order when it grows while its contents wrap around the array end", () => {
  const deque = new _Deque<number>();
  for (const i of range(0, 12)) deque.push(i);
  for (const i of range(0, 10)) assert.equal(deque.shift(), i);
  // Head sits at index 10; the next pushes wrap past the array end and then force a resize.
  for (const i of range(12, 40)) deque.push(i);
  deque.unshift(9);
  deque.unshift(8);
  assert.equal(deque.length, 32);
  assert.deepEqual(drain(deque), range(8, 40));
});

Deno.test("_Deque.clear() empties it and it works again afterwards", () => {
  const deque = new _Deque<number>();
  for (const i of range(0, 30)) deque.push(i);
  deque.clear();
  assert.equal(deque.length, 0);
  assert.equal(deque.shift(), undefined);
  deque.unshift(2);
  deque.push(3);
  deque.unshift(1);
  assert.deepEqual(drain(deque), [1, 2, 3]);
});

Deno.test("_Deque stays usable after being drained repeatedly at different offsets", () => {
  const deque = new _Deque<number>();
  for (let round = 0; round < 40; round++) {
    for (const i of range(0, round % 7 + 1)) deque.push(i);
    assert.deepEqual(drain(deque), range(0, round % 7 + 1));
  }
});

type DequeOp =
  | { readonly op: "push" }
  | { readonly op: "unshift" }
  | { readonly op: "shift" }
  | { readonly op: "clear" };

const dequeOp: fc.Arbitrary<DequeOp> = fc.oneof(
  { arbitrary: fc.constant<DequeOp>({ op: "push" }), weight: 20 },
  { arbitrary: fc.constant<DequeOp>({ op: "unshift" }), weight: 15 },
  { arbitrary: fc.constant<DequeOp>({ op: "shift" }), weight: 20 },
  // Rare, so that the deque usually grows through 16, 32 and 64 slots between clears.
  { arbitrary: fc.constant<DequeOp>({ op: "clear" }), weight: 1 },
);

Deno.test("_Deque agrees with an array model over random push, unshift, shift and clear sequences", () => {
  let maxLength = 0;
  fc.assert(
    fc.property(fc.array(dequeOp, { maxLength: 300, size: "max" }), (ops) => {
      const deque = new _Deque<number>();
      const model: number[] = [];
      let seq = 0;
      for (const { op } of ops) {
        switch (op) {
          case "push": {
            const value = seq++;
            deque.push(value);
            model.push(value);
            break;
          }
          case "unshift": {
            const value = seq++;
            deque.unshift(value);
            model.unshift(value);
            break;
          }
          case "shift":
            assert.equal(deque.shift(), model.shift());
            break;
          case "clear":
            deque.clear();
            model.length = 0;
            break;
        }
        assert.equal(deque.length, model.length);
        maxLength = Math.max(maxLength, model.length);
      }
      assert.deepEqual(drain(deque), model);
    }),
    { seed: 16_0316, numRuns: 300 },
  );
  // The generated sequences must actually exercise growth (16 → 32 → 64 …).
  assert.ok(maxLength > 64, `longest deque was only ${maxLength}`);
});
