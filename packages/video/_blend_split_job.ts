/**
 * What the compositor's two blending threads share: the control words and the job area, both in
 * shared memory, and the messages that introduce buffers. A job names its buffers by number, so
 * a frame costs no message: only a buffer the helper has not seen yet is posted, once.
 *
 * @module
 */

/** Control words (an `Int32Array`). */
export const _CONTROL = {
  /** The number of the job the helper should do; it waits on this word. */
  posted: 0,
  /** The number of the last job the helper finished. */
  done: 1,
  /** 1 when that job failed (the caller then blends those rows itself). */
  failed: 2,
  /** 1 once the helper takes work. */
  ready: 3,
  /** 1 once the helper should end. */
  closed: 4,
} as const;

/** Control words in all. */
export const _CONTROL_WORDS = 5;

/** Layers a job can hold; a frame with more is blended on one thread. */
export const _MAX_LAYERS = 32;

/** Numbers per layer in the job area. */
export const _LAYER_FIELDS = 11;

/**
 * Numbers before the first layer: width, height, the background's four bytes, the layer count
 * and the number of the scratch buffer to write into.
 */
export const _JOB_HEAD = 8;

/** Numbers in the job area (a `Float64Array`). */
export const _JOB_NUMBERS = _JOB_HEAD + _MAX_LAYERS * _LAYER_FIELDS;

/** The first message to the helper. */
export interface _SplitSetup {
  readonly control: Int32Array;
  readonly job: Float64Array;
}

/** Later messages: buffers (layers' and scratch) to know by number, numbers to forget. */
export interface _SplitBuffers {
  readonly add?: ReadonlyArray<readonly [number, SharedArrayBuffer]>;
  readonly drop?: readonly number[];
}
