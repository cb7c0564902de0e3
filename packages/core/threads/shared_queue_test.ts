import assert from "node:assert/strict";
import { SharedQueue, type StreamlibError } from "../mod.ts";
import { codeOf, startWorker } from "./_shared_testing.ts";

const b = (n: number): Uint8Array => new Uint8Array([n]);

Deno.test("a shared queue is first in, first out, and a full block queue refuses", () => {
  const q = SharedQueue.create({ capacity: 3 });
  for (const n of [1, 2, 3]) assert.equal(q.offer(b(n)), true);
  assert.equal(q.offer(b(4)), false);
  assert.equal(q.size, 3);
  assert.deepEqual([q.take()?.[0], q.take()?.[0]], [1, 2]);
  assert.equal(q.offer(b(4)), true);
  assert.deepEqual([q.take()?.[0], q.take()?.[0], q.take()], [3, 4, undefined]);
  assert.equal(q.dropped, 0);
});

Deno.test("leaky shared queues hand what they drop to the writer's onDrop", () => {
  const oldest: number[] = [];
  const q = SharedQueue.create({ capacity: 2, full: "drop-oldest" }, (m) => oldest.push(m[0]!));
  for (const n of [1, 2, 3, 4]) assert.equal(q.offer(b(n)), true);
  assert.deepEqual(oldest, [1, 2]);
  assert.deepEqual([q.take()?.[0], q.take()?.[0]], [3, 4]);
  const newest: number[] = [];
  const r = SharedQueue.create({ capacity: 2, full: "drop-newest" }, (m) => newest.push(m[0]!));
  for (const n of [1, 2, 3, 4]) assert.equal(r.offer(b(n)), true);
  assert.deepEqual(newest, [3, 4]);
  assert.equal(r.dropped, 2);
  assert.deepEqual([r.take()?.[0], r.take()?.[0]], [1, 2]);
});

Deno.test("a closed shared queue delivers what is left, then ends, and refuses writes", async () => {
  const q = SharedQueue.create({ capacity: 4 });
  q.offer(b(7));
  q.close();
  assert.throws(() => q.offer(b(8)), (e: unknown) => (e as StreamlibError).code === "SL_EOS");
  const reader = SharedQueue.attach(q.handle);
  assert.equal(reader.closed, true);
  assert.equal((await reader.next())?.[0], 7);
  assert.equal(await reader.next(), undefined);
});

Deno.test("a blocked shared write goes on once the reader takes one", async () => {
  const q = SharedQueue.create({ capacity: 1 });
  await q.write(b(1));
  let written = false;
  const pending = q.write(b(2)).then(() => written = true);
  await Promise.resolve();
  assert.equal(written, false);
  assert.equal(SharedQueue.attach(q.handle).take()?.[0], 1);
  await pending;
  assert.equal(q.take()?.[0], 2);
});

Deno.test("a reader's wait ends at its timeout when nothing comes", async () => {
  const q = SharedQueue.create();
  assert.equal(await q.next(5), undefined);
});

Deno.test("clearing hands every waiting message to onDrop", () => {
  const q = SharedQueue.create({ capacity: 4 });
  for (const n of [1, 2, 3]) q.offer(b(n));
  const released: number[] = [];
  assert.equal(q.clear((m) => released.push(m[0]!)), 3);
  assert.deepEqual(released, [1, 2, 3]);
  assert.equal(q.dropped, 3);
  assert.equal(q.size, 0);
});

Deno.test("bad shared queue options and oversized messages fail with stable codes", () => {
  assert.equal(codeOf(() => SharedQueue.create({ capacity: 0 })), "SL_POLICY_INVALID");
  assert.equal(codeOf(() => SharedQueue.create({ full: "spill" as never })), "SL_POLICY_INVALID");
  assert.equal(codeOf(() => SharedQueue.attach({} as never)), "SL_PARAM_INVALID");
  const q = SharedQueue.create({ maxBytes: 8 });
  assert.equal(codeOf(() => q.offer(new Uint8Array(9))), "SL_MESSAGE_TOO_LARGE");
  assert.equal(q.offer(new Uint8Array(8)), true);
});

for (const seed of [1, 2]) {
  Deno.test(`across two Workers a block queue loses nothing and keeps order (seed ${seed})`, async () => {
    const q = SharedQueue.create({ capacity: 4, maxBytes: 4 });
    const count = 5_000;
    using writer = startWorker({ role: "write", kind: "queue", handle: q.handle, count, seed });
    using reader = startWorker({ role: "read", kind: "queue", handle: q.handle, seed: seed + 7 });
    await writer.result;
    const { seen } = await reader.result as { seen: number[] };
    assert.equal(seen.length, count);
    for (let i = 0; i < count; i++) if (seen[i] !== i) assert.fail(`message ${i} was ${seen[i]}`);
  });
}

Deno.test("across two Workers a drop-oldest queue keeps order and counts every loss", async () => {
  const q = SharedQueue.create({ capacity: 2, full: "drop-oldest", maxBytes: 4 });
  const count = 5_000;
  using writer = startWorker({ role: "write", kind: "queue", handle: q.handle, count, seed: 3 });
  using reader = startWorker({ role: "read", kind: "queue", handle: q.handle, seed: 4 });
  await writer.result;
  const { seen } = await reader.result as { seen: number[] };
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `out of order at ${i}`);
  assert.equal(seen.at(-1), count - 1, "the last message is never dropped");
  assert.equal(seen.length + q.dropped, count);
});
