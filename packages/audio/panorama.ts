import { Actor, type Contract, StreamlibError, type TimedTick } from "@streamlib/core";
import { _applyMatrix, type _Matrix } from "./_mix_matrix.ts";

/**
 * The contract of {@linkcode Panorama}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { panoramaContract } from "@streamlib/audio";
 * assert.ok(panoramaContract.type === "audiopanorama");
 * ```
 */
export const panoramaContract = {
  type: "audiopanorama",
  description: "Places mono audio in the stereo field (constant power) or sets the balance of " +
    "stereo audio",
  classification: "Filter/Effect/Audio",
  inputs: { in: { kind: "audio", formats: ["f32-planar"], description: "Mono or stereo" } },
  outputs: { out: { kind: "audio", formats: ["f32-planar"], description: "Stereo" } },
  params: {
    panorama: {
      type: "number",
      default: 0,
      minimum: -1,
      maximum: 1,
      description: "Position: −1 full left, 0 centre, 1 full right",
    },
  },
} as const satisfies Contract;

/**
 * Pans audio, like GStreamer's `audiopanorama`, always giving stereo:
 *
 * - mono in: constant-power pan, `L = sin((1 − p)·π/4) · x` and `R = sin((1 + p)·π/4) · x` for
 *   `panorama` p, so that `L² + R² = x²` wherever the sound sits: −3 dB (0.7071) on each side at
 *   the centre, 1 and 0 at the ends;
 * - stereo in: balance, which only ever lowers one side: left of centre the right channel is
 *   scaled by `1 + p`, right of centre the left by `1 − p`; at the centre both pass unchanged
 *   (the same buffers go through).
 *
 * Other channel counts fail with `SL_AUDIO_FORMAT` (mix them down with `channelmix` first).
 * `panorama` may change while running: the next buffer glides linearly from the old gains to
 * the new ones, sample by sample, so that a move doesn't click.
 *
 * ```text
 * audiotestsrc channels=1 ! audiopanorama panorama=-0.5 ! filesink location=left.wav
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioBuffer, Collect, Pipeline } from "@streamlib/core";
 * import { AudioTestSource, Panorama } from "@streamlib/audio";
 * const sink = new Collect<AudioBuffer>();
 * const mono = new AudioTestSource({ wave: "square", volume: 1, channels: 1, buffers: 1 });
 * await new Pipeline({ mode: "offline" }).pipe(mono, new Panorama({ panorama: 1 }), sink).run();
 * const out = sink.messages[0]!;
 * assert.ok(out.numberOfChannels === 2);
 * assert.ok(out.data[0] === 0 && out.data[out.numberOfFrames] === 1);
 * ```
 */
export class Panorama extends Actor<typeof panoramaContract> {
  /** Ports and parameters. */
  static override contract: typeof panoramaContract = panoramaContract;
  /** The gains of the last buffer written; none before the first. */
  #last: _Matrix | undefined;

  /** Forgets the last gains: the first buffer gets the current ones throughout. */
  override start(): void {
    this.#last = undefined;
  }

  /**
   * Pans one buffer.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const buffer = this.inputs.in.read();
    if (buffer === undefined) return;
    const channels = buffer.numberOfChannels;
    if (channels !== 1 && channels !== 2) {
      throw new StreamlibError(
        "SL_AUDIO_FORMAT",
        `"${this.name}" pans mono or stereo audio, got ${channels} channels; put ` +
          `"channelmix channels=2" before it`,
      );
    }
    const matrix = panoramaGains(this.params.panorama, channels);
    const from = this.#last?.[0]?.length === channels ? this.#last : undefined;
    this.#last = matrix;
    this.outputs.out.write(_applyMatrix(buffer, matrix, from));
  }
}

/**
 * The gains {@linkcode Panorama} applies at position `panorama` to audio of `channels`
 * channels (1 or 2), as `[[left from each input], [right from each input]]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { panoramaGains } from "@streamlib/audio";
 * const [[left], [right]] = panoramaGains(0, 1);
 * assert.ok(Math.abs(left! - Math.SQRT1_2) < 1e-15 && left === right);
 * assert.ok(panoramaGains(-0.5, 2).join(";") === "1,0;0,0.5");
 * ```
 *
 * @param panorama Position, −1 (left) to 1 (right).
 * @param channels Input channels: 1 (pan) or 2 (balance).
 * @returns Two rows of gains, one for each output channel.
 */
export function panoramaGains(
  panorama: number,
  channels: 1 | 2,
): [left: number[], right: number[]] {
  const p = Math.max(-1, Math.min(1, panorama));
  if (channels === 1) {
    return [[Math.sin(((1 - p) * Math.PI) / 4)], [Math.sin(((1 + p) * Math.PI) / 4)]];
  }
  return [[p > 0 ? 1 - p : 1, 0], [0, p < 0 ? 1 + p : 1]];
}
