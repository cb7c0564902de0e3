import {
  Actor,
  type Contract,
  type ContractParams,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { _applyMatrix } from "./_mix_matrix.ts";

/**
 * The contract of {@linkcode ChannelMix}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelMixContract } from "@streamlib/audio";
 * assert.ok(channelMixContract.type === "channelmix");
 * ```
 */
export const channelMixContract = {
  type: "channelmix",
  description: "Converts audio between mono, stereo and 5.1 (ITU-R BS.775 downmix)",
  classification: "Filter/Converter/Audio",
  inputs: {
    in: { kind: "audio", formats: ["f32-planar"], description: "Mono, stereo or 5.1" },
  },
  outputs: {
    out: { kind: "audio", formats: ["f32-planar"], description: "`channels` channels" },
  },
  params: {
    channels: {
      type: "integer",
      default: 2,
      minimum: 1,
      maximum: 6,
      description: "Channels out: 1 (mono), 2 (stereo) or 6 (5.1: L R C LFE Ls Rs)",
    },
  },
} as const satisfies Contract;

/** The channel counts {@linkcode ChannelMix} converts between. */
const _LAYOUTS = [1, 2, 6] as const;

/**
 * Converts between mono, stereo and 5.1 (channel order L R C LFE Ls Rs, as in WAV and ffmpeg),
 * like the channel mixing of GStreamer's `audioconvert`. Each output is a new buffer with the
 * input's timing; input that already has `channels` channels goes through untouched.
 *
 * - mono → stereo: the same signal on both sides; stereo → mono: `(L + R) / 2`.
 * - 5.1 → stereo: the ITU-R BS.775 downmix `L' = L + g·C + g·Ls`, `R' = R + g·C + g·Rs` with
 *   `g = √½` (−3 dB) and the LFE dropped, then scaled by `1 / (1 + 2g) ≈ 0.4142` so that a
 *   full-scale sample on every channel stays within ±1 (as ffmpeg's normalised matrix does):
 *   `L' ≈ 0.4142·L + 0.2929·C + 0.2929·Ls`.
 * - 5.1 → mono: the mean of that stereo downmix, `(L' + R') / 2`.
 * - stereo → 5.1: L and R to the front left and right, the rest silent; mono → 5.1: to the
 *   centre.
 *
 * Other input channel counts fail with `SL_AUDIO_FORMAT`; `channels` must be 1, 2 or 6
 * (`SL_PARAM_INVALID`). {@linkcode channelMixMatrix} gives the coefficients.
 *
 * ```text
 * filesrc location=movie.wav ! channelmix channels=2 ! filesink location=stereo.wav
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioBuffer, Collect, Pipeline } from "@streamlib/core";
 * import { AudioTestSource, ChannelMix } from "@streamlib/audio";
 * const sink = new Collect<AudioBuffer>();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new AudioTestSource({ channels: 6, buffers: 1 }), new ChannelMix({ channels: 2 }), sink)
 *   .run();
 * assert.ok(sink.messages[0]!.numberOfChannels === 2);
 * ```
 */
export class ChannelMix extends Actor<typeof channelMixContract> {
  /** Ports and parameters. */
  static override contract: typeof channelMixContract = channelMixContract;

  /**
   * Creates the mixer; `channels` must be 1, 2 or 6 (`SL_PARAM_INVALID` otherwise).
   *
   * @param params Parameter values; the rest take their defaults.
   */
  constructor(params: Partial<ContractParams<typeof channelMixContract>> = {}) {
    super(params);
    _checkChannels(this.params.channels);
  }

  /**
   * Changes parameters; `channels` must be 1, 2 or 6 (`SL_PARAM_INVALID`, nothing changed).
   *
   * @param changes The parameters to change.
   */
  override setParams(changes: Partial<ContractParams<typeof channelMixContract>>): void {
    if (changes.channels !== undefined) _checkChannels(changes.channels);
    super.setParams(changes);
  }

  /**
   * Remixes one buffer.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const buffer = this.inputs.in.read();
    if (buffer === undefined) return;
    const from = buffer.numberOfChannels;
    if (!(_LAYOUTS as readonly number[]).includes(from)) {
      throw new StreamlibError(
        "SL_AUDIO_FORMAT",
        `"${this.name}" mixes mono, stereo or 5.1 audio, got ${from} channels`,
      );
    }
    const matrix = channelMixMatrix(from as 1 | 2 | 6, this.params.channels as 1 | 2 | 6);
    this.outputs.out.write(_applyMatrix(buffer, matrix));
  }
}

/**
 * The gains {@linkcode ChannelMix} uses from `from` channels to `to` channels (1, 2 or 6, order
 * L R C LFE Ls Rs): one row per output channel, one gain per input channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelMixMatrix } from "@streamlib/audio";
 * assert.ok(channelMixMatrix(2, 1).join(";") === "0.5,0.5");
 * const [left] = channelMixMatrix(6, 2);
 * assert.ok(left![3] === 0); // no LFE
 * assert.ok(Math.abs(left!.reduce((a, g) => a + g) - 1) < 1e-15);
 * ```
 *
 * @param from Input channels.
 * @param to Output channels.
 * @returns `to` rows of `from` gains.
 */
export function channelMixMatrix(from: 1 | 2 | 6, to: 1 | 2 | 6): number[][] {
  _checkChannels(from);
  _checkChannels(to);
  const zeros = (): number[] => new Array<number>(from).fill(0);
  const rows = Array.from({ length: to }, zeros);
  if (from === to) {
    rows.forEach((row, o) => (row[o] = 1));
  } else if (from === 6) {
    const g = Math.SQRT1_2;
    const n = 1 / (1 + 2 * g);
    const left = [n, 0, n * g, 0, n * g, 0];
    const right = [0, n, n * g, 0, 0, n * g];
    if (to === 2) return [left, right];
    return [left.map((l, i) => (l + right[i]!) / 2)];
  } else if (to === 6) {
    // Stereo to the front pair, mono to the centre.
    if (from === 2) [rows[0]![0], rows[1]![1]] = [1, 1];
    else rows[2]![0] = 1;
  } else if (to === 2) {
    rows[0]![0] = rows[1]![0] = 1;
  } else {
    rows[0]![0] = rows[0]![1] = 0.5;
  }
  return rows;
}

function _checkChannels(channels: number): void {
  if (!(_LAYOUTS as readonly number[]).includes(channels)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `channelmix converts to and from 1, 2 or 6 channels, got ${channels}; pick one of those`,
    );
  }
}
