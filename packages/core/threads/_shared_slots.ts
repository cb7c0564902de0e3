/**
 * Fixed-size record slots over a SharedArrayBuffer, shared by {@linkcode SharedQueue} and
 * {@linkcode SharedRing}: a header of `Int32` words used with `Atomics`, then `slots` slots of
 * `slotBytes` bytes, each holding a 4-byte length and that many payload bytes.
 *
 * @module
 */

import { StreamlibError } from "../errors.ts";

/** What crosses to another thread to attach to the same slots (shared, not copied). */
export interface _SlotsHandle {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  readonly slotBytes: number;
  readonly headerWords: number;
}

/** The slots' memory as seen from one thread. */
export class _Slots {
  readonly header: Int32Array;
  readonly bytes: Uint8Array;
  readonly #lengths: Int32Array;
  readonly handle: _SlotsHandle;

  constructor(handle: _SlotsHandle) {
    const { buffer, slots, slotBytes, headerWords } = handle;
    if (
      !(buffer instanceof SharedArrayBuffer) || slots < 1 || slotBytes < 8 || slotBytes % 4 !== 0 ||
      buffer.byteLength !== headerWords * 4 + slots * slotBytes
    ) {
      throw new StreamlibError("SL_PARAM_INVALID", "Not the handle of shared slots");
    }
    this.handle = handle;
    this.header = new Int32Array(buffer, 0, headerWords);
    this.bytes = new Uint8Array(buffer, headerWords * 4);
    this.#lengths = new Int32Array(buffer, headerWords * 4);
  }

  /** Makes fresh zeroed slots. */
  static create(slots: number, slotBytes: number, headerWords: number): _Slots {
    if (!Number.isInteger(slots) || slots < 1) {
      throw new StreamlibError("SL_PARAM_INVALID", `slots must be an integer ≥ 1, got ${slots}`);
    }
    if (!Number.isInteger(slotBytes) || slotBytes < 4) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `slotBytes must be an integer ≥ 4, got ${slotBytes}`,
      );
    }
    const stride = Math.ceil((slotBytes + 4) / 4) * 4;
    const buffer = new SharedArrayBuffer(headerWords * 4 + slots * stride);
    return new _Slots({ buffer, slots, slotBytes: stride, headerWords });
  }

  /** Largest payload a slot holds. */
  get maxBytes(): number {
    return this.handle.slotBytes - 4;
  }

  /** Writes `payload` into slot `slot` (only its owner may). */
  put(slot: number, payload: Uint8Array): void {
    if (payload.byteLength > this.maxBytes) {
      throw new StreamlibError(
        "SL_MESSAGE_TOO_LARGE",
        `A ${payload.byteLength}-byte message does not fit a ${this.maxBytes}-byte shared slot`,
      );
    }
    const at = slot * this.handle.slotBytes;
    this.#lengths[at / 4] = payload.byteLength;
    this.bytes.set(payload, at + 4);
  }

  /** A copy of slot `slot`'s payload (a copy, since the writer may reuse the slot). */
  get(slot: number): Uint8Array {
    const at = slot * this.handle.slotBytes;
    const length = this.#lengths[at / 4]!;
    if (length < 0 || length > this.maxBytes) return new Uint8Array(0); // torn: caller retries
    return this.bytes.slice(at + 4, at + 4 + length);
  }
}

/**
 * Announces a change to whoever waits on `header[index]`: bumps the word, then wakes its
 * waiters. A side about to wait compares the word with the value it read before it looked at
 * the state, so a change made in between (a write, a take, a close) is never slept through.
 */
export function _signal(header: Int32Array, index: number): void {
  Atomics.add(header, index, 1);
  Atomics.notify(header, index);
}

/**
 * Waits until `header[index]` no longer holds `value` (or is notified), without blocking the
 * thread (an `Atomics.waitAsync`), or until `timeoutMs` passes (a timer of ours: Deno counts
 * neither a pending `waitAsync` nor its timeout as work, and would otherwise end an event loop
 * that has nothing else to do while the other thread is about to answer).
 */
export async function _waitChange(
  header: Int32Array,
  index: number,
  value: number,
  timeoutMs: number = Infinity,
): Promise<void> {
  const wait = Atomics.waitAsync(header, index, value, timeoutMs);
  if (!wait.async) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((done) => {
    timer = setTimeout(done, Math.min(timeoutMs, 2 ** 31 - 1));
  });
  try {
    await Promise.race([wait.value, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The reader's wait of {@linkcode SharedQueue.next} and {@linkcode SharedRing.next}: takes a
 * message, else sleeps until the writer bumps `header[index]` (or closes), up to `timeoutMs`.
 */
export async function _nextMessage(
  side: { take(): Uint8Array | undefined; readonly closed: boolean },
  header: Int32Array,
  index: number,
  timeoutMs: number,
): Promise<Uint8Array | undefined> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(header, index);
    const message = side.take();
    if (message !== undefined) return message;
    if (side.closed) return side.take();
    const left = until - performance.now();
    if (left <= 0) return undefined;
    await _waitChange(header, index, seen, left);
  }
}
