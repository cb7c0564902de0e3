import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { _macrotask, _nextMacrotask } from "./_yield.ts";

/** Queues a chain of `steps` microtasks, each queuing the next; resolves after the last. */
function microtaskChain(steps: number, log: string[]): Promise<void> {
  return new Promise((resolve) => {
    let left = steps;
    const step = (): void => {
      if (--left === 0) {
        log.push(`microtask chain of ${steps} done`);
        resolve();
      } else {
        queueMicrotask(step);
      }
    };
    queueMicrotask(step);
  });
}

Deno.test("_macrotask never runs its callback synchronously", async () => {
  let ran = false;
  const done = new Promise<void>((resolve) =>
    _macrotask(() => {
      ran = true;
      resolve();
    })
  );
  assert.equal(ran, false);
  await done;
  assert.equal(ran, true);
});

Deno.test("_macrotask runs after every pending microtask, even a chain of 1000 queued after it", async () => {
  const log: string[] = [];
  const done = new Promise<void>((resolve) =>
    _macrotask(() => {
      log.push("macrotask");
      resolve();
    })
  );
  const chain = microtaskChain(1000, log);
  const promises = Promise.resolve().then(() => log.push("promise job"));
  await Promise.all([done, chain, promises]);
  assert.deepEqual(log, ["promise job", "microtask chain of 1000 done", "macrotask"]);
});

Deno.test("_macrotask runs callbacks in the order they were queued", async () => {
  const order: number[] = [];
  await new Promise<void>((resolve) => {
    for (let i = 0; i < 10; i++) {
      _macrotask(() => {
        order.push(i);
        if (i === 9) resolve();
      });
    }
  });
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("Microtasks queued by one macrotask run before the next macrotask", async () => {
  const log: string[] = [];
  await new Promise<void>((resolve) => {
    _macrotask(() => {
      log.push("first");
      queueMicrotask(() => log.push("microtask of first"));
      _macrotask(() => {
        log.push("queued by first");
        resolve();
      });
    });
    _macrotask(() => log.push("second"));
  });
  assert.deepEqual(log, ["first", "microtask of first", "second", "queued by first"]);
});

Deno.test("_nextMacrotask resolves with undefined after pending microtasks", async () => {
  const log: string[] = [];
  const next = _nextMacrotask().then((value) => {
    log.push("next macrotask");
    return value;
  });
  const chain = microtaskChain(1000, log);
  assert.equal(await next, undefined);
  await chain;
  assert.deepEqual(log, ["microtask chain of 1000 done", "next macrotask"]);
});

Deno.test("_nextMacrotask in a loop yields once per turn", async () => {
  const log: string[] = [];
  const loop = (async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await _nextMacrotask();
      log.push(`turn ${i}`);
    }
  })();
  const other = (async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await _nextMacrotask();
      log.push(`other ${i}`);
    }
  })();
  await Promise.all([loop, other]);
  // The two loops take turns: neither runs two turns in a row.
  assert.deepEqual(log, ["turn 0", "other 0", "turn 1", "other 1", "turn 2", "other 2"]);
});

Deno.test("_macrotask keeps working while fake timers are installed", async () => {
  const clock = FakeTimers.install();
  try {
    let fired = false;
    setTimeout(() => fired = true, 0);
    // Resolves without clock.tick(): it does not go through the (faked) timers.
    await _nextMacrotask();
    await new Promise<void>((resolve) => _macrotask(resolve));
    assert.equal(fired, false, "the faked setTimeout waits for the fake clock");
    clock.tick(0);
    assert.equal(fired, true);
  } finally {
    clock.uninstall();
  }
});
