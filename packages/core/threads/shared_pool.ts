import { StreamlibError } from "../errors.ts";
import { _signal, _waitChange } from "./_shared_slots.ts";

/**
 * What another thread needs to attach to a {@linkcode SharedPool}: post it to a Worker (its
 * memory is shared, not copied) and call {@linkcode SharedPool.attach} there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedPool, type SharedPoolHandle } from "@streamlib/core";
 * const handle: SharedPoolHandle = SharedPool.create({ count: 2, byteLength: 64 }).handle;
 * assert.ok(handle.count === 2 && handle.byteLength === 64);
 * ```
 */
export interface SharedPoolHandle {
  /** Reference counts (one `Int32` a buffer) and the word waiters watch. */
  readonly control: SharedArrayBuffer;
  /** The buffers, back to back. */
  readonly data: SharedArrayBuffer;
  /** How many buffers. */
  readonly count: number;
  /** Bytes in each buffer. */
  readonly byteLength: number;
}

/**
 * A fixed set of equal buffers in shared memory, with a reference count each: frames are
 * written into a buffer once and then seen by every thread without copying. Any thread may
 * {@linkcode SharedPool.acquire} a free buffer (its count becomes 1), add references for more
 * consumers ({@linkcode SharedPool.retain}: fan-out), and {@linkcode SharedPool.release} its
 * own; the buffer is free again when the count reaches 0. The pool never grows: when every
 * buffer is taken, `acquire()` returns `undefined` and the caller applies its delivery policy
 * (drop, or wait with {@linkcode SharedPool.acquireAsync}). A release without a matching
 * reference throws `SL_POOL_RELEASE` instead of corrupting the counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedPool } from "@streamlib/core";
 * const pool = SharedPool.create({ count: 2, byteLength: 1920 * 1080 * 4 });
 * const id = pool.acquire()!;
 * pool.view(id).fill(255); // write the frame once
 * pool.retain(id); // a second consumer
 * const elsewhere = SharedPool.attach(pool.handle); // in a Worker, after postMessage(handle)
 * assert.ok(elsewhere.view(id)[0] === 255); // same memory, no copy
 * elsewhere.release(id);
 * pool.release(id);
 * assert.ok(pool.available === 2);
 * ```
 */
export class SharedPool {
  readonly #refs: Int32Array;
  readonly #data: SharedArrayBuffer;
  readonly #views: Uint8Array[];
  #hint = 0;
  /** How many buffers. */
  readonly count: number;
  /** Bytes in each buffer. */
  readonly byteLength: number;

  private constructor(handle: SharedPoolHandle) {
    const { control, data, count, byteLength } = handle ?? {};
    if (
      !(control instanceof SharedArrayBuffer) || !(data instanceof SharedArrayBuffer) ||
      !Number.isInteger(count) || count < 1 || control.byteLength !== (count + 1) * 4 ||
      !Number.isInteger(byteLength) || data.byteLength < count * byteLength
    ) {
      throw new StreamlibError("SL_PARAM_INVALID", "Not the handle of a shared pool");
    }
    this.count = count;
    this.byteLength = byteLength;
    this.#refs = new Int32Array(control);
    this.#data = data;
    this.#views = Array.from({ length: count }, (_, i) => _view(data, i, byteLength));
  }

