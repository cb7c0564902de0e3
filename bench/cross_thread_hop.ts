/**
 * The cost of handing a 1080p RGBA frame (8.3 MB) from the main thread to a Worker, three
 * ways in the same run:
 *
 *   shared:    the frame lives in a SharedPool buffer; a SharedQueue carries its 1-byte id,
 *              the Worker reads the pixels in place and releases the buffer (no copy)
 *   clone:     postMessage(frame) — structured clone copies the 8.3 MB
 *   transfer:  postMessage(frame, [frame.buffer]) — moved, and moved back for reuse
 *
 * And two floors: a Worker woken from `Atomics.waitAsync` with nothing else to do (what every
 * shared hop pays, since a Worker actor keeps its event loop), and one woken from a blocking
 * `Atomics.wait` (which a Worker with an event loop to serve cannot use).
 *
 * Latency is one way, from just before the send to the Worker's first look at the message
 * (both sides stamp `performance.timeOrigin + performance.now()`). Frames go one at a time,
 * 2 ms after the Worker released or answered the last one, so the Worker is asleep and its
 * wake-up counts, as in a live pipeline, and nothing queues. Throughput is measured in a second
 * run with no pause, the sender going as fast as buffers come back (pool of 4; one frame in
 * flight for the postMessage ways, whose sender waits for each answer).
 *
 * Run: deno run -A bench/cross_thread_hop.ts [frames, default 500]
 *
 * @module
 */

import { SharedPool, SharedQueue } from "@streamlib/core";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:cross-thread");

const FRAMES = Number(Deno.args[0] ?? 500);
const BYTES = 1920 * 1080 * 4;
const now = (): number => performance.timeOrigin + performance.now();

