/**
 * Channel matrices: the linear map behind gain, panning and channel mixing.
 *
 * @module
 */

import { type AudioBuffer, createAudioBuffer } from "@streamlib/core";

/** Gains by output channel (rows), then by input channel (columns). */
export type _Matrix = readonly (readonly number[])[];

/** Whether two matrices have the same shape and coefficients. */
export function _sameMatrix(a: _Matrix, b: _Matrix): boolean {
  return a.length === b.length &&
    a.every((row, o) => row.length === b[o]!.length && row.every((g, i) => g === b[o]![i]));
}

/**
 * `buffer` mapped through `matrix`: output channel `o` is `Σᵢ matrix[o][i] · input channel i`,
 * in a new buffer with the input's rate, position and clock. When `from` is given and differs
 * (with the same shape), each coefficient glides linearly from its `from` value to its `matrix`
 * value across the buffer, reaching it on the last sample, so that a change doesn't click. An
 * identity matrix with nothing to glide from gives back `buffer` itself.
 */
export function _applyMatrix(buffer: AudioBuffer, matrix: _Matrix, from?: _Matrix): AudioBuffer {
  const frames = buffer.numberOfFrames;
  const inputs = buffer.numberOfChannels;
  const start = from !== undefined && !_sameMatrix(from, matrix) ? from : undefined;
  if (start === undefined && _isIdentity(matrix, inputs)) return buffer;
  const data = new Float32Array(matrix.length * frames);
  const src = buffer.data;
  // Sums in float64, rounded to float32 once.
  const acc = new Float64Array(frames);
  for (const [o, row] of matrix.entries()) {
    acc.fill(0);
    for (let i = 0; i < inputs; i++) {
      const to = row[i] ?? 0;
      const g0 = start?.[o]?.[i] ?? to;
      if (to === 0 && g0 === 0) continue;
      const at = i * frames;
      if (g0 === to) {
        for (let j = 0; j < frames; j++) acc[j] = acc[j]! + to * src[at + j]!;
      } else {
        // Counted down from the end so that the last sample gets `to` exactly.
        const step = (to - g0) / frames;
        for (let j = 0; j < frames; j++) {
          acc[j] = acc[j]! + (to - step * (frames - 1 - j)) * src[at + j]!;
        }
      }
    }
    data.set(acc, o * frames);
  }
  return createAudioBuffer({
    sampleRate: buffer.sampleRate,
    numberOfChannels: matrix.length,
    numberOfFrames: frames,
    data,
    position: buffer.position,
    clockId: buffer.clockId,
  });
}

function _isIdentity(matrix: _Matrix, inputs: number): boolean {
  return matrix.length === inputs &&
    matrix.every((row, o) => row.length === inputs && row.every((g, i) => g === (i === o ? 1 : 0)));
}
