/**
 * How messages, calls and errors cross between the main thread and actor Workers: records of
 * V8's serialisation format (compact, binary, keeps typed arrays, `Map`s and `Date`s), with
 * large `data` (frame pixels, long audio) left in shared pools and sent as a reference. The
 * data of a message that is not in shared memory yet is copied into a pool of the sending
 * thread once (later sends of the same message object reuse the copy); when the sender's pools are
 * all in use and full-grown, it is copied once into a buffer that is transferred instead.
 *
 * @module
 */

import { StreamlibError } from "../errors.ts";
import { _INLINE_BYTES, _memory, type _PoolRef } from "./_frame_memory.ts";
import type { Message } from "../messages.ts";
import type { SharedPoolHandle } from "./shared_pool.ts";

type _V8 = {
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
};
let _v8: _V8 | undefined;

/** Loads the serialiser (`node:v8`); once per thread, before the first record. */
export async function _loadCodec(): Promise<void> {
  _v8 ??= (await import("node:v8")).default as unknown as _V8;
}

/**
 * A record's bytes.
 *
 * @param value What to send.
 * @returns The bytes.
 */
export function _pack(value: unknown): Uint8Array {
  return _v8!.serialize(value);
}

/**
 * A record's value.
 *
 * @param bytes The bytes.
 * @returns What was sent.
 */
export function _unpack<T>(bytes: Uint8Array): T {
  return _v8!.deserialize(bytes) as T;
}

/** The thread a message goes to, as the encoder needs it. */
export interface _Peer {
  /** Makes sure the peer knows pool `id` (posts its handle the first time). */
  announce(id: number): void;
  /** Transfers `buffer` to the peer; returns the number the record names it by. */
  transfer(buffer: ArrayBuffer): number;
}

/** Buffers transferred to this thread, claimed by the records that name them. */
export class _Transfers {
  readonly #arrived = new Map<number, ArrayBuffer>();
  readonly #awaited = new Map<number, (buffer: ArrayBuffer) => void>();

