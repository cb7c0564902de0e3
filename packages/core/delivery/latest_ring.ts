/**
 * A three-slot ring with latest-read semantics (a triple buffer; Holoscan's async buffer,
 * MediaPipe's flow limiter). The writer always has a free slot, so it never waits; the reader
 * always gets the newest message and never a stale one. A message replaced before anyone read
 * it is counted in `dropped`. Of the three slots, one holds the message waiting, one the
 * message the reader took last (it may still be using it) and one is the writer's, so at most
 * one message ever waits: `capacity` and `size` count that one, as `Pipeline.stats()` does.
 *
 * The slot discipline (write into the slot that is neither the newest nor the one being read)
 * is the same one the cross-thread version uses over shared memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LatestRing } from "@streamlib/core";
 * const ring = new LatestRing<number>();
 * ring.offer(1);
 * ring.offer(2);
 * ring.offer(3);
 * assert.ok(ring.take() === 3);
 * assert.ok(ring.take() === undefined); // nothing newer
 * assert.ok(ring.dropped === 2);
 * ```
 *
 * @typeParam T The message type.
 */
export class LatestRing<T> {
  readonly #slots: Array<T | undefined> = [undefined, undefined, undefined];
  #latest = -1;
  #reading = -1;
  #fresh = false;
  #dropped = 0;

  /**
   * Messages that can wait to be read at most: 1, the newest (the other two slots are the
   * reader's and the writer's).
   *
   * @returns Always 1.
   */
  get capacity(): number {
    return 1;
  }

  /**
   * 1 when an unread message waits, else 0.
   *
   * @returns The number of unread messages.
   */
  get size(): number {
    return this.#fresh ? 1 : 0;
  }

  /**
   * Messages overwritten before they were read.
   *
   * @returns The count since the ring was made.
   */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Publishes `message` as the newest. Never blocks.
   *
   * @param message The message.
   * @returns Always `true` (the ring never refuses a write).
   */
  offer(message: T): boolean {
    let slot = 0;
    while (slot === this.#latest || slot === this.#reading) slot++;
    this.#slots[slot] = message;
    if (this.#fresh) this.#dropped++;
    this.#latest = slot;
    this.#fresh = true;
    return true;
  }

  /**
   * Takes the newest unread message.
   *
   * @returns The message, or `undefined` when nothing new was written since the last take.
   */
  take(): T | undefined {
    if (!this.#fresh) return undefined;
    this.#fresh = false;
    if (this.#reading !== -1 && this.#reading !== this.#latest) {
      this.#slots[this.#reading] = undefined;
    }
    this.#reading = this.#latest;
    return this.#slots[this.#reading];
  }

  /**
   * The newest unread message, left in place.
   *
   * @returns The message, or `undefined`.
   */
  peek(): T | undefined {
    return this.#fresh ? this.#slots[this.#latest] : undefined;
  }

  /**
   * Forgets every slot; an unread message counts as dropped.
   *
   * @returns The number of unread messages discarded (0 or 1).
   */
  clear(): number {
    const discarded = this.#fresh ? 1 : 0;
    this.#dropped += discarded;
    this.#slots.fill(undefined);
    this.#latest = -1;
    this.#reading = -1;
    this.#fresh = false;
    return discarded;
  }
}
