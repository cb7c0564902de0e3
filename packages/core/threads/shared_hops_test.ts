// Hops of pool buffers to a Worker through shared queues and rings, many streams in a row, each
// ended by a close at a seeded random moment. A close that lands between the reader's last look
// and its wait once left the reader asleep for ever (one `bench:cross-thread` run in seven
// hung); here every stream must end, all within a deadline.
import assert from "node:assert/strict";
import { SharedPool, SharedQueue, SharedRing } from "../mod.ts";
import { startWorker } from "./_shared_testing.ts";

/** Seeded xorshift, the same as the Worker's, so a failing run can be repeated. */
function random(seed: number): () => number {
  let s = seed | 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Spins for up to ~50 µs, or now and then yields to the event loop. */
async function jitter(rand: () => number): Promise<void> {
  const r = rand();
  if (r < 0.05) return await new Promise((done) => setTimeout(done, 0));
  const until = performance.now() + r * 0.05;
  while (performance.now() < until) { /* spin */ }
}

const DEADLINE_MS = 60_000;

async function hops(
  kind: "queue" | "ring",
  streams: number,
  perStream: number,
  seed: number,
): Promise<{ sent: number; frames: number; free: number }> {
  const pool = SharedPool.create({ count: 4, byteLength: 64 });
  const channels = Array.from(
    { length: streams },
    () =>
      kind === "ring"
        ? SharedRing.create({ maxBytes: 8 }, (m) => pool.release(m[0]!))
        : SharedQueue.create({ capacity: 2, maxBytes: 8 }),
  );
  using reader = startWorker({
    role: "sessions",
    kind,
    pool: pool.handle,
    handles: channels.map((c) => c.handle),
    seed: seed + 7,
  }, DEADLINE_MS);
  // The deadline also bounds the writer, which waits for buffers the Worker gives back.
  const stop = new AbortController();
  reader.result.catch((e) => stop.abort(e));
  const rand = random(seed);
  let sent = 0;
  for (const channel of channels) {
    for (let i = 0; i < perStream; i++) {
      let id = pool.acquire();
      while (id === undefined) {
        if (stop.signal.aborted) throw stop.signal.reason;
        id = await pool.acquireAsync(50);
      }
      const stamp = sent++ % 251;
      pool.view(id)[0] = stamp;
      const message = new Uint8Array([id, 0, 0, 0, stamp]);
      if (channel instanceof SharedQueue) await channel.write(message, stop.signal);
      else channel.offer(message);
      await jitter(rand);
    }
    channel.close();
    if (rand() < 0.5) await jitter(rand);
  }
  const { frames, wrong } = await reader.result as { frames: number; wrong: number };
  assert.equal(wrong, 0, "the Worker saw pixels of another frame");
  return { sent, frames, free: pool.available };
}

Deno.test("10,000 hops through shared queues, each stream closed at a random moment, all arrive in time", async () => {
  const { sent, frames, free } = await hops("queue", 500, 20, 11);
  assert.equal(sent, 10_000);
  assert.equal(frames, 10_000);
  assert.equal(free, 4, "every buffer went back to the pool");
});

Deno.test("shared rings closed at random moments always end their reader's wait", async () => {
  const { sent, frames, free } = await hops("ring", 500, 4, 12);
  assert.equal(sent, 2_000);
  assert.ok(frames > 0 && frames <= sent);
  assert.equal(free, 4, "every buffer, read or replaced, went back to the pool");
});
