/**
 * Test helpers: a source that sends given audio buffers, a pipeline run through one actor, and
 * cutting a signal into buffers.
 *
 * @module
 */

import {
  Actor,
  type AudioBuffer,
  Collect,
  type Contract,
  createAudioBuffer,
  type Input,
  type Message,
  type Output,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";

const feedContract = {
  type: "feed",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
} as const satisfies Contract;

/** Sends the buffers it was given, one a tick, then ends. */
export class Feed extends Actor<typeof feedContract> {
  static override contract: typeof feedContract = feedContract;
  readonly buffers: readonly AudioBuffer[];
  constructor(buffers: readonly AudioBuffer[]) {
    super();
    this.buffers = buffers;
  }
  process(tick: TimedTick): void {
    const buffer = this.buffers[tick.frameNumber];
    if (buffer !== undefined) this.outputs.out.write(buffer);
    if (tick.frameNumber + 1 >= this.buffers.length) this.end();
  }
}

/** Runs `buffers` through `actor` offline and returns what each of its outputs wrote. */
export async function runThrough(
  actor: Actor,
  buffers: readonly AudioBuffer[],
): Promise<Record<string, Message[]>> {
  const pipeline = new Pipeline({ mode: "offline" });
  const feed = pipeline.add(new Feed(buffers));
  pipeline.add(actor);
  pipeline.connect(feed.outputs.out, (actor.inputs as Record<string, Input>).in!);
  const collected: Record<string, Collect> = {};
  for (const [name, output] of Object.entries(actor.outputs as Record<string, Output>)) {
    collected[name] = pipeline.add(new Collect());
    pipeline.connect(output, collected[name].inputs.in);
  }
  await pipeline.run();
  return Object.fromEntries(Object.entries(collected).map(([k, c]) => [k, [...c.messages]]));
}

/** A deterministic pseudo-random generator (mulberry32), uniform in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Cuts channels into buffers of the given sizes (cycled), from input position `position`.
 */
export function cut(
  channels: readonly Float32Array[],
  sampleRate: number,
  sizes: readonly number[],
  position = 0,
): AudioBuffer[] {
  const total = channels[0]!.length;
  const out: AudioBuffer[] = [];
  for (let at = 0, i = 0; at < total; i++) {
    const n = Math.min(sizes[i % sizes.length]!, total - at);
    const buffer = createAudioBuffer({
      sampleRate,
      numberOfChannels: channels.length,
      numberOfFrames: n,
      position: position + at,
      clockId: "test",
    });
    channels.forEach((channel, c) => buffer.data.set(channel.subarray(at, at + n), c * n));
    out.push(buffer);
    at += n;
  }
  return out;
}

/** The channels of consecutive buffers, joined. */
export function join(buffers: readonly AudioBuffer[]): Float32Array[] {
  const channels = buffers[0]?.numberOfChannels ?? 0;
  const total = buffers.reduce((n, b) => n + b.numberOfFrames, 0);
  return Array.from({ length: channels }, (_, c) => {
    const out = new Float32Array(total);
    let at = 0;
    for (const b of buffers) {
      out.set(b.data.subarray(c * b.numberOfFrames, (c + 1) * b.numberOfFrames), at);
      at += b.numberOfFrames;
    }
    return out;
  });
}
