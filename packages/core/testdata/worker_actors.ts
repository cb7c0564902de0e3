// Actors the Worker dispatch tests run in Workers (and, for comparison, on the main thread).
import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { createVideoFrame, type DataMessage, type VideoFrame } from "../messages.ts";
import { createDataMessage } from "../create_messages.ts";
import { _memory } from "../threads/_frame_memory.ts";
import type { Input } from "../graph/ports.ts";

const markContract = {
  type: "mark",
  inputs: { in: { kind: "video" } },
  outputs: { out: { kind: "video" } },
  params: { add: { type: "integer", default: 1 } },
} as const satisfies Contract;

/**
 * Writes a new frame whose first byte is the input's plus `add`, whose second byte is the MiB
 * of pools its thread holds, and whose last byte says whether the input was in shared memory.
 */
export class Mark extends Actor<typeof markContract> {
  static override contract: typeof markContract = markContract;
  process(_tick: TimedTick): void | Promise<void> {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const out = createVideoFrame({
      format: frame.format,
      codedWidth: frame.codedWidth,
      codedHeight: frame.codedHeight,
      timestamp: frame.timestamp,
      duration: frame.duration,
      position: frame.position,
    });
    out.data.set(frame.data);
    out.data[0] = (frame.data[0]! + this.params.add) & 255;
    out.data[1] = Math.min(255, Math.ceil(_memory.ownBytes / 2 ** 20));
    out.data[out.data.length - 1] = frame.data.buffer instanceof SharedArrayBuffer ? 1 : 0;
    return this.outputs.out.write(out);
  }
}

const mathContract = {
  type: "math",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  params: {
    factor: { type: "number", default: 2 },
    failOn: { type: "number", default: -1 },
    crashOn: { type: "number", default: -1 },
  },
} as const satisfies Contract;

/** Multiplies by `factor`; throws on `failOn`; kills its thread (an uncaught error) on `crashOn`. */
export class MathActor extends Actor<typeof mathContract> {
  static override contract: typeof mathContract = mathContract;
  started = 0;
  override start(): void {
    this.started++;
  }
  process(_tick: TimedTick): void | Promise<void> {
    const m = this.inputs.in.read() as DataMessage<number> | undefined;
    if (m === undefined) return;
    if (m.value === this.params.failOn) throw new Error(`fails on ${m.value}`);
    if (m.value === this.params.crashOn) {
      // An error nobody catches, outside any call: the thread dies.
      setTimeout(() => {
        throw new Error("crashed");
      });
      return new Promise(() => {});
    }
    return this.outputs.out.write({
      ...m,
      value: m.value * this.params.factor,
      topic: `${this.clock.id}|${this.mode}|${this.address}`,
    });
  }
}

const frameSourceContract = {
  type: "framesrc",
  outputs: { out: { kind: "video" } },
  params: { count: { type: "integer", default: 3 }, fps: { type: "number", default: 10 } },
} as const satisfies Contract;

/** Writes `count` 640×360 RGBA frames (first byte = frame number), then ends. */
export class FrameSource extends Actor<typeof frameSourceContract> {
  static override contract: typeof frameSourceContract = frameSourceContract;
  #n = 0;
  process(tick: TimedTick): void | Promise<void> {
    if (this.#n === this.params.count) return this.end();
    const frame: VideoFrame = createVideoFrame({
      format: "RGBA",
      codedWidth: 640,
      codedHeight: 360,
      timestamp: tick.timestamp,
      duration: tick.duration,
      position: tick.frameNumber,
    });
    frame.data[0] = this.#n++;
    return this.outputs.out.write(frame);
  }
}

const hangContract = {
  type: "hang",
  inputs: { in: { kind: "data" } },
  params: {
    where: { type: "string", default: "start" },
    stopFile: { type: "string", default: "" },
    loopMs: { type: "number", default: 0 },
  },
} as const satisfies Contract;

/**
 * Never returns from one hook: `start` (a promise that never settles), `start-loop` (a
 * synchronous endless loop) or `process`; or `process-loop`: a busy loop in `process()` that
 * nothing can interrupt, for `loopMs`. Its hooks write what they reached to `stopFile`:
 * "starting", "processing", then "stopped".
 */
export class Hang extends Actor<typeof hangContract> {
  static override contract: typeof hangContract = hangContract;
  override start(): void | Promise<void> {
    if (this.params.stopFile !== "") Deno.writeTextFileSync(this.params.stopFile, "starting");
    if (this.params.where === "start") return new Promise(() => {});
    if (this.params.where === "start-loop") {
      for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  process(_tick: TimedTick): void | Promise<void> {
    this.inputs.in.read();
    if (this.params.stopFile !== "") Deno.writeTextFileSync(this.params.stopFile, "processing");
    if (this.params.where === "process") return new Promise(() => {});
    if (this.params.where === "process-loop") {
      const end = Date.now() + this.params.loopMs;
      while (Date.now() < end) { /* busy: neither terminate() nor a message gets in */ }
    }
  }
  override stop(): void {
    if (this.params.stopFile !== "") Deno.writeTextFileSync(this.params.stopFile, "stopped");
  }
}

const weighContract = {
  type: "weigh",
  inputs: {
    "in_%u": {
      kind: "data",
      presence: "request",
      params: {
        weight: { type: "number", default: 1 },
        mute: { type: "boolean", default: false },
        lag: { type: "number", default: 0, unit: "s" },
      },
    },
  },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/**
 * Multiplies each message by its input's `weight` (nothing when `mute`); the topic says which
 * input, and how many port-parameter changes this actor has been told of. A released input is
 * announced on `out` (topic `released|<input>`).
 */
export class Weigh extends Actor<typeof weighContract> {
  static override contract: typeof weighContract = weighContract;
  #told = 0;
  override padParamsChanged(_pad: string, changed: readonly string[]): void {
    this.#told += changed.length;
  }
  /** Says which input it let go of, as a message topic `released|in_1`. */
  override inputReleased(input: string): void {
    void this.outputs.out.write(createDataMessage(0, { topic: `released|${input}` }));
  }
  process(_tick: TimedTick): void | Promise<void> {
    for (const input of Object.values(this.inputs) as Input[]) {
      const m = input.read() as DataMessage<number> | undefined;
      if (m === undefined || input.params.mute === true) continue;
      return this.outputs.out.write({
        ...m,
        value: m.value * (input.params.weight as number),
        topic: `${input.name}|${this.#told}`,
      });
    }
  }
}
