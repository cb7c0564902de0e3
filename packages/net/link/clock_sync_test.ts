import assert from "node:assert/strict";
import { Collect, DataSource, Pipeline } from "@streamlib/core";
import { ClockSync } from "./clock_sync.ts";
import { NetSink, NetSrc } from "./mod.ts";

/** A small deterministic generator (xorshift), so the jitter is the same every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Exchanges with a true offset, a base delay and random extra delay each way (µs). */
function exchanges(
  offset: number,
  base: number,
  jitter: number,
  count: number,
  seed = 7,
): Array<{ t1: number; t2: number; t3: number; t4: number }> {
  const rand = random(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const t1 = i * 1_000_000;
    const there = base + rand() * jitter;
    const held = 20 + rand() * 50;
    const back = base + rand() * jitter;
    const t2 = t1 + there + offset;
    const t3 = t2 + held;
    const t4 = t3 - offset + back;
    out.push({ t1, t2, t3, t4 });
  }
  return out;
}

Deno.test("ClockSync without jitter finds the offset exactly, bound half the round trip", () => {
  const sync = new ClockSync();
  for (const s of exchanges(123_456, 200, 0, 5)) sync.add(s);
  const e = sync.estimate()!;
  assert.equal(e.offsetUs, 123_456);
  assert.equal(e.rttUs, 400);
  assert.equal(e.boundUs, 200);
});

Deno.test("ClockSync under heavy, asymmetric jitter stays within its reported bound", () => {
  for (let seed = 1; seed <= 50; seed++) {
    const sync = new ClockSync();
    for (const s of exchanges(-5_000_000, 300, 20_000, 16, seed)) {
      sync.add(s);
      const e = sync.estimate()!;
      assert.ok(
        Math.abs(e.offsetUs - -5_000_000) <= e.boundUs,
        `seed ${seed}: ${JSON.stringify(e)}`,
      );
    }
  }
});

Deno.test("ClockSync takes the shortest round trip (min-RTT), ignores impossible samples", () => {
  const sync = new ClockSync();
  sync.add({ t1: 0, t2: 5_000, t3: 5_010, t4: 9_000 }); // a slow one
  sync.add({ t1: 10_000, t2: 10_150, t3: 10_160, t4: 10_200 }); // fast: offset 55
  sync.add({ t1: 20_000, t2: 20_000, t3: 19_000, t4: 20_100 }); // pong before ping: ignored
  const e = sync.estimate()!;
  assert.equal(e.offsetUs, 55);
  assert.equal(e.rttUs, 190);
  assert.equal(e.samples, 2);
});

// The p99 of the error on an idle loopback (≤ 100 µs) is a timing: bench:net reports it.
Deno.test("a link on loopback measures the sender's clock within the bound it reports", async () => {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
  receiver.link(src, receiver.add(new Collect()));
  await receiver.start();
  // The sender's pipeline starts later: its running time is behind the receiver's.
  const sender = new Pipeline();
  sender.pipe(new DataSource({ count: 1_000_000, fps: 20 }), new NetSink({ to: src.url! }));
  await sender.start();
  const errors: number[] = [];
  while (errors.length < 50) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const e = src.clockOffset();
    if (e === undefined) continue;
    // Both clocks are in this process: the truth is their difference now.
    const truth = sender.clock.now() - receiver.clock.now();
    const error = Math.abs(e.offsetUs - truth);
    // The two readings of "the truth" are a moment apart; on a loaded machine, up to a few ms.
    assert.ok(error <= e.boundUs + 2_000, `error ${error} µs, bound ${e.boundUs} µs`);
    errors.push(error);
  }
  await sender.stop({ mode: "abort" });
  await receiver.stop({ mode: "abort" });
});
