import assert from "node:assert/strict";
import { SharedRing, type StreamlibError } from "../mod.ts";
import { startWorker } from "./_shared_testing.ts";

const b = (n: number): Uint8Array => new Uint8Array([n]);

Deno.test("a shared ring returns the newest message once and counts replaced ones", () => {
  const dropped: number[] = [];
  const ring = SharedRing.create({}, (m) => dropped.push(m[0]!));
  assert.equal(ring.take(), undefined);
  ring.offer(b(1));
  assert.equal(ring.size, 1);
  assert.equal(ring.take()?.[0], 1);
  assert.equal(ring.take(), undefined);
  for (const n of [2, 3, 4]) ring.offer(b(n));
  assert.equal(ring.take()?.[0], 4);
  assert.deepEqual(dropped, [2, 3]);
  assert.equal(ring.dropped, 2);
});

Deno.test("a closed shared ring gives its last unread message, then ends", async () => {
  const ring = SharedRing.create();
  ring.offer(b(9));
  ring.close();
  assert.throws(() => ring.offer(b(1)), (e: unknown) => (e as StreamlibError).code === "SL_EOS");
  const reader = SharedRing.attach(ring.handle);
  assert.equal((await reader.next())?.[0], 9);
  assert.equal(await reader.next(), undefined);
  assert.equal(await SharedRing.create().next(5), undefined, "times out when nothing comes");
});

Deno.test("a shared ring refuses oversized messages and foreign handles", () => {
  const ring = SharedRing.create({ maxBytes: 4 });
  assert.throws(
    () => ring.offer(new Uint8Array(5)),
    (e: unknown) => (e as StreamlibError).code === "SL_MESSAGE_TOO_LARGE",
  );
  assert.throws(
    () => SharedRing.attach({} as never),
    (e: unknown) => (e as StreamlibError).code === "SL_PARAM_INVALID",
  );
});

for (const seed of [5, 6]) {
  Deno.test(`across two Workers a shared ring never returns a stale message (seed ${seed})`, async () => {
    const ring = SharedRing.create({ maxBytes: 4 });
    const count = 5_000;
    using writer = startWorker({ role: "write", kind: "ring", handle: ring.handle, count, seed });
    using reader = startWorker({ role: "read", kind: "ring", handle: ring.handle, seed: seed * 3 });
    await writer.result;
    const { seen } = await reader.result as { seen: number[] };
    for (let i = 1; i < seen.length; i++) {
      if (!(seen[i]! > seen[i - 1]!)) assert.fail(`stale at ${i}: ${seen[i]} after ${seen[i - 1]}`);
    }
    assert.equal(seen.at(-1), count - 1, "the newest message is always delivered");
    assert.equal(seen.length + ring.dropped, count, "every message read or counted as dropped");
  });
}
