/**
 * Shared frame memory of one thread: the {@linkcode SharedPool}s it knows (its own and those
 * other threads announced), allocation of frame buffers in its own pools, and release of pool
 * buffers once nothing on this thread can reach them.
 *
 * A pool buffer holds one reference for every view of it that some thread may still read, and
 * one for every message in flight to another thread. A view made here is registered with a
 * `FinalizationRegistry`: when the garbage collector proves nothing holds it any more (an actor
 * may keep a frame as long as it likes), its reference is released, and the buffer goes back to
 * its pool once every thread has let go. When a thread runs short, it raises a shared pressure
 * counter; every thread that sees it changed runs a collection (when the runtime lets us),
 * so that released frames come back promptly instead of whenever the heap happens to fill.
 *
 * @module
 */

import { SharedPool, type SharedPoolHandle } from "./shared_pool.ts";

/** Buffers in each pool a thread makes for itself. */
const _POOL_COUNT = 4;
/** Bytes of pools a thread may make, unless told otherwise. */
export const _DEFAULT_FRAME_MEMORY = 512 * 1024 * 1024;
/** Data smaller than this travels inside messages; larger goes through pools. */
export const _INLINE_BYTES = 64 * 1024;

/** Where a pooled view lies: pool id, buffer, and the byte range inside the buffer. */
export interface _PoolRef {
  /** Pool id. */
  readonly p: number;
  /** Buffer in the pool. */
  readonly s: number;
  /** Offset of the view in the buffer. */
  readonly o: number;
  /** Length of the view in bytes. */
  readonly n: number;
  /** Element type when not bytes: `Float32Array` and the like. */
  readonly t?: string;
}

/** Typed arrays data may come as. */
const _TYPES: Record<string, new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView> = {
  Uint8Array,
  Uint8ClampedArray,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
};

/**
 * Zeroes `view` eight bytes at a time: filling shared memory byte by byte is several times
 * slower. `view` starts on a buffer boundary, which is 64-byte aligned.
 */
function _zero(view: Uint8Array): void {
  const words = view.byteLength >>> 3;
  new Float64Array(view.buffer, view.byteOffset, words).fill(0);
  view.fill(0, words << 3);
}

type _Gc = (options: { type: "major" }) => void;
let _gc: _Gc | null | undefined;

/**
 * Loads a way to ask for a collection (V8's `gc`, exposed through `node:v8` and
 * `node:vm`); `null` where the runtime does not allow it. Called once per thread, before the
 * first frame crosses.
 */
export async function _loadGc(): Promise<void> {
  if (_gc !== undefined) return;
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    _gc = typeof gc === "function" ? gc as _Gc : null;
  } catch {
    _gc = null;
  }
}

