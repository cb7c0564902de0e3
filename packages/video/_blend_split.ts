/**
 * The compositor's blend on two threads: a large output whose pixels and layers all live in
 * shared memory is cut into two bands of rows; a helper Worker blends the bottom one while this
 * thread blends the top one, each with the one-pass banded blend of `_blend.ts` (every layer's
 * rows read once, the output written once). Anything else, or while the helper is starting, is
 * blended here alone; the result is the same byte for byte either way.
 *
 * @module
 */

import { _Blender, type _BlendLayer } from "./_blend.ts";
import type { _SplitJob } from "./_blend_split_worker.ts";

/** Outputs of fewer bytes are not worth a second thread (the hand-over costs about 0.1 ms). */
const _SPLIT_MIN_BYTES = 1 << 20;

/** How long this thread waits for the helper's rows before blending them itself. */
const _HELPER_DEADLINE_MS = 2_000;

/** Whether `bytes` lives in memory that another thread can see. */
function _isShared(bytes: Uint8Array): boolean {
  return typeof SharedArrayBuffer === "function" && bytes.buffer instanceof SharedArrayBuffer;
}

/**
 * Blends on this thread and, for large shared frames, a helper Worker. Close it to end the
 * helper.
 */
export class _SplitBlender {
  readonly #here: _Blender;
  readonly #control = new Int32Array(new SharedArrayBuffer(8));
  #helper: Worker | undefined;
  #ready = false;
  #broken = typeof Worker !== "function" || typeof SharedArrayBuffer !== "function";
  #seq = 0;
  /** Frames blended on two threads so far. */
  split = 0;

  /**
   * @param here The blender of this thread (the thread's shared one by default).
   */
  constructor(here: _Blender = _Blender.shared()) {
    this.#here = here;
  }

  /** Whether the helper has started and takes work. */
  get ready(): boolean {
    return this.#ready && !this.#broken;
  }

  /**
   * Whether a frame of `byteLength` bytes is worth splitting, so that its output should be
   * allocated in shared memory; starts the helper the first time.
   *
   * @param byteLength The output's size.
   * @returns `true` when frames of this size are split once the helper is ready.
   */
  wants(byteLength: number): boolean {
    if (this.#broken || byteLength < _SPLIT_MIN_BYTES) return false;
    if (this.#helper === undefined) this.#start();
    return true;
  }

  /**
   * Composites `layers` over `background` into `out`, as {@linkcode _Blender.blend} does.
   *
   * @param out The output pixels, `width` × `height`, tightly packed; every byte is written.
   * @param width Output width in pixels.
   * @param height Output height in pixels.
   * @param background The background as the four bytes of a pixel in the output's order.
   * @param layers The layers, bottom first.
   */
  blend(
    out: Uint8Array,
    width: number,
    height: number,
    background: readonly [number, number, number, number],
    layers: readonly _BlendLayer[],
  ): void {
    const rowBytes = width * 4;
    if (
      !this.ready || height < 2 || rowBytes * height < _SPLIT_MIN_BYTES || !_isShared(out) ||
      !layers.every((layer) => _isShared(layer.data))
    ) {
      this.#here.blend(out, width, height, background, layers);
      return;
    }
    const mid = height >> 1;
    const bottom = out.subarray(mid * rowBytes, height * rowBytes);
    const shifted = layers.map((layer) => ({ ...layer, y: layer.y - mid }));
    const seq = this.#seq = (this.#seq + 1) | 0 || 1;
    const job: _SplitJob = {
      seq,
      control: this.#control,
      out: bottom,
      width,
      height: height - mid,
      background,
      layers: shifted,
    };
    this.#helper!.postMessage(job);
    this.#here.blend(out.subarray(0, mid * rowBytes), width, mid, background, layers);
    if (!this.#await(seq) || Atomics.load(this.#control, 1) !== 0) {
      // The helper failed or is stuck: its rows are blended here (a stuck helper is ended
      // first, so that it cannot write over them later).
      if (Atomics.load(this.#control, 0) !== seq) this.#fail();
      this.#here.blend(bottom, width, height - mid, background, shifted);
      return;
    }
    this.split++;
  }

  /** Ends the helper. */
  close(): void {
    this.#helper?.terminate();
    this.#helper = undefined;
    this.#ready = false;
  }

  /** Ends the helper (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Waits (blocking this thread, as a blend does) until the helper finished job `seq`. */
  #await(seq: number): boolean {
    const until = performance.now() + _HELPER_DEADLINE_MS;
    for (;;) {
      const seen = Atomics.load(this.#control, 0);
      if (seen === seq) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      try {
        Atomics.wait(this.#control, 0, seen, left);
      } catch {
        // This thread may not block (a browser's main thread): spin instead.
      }
    }
  }

  #start(): void {
    try {
      const helper = new Worker(new URL("./_blend_split_worker.ts", import.meta.url).href, {
        type: "module",
        name: "streamlib-compositor-helper",
      });
      helper.onmessage = (event): void => {
        if (event.data === "ready") this.#ready = true;
      };
      helper.onerror = (event): void => {
        event.preventDefault();
        this.#fail();
      };
      this.#helper = helper;
    } catch {
      this.#broken = true;
    }
  }

  #fail(): void {
    this.#broken = true;
    this.close();
  }
}
