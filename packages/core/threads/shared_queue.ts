import { StreamlibError } from "../errors.ts";
import type { FullBehavior } from "../delivery/bounded_queue.ts";
import { _nextMessage, _signal, _Slots, _waitChange } from "./_shared_slots.ts";

const READ = 0; // records taken, mod 2 × capacity
const WRITE = 1; // records written, mod 2 × capacity
const CLOSED = 2;
const DROPPED = 3;
// Bumped by every change the other side may wait for (a write, a take, a close), so a wait that
// began with a stale value returns at once: a close between a side's last look and its wait
// would otherwise change no watched word and leave it asleep for ever.
const SIGNAL = 4;
const HEADER_WORDS = 5;

/**
 * What another thread needs to attach to a {@linkcode SharedQueue}: post it to a Worker (its
 * memory is shared, not copied) and call {@linkcode SharedQueue.attach} there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedQueue, type SharedQueueHandle } from "@streamlib/core";
 * const handle: SharedQueueHandle = SharedQueue.create({ capacity: 4 }).handle;
 * assert.ok(handle.full === "block");
 * ```
 */
export interface SharedQueueHandle {
  /** The slots' memory and shape. */
  readonly slots: {
    readonly buffer: SharedArrayBuffer;
    readonly slots: number;
    readonly slotBytes: number;
    readonly headerWords: number;
  };
  /** What a write into a full queue does. */
  readonly full: FullBehavior;
}

/**
 * Options for {@linkcode SharedQueue.create}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SharedQueueOptions } from "@streamlib/core";
 * const options: SharedQueueOptions = { capacity: 8, full: "drop-oldest", maxBytes: 256 };
 * assert.ok(options.capacity === 8);
 * ```
 */
export interface SharedQueueOptions {
  /** Messages it holds (default 8). */
  readonly capacity?: number;
  /** What a write into a full queue does (default `block`). */
  readonly full?: FullBehavior;
  /** The largest message in bytes (default 1024). */
  readonly maxBytes?: number;
}

/**
 * A bounded FIFO of byte messages in shared memory, for one writer thread and one reader
 * thread: the cross-thread {@linkcode BoundedQueue}. Nothing is locked; the two sides agree
 * through `Atomics` on two counters. A full queue follows its `full` behaviour: `block` makes
 * the writer wait ({@linkcode SharedQueue.write}) until the reader takes one — backpressure
 * across the thread boundary — while `drop-oldest` and `drop-newest` never wait and count what
 * they discard. Every message that will not be delivered (dropped, or left when the queue is
 * cleared) is handed to the writer's `onDrop`, so buffers it refers to can go back to their pool.
 *
 * Messages are copied into fixed slots of `maxBytes`: they are meant to be small descriptors
 * (a frame's metadata and the pool slot of its pixels), not the pixels themselves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedQueue } from "@streamlib/core";
 * const writer = SharedQueue.create({ capacity: 2 });
 * const reader = SharedQueue.attach(writer.handle); // in a Worker, after postMessage(handle)
 * writer.offer(new Uint8Array([1]));
 * writer.offer(new Uint8Array([2]));
 * assert.ok(writer.offer(new Uint8Array([3])) === false); // full: the writer must wait
 * assert.ok(reader.take()?.[0] === 1);
 * writer.close();
 * assert.ok((await reader.next())?.[0] === 2);
 * assert.ok((await reader.next()) === undefined); // closed and empty
 * ```
 */
export class SharedQueue {
  readonly #slots: _Slots;
  readonly #h: Int32Array;
  readonly #n: number;
  readonly #onDrop: ((message: Uint8Array) => void) | undefined;
  /** What a write into a full queue does. */
  readonly full: FullBehavior;

  private constructor(handle: SharedQueueHandle, onDrop?: (message: Uint8Array) => void) {
    if (!["block", "drop-oldest", "drop-newest"].includes(handle?.full)) {
      throw new StreamlibError("SL_PARAM_INVALID", "Not the handle of a shared queue");
    }
    this.#slots = new _Slots(handle.slots);
    this.#h = this.#slots.header;
    this.#n = handle.slots.slots;
    this.full = handle.full;
    this.#onDrop = onDrop;
  }

