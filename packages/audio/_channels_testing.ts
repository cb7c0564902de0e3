/**
 * Test helpers for the gain, pan and channel-mix actors: run buffers through a filter, make
 * buffers from per-channel samples.
 *
 * @module
 */

import {
  Actor,
  type AudioBuffer,
  Collect,
  type Contract,
  createAudioBuffer,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";

const _buffersContract = {
  type: "test-buffers",
  description: "Test source: writes the audio buffers it was given, one a tick",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
} as const satisfies Contract;

/** Writes `buffers[n]` on tick `n` (after `before(n)`), then ends. */
class _Buffers extends Actor<typeof _buffersContract> {
  static override contract: typeof _buffersContract = _buffersContract;
  constructor(readonly buffers: readonly AudioBuffer[], readonly before: (n: number) => void) {
    super();
  }
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    if (n >= this.buffers.length) return this.end();
    this.before(n);
    this.outputs.out.write(this.buffers[n]!);
  }
}

/**
 * Runs `buffers` through `actor` in an offline pipeline and returns what comes out.
 *
 * @param actor The filter under test.
 * @param buffers The buffers to feed it, one a tick.
 * @param before Called before buffer `n` is written (to change parameters while running).
 * @returns The buffers the filter wrote.
 */
export async function _runAudio(
  actor: Actor,
  buffers: readonly AudioBuffer[],
  before: (n: number) => void = () => {},
): Promise<AudioBuffer[]> {
  const sink = new Collect<AudioBuffer>();
  await new Pipeline({ mode: "offline" }).pipe(new _Buffers(buffers, before), actor, sink).run();
  return sink.messages;
}

/**
 * A buffer at 48 kHz with the given samples for each channel (all the same length).
 *
 * @param channels Samples of each channel.
 * @param position Index of the first sample.
 * @returns The buffer.
 */
export function _audio(channels: readonly (readonly number[])[], position = 0): AudioBuffer {
  const frames = channels[0]?.length ?? 0;
  return createAudioBuffer({
    sampleRate: 48_000,
    numberOfChannels: channels.length,
    numberOfFrames: frames,
    data: Float32Array.from(channels.flat()),
    position,
    clockId: "test",
  });
}

/**
 * The samples of each channel of `buffer`, as plain numbers.
 *
 * @param buffer The buffer.
 * @returns One array per channel.
 */
export function _channels(buffer: AudioBuffer): number[][] {
  const n = buffer.numberOfFrames;
  return Array.from(
    { length: buffer.numberOfChannels },
    (_, c) => [...buffer.data.subarray(c * n, (c + 1) * n)],
  );
}
