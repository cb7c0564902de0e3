// A Worker for the shared ring, queue and pool tests: plays one side under randomized timing
// and posts back what it saw.
import { SharedPool, SharedQueue, SharedRing } from "../mod.ts";

/** This Worker's side of its channel (typed here: the project checks with the window's types). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

/** Seeded xorshift, so a failing run can be repeated. */
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

function u32(n: number): Uint8Array {
  return new Uint8Array(new Uint32Array([n]).buffer);
}
function read32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
}

scope.onmessage = async (event: MessageEvent) => {
  const job = event.data;
  const rand = random(job.seed);
  if (job.role === "write") {
    const out = job.kind === "ring"
      ? SharedRing.attach(job.handle)
      : SharedQueue.attach(job.handle);
    for (let i = 0; i < job.count; i++) {
      if (out instanceof SharedQueue) await out.write(u32(i));
      else out.offer(u32(i));
      await jitter(rand);
    }
    out.close();
    scope.postMessage({ done: true });
  } else if (job.role === "read") {
    const input = job.kind === "ring"
      ? SharedRing.attach(job.handle)
      : SharedQueue.attach(job.handle);
    const seen: number[] = [];
    for (let m = await input.next(); m !== undefined; m = await input.next()) {
      seen.push(read32(m));
      await jitter(rand);
    }
    scope.postMessage({ seen });
  } else if (job.role === "consume") {
    // A frame consumer: checks each buffer holds its frame's number, then releases it.
    const pool = SharedPool.attach(job.pool);
    const input = SharedQueue.attach(job.handle);
    let frames = 0;
    let wrong = 0;
    for (let m = await input.next(); m !== undefined; m = await input.next()) {
      const id = read32(m.subarray(0, 4));
      const n = read32(m.subarray(4, 8));
      const view = new Uint32Array(pool.view(id).buffer, pool.view(id).byteOffset, 16);
      if (view[0] !== n || view[15] !== n) wrong++;
      await jitter(rand);
      pool.release(id);
      frames++;
    }
    scope.postMessage({ frames, wrong });
  } else if (job.role === "sessions") {
    // The far side of many short streams, one after the other, each ended by the writer's close
    // at a random moment: a consumer as above, but it must see every close, or it sleeps for ever.
    const pool = SharedPool.attach(job.pool);
    let frames = 0;
    let wrong = 0;
    for (const handle of job.handles) {
      const input = job.kind === "ring" ? SharedRing.attach(handle) : SharedQueue.attach(handle);
      for (let m = await input.next(); m !== undefined; m = await input.next()) {
        const id = read32(m.subarray(0, 4));
        if (pool.view(id)[0] !== m[4]) wrong++;
        await jitter(rand);
        pool.release(id);
        frames++;
      }
    }
    scope.postMessage({ frames, wrong });
  }
};