  /**
   * Makes an empty queue in fresh shared memory.
   *
   * @param options Capacity, full behaviour and largest message.
   * @param onDrop Called on the writer's thread with each message that will not be delivered.
   * @returns The queue, seen from this thread.
   */
  static create(
    options: SharedQueueOptions = {},
    onDrop?: (message: Uint8Array) => void,
  ): SharedQueue {
    const capacity = options.capacity ?? 8;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) {
      throw new StreamlibError(
        "SL_POLICY_INVALID",
        `Queue capacity must be an integer from 1 to 2^20, got ${capacity}`,
      );
    }
    const full = options.full ?? "block";
    if (!["block", "drop-oldest", "drop-newest"].includes(full)) {
      throw new StreamlibError(
        "SL_POLICY_INVALID",
        `Queue full behaviour must be block, drop-oldest or drop-newest, got ${
          JSON.stringify(full)
        }`,
      );
    }
    const slots = _Slots.create(capacity, options.maxBytes ?? 1024, HEADER_WORDS);
    return new SharedQueue({ slots: slots.handle, full }, onDrop);
  }

  /**
   * The same queue, seen from this thread (usually a Worker that received `handle`).
   *
   * @param handle {@linkcode SharedQueue.handle} of the queue, posted to this thread.
   * @param onDrop For the writer's side: called with each message that will not be delivered.
   * @returns The queue.
   */
  static attach(handle: SharedQueueHandle, onDrop?: (message: Uint8Array) => void): SharedQueue {
    return new SharedQueue(handle, onDrop);
  }

  /**
   * What another thread needs to attach; post it (the memory is shared).
   *
   * @returns The handle.
   */
  get handle(): SharedQueueHandle {
    return { slots: this.#slots.handle, full: this.full };
  }

  /**
   * How many messages the queue holds.
   *
   * @returns The capacity.
   */
  get capacity(): number {
    return this.#n;
  }

  /**
   * Messages waiting.
   *
   * @returns The queue length now (the other side may change it at once).
   */
  get size(): number {
    return this.#count(Atomics.load(this.#h, WRITE), Atomics.load(this.#h, READ));
  }

  /**
   * Messages discarded by a leaky full behaviour or by {@linkcode SharedQueue.clear}.
   *
   * @returns The count since the queue was made.
   */
  get dropped(): number {
    return Atomics.load(this.#h, DROPPED);
  }

  /**
   * Whether the writer has closed the queue (end of stream).
   *
   * @returns `true` once {@linkcode SharedQueue.close} was called on either side.
   */
  get closed(): boolean {
    return Atomics.load(this.#h, CLOSED) === 1;
  }

  /**
   * Writer side: appends `message` (copied), or applies the full behaviour.
   *
   * @param message At most `maxBytes` bytes.
   * @returns `false` only when the queue is full and blocks: the caller keeps the message and
   *   waits ({@linkcode SharedQueue.write}); `true` when it was taken or deliberately dropped.
   * @throws {StreamlibError} `SL_MESSAGE_TOO_LARGE`, or `SL_EOS` once the queue is closed.
   */
  offer(message: Uint8Array): boolean {
    if (this.closed) {
      throw new StreamlibError("SL_EOS", "The shared queue is closed; it takes no more messages");
    }
    const h = this.#h;
    const write = Atomics.load(h, WRITE);
    for (;;) {
      const read = Atomics.load(h, READ);
      if (this.#count(write, read) < this.#n) break;
      if (this.full === "block") return false;
      if (this.full === "drop-newest") {
        this.#drop(message);
        return true;
      }
      // drop-oldest: take the oldest away from the reader, unless it takes it first.
      const oldest = this.#slots.get(read % this.#n);
      if (Atomics.compareExchange(h, READ, read, this.#next(read)) === read) {
        this.#drop(oldest);
      }
    }
    this.#slots.put(write % this.#n, message);
    Atomics.store(h, WRITE, this.#next(write));
    _signal(h, SIGNAL);
    return true;
  }

  /**
   * Writer side: appends `message`, waiting (without blocking the thread) while a `block` queue
   * is full.
   *
   * @param message At most `maxBytes` bytes.
   * @param signal Stops the wait; the message is then not written.
   * @returns Once written (or dropped by a leaky behaviour).
   * @throws {StreamlibError} `SL_EOS` when the queue is closed meanwhile, `SL_ABORTED` on abort.
   */
  async write(message: Uint8Array, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const seen = Atomics.load(this.#h, SIGNAL);
      if (this.offer(message)) return;
      if (signal?.aborted) {
        throw new StreamlibError("SL_ABORTED", "The write to a shared queue was aborted", {
          cause: signal.reason,
        });
      }
      await _waitChange(this.#h, SIGNAL, seen, signal === undefined ? Infinity : 50);
    }
  }

  /**
   * Reader side: removes and returns the oldest message.
   *
   * @returns A copy of it, or `undefined` when empty.
   */
  take(): Uint8Array | undefined {
    const h = this.#h;
    for (;;) {
      const read = Atomics.load(h, READ);
      if (this.#count(Atomics.load(h, WRITE), read) === 0) return undefined;
      const message = this.#slots.get(read % this.#n);
      // The writer may have dropped it meanwhile (drop-oldest): then look again.
      if (Atomics.compareExchange(h, READ, read, this.#next(read)) === read) {
        _signal(h, SIGNAL);
        return message;
      }
    }
  }

  /**
   * Reader side: the oldest message, waiting (without blocking the thread) for one.
   *
   * @param timeoutMs Longest wait (default: for ever).
   * @returns A copy of it, or `undefined` when the queue is closed and empty, or on timeout.
   */
  next(timeoutMs: number = Infinity): Promise<Uint8Array | undefined> {
    return _nextMessage(this, this.#h, SIGNAL, timeoutMs);
  }

  /**
   * Ends the stream: the reader gets what is left, then `undefined`; writes throw `SL_EOS`.
   * Wakes both sides.
   */
  close(): void {
    Atomics.store(this.#h, CLOSED, 1);
    _signal(this.#h, SIGNAL); // wakes a waiting reader or writer, and any about to wait
  }

  /**
   * Reader side: discards every waiting message, handing each to `onDrop` of this side.
   *
   * @param onDrop Called with each discarded message (to release what it refers to).
   * @returns How many were discarded.
   */
  clear(onDrop?: (message: Uint8Array) => void): number {
    let discarded = 0;
    for (let message = this.take(); message !== undefined; message = this.take()) {
      discarded++;
      Atomics.add(this.#h, DROPPED, 1);
      onDrop?.(message);
    }
    return discarded;
  }

  #drop(message: Uint8Array): void {
    Atomics.add(this.#h, DROPPED, 1);
    this.#onDrop?.(message);
  }

  #count(write: number, read: number): number {
    const n2 = 2 * this.#n;
    return (write - read + n2) % n2;
  }

  #next(index: number): number {
    return index + 1 === 2 * this.#n ? 0 : index + 1;
  }
}
