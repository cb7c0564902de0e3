import { StreamlibError } from "../errors.ts";
import { _nextMessage, _signal, _Slots } from "./_shared_slots.ts";

const STATE = 0; // bits 0–1 newest slot (3: none), bit 2 unread, bits 3–4 slot being read (3: none)
const SEQ = 1; // messages published, for waiting
const CLOSED = 2;
const DROPPED = 3;
const HEADER_WORDS = 4;
const NONE = 3;
const FRESH = 4;

/**
 * What another thread needs to attach to a {@linkcode SharedRing}; post it to a Worker (its
 * memory is shared, not copied) and call {@linkcode SharedRing.attach} there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedRing, type SharedRingHandle } from "@streamlib/core";
 * const handle: SharedRingHandle = SharedRing.create().handle;
 * assert.ok(handle.slots.slots === 3);
 * ```
 */
export interface SharedRingHandle {
  /** The three slots' memory and shape. */
  readonly slots: {
    readonly buffer: SharedArrayBuffer;
    readonly slots: number;
    readonly slotBytes: number;
    readonly headerWords: number;
  };
}

/**
 * The cross-thread {@linkcode LatestRing}: a triple buffer of byte messages in shared memory,
 * for one writer thread and one reader thread. The writer always has a free slot (neither the
 * newest nor the one being read), so it never waits; the reader always gets the newest message
 * and never a stale one. Both sides agree through one `Atomics` state word; nothing is locked.
 * A message replaced before it was read counts in `dropped` and goes to the writer's `onDrop`,
 * so a buffer it refers to can go back to its pool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedRing } from "@streamlib/core";
 * const released: number[] = [];
 * const writer = SharedRing.create({ maxBytes: 16 }, (m) => released.push(m[0]!));
 * const reader = SharedRing.attach(writer.handle); // in a Worker, after postMessage(handle)
 * for (const n of [1, 2, 3]) writer.offer(new Uint8Array([n]));
 * assert.ok(reader.take()?.[0] === 3);
 * assert.ok(reader.take() === undefined); // nothing newer
 * assert.ok(released.join() === "1,2" && writer.dropped === 2);
 * ```
 */
export class SharedRing {
  readonly #slots: _Slots;
  readonly #h: Int32Array;
  readonly #onDrop: ((message: Uint8Array) => void) | undefined;

  private constructor(handle: SharedRingHandle, onDrop?: (message: Uint8Array) => void) {
    if (handle?.slots?.slots !== 3) {
      throw new StreamlibError("SL_PARAM_INVALID", "Not the handle of a shared ring");
    }
    this.#slots = new _Slots(handle.slots);
    this.#h = this.#slots.header;
    this.#onDrop = onDrop;
  }

  /**
   * Makes an empty ring in fresh shared memory.
   *
   * @param options `maxBytes`: the largest message (default 1024).
   * @param onDrop Called on the writer's thread with each message replaced before it was read.
   * @returns The ring, seen from this thread.
   */
  static create(
    options: { readonly maxBytes?: number } = {},
    onDrop?: (message: Uint8Array) => void,
  ): SharedRing {
    const slots = _Slots.create(3, options.maxBytes ?? 1024, HEADER_WORDS);
    Atomics.store(slots.header, STATE, NONE | (NONE << 3));
    return new SharedRing({ slots: slots.handle }, onDrop);
  }

  /**
   * The same ring, seen from this thread (usually a Worker that received `handle`).
   *
   * @param handle {@linkcode SharedRing.handle} of the ring, posted to this thread.
   * @param onDrop For the writer's side: called with each message replaced before it was read.
   * @returns The ring.
   */
  static attach(handle: SharedRingHandle, onDrop?: (message: Uint8Array) => void): SharedRing {
    return new SharedRing(handle, onDrop);
  }

  /**
   * What another thread needs to attach; post it (the memory is shared).
   *
   * @returns The handle.
   */
  get handle(): SharedRingHandle {
    return { slots: this.#slots.handle };
  }

  /**
   * 1 when an unread message waits, else 0.
   *
   * @returns The number of unread messages.
   */
  get size(): number {
    return Atomics.load(this.#h, STATE) & FRESH ? 1 : 0;
  }

  /**
   * Messages replaced before they were read.
   *
   * @returns The count since the ring was made.
   */
  get dropped(): number {
    return Atomics.load(this.#h, DROPPED);
  }

  /**
   * Whether the writer has closed the ring (end of stream).
   *
   * @returns `true` once {@linkcode SharedRing.close} was called on either side.
   */
  get closed(): boolean {
    return Atomics.load(this.#h, CLOSED) === 1;
  }

  /**
   * Writer side: publishes `message` (copied) as the newest. Never waits.
   *
   * @param message At most `maxBytes` bytes.
   * @returns Always `true` (the same shape as {@linkcode SharedQueue.offer}).
   * @throws {StreamlibError} `SL_MESSAGE_TOO_LARGE`, or `SL_EOS` once the ring is closed.
   */
  offer(message: Uint8Array): boolean {
    if (this.closed) {
      throw new StreamlibError("SL_EOS", "The shared ring is closed; it takes no more messages");
    }
    const h = this.#h;
    const state = Atomics.load(h, STATE);
    const newest = state & 3;
    const reading = (state >> 3) & 3;
    // The reader only ever moves to the newest slot, so this one stays free until published.
    let slot = 0;
    while (slot === newest || slot === reading) slot++;
    this.#slots.put(slot, message);
    for (;;) {
      const old = Atomics.load(h, STATE);
      const next = slot | FRESH | (old & (3 << 3));
      if (Atomics.compareExchange(h, STATE, old, next) !== old) continue;
      if (old & FRESH) {
        Atomics.add(h, DROPPED, 1);
        this.#onDrop?.(this.#slots.get(old & 3));
      }
      break;
    }
    _signal(h, SEQ);
    return true;
  }

  /**
   * Reader side: takes the newest message, if it was not read yet.
   *
   * @returns A copy of it, or `undefined` when nothing newer arrived.
   */
  take(): Uint8Array | undefined {
    const h = this.#h;
    let slot: number;
    for (;;) {
      const old = Atomics.load(h, STATE);
      if (!(old & FRESH)) return undefined;
      slot = old & 3;
      if (Atomics.compareExchange(h, STATE, old, slot | (slot << 3)) === old) break;
    }
    const message = this.#slots.get(slot);
    for (;;) {
      const old = Atomics.load(h, STATE);
      if (Atomics.compareExchange(h, STATE, old, (old & 7) | (NONE << 3)) === old) break;
    }
    return message;
  }

  /**
   * Reader side: the newest unread message, waiting (without blocking the thread) for one.
   *
   * @param timeoutMs Longest wait (default: for ever).
   * @returns A copy of it, or `undefined` when the ring is closed and read, or on timeout.
   */
  next(timeoutMs: number = Infinity): Promise<Uint8Array | undefined> {
    return _nextMessage(this, this.#h, SEQ, timeoutMs);
  }

  /** Ends the stream: the reader gets the last message if unread, then `undefined`. */
  close(): void {
    Atomics.store(this.#h, CLOSED, 1);
    _signal(this.#h, SEQ); // bumped, so a reader about to wait on the old value does not
  }
}
