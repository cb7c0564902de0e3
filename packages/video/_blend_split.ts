/**
 * The compositor's blend on two threads. When every layer of a large frame lives in shared
 * memory (frames from Worker actors do), the output is cut into two bands of rows: a helper
 * Worker blends the bottom one into a shared scratch buffer of its own while this thread blends
 * the top one straight into the output, then copies the helper's rows across. Both use the
 * one-pass banded blend of `_blend.ts` (every layer's rows read once, the output written once),
 * so the result is the same byte for byte as on one thread.
 *
 * A frame costs the helper no message: the job (sizes, layers, placements) is written into a
 * shared job area and its number into a control word the helper waits on with
 * `Atomics.waitAsync` (a posted message took 0.6–1.9 ms to arrive, a third of the helper's
 * share of the work). Buffers are posted once, by number, and the helper forgets a number when
 * the buffer is collected here (a `FinalizationRegistry`), so it never keeps memory alive.
 *
 * The output stays ordinary memory, made as before, and the scratch buffer is made once per
 * size and kept: a shared output buffer per frame would live until every thread that saw it had
 * collected. Anything else (layers in ordinary memory, small frames, more than `_MAX_LAYERS`
 * layers, frames while the helper starts, a helper that failed) is blended here alone.
 *
 * @module
 */

import { _Blender, type _BlendLayer } from "./_blend.ts";
import {
  _CONTROL,
  _CONTROL_WORDS,
  _JOB_HEAD,
  _JOB_NUMBERS,
  _LAYER_FIELDS,
  _MAX_LAYERS,
  type _SplitBuffers,
  type _SplitSetup,
} from "./_blend_split_job.ts";

/** Outputs of fewer bytes are not worth a second thread (the hand-over costs about 0.1 ms). */
const _SPLIT_MIN_BYTES = 1 << 20;

/**
 * The share of the rows this thread blends at first. It then moves by `_SHARE_STEP` a frame
 * towards the point where both threads finish together: up when this thread had to wait, down
 * when the helper was done first (this thread also copies the helper's rows, and the two threads
 * need not get equal time from the system).
 */
const _FIRST_SHARE = 0.46;
const _SHARE_STEP = 0.01;
const _MIN_SHARE = 0.2;
const _MAX_SHARE = 0.8;

/** How long this thread waits for the helper's rows before blending them itself. */
const _HELPER_DEADLINE_MS = 2_000;

/**
 * The file `url` names when this process may not read it (as under `streamlib run`, which grants
 * only what a pipeline's manifests ask for); `undefined` when it may, or when this is not Deno.
 */
function _missingRead(url: URL): string | undefined {
  if (url.protocol !== "file:" || typeof Deno === "undefined") return undefined;
  const path = decodeURIComponent(url.pathname);
  try {
    return Deno.permissions.querySync({ name: "read", path }).state === "granted"
      ? undefined
      : path;
  } catch {
    return undefined;
  }
}

/** Whether `bytes` lives in memory that another thread can see. */
function _isShared(bytes: Uint8Array): boolean {
  return typeof SharedArrayBuffer === "function" && bytes.buffer instanceof SharedArrayBuffer;
}

/**
 * Blends on this thread and, for large frames whose layers are all in shared memory, on a
 * helper Worker too. Close it to end the helper.
 */
export class _SplitBlender {
  readonly #here: _Blender;
  readonly #control = new Int32Array(new SharedArrayBuffer(_CONTROL_WORDS * 4));
  readonly #job = new Float64Array(new SharedArrayBuffer(_JOB_NUMBERS * 8));
  /** The numbers of the buffers the helper knows. */
  #ids = new WeakMap<SharedArrayBuffer, number>();
  #nextId = 1;
  /** Tells the helper to forget a buffer once nothing here holds it. */
  readonly #forget = new FinalizationRegistry<number>((id) => this.#post({ drop: [id] }));
  #scratch: Uint8Array | undefined;
  #scratchId = 0;
  #helper: Worker | undefined;
  #broken = typeof Worker !== "function" || typeof SharedArrayBuffer !== "function" ||
    typeof Atomics.waitAsync !== "function";
  #seq = 0;
  #share = _FIRST_SHARE;
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
    return this.#helper !== undefined && !this.#broken &&
      Atomics.load(this.#control, _CONTROL.ready) === 1;
  }

