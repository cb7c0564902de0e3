/**
 * Upstream-clock regression tests: actors that tick on their inputs' time keep the tail their
 * inputs cover, are not frozen by late writes, and leave no abort listener behind (each once a
 * defect found in review). Bounded waits only, no real sleeps.
 */
import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import type { DataMessage } from "../messages.ts";
import { createDataMessage } from "../create_messages.ts";
import { Pipeline } from "./pipeline.ts";
import { UpstreamClock } from "../clock/upstream_clock.ts";
import type { _nextMacrotask } from "../_yield.ts";
import { turns, watch } from "../_testing.ts";

// ---------------------------------------------------------------------------------------------
// 7. UpstreamClock leaks an abort listener per completed sleep.

Deno.test("UpstreamClock.sleepUntil() removes its abort listener when the sleep resolves", async () => {
  const clock = new UpstreamClock();
  const upstream = {};
  clock.track(upstream);
  let listeners = 0;
  const signal = {
    aborted: false,
    reason: undefined,
    addEventListener: () => listeners++,
    removeEventListener: () => listeners--,
  } as unknown as AbortSignal;
  for (let i = 1; i <= 1000; i++) {
    const sleep = clock.sleepUntil(i, signal);
    clock.observe(upstream, i);
    await sleep;
  }
  // The pipeline passes one abort signal, alive for the whole run, to every tick's sleep:
  // a listener left per tick grows without bound.
  assert.equal(listeners, 0, `${listeners} listeners still attached after 1000 completed sleeps`);
});

// ---------------------------------------------------------------------------------------------
// 9. Upstream-clock actors: the last ticks the inputs still cover are lost.

const holdContract = {
  type: "hold",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  schedule: "tick",
  clock: "upstream",
} as const satisfies Contract;

/** Upsamples: on every tick, emits the newest input value whose time has come (sample & hold). */
class Hold extends Actor<typeof holdContract> {
  static override contract = holdContract;
  #last: unknown = undefined;
  process(tick: TimedTick): void {
    for (
      let m = this.inputs.in.peek();
      m && m.timestamp <= tick.timestamp;
      m = this.inputs.in.peek()
    ) {
      this.#last = this.inputs.in.read()!.value;
    }
    this.outputs.out.write(
      createDataMessage(this.#last, { timestamp: tick.timestamp, position: tick.frameNumber }),
    );
  }
}

Deno.test("An upstream-clock actor produces every tick its inputs cover before finishing (upsampling keeps the tail)", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<DataMessage>();
  // 3 values at 10 fps cover 0–300 ms; sampled at 20 fps that is ticks 0..5 (0, 50, …, 250 ms).
  const hold = pipeline.add(new Hold(), { fps: 20 });
  pipeline.pipe(new DataSource({ count: 3, fps: 10 }), hold, sink);
  const w = watch(pipeline);
  await pipeline.start();
  await pipeline.idle();
  await turns();
  assert.equal(w.outcome(), "resolved:eos");
  assert.deepEqual(sink.messages.map((m) => m.timestamp), [
    0,
    50_000,
    100_000,
    150_000,
    200_000,
    250_000,
  ]);
  assert.deepEqual(sink.messages.map((m) => m.value), [0, 0, 1, 1, 2, 2]);
});

// ---------------------------------------------------------------------------------------------
// 20. Upstream clock: a write admitted after its link's end-of-stream re-tracks the input.

const demuxContract = {
  type: "demux",
  outputs: { video: { kind: "data" }, audio: { kind: "data" } },
} as const satisfies Contract;

/** Video ends after 3 frames (Output.end(), as documented for demuxers); audio goes on to 20. */
class Demux extends Actor<typeof demuxContract> {
  static override contract = demuxContract;
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    const opts = { timestamp: tick.timestamp, duration: tick.duration, position: n };
    if (n < 3) {
      this.outputs.video.write(createDataMessage(`v${n}`, opts));
      if (n === 2) this.outputs.video.end(); // the last video frame may still wait for space
    }
    this.outputs.audio.write(createDataMessage(`a${n}`, opts));
    if (n === 19) this.end();
  }
}

const zipContract = {
  type: "zip",
  inputs: { a: { kind: "data" }, b: { kind: "data" } },
  schedule: "tick",
  clock: "upstream",
} as const satisfies Contract;

class Zip extends Actor<typeof zipContract> {
  static override contract = zipContract;
  readonly frames: string[] = [];
  process(tick: TimedTick): void {
    const got: string[] = [];
    for (const input of [this.inputs.a, this.inputs.b]) {
      for (let m = input.peek(); m && m.timestamp <= tick.timestamp; m = input.peek()) {
        got.push(String(input.read()!.value));
      }
    }
    this.frames.push(got.join(","));
  }
}

Deno.test("An upstream clock is not frozen by a write admitted after its input ended", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const demux = pipeline.add(new Demux(), { name: "demux", fps: 10 });
  const zip = pipeline.add(new Zip(), {
    name: "zip",
    fps: 10,
    inputs: { a: { policy: "queue:1:block" } },
  });
  pipeline.connect(demux.outputs.video, zip.inputs.a);
  pipeline.connect(demux.outputs.audio, zip.inputs.b);
  const w = watch(pipeline);
  await pipeline.start();
  await pipeline.idle();
  await turns();
  const frames = zip.frames.length;
  const outcome = w.outcome();
  if (!w.settled()) await pipeline.stop({ mode: "abort" });
  assert.equal(outcome, "resolved:eos", `stuck after ${frames} zip frames`);
  assert.equal(frames, 20);
});
