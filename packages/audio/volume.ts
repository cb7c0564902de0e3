import { Actor, type Contract, type TimedTick } from "@streamlib/core";
import { _applyMatrix, type _Matrix } from "./_mix_matrix.ts";

/**
 * The contract of {@linkcode Volume}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { volumeContract } from "@streamlib/audio";
 * assert.ok(volumeContract.type === "volume");
 * assert.ok(volumeContract.params.volume.default === 1);
 * ```
 */
export const volumeContract = {
  type: "volume",
  description: "Multiplies audio by a gain, or mutes it",
  classification: "Filter/Effect/Audio",
  inputs: { in: { kind: "audio", formats: ["f32-planar"] } },
  outputs: {
    out: { kind: "audio", formats: ["f32-planar"], description: "The audio times the gain" },
  },
  params: {
    volume: {
      type: "number",
      default: 1,
      minimum: 0,
      maximum: 10,
      description: "Linear gain: 1 leaves the audio as it is, 0.5 is −6 dB, 2 is +6 dB " +
        "(no clipping: samples may pass ±1)",
    },
    mute: { type: "boolean", default: false, description: "Output silence" },
  },
} as const satisfies Contract;

/**
 * Multiplies every sample by `volume` (0 when `mute` is set), like GStreamer's `volume`. Both
 * parameters may change while running: the next buffer glides linearly from the old gain to the
 * new one, sample by sample, reaching it on its last sample, so that a change or a mute doesn't
 * click; later buffers get the new gain throughout. At gain 1 the buffers go through untouched
 * (the same objects); otherwise each output is a new buffer with the input's timing. Samples
 * are not clipped: a gain above 1 can take them past ±1.
 *
 * ```text
 * audiotestsrc ! volume volume=0.5 ! filesink location=quiet.wav
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioBuffer, Collect, Pipeline } from "@streamlib/core";
 * import { AudioTestSource, Volume } from "@streamlib/audio";
 * const sink = new Collect<AudioBuffer>();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new AudioTestSource({ wave: "square", volume: 1, buffers: 1 }), new Volume({ volume: 0.5 }), sink)
 *   .run();
 * assert.ok(sink.messages[0]!.data[0] === 0.5);
 * ```
 */
export class Volume extends Actor<typeof volumeContract> {
  /** Ports and parameters. */
  static override contract: typeof volumeContract = volumeContract;
  /** The gains of the last buffer written; none before the first. */
  #last: _Matrix | undefined;

  /** Forgets the last gain: the first buffer gets the current one throughout. */
  override start(): void {
    this.#last = undefined;
  }

  /**
   * Scales one buffer.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const buffer = this.inputs.in.read();
    if (buffer === undefined) return;
    const gain = this.params.mute ? 0 : this.params.volume;
    const channels = buffer.numberOfChannels;
    const matrix = Array.from(
      { length: channels },
      (_, o) => Array.from({ length: channels }, (_, i) => (i === o ? gain : 0)),
    );
    const from = this.#last?.length === channels ? this.#last : undefined;
    this.#last = matrix;
    this.outputs.out.write(_applyMatrix(buffer, matrix, from));
  }
}