  /** The buffer posted under `id` (waits for it when the record came first). */
  take(id: number): ArrayBuffer | Promise<ArrayBuffer> {
    const buffer = this.#arrived.get(id);
    if (buffer === undefined) return new Promise((resolve) => this.#awaited.set(id, resolve));
    this.#arrived.delete(id);
    return buffer;
  }

  /** A buffer posted under `id` has come. */
  arrive(id: number, buffer: ArrayBuffer): void {
    const resolve = this.#awaited.get(id);
    if (resolve === undefined) {
      this.#arrived.set(id, buffer);
      return;
    }
    this.#awaited.delete(id);
    resolve(buffer);
  }
}

/** What threads post besides the shared queues: a new pool, or a transferred buffer. */
export type _Posted =
  | { type: "pool"; id: number; handle: SharedPoolHandle }
  | { type: "data"; id: number; buffer: ArrayBuffer };

/**
 * Takes in a pool announcement or a transferred buffer.
 *
 * @param posted What was posted.
 * @param transfers Where buffers wait for their records.
 */
export function _receivePosted(posted: _Posted, transfers: _Transfers): void {
  if (posted.type === "pool") _memory.register(posted.id, posted.handle);
  else transfers.arrive(posted.id, posted.buffer);
}

/**
 * Shared copies of messages' data, so that a message sent twice (again with a later call, or to
 * a second Worker) is copied once. Keyed by message: a source that refills one buffer for each
 * new message gets a fresh copy each time.
 */
const _copies = new WeakMap<object, Uint8Array>();

type _Typed = new (buffer: ArrayBufferLike, offset?: number, length?: number) => ArrayBufferView;

/**
 * The form of `message` that goes into a record. Pooled data is retained for the peer and
 * listed in `refs`, so that a record that is never delivered can give it back.
 *
 * @param message The message.
 * @param peer The receiving thread.
 * @param refs Collects the pool references taken.
 * @returns A plain object for {@linkcode _pack}.
 */
export function _encodeMessage(message: Message, peer: _Peer, refs: _PoolRef[]): unknown {
  const data = (message as { data?: unknown }).data;
  if (!ArrayBuffer.isView(data) || data.byteLength < _INLINE_BYTES) return message;
  const type = data.constructor.name;
  let ref = _memory.locate(data);
  if (ref === undefined) {
    let copy = _copies.get(message);
    if (copy === undefined) {
      copy = _memory.allocate(data.byteLength, false);
      if (copy !== undefined) {
        copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        _copies.set(message, copy);
      }
    }
    if (copy === undefined) {
      const buffer = new ArrayBuffer(data.byteLength);
      new Uint8Array(buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return { ...message, data: { x: peer.transfer(buffer), t: type } };
    }
    const at = _memory.locate(copy)!;
    ref = type === "Uint8Array" ? at : { ...at, t: type };
  }
  peer.announce(ref.p);
  _memory.retain(ref);
  refs.push(ref);
  return { ...message, data: ref };
}

/**
 * The message a record carried, its pooled data adopted by this thread.
 *
 * @param value The decoded form.
 * @param transfers Where transferred data is claimed.
 * @returns The message (a promise only while a pool's or a transfer's announcement is on
 *   its way).
 */
export function _decodeMessage(
  value: unknown,
  transfers: _Transfers,
): Message | Promise<Message> {
  const message = value as { data?: unknown };
  const data = message.data;
  if (data === null || typeof data !== "object" || ArrayBuffer.isView(data)) {
    return message as Message;
  }
  if ("x" in data) {
    const { x, t } = data as { x: number; t: string };
    const wrap = (buffer: ArrayBuffer): Message => {
      const type = (globalThis as unknown as Record<string, _Typed>)[t] ?? Uint8Array;
      return { ...message, data: new type(buffer) } as Message;
    };
    const buffer = transfers.take(x);
    return buffer instanceof ArrayBuffer ? wrap(buffer) : buffer.then(wrap);
  }
  const ref = data as _PoolRef;
  const pool = _memory.pool(ref.p);
  if (pool instanceof Promise) {
    return pool.then((p) => ({ ...message, data: _memory.adopt(p, ref) }) as Message);
  }
  message.data = _memory.adopt(pool, ref);
  return message as Message;
}

/**
 * Gives back the pool references of records that will never be read.
 *
 * @param value A decoded record.
 */
export function _releaseRefs(value: unknown): void {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v) || ArrayBuffer.isView(v)) return;
    seen.add(v);
    const ref = v as Partial<_PoolRef>;
    if (typeof ref.p === "number" && typeof ref.s === "number" && typeof ref.n === "number") {
      _memory.release(ref as _PoolRef);
      return;
    }
    for (const item of Object.values(v)) walk(item);
  };
  walk(value);
}

/** An error as it crosses. */
export interface _ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly details?: unknown;
}

/**
 * The crossing form of `error`.
 *
 * @param error What was thrown.
 * @returns Its record.
 */
export function _encodeError(error: unknown): _ErrorRecord {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const record: _ErrorRecord = {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(error instanceof StreamlibError ? { code: error.code } : {}),
  };
  if (error instanceof StreamlibError && error.details !== undefined) {
    try {
      _pack(error.details);
      return { ...record, details: error.details };
    } catch {
      return record;
    }
  }
  return record;
}

/**
 * The error a record describes: a {@linkcode StreamlibError} again when it was one.
 *
 * @param record The record.
 * @returns The error.
 */
export function _decodeError(record: _ErrorRecord): Error {
  const error = record.code !== undefined
    ? new StreamlibError(record.code, record.message, {
      details: record.details as Record<string, unknown> | undefined,
    })
    : new Error(record.message);
  if (record.code === undefined) error.name = record.name;
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}
