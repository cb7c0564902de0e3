// The receiving side of bench/cross_thread_hop.ts: takes frames one way and reports, for each,
// when it arrived (epoch ms, comparable with the sender's stamps) and a byte of its pixels.
import { SharedPool, SharedQueue } from "@streamlib/core";

/** This Worker's side of its channel (typed here: the project checks with the window's types). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

const now = (): number => performance.timeOrigin + performance.now();

scope.onmessage = async (event: MessageEvent) => {
  const job = event.data;
  if (job.mode === "wake" || job.mode === "block") {
    // The floor: nothing but a wake-up. Sleeps on a word the sender bumps and notifies, in
    // Atomics.waitAsync (its event loop running, as a Worker actor's must) or, for comparison,
    // blocked in Atomics.wait; stamps its arrival, and tells the sender through another word.
    const words = new Int32Array(job.words);
    const arrivals: number[] = [];
    for (let seen = 0;;) {
      if (job.mode === "block") Atomics.wait(words, 0, seen);
      else {
        const wait = Atomics.waitAsync(words, 0, seen);
        if (wait.async) await wait.value;
      }
      seen = Atomics.load(words, 0);
      if (seen < 0) break;
      arrivals.push(now());
      Atomics.store(words, 1, seen);
    }
    scope.postMessage({ arrivals, check: arrivals.length });
  } else if (job.mode === "shared") {
    const pool = SharedPool.attach(job.pool);
    const input = SharedQueue.attach(job.queue);
    const arrivals: number[] = [];
    let check = 0;
    for (let m = await input.next(); m !== undefined; m = await input.next()) {
      arrivals.push(now());
      const id = m[0]!;
      check += pool.view(id)[0]!;
      pool.release(id);
    }
    scope.postMessage({ arrivals, check });
  } else {
    // postMessage: clone or transfer. Frames come as messages; transfer sends the buffer back.
    const arrivals: number[] = [];
    let check = 0;
    scope.onmessage = (e: MessageEvent) => {
      if (e.data === "end") {
        scope.postMessage({ arrivals, check });
        return;
      }
      arrivals.push(now());
      const pixels = e.data as Uint8Array;
      check += pixels[0]!;
      if (job.mode === "transfer") scope.postMessage(pixels, [pixels.buffer as ArrayBuffer]);
      else scope.postMessage("ack");
    };
    scope.postMessage("ready");
  }
};
