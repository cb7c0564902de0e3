import { StreamlibError } from "../errors.ts";

/**
 * What a full {@linkcode BoundedQueue} does with a new message (GStreamer's leaky queues):
 * `block` refuses it so that the writer waits (backpressure), `drop-oldest` discards the head to
 * make room, `drop-newest` discards the new message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FullBehavior } from "@streamlib/core";
 * const behaviours: FullBehavior[] = ["block", "drop-oldest", "drop-newest"];
 * assert.ok(behaviours.length === 3);
 * ```
 */
export type FullBehavior = "block" | "drop-oldest" | "drop-newest";

/**
 * A bounded FIFO over a fixed circular array: no allocation per message, O(1) both ends.
 *
 * @example Backpressure
 * ```ts
 * import assert from "node:assert/strict";
 * import { BoundedQueue } from "@streamlib/core";
 * const q = new BoundedQueue<string>(2, "block");
 * assert.ok(q.offer("a") && q.offer("b"));
 * assert.ok(q.offer("c") === false); // full: the writer must wait
 * assert.ok(q.take() === "a");
 * ```
 *
 * @example Leaky
 * ```ts
 * import assert from "node:assert/strict";
 * import { BoundedQueue } from "@streamlib/core";
 * const q = new BoundedQueue<number>(2, "drop-oldest");
 * q.offer(1); q.offer(2); q.offer(3);
 * assert.ok(q.take() === 2 && q.dropped === 1);
 * ```
 *
 * @typeParam T The message type.
 */
export class BoundedQueue<T> {
  /** How many messages the queue holds. */
  readonly capacity: number;
  /** What a write into a full queue does. */
  readonly full: FullBehavior;
  /** The ring: grows by doubling up to `capacity`, so memory follows what is held. */
  #items: Array<T | undefined>;
  #head = 0;
  #size = 0;
  #dropped = 0;

  /**
   * Creates an empty queue.
   *
   * @param capacity Messages it holds (a positive integer).
   * @param full What a write into a full queue does (default `block`).
   */
  constructor(capacity: number, full: FullBehavior = "block") {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new StreamlibError(
        "SL_POLICY_INVALID",
        `Queue capacity must be a positive integer, got ${capacity}`,
      );
    }
    if (full !== "block" && full !== "drop-oldest" && full !== "drop-newest") {
      throw new StreamlibError(
        "SL_POLICY_INVALID",
        `Queue full behaviour must be block, drop-oldest or drop-newest, got ${
          JSON.stringify(full)
        }`,
      );
    }
    this.capacity = capacity;
    this.full = full;
    this.#items = new Array(Math.min(capacity, 16));
  }

  /**
   * Messages waiting.
   *
   * @returns The queue length.
   */
  get size(): number {
    return this.#size;
  }

  /**
   * Messages discarded by a leaky full behaviour.
   *
   * @returns The count since the queue was made.
   */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Appends `message`, or applies the full behaviour.
   *
   * @param message The message.
   * @returns `false` only when the queue is full and blocks: the caller keeps the message and
   *   waits; `true` when the message was taken or deliberately dropped.
   */
  offer(message: T): boolean {
    if (this.#size === this.#items.length) {
      if (this.#size === this.capacity) {
        if (this.full === "block") return false;
        this.#dropped++;
        if (this.full === "drop-newest") return true;
        this.#items[this.#head] = message;
        if (++this.#head === this.capacity) this.#head = 0;
        return true;
      }
      this.#grow();
    }
    const items = this.#items;
    let tail = this.#head + this.#size;
    if (tail >= items.length) tail -= items.length;
    items[tail] = message;
    this.#size++;
    return true;
  }

  /**
   * Removes and returns the oldest message.
   *
   * @returns The message, or `undefined` when empty.
   */
  take(): T | undefined {
    if (this.#size === 0) return undefined;
    const message = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    if (++this.#head === this.#items.length) this.#head = 0;
    this.#size--;
    return message;
  }

  /**
   * The oldest message, left in place.
   *
   * @returns The message, or `undefined` when empty.
   */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** @internal The message `index` places from the front, left in place. */
  _at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    let at = this.#head + index;
    if (at >= this.#items.length) at -= this.#items.length;
    return this.#items[at];
  }

  /**
   * Discards every waiting message (they count as dropped).
   *
   * @returns How many were discarded.
   */
  clear(): number {
    const discarded = this.#size;
    this.#dropped += discarded;
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
    return discarded;
  }

  /** A ring twice as long (at most `capacity`), the messages moved to its start in order. */
  #grow(): void {
    const old = this.#items;
    const items = new Array<T | undefined>(Math.min(this.capacity, old.length * 2));
    for (let i = 0; i < this.#size; i++) {
      let at = this.#head + i;
      if (at >= old.length) at -= old.length;
      items[i] = old[at];
    }
    this.#items = items;
    this.#head = 0;
  }
}