/** The frame memory of this thread. */
export class _FrameMemory {
  /** This thread's number: 0 on the main thread, assigned to each Worker by the main thread. */
  thread = 0;
  /** Bytes this thread may hold in pools of its own. */
  capBytes = _DEFAULT_FRAME_MEMORY;
  #pools = new Map<number, SharedPool>();
  #bySab = new Map<SharedArrayBuffer, number>();
  #own = new Map<number, number[]>();
  #ownBytes = 0;
  #next = 0;
  #waiting = new Map<number, Array<(pool: SharedPool) => void>>();
  #pressure: Int32Array | undefined;
  #seen = 0;
  #lastGc = 0;
  /** How long the last collection took, in ms. */
  #gcTook = 0;
  /** Allocations since this thread last asked for a collection. */
  #sincePress = 0;
  /** Allocations in a row that found no buffer and no room to grow. */
  #misses = 0;
  readonly #registry = new FinalizationRegistry<[SharedPool, number]>(([pool, id]) => {
    pool.release(id);
  });

  /**
   * Shares the pressure counter of all threads (the main thread makes it, Workers get it).
   *
   * @param counter One `Int32` of shared memory.
   */
  setPressure(counter: Int32Array): void {
    this.#pressure = counter;
    this.#seen = Atomics.load(counter, 0);
  }

  /** Some thread asked for a collection since this one last ran one (and one can be run). */
  get pressed(): boolean {
    const counter = this.#pressure;
    return counter !== undefined && !!_gc && Atomics.load(counter, 0) !== this.#seen;
  }

  /** Bytes held in pools of this thread's own. */
  get ownBytes(): number {
    return this.#ownBytes;
  }

  /** The pressure counter, once this thread has one. */
  get pressure(): Int32Array | undefined {
    return this.#pressure;
  }

  /** A fresh pressure counter. */
  static pressureCounter(): Int32Array {
    return new Int32Array(new SharedArrayBuffer(4));
  }

  /**
   * Runs a collection when some thread ran short since the last one: the views of frames this
   * thread let go of are found, and their buffers come back. A full one, since views that lived
   * through a few minor collections are in the old generation. A full collection takes longer
   * the more the thread holds (60–90 ms for a 100 MB heap), so a thread spends at most a
   * twentieth of its time on them: until then, the pools of the thread that ran short grow.
   */
  collectIfPressed(): void {
    if (!this.pressed) return;
    const now = Atomics.load(this.#pressure!, 0);
    const t = performance.now();
    if (t - this.#lastGc < Math.max(2, 20 * this.#gcTook)) return;
    this.#seen = now;
    _gc!({ type: "major" });
    this.#lastGc = performance.now();
    this.#gcTook = this.#lastGc - t;
  }

  /**
   * Learns a pool another thread made.
   *
   * @param id Its id.
   * @param handle Its handle.
   */
  register(id: number, handle: SharedPoolHandle): void {
    if (this.#pools.has(id)) return;
    const pool = SharedPool.attach(handle);
    this.#pools.set(id, pool);
    this.#bySab.set(handle.data, id);
    const waiters = this.#waiting.get(id);
    this.#waiting.delete(id);
    for (const resolve of waiters ?? []) resolve(pool);
  }

  /**
   * A known pool's handle, to announce it to another thread.
   *
   * @param id The pool id.
   * @returns Its handle.
   */
  handle(id: number): SharedPoolHandle {
    return this.#pools.get(id)!.handle;
  }

  /**
   * The pool, once it is known here (its announcement may still be on its way).
   *
   * @param id The pool id.
   * @returns The pool.
   */
  pool(id: number): SharedPool | Promise<SharedPool> {
    const pool = this.#pools.get(id);
    if (pool !== undefined) return pool;
    return new Promise((resolve) => {
      const list = this.#waiting.get(id) ?? [];
      list.push(resolve);
      this.#waiting.set(id, list);
    });
  }

  /**
   * Where `view` lies, when it is in a pool this thread knows.
   *
   * @param view A typed array.
   * @returns Its place, or `undefined` for ordinary memory.
   */
  locate(view: ArrayBufferView): _PoolRef | undefined {
    const buffer = view.buffer;
    if (!(buffer instanceof SharedArrayBuffer)) return undefined;
    const id = this.#bySab.get(buffer);
    if (id === undefined) return undefined;
    const pool = this.#pools.get(id)!;
    const slot = pool.idOf(view);
    if (slot === undefined) return undefined;
    const o = view.byteOffset - slot * pool.byteLength;
    const t = view.constructor.name;
    return t === "Uint8Array"
      ? { p: id, s: slot, o, n: view.byteLength }
      : { p: id, s: slot, o, n: view.byteLength, t };
  }

  /**
   * Adds a reference to a pooled buffer for a message about to leave this thread.
   *
   * @param ref Where the data lies.
   */
  retain(ref: _PoolRef): void {
    this.#pools.get(ref.p)!.retain(ref.s);
  }

  /**
   * Drops the reference of a message that will never arrive.
   *
   * @param ref Where the data lies.
   */
  release(ref: _PoolRef): void {
    this.#pools.get(ref.p)?.release(ref.s);
  }

  /**
   * A buffer of `byteLength` bytes (zeroed unless told not to) in a pool of this thread's own, or `undefined` when
   * this thread has reached `capBytes` and none is free. Raises the pressure whenever the
   * pools it has are all in use.
   *
   * @param byteLength Bytes wanted.
   * @param zero Zero a reused buffer (default); `false` when the caller fills all of it.
   * @returns The view, or `undefined`.
   */
  allocate(byteLength: number, zero = true): Uint8Array | undefined {
    const stride = Math.ceil(byteLength / 64) * 64;
    const ids = this.#own.get(stride) ?? [];
    this.#sincePress++;
    for (const id of ids) {
      const pool = this.#pools.get(id)!;
      const slot = pool.acquire();
      if (slot !== undefined) {
        this.#misses = 0;
        const view = this.#track(pool, slot, 0, byteLength);
        if (zero) _zero(view);
        return view;
      }
    }
    if (this.#ownBytes + _POOL_COUNT * stride > this.capBytes) {
      // Full-grown: collect on the 1st, 2nd, 4th, 8th… miss in a row, not on every one.
      const misses = ++this.#misses;
      if ((misses & (misses - 1)) === 0) this.#press();
      return undefined;
    }
    // Every buffer of this size is in use. Collect only if at least half of them were
    // allocated since the last time: otherwise the frames are really held (a queue's worth, a
    // sink keeping them), and growing helps where collecting again and again would only slow
    // every thread down. So the pools settle at about twice what is held.
    if (ids.length !== 0 && this.#sincePress * 2 >= ids.length * _POOL_COUNT) this.#press();
    const pool = SharedPool.create({ count: _POOL_COUNT, byteLength: stride });
    const id = this.thread * 65_536 + this.#next++;
    this.#ownBytes += _POOL_COUNT * stride;
    this.#pools.set(id, pool);
    this.#bySab.set(pool.handle.data, id);
    ids.push(id);
    this.#own.set(stride, ids);
    return this.#track(pool, pool.acquire()!, 0, byteLength);
  }

  /**
   * A view of a pooled buffer that arrived with a message; its reference (taken by the
   * sender) is released when the view is collected.
   *
   * @param pool The pool.
   * @param ref Where the data lies.
   * @returns The view.
   */
  adopt(pool: SharedPool, ref: _PoolRef): ArrayBufferView {
    const type = _TYPES[ref.t ?? "Uint8Array"] ?? Uint8Array;
    const base = pool.view(ref.s);
    const size = (type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const view = new type(base.buffer, base.byteOffset + ref.o, ref.n / size);
    this.#registry.register(view, [pool, ref.s]);
    return view;
  }

  /** Asks every thread to collect. */
  #press(): void {
    if (this.#pressure === undefined) return;
    this.#sincePress = 0;
    Atomics.add(this.#pressure, 0, 1);
  }

  #track(pool: SharedPool, slot: number, offset: number, length: number): Uint8Array {
    const base = pool.view(slot);
    const view = new Uint8Array(base.buffer, base.byteOffset + offset, length);
    this.#registry.register(view, [pool, slot]);
    return view;
  }
}

/** This thread's frame memory. */
export const _memory: _FrameMemory = new _FrameMemory();