interface Result {
  readonly p50: number;
  readonly p99: number;
  readonly fps: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function startWorker(): Worker {
  return new Worker(new URL("./_hop_worker.ts", import.meta.url), { type: "module" });
}

function reply(worker: Worker): Promise<unknown> {
  return new Promise((resolve) => worker.onmessage = (e) => resolve(e.data));
}

async function shared(
  paced: boolean,
): Promise<{ sent: number[]; arrivals: number[]; ms: number }> {
  const pool = SharedPool.create({ count: 4, byteLength: BYTES });
  const queue = SharedQueue.create({ capacity: 4, maxBytes: 4 });
  for (let i = 0; i < pool.count; i++) pool.view(i).fill(1);
  const worker = startWorker();
  const done = reply(worker);
  worker.postMessage({ mode: "shared", pool: pool.handle, queue: queue.handle });
  const sent: number[] = [];
  const t0 = performance.now();
  for (let n = 0; n < FRAMES; n++) {
    // Paced: wait until every buffer is back, so the Worker is idle and waiting.
    if (paced) {
      while (pool.available < pool.count) await new Promise((done) => setTimeout(done, 0));
      await new Promise((done) => setTimeout(done, 2)); // the Worker is asleep by now
    }
    const id = pool.acquire() ?? await pool.acquireAsync();
    sent.push(now());
    await queue.write(new Uint8Array([id!]));
  }
  queue.close();
  const { arrivals, check } = await done as { arrivals: number[]; check: number };
  const ms = performance.now() - t0;
  worker.terminate();
  if (check !== FRAMES) throw new Error(`the Worker saw wrong pixels (${check})`);
  return { sent, arrivals, ms };
}

/** Nothing but the wake-up: the floor under any hop through shared memory. */
async function wake(
  mode: "wake" | "block",
): Promise<{ sent: number[]; arrivals: number[]; ms: number }> {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const worker = startWorker();
  const done = reply(worker);
  worker.postMessage({ mode, words: words.buffer });
  const sent: number[] = [];
  const t0 = performance.now();
  for (let n = 1; n <= FRAMES; n++) {
    while (Atomics.load(words, 1) !== n - 1) await new Promise((done) => setTimeout(done, 0));
    await new Promise((done) => setTimeout(done, 2)); // the Worker is asleep by now
    sent.push(now());
    Atomics.store(words, 0, n);
    Atomics.notify(words, 0);
  }
  while (Atomics.load(words, 1) !== FRAMES) await new Promise((done) => setTimeout(done, 0));
  Atomics.store(words, 0, -1);
  Atomics.notify(words, 0);
  const { arrivals, check } = await done as { arrivals: number[]; check: number };
  const ms = performance.now() - t0;
  worker.terminate();
  if (check !== FRAMES) throw new Error(`the Worker woke ${check} times for ${FRAMES}`);
  return { sent, arrivals, ms };
}

async function posted(
  mode: "clone" | "transfer",
  paced: boolean,
): Promise<{ sent: number[]; arrivals: number[]; ms: number }> {
  const worker = startWorker();
  let next = reply(worker);
  worker.postMessage({ mode });
  await next;
  let frame = new Uint8Array(BYTES).fill(1);
  const sent: number[] = [];
  const t0 = performance.now();
  for (let n = 0; n < FRAMES; n++) {
    if (paced) await new Promise((done) => setTimeout(done, 2)); // as for shared: Worker idle
    next = reply(worker);
    sent.push(now());
    if (mode === "transfer") worker.postMessage(frame, [frame.buffer]);
    else worker.postMessage(frame);
    const answer = await next;
    if (mode === "transfer") frame = answer as Uint8Array<ArrayBuffer>;
  }
  next = reply(worker);
  worker.postMessage("end");
  const { arrivals, check } = await next as { arrivals: number[]; check: number };
  const ms = performance.now() - t0;
  worker.terminate();
  if (check !== FRAMES) throw new Error(`the Worker saw wrong pixels (${check})`);
  return { sent, arrivals, ms };
}

function summarize(run: { sent: number[]; arrivals: number[] }, ms: number): Result {
  const latency = run.arrivals.map((t, i) => (t - run.sent[i]!) * 1000).sort((a, b) => a - b);
  return { p50: quantile(latency, 0.5), p99: quantile(latency, 0.99), fps: FRAMES / (ms / 1000) };
}

function print(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

const results: Record<string, Result> = {};
for (const mode of ["wake", "block"] as const) {
  const floor = await wake(mode);
  results[mode] = summarize(floor, floor.ms);
}
{
  const paced = await shared(true);
  const fast = await shared(false);
  results.shared = { ...summarize(paced, paced.ms), fps: FRAMES / (fast.ms / 1000) };
}
for (const mode of ["clone", "transfer"] as const) {
  const paced = await posted(mode, true);
  const fast = await posted(mode, false);
  results[mode] = { ...summarize(paced, paced.ms), fps: FRAMES / (fast.ms / 1000) };
}
for (const [name, r] of Object.entries(results)) {
  print(
    `${name.padEnd(9)} p50 ${r.p50.toFixed(1).padStart(8)} µs  p99 ${
      r.p99.toFixed(1).padStart(8)
    } µs  ${r.fps.toFixed(0).padStart(6)} fps`,
  );
}
const w = results.wake!;
const b = results.block!;
const s = results.shared!;
const c = results.clone!;
const t = results.transfer!;
print(
  `cross-thread-hop: 1080p RGBA, shared p50 ${s.p50.toFixed(0)} µs p99 ${s.p99.toFixed(0)} µs ${
    s.fps.toFixed(0)
  } fps, ` +
    `clone p50 ${c.p50.toFixed(0)} µs ${c.fps.toFixed(0)} fps, transfer p50 ${
      t.p50.toFixed(0)
    } µs ${t.fps.toFixed(0)} fps, ` +
    `p50 ${(c.p50 / s.p50).toFixed(0)}× under clone, wake-up alone p50 ${
      w.p50.toFixed(0)
    } µs (shared ${(s.p50 / w.p50).toFixed(2)}×; a blocked Atomics.wait ${b.p50.toFixed(0)} µs)`,
);
