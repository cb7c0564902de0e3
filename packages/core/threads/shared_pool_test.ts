import assert from "node:assert/strict";
import { SharedPool, SharedQueue } from "../mod.ts";
import { codeOf, startWorker } from "./_shared_testing.ts";

Deno.test("a pool hands out each buffer once until it is released", () => {
  const pool = SharedPool.create({ count: 2, byteLength: 10 });
  assert.equal(pool.byteLength, 64, "buffers start on 64-byte lines");
  const a = pool.acquire()!;
  const b = pool.acquire()!;
  assert.notEqual(a, b);
  assert.equal(pool.acquire(), undefined, "exhausted: never grows");
  pool.release(a);
  assert.equal(pool.acquire(), a);
  assert.equal(pool.available, 0);
});

Deno.test("a buffer with several references is free only after the last release", () => {
  const pool = SharedPool.create({ count: 1, byteLength: 4 });
  const id = pool.acquire()!;
  pool.retain(id, 2);
  assert.equal(pool.refs(id), 3);
  pool.release(id);
  pool.release(id);
  assert.equal(pool.available, 0);
  pool.release(id);
  assert.equal(pool.available, 1);
  assert.equal(codeOf(() => pool.release(id)), "SL_POOL_RELEASE", "released twice");
  assert.equal(codeOf(() => pool.retain(id)), "SL_POOL_RELEASE", "retaining a free buffer");
  assert.equal(pool.refs(id), 0, "a bad release leaves the count alone");
  assert.equal(codeOf(() => pool.view(1)), "SL_POOL_RELEASE");
});

Deno.test("views of a pool are the same memory on every side, and found by idOf", () => {
  const pool = SharedPool.create({ count: 3, byteLength: 64 });
  const other = SharedPool.attach(pool.handle);
  const id = pool.acquire()!;
  pool.view(id).set([1, 2, 3]);
  assert.deepEqual([...other.view(id).subarray(0, 3)], [1, 2, 3]);
  assert.equal(other.idOf(pool.view(id).subarray(10, 20)), id);
  assert.equal(pool.idOf(new Uint8Array(4)), undefined);
  assert.equal(codeOf(() => SharedPool.attach({} as never)), "SL_PARAM_INVALID");
  assert.equal(codeOf(() => SharedPool.create({ count: 0, byteLength: 1 })), "SL_PARAM_INVALID");
});

Deno.test("a wait for a buffer ends when another side releases one, or at its timeout", async () => {
  const pool = SharedPool.create({ count: 1, byteLength: 4 });
  const id = pool.acquire()!;
  assert.equal(await pool.acquireAsync(5), undefined);
  const waiting = pool.acquireAsync(10_000);
  SharedPool.attach(pool.handle).release(id);
  assert.equal(await waiting, id);
});

Deno.test("10,000 1080p frames fanned out to two Worker consumers all return to the pool", async () => {
  const pool = SharedPool.create({ count: 4, byteLength: 1920 * 1080 * 4 });
  const queues = [0, 1].map(() => SharedQueue.create({ capacity: 2, maxBytes: 8 }));
  using first = startWorker({
    role: "consume",
    pool: pool.handle,
    handle: queues[0]!.handle,
    seed: 1,
  }, 60_000);
  using second = startWorker({
    role: "consume",
    pool: pool.handle,
    handle: queues[1]!.handle,
    seed: 2,
  }, 60_000);
  const frames = 10_000;
  for (let n = 0; n < frames; n++) {
    const id = pool.acquire() ?? await pool.acquireAsync(10_000);
    if (id === undefined) assert.fail(`no buffer came back for frame ${n}`);
    const words = new Uint32Array(pool.view(id).buffer, pool.view(id).byteOffset, 16);
    words[0] = n;
    words[15] = n;
    pool.retain(id); // two consumers
    const descriptor = new Uint8Array(new Uint32Array([id, n]).buffer);
    for (const q of queues) await q.write(descriptor);
  }
  for (const q of queues) q.close();
  for (const r of [await first.result, await second.result]) {
    assert.deepEqual(r, { frames, wrong: 0 });
  }
  assert.equal(pool.available, pool.count);
});
