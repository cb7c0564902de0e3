/**
 * For the three-process test: an actor that keeps a small signature of each frame (block means,
 * 16×9 blocks × RGB) and the audio's first channel, so a node can report what it received
 * without holding 720p frames, and the test can compute the same for what was sent.
 *
 * @module
 */

import {
  Actor,
  type AudioBuffer,
  type Contract,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";

/** One frame's signature. */
export interface FrameSignature {
  readonly position: number;
  /** 16×9 block means of R, G and B. */
  readonly blocks: number[];
  /** FNV-1a of every byte of the picture (rows of the visible width). */
  readonly hash: number;
}

/** FNV-1a over `bytes`, continuing from `hash`. */
export function fnv1a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

/** The signature of an RGBA frame. */
export function frameSignature(frame: VideoFrame): FrameSignature {
  const { codedWidth: w, codedHeight: h, data } = frame;
  const stride = frame.layout[0]!.stride;
  const offset = frame.layout[0]!.offset;
  const sums = new Float64Array(16 * 9 * 3);
  const counts = new Float64Array(16 * 9);
  // Every 4th pixel of every 4th row is plenty for block means.
  for (let y = 0; y < h; y += 4) {
    const by = Math.min(8, Math.floor(y * 9 / h));
    for (let x = 0; x < w; x += 4) {
      const bx = Math.min(15, Math.floor(x * 16 / w));
      const b = by * 16 + bx;
      const i = offset + y * stride + x * 4;
      sums[b * 3] = sums[b * 3]! + data[i]!;
      sums[b * 3 + 1] = sums[b * 3 + 1]! + data[i + 1]!;
      sums[b * 3 + 2] = sums[b * 3 + 2]! + data[i + 2]!;
      counts[b] = counts[b]! + 1;
    }
  }
  let hash = 0x811c9dc5;
  for (let y = 0; y < h; y++) {
    hash = fnv1a(data.subarray(offset + y * stride, offset + y * stride + w * 4), hash);
  }
  return {
    position: frame.position,
    hash,
    blocks: Array.from(sums, (s, i) => Math.round(s / counts[Math.floor(i / 3)]! * 10) / 10),
  };
}

const relayCheckContract = {
  type: "relaycheck",
  description: "Keeps frame signatures and the audio's first channel (tests)",
  classification: "Sink/Any",
  inputs: { in: { kind: "any" } },
} as const satisfies Contract;

/** Keeps signatures of frames and the first channel of audio. */
export class RelayCheck extends Actor<typeof relayCheckContract> {
  /** Ports. */
  static override contract: typeof relayCheckContract = relayCheckContract;
  /** Signatures of the frames received. */
  readonly frames: FrameSignature[] = [];
  /** The first channel of the audio received. */
  samples: Float32Array = new Float32Array(1 << 16);
  /** Samples received. */
  sampleCount = 0;
  /** The sample rate seen. */
  sampleRate = 0;

  /** Keeps what arrived. */
  process(_tick: TimedTick): void {
    for (let m = this.inputs.in.read(); m !== undefined; m = this.inputs.in.read()) {
      if (m.kind === "video") this.frames.push(frameSignature(m));
      else if (m.kind === "audio") this.#audio(m);
    }
  }

  #audio(buffer: AudioBuffer): void {
    this.sampleRate = buffer.sampleRate;
    const n = buffer.numberOfFrames;
    if (this.sampleCount + n > this.samples.length) {
      const grown = new Float32Array(Math.max(this.samples.length * 2, this.sampleCount + n));
      grown.set(this.samples.subarray(0, this.sampleCount));
      this.samples = grown;
    }
    this.samples.set(buffer.data.subarray(0, n), this.sampleCount);
    this.sampleCount += n;
  }
}

/** RMS and pitch (from upward zero crossings) of a tone, its first and last 0.1 s left out. */
export function toneOf(samples: Float32Array, rate: number): { rms: number; hz: number } {
  const steady = samples.subarray(rate / 10, Math.max(rate / 10, samples.length - rate / 10));
  let sum = 0;
  let crossings = 0;
  for (let i = 0; i < steady.length; i++) {
    sum += steady[i]! * steady[i]!;
    if (i > 0 && steady[i - 1]! < 0 && steady[i]! >= 0) crossings++;
  }
  return { rms: Math.sqrt(sum / steady.length), hz: crossings / (steady.length / rate) };
}