  /**
   * Whether an output of `byteLength` bytes is large enough to split; starts the helper the
   * first time one is.
   *
   * @param byteLength The output's size.
   * @returns `true` when frames of this size are split once the helper is ready.
   */
  wants(byteLength: number): boolean {
    if (this.#broken || byteLength < _SPLIT_MIN_BYTES) return false;
    if (this.#helper === undefined) this.#start();
    return !this.#broken;
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
      height < 2 || layers.length === 0 || layers.length > _MAX_LAYERS ||
      !layers.every((layer) => _isShared(layer.data)) || !this.wants(rowBytes * height) ||
      !this.ready
    ) {
      this.#here.blend(out, width, height, background, layers);
      return;
    }
    const mid = Math.max(1, Math.min(height - 1, Math.round(height * this.#share)));
    const rows = height - mid;
    const bytes = rows * rowBytes;
    const add: Array<[number, SharedArrayBuffer]> = [];
    if (this.#scratch === undefined || this.#scratch.byteLength < bytes) {
      this.#scratch = new Uint8Array(new SharedArrayBuffer(bytes));
      this.#scratchId = this.#idOf(this.#scratch.buffer as SharedArrayBuffer, add);
    }
    const j = this.#job;
    j[0] = width;
    j[1] = rows;
    j.set(background, 2);
    j[6] = layers.length;
    j[7] = this.#scratchId;
    layers.forEach((layer, i) => {
      const at = _JOB_HEAD + i * _LAYER_FIELDS;
      j[at] = this.#idOf(layer.data.buffer as SharedArrayBuffer, add);
      j[at + 1] = layer.data.byteOffset;
      j[at + 2] = layer.data.byteLength;
      j[at + 3] = layer.offset;
      j[at + 4] = layer.stride;
      j[at + 5] = layer.width;
      j[at + 6] = layer.height;
      j[at + 7] = layer.x;
      j[at + 8] = layer.y - mid;
      j[at + 9] = layer.opacity;
      j[at + 10] = layer.swap ? 1 : 0;
    });
    if (add.length > 0) this.#post({ add });
    const seq = this.#seq = (this.#seq + 1) | 0 || 1;
    Atomics.store(this.#control, _CONTROL.posted, seq);
    Atomics.notify(this.#control, _CONTROL.posted);
    this.#here.blend(out.subarray(0, mid * rowBytes), width, mid, background, layers);
    const bottom = out.subarray(mid * rowBytes, height * rowBytes);
    const helperFirst = Atomics.load(this.#control, _CONTROL.done) === seq;
    this.#share = helperFirst
      ? Math.max(_MIN_SHARE, this.#share - _SHARE_STEP)
      : Math.min(_MAX_SHARE, this.#share + _SHARE_STEP);
    if (!this.#await(seq) || Atomics.load(this.#control, _CONTROL.failed) !== 0) {
      // The helper failed or is stuck: its rows are blended here, and from now on every frame
      // is blended here (the helper is ended), rather than paying for each frame twice.
      this.#unavailable = Atomics.load(this.#control, _CONTROL.done) === seq
        ? "the helper Worker failed a blend"
        : `the helper Worker did not answer within ${_HELPER_DEADLINE_MS} ms`;
      this.#fail();
      const shifted = layers.map((layer) => ({ ...layer, y: layer.y - mid }));
      this.#here.blend(bottom, width, rows, background, shifted);
      return;
    }
    bottom.set(this.#scratch.subarray(0, bytes));
    this.split++;
  }

  /** Ends the helper. */
  close(): void {
    Atomics.store(this.#control, _CONTROL.closed, 1);
    this.#helper?.terminate();
    this.#helper = undefined;
  }

  /** Ends the helper (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The helper's number for `buffer`, adding it to `add` when the helper does not know it. */
  #idOf(buffer: SharedArrayBuffer, add: Array<[number, SharedArrayBuffer]>): number {
    let id = this.#ids.get(buffer);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(buffer, id);
      this.#forget.register(buffer, id);
      add.push([id, buffer]);
    }
    return id;
  }

  #post(message: _SplitBuffers): void {
    this.#helper?.postMessage(message);
  }

  /** Waits (blocking this thread, as a blend does) until the helper finished job `seq`. */
  #await(seq: number): boolean {
    const until = performance.now() + _HELPER_DEADLINE_MS;
    for (;;) {
      const done = Atomics.load(this.#control, _CONTROL.done);
      if (done === seq) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      try {
        Atomics.wait(this.#control, _CONTROL.done, done, left);
      } catch {
        // This thread may not block (a browser's main thread): spin instead.
      }
    }
  }

  /** Why there is no helper, when it could not start (then every frame is blended here). */
  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  #unavailable: string | undefined;

  #start(): void {
    const url = new URL("./_blend_split_worker.ts", import.meta.url);
    const missing = _missingRead(url);
    if (missing !== undefined) {
      // A Worker that may not read its own code dies at once, with an error on stderr.
      this.#broken = true;
      this.#unavailable = `the helper Worker needs read access to ${missing}`;
      return;
    }
    try {
      const helper = new Worker(url.href, {
        type: "module",
        name: "streamlib-compositor-helper",
      });
      helper.onerror = (event): void => {
        event.preventDefault();
        this.#fail();
      };
      const setup: _SplitSetup = { control: this.#control, job: this.#job };
      helper.postMessage(setup);
      this.#helper = helper;
    } catch (error) {
      this.#broken = true;
      this.#unavailable = `the helper Worker did not start: ${(error as Error).message}`;
    }
  }

  #fail(): void {
    this.#broken = true;
    this.close();
  }
}
