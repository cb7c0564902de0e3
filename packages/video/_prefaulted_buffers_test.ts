import assert from "node:assert/strict";
import { _PrefaultedBuffers } from "./_prefaulted_buffers.ts";

/** Runs `body` with `globalThis.Worker` counting the workers made and terminated. */
async function countingWorkers(
  body: (counts: { made: number; terminated: number }) => void | Promise<void>,
): Promise<void> {
  const counts = { made: 0, terminated: 0 };
  const Real = globalThis.Worker;
  globalThis.Worker = class extends Real {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      counts.made++;
    }
    override terminate(): void {
      counts.terminated++;
      super.terminate();
    }
  };
  try {
    await body(counts);
  } finally {
    globalThis.Worker = Real;
  }
}

Deno.test("_PrefaultedBuffers.take() returns a fresh zero-filled buffer of the size asked each time", () => {
  const pool = new _PrefaultedBuffers({ keep: 2, minBytes: 1 << 16 });
  try {
    const seen = new Set<ArrayBuffer>();
    for (let i = 0; i < 20; i++) {
      const size = i < 10 ? 1 << 17 : 3 << 16;
      const buffer = pool.take(size);
      assert.equal(buffer.byteLength, size);
      assert.ok(!seen.has(buffer));
      seen.add(buffer);
      const bytes = new Uint8Array(buffer);
      assert.ok(bytes.every((b) => b === 0));
      bytes.fill(7); // the taker's to keep and write
    }
  } finally {
    pool.close();
  }
});

Deno.test("_PrefaultedBuffers starts a worker only for large buffers and close() terminates it", async () => {
  await countingWorkers((counts) => {
    const pool = new _PrefaultedBuffers({ minBytes: 1 << 20 });
    assert.equal(pool.take(1000).byteLength, 1000);
    assert.equal(counts.made, 0);
    pool.take(1 << 20);
    pool.take(1 << 20);
    assert.equal(counts.made, 1);
    assert.ok(pool.running);
    pool.close();
    assert.equal(counts.terminated, 1);
    assert.ok(!pool.running);
    // Closed: takes still work, without a worker.
    assert.equal(pool.take(1 << 20).byteLength, 1 << 20);
    assert.equal(counts.made, 1);
  });
});