  /**
   * Makes a pool of `count` zeroed buffers of `byteLength` bytes in fresh shared memory.
   *
   * @param options How many buffers and how big.
   * @returns The pool, seen from this thread.
   */
  static create(options: { readonly count: number; readonly byteLength: number }): SharedPool {
    const { count, byteLength } = options;
    if (!Number.isInteger(count) || count < 1 || count > 65_536) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `A pool holds 1 to 65536 buffers, not ${count}`,
      );
    }
    if (!Number.isInteger(byteLength) || byteLength < 1) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Pool buffers need a positive whole number of bytes, not ${byteLength}`,
      );
    }
    // Buffers start on 64-byte lines, so views of any element size fit and threads don't
    // share cache lines between buffers.
    const stride = Math.ceil(byteLength / 64) * 64;
    return new SharedPool({
      control: new SharedArrayBuffer((count + 1) * 4),
      data: new SharedArrayBuffer(count * stride),
      count,
      byteLength: stride,
    });
  }

  /**
   * The same pool, seen from this thread (usually a Worker that received `handle`).
   *
   * @param handle {@linkcode SharedPool.handle} of the pool, posted to this thread.
   * @returns The pool.
   */
  static attach(handle: SharedPoolHandle): SharedPool {
    return new SharedPool(handle);
  }

  /**
   * What another thread needs to attach; post it (the memory is shared).
   *
   * @returns The handle.
   */
  get handle(): SharedPoolHandle {
    return {
      control: this.#refs.buffer as SharedArrayBuffer,
      data: this.#data,
      count: this.count,
      byteLength: this.byteLength,
    };
  }

  /**
   * Buffers free now (another thread may take or free one at once).
   *
   * @returns How many have no reference.
   */
  get available(): number {
    let free = 0;
    for (let i = 0; i < this.count; i++) if (Atomics.load(this.#refs, i) === 0) free++;
    return free;
  }

  /**
   * Takes a free buffer; its reference count becomes 1.
   *
   * @returns Its id, or `undefined` when every buffer is taken.
   */
  acquire(): number | undefined {
    for (let k = 0; k < this.count; k++) {
      const id = (this.#hint + k) % this.count;
      if (Atomics.compareExchange(this.#refs, id, 0, 1) === 0) {
        this.#hint = (id + 1) % this.count;
        return id;
      }
    }
    return undefined;
  }

  /**
   * Takes a free buffer, waiting (without blocking the thread) until one is released.
   *
   * @param timeoutMs Longest wait (default: for ever).
   * @returns Its id, or `undefined` on timeout.
   */
  async acquireAsync(timeoutMs: number = Infinity): Promise<number | undefined> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const freed = Atomics.load(this.#refs, this.count);
      const id = this.acquire();
      if (id !== undefined) return id;
      const left = until - performance.now();
      if (left <= 0) return undefined;
      await _waitChange(this.#refs, this.count, freed, left);
    }
  }

  /**
   * Adds references to a taken buffer (one for each further consumer).
   *
   * @param id The buffer.
   * @param count How many references to add (default 1).
   * @throws {StreamlibError} `SL_POOL_RELEASE` when the buffer is free: it has no owner to share.
   */
  retain(id: number, count: number = 1): void {
    this.#check(id);
    const before = Atomics.add(this.#refs, id, count);
    if (before <= 0) {
      Atomics.sub(this.#refs, id, count);
      throw new StreamlibError(
        "SL_POOL_RELEASE",
        `Pool buffer ${id} is free; acquire it before adding references`,
      );
    }
  }

  /**
   * Drops one reference; at 0 the buffer is free again and waiting acquirers wake.
   *
   * @param id The buffer.
   * @throws {StreamlibError} `SL_POOL_RELEASE` when it had no reference (released twice).
   */
  release(id: number): void {
    this.#check(id);
    const before = Atomics.sub(this.#refs, id, 1);
    if (before <= 0) {
      Atomics.add(this.#refs, id, 1);
      throw new StreamlibError(
        "SL_POOL_RELEASE",
        `Pool buffer ${id} was released more times than it was acquired and retained`,
      );
    }
    if (before === 1) _signal(this.#refs, this.count);
  }

  /**
   * References a buffer has now.
   *
   * @param id The buffer.
   * @returns Its reference count.
   */
  refs(id: number): number {
    this.#check(id);
    return Atomics.load(this.#refs, id);
  }

  /**
   * The bytes of a buffer: the same memory in every thread.
   *
   * @param id The buffer.
   * @returns A view of `byteLength` bytes.
   */
  view(id: number): Uint8Array {
    this.#check(id);
    return this.#views[id]!;
  }

  /**
   * Which buffer a view lies in, so a frame already in the pool crosses threads as an id.
   *
   * @param view Any typed array.
   * @returns The buffer's id, or `undefined` when the view is not inside one of this pool's
   *   buffers.
   */
  idOf(view: ArrayBufferView): number | undefined {
    if (view.buffer !== this.#data) return undefined;
    const id = Math.floor(view.byteOffset / this.byteLength);
    const end = view.byteOffset + view.byteLength;
    return id < this.count && end <= (id + 1) * this.byteLength ? id : undefined;
  }

  #check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.count) {
      throw new StreamlibError("SL_POOL_RELEASE", `No buffer ${id} in a pool of ${this.count}`);
    }
  }
}

function _view(data: SharedArrayBuffer, id: number, byteLength: number): Uint8Array {
  return new Uint8Array(data, id * byteLength, byteLength);
}
