/**
 * Actor Workers as threads: each with its two shared queues, and the pools that place actors
 * on them.
 *
 * @module
 */

import { StreamlibError } from "../errors.ts";
import { SharedQueue } from "./shared_queue.ts";
import { _FrameMemory, _INLINE_BYTES, _memory } from "./_frame_memory.ts";
import { _setFrameAllocator } from "../_frame_alloc.ts";
import { _macrotask } from "../_yield.ts";
import {
  _pack,
  type _Peer,
  _receivePosted,
  _releaseRefs,
  _Transfers,
  _unpack,
} from "./_worker_codec.ts";
import type { _Call, _Reply } from "./_worker_protocol.ts";
import type { _PoolRef } from "./_frame_memory.ts";
import { _lineage } from "./_worker_lineage.ts";
import type { WorkerPermissions } from "./worker_permissions.ts";

/** Records in each direction's queue. */
const _QUEUE_RECORDS = 64;
/** Largest record: the inline data of a call is kept below half of it. */
export const _RECORD_BYTES = 128 * 1024;

/** The pressure counter all threads share (see `_frame_memory.ts`); made by the first Worker. */
function _pressure(): Int32Array {
  let counter = _memory.pressure;
  if (counter === undefined) {
    counter = _FrameMemory.pressureCounter();
    _memory.setPressure(counter);
  }
  return counter;
}

let _collectQueued = false;

/** Collects in a macrotask, once, when some thread asked for it. */
function _collectSoon(): void {
  if (_collectQueued || !_memory.pressed) return;
  _collectQueued = true;
  _macrotask(() => {
    _collectQueued = false;
    _memory.collectIfPressed();
  });
}

/** Workers started and not yet ended, for tests that check none is left. */
const _live = new Set<_WorkerThread>();
let _threads = 0;

/**
 * How many actor Workers run in this process now.
 *
 * @returns The count.
 */
export function _liveWorkers(): number {
  return _live.size;
}

/** What a Worker's actors hear from the thread that hosts them. */
export interface _ThreadClient {
  /** A reply for this actor. */
  _reply(reply: _Reply): void;
  /** The Worker died; pending calls fail with `error`. */
  _died(error: StreamlibError): void;
}

/**
 * One Worker and its two shared queues: calls go in through one, replies, writes and requests
 * come back through the other, in order. Pool handles and transferred buffers, which cannot go
 * into shared memory, go by `postMessage`; a record that names one waits for it.
 *
 * @internal
 */
export class _WorkerThread implements _Peer {
  readonly id: number;
  readonly #worker: Worker;
  readonly #calls: SharedQueue;
  readonly #replies: SharedQueue;
  readonly #clients = new Map<number, _ThreadClient>();
  readonly #announced = new Set<number>();
  /** Buffers the Worker transferred, for the replies that name them. */
  readonly transfers: _Transfers = new _Transfers();
  #nextTransfer = 0;
  /** Actors placed here by their pool. */
  actors = 0;
  /** Why it died, once it has. */
  dead: StreamlibError | undefined;
  #ended = false;

  constructor(frameMemory: number, permissions: WorkerPermissions = "inherit") {
    this.id = ++_threads;
    this.#calls = SharedQueue.create({ capacity: _QUEUE_RECORDS, maxBytes: _RECORD_BYTES });
    this.#replies = SharedQueue.create({ capacity: _QUEUE_RECORDS, maxBytes: _RECORD_BYTES });
    this.#worker = new Worker(
      new URL("./_worker_runtime.ts", import.meta.url).href,
      {
        type: "module",
        name: `streamlib-worker-${this.id}`,
        // Deno's own option (a sandbox); kept out when inherited, so other runtimes never see it.
        ...(permissions === "inherit" ? {} : { deno: { permissions } }),
      } as WorkerOptions,
    );
    this.#worker.onmessage = (event: MessageEvent): void =>
      _receivePosted(event.data, this.transfers);
    this.#worker.onerror = (event: ErrorEvent): void => {
      event.preventDefault();
      this.#die(event.message || String(event.error));
    };
    this.#worker.onmessageerror = (): void => this.#die("a message could not be read");
    this.#worker.postMessage({
      type: "init",
      thread: this.id,
      cmd: this.#calls.handle,
      reply: this.#replies.handle,
      pressure: _pressure().buffer,
      frameMemory,
      importing: _lineage.forNewWorker(),
    });
    _live.add(this);
    if (_memory.thread === 0) {
      // While actors run in Workers, large frames made here are made in shared memory, so that
      // those sent to a Worker leave without a copy.
      _setFrameAllocator((byteLength) =>
        byteLength >= _INLINE_BYTES && _live.size !== 0 ? _memory.allocate(byteLength) : undefined
      );
    }
    void this.#pump();
  }

  /** Where `client`'s replies go. */
  attach(id: number, client: _ThreadClient): void {
    this.#clients.set(id, client);
  }

  /** Stops routing to `id`. */
  detach(id: number): void {
    this.#clients.delete(id);
  }

  /**
   * Sends a call, waiting for room; gives back the call's pool references when it cannot go.
   *
   * @param call The call.
   * @param refs Pool references its messages hold.
   */
  async send(call: _Call, refs: readonly _PoolRef[]): Promise<void> {
    try {
      if (this.dead) throw this.dead;
      const bytes = _pack(call);
      if (!this.#calls.offer(bytes)) await this.#calls.write(bytes);
    } catch (error) {
      for (const ref of refs) _memory.release(ref);
      if (this.dead) throw this.dead;
      throw error;
    }
  }

  announce(id: number): void {
    if (this.#announced.has(id)) return;
    this.#announced.add(id);
    this.#worker.postMessage({ type: "pool", id, handle: _memory.handle(id) });
  }

  transfer(buffer: ArrayBuffer): number {
    const id = this.#nextTransfer++;
    this.#worker.postMessage({ type: "data", id, buffer }, [buffer]);
    return id;
  }

  /**
   * Ends the Worker as if it had died: the actors still on it hear `SL_WORKER_DIED`.
   *
   * @param reason Why, for their errors.
   */
  kill(reason: string): void {
    this.#die(reason);
  }

  /** Ends the Worker now; calls not yet read give back their pool references. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#worker.terminate();
    this.#calls.close();
    this.#calls.clear((bytes) => _releaseRefs(_unpack(bytes)));
    this.#replies.close();
    _live.delete(this);
  }

  #die(reason: string): void {
    if (this.dead || this.#ended) return;
    this.dead = new StreamlibError(
      "SL_WORKER_DIED",
      `Worker ${this.id} died: ${reason}`,
      { details: { worker: this.id, reason } },
    );
    this.end();
    for (const client of [...this.#clients.values()]) client._died(this.dead);
  }

  async #pump(): Promise<void> {
    for (;;) {
      const bytes = await this.#replies.next();
      if (bytes === undefined) return;
      const reply = _unpack<_Reply>(bytes);
      this.#clients.get(reply.id)?._reply(reply);
      // After what the reply sets off (the next call, most often): a collection takes a while.
      _collectSoon();
    }
  }
}

/** What the threads need of a `WorkerPool` (kept structural: the pool's module imports this one). */
export interface _PoolLimits {
  readonly size: number;
  readonly frameMemory: number;
  readonly permissions?: WorkerPermissions;
}

/** The Workers of each pool. */
const _pools = new WeakMap<_PoolLimits, _WorkerThread[]>();

/**
 * Workers a pool runs now.
 *
 * @param pool The pool.
 * @returns The count.
 */
export function _poolWorkers(pool: _PoolLimits): number {
  return (_pools.get(pool) ?? []).filter((t) => !t.dead).length;
}

/**
 * A Worker of `pool` for one more actor: a new one while the pool has fewer than its size,
 * else the one with the fewest actors.
 *
 * @param pool The pool.
 * @returns The Worker.
 */
export function _assign(pool: _PoolLimits): _WorkerThread {
  const threads = (_pools.get(pool) ?? []).filter((t) => !t.dead);
  let thread: _WorkerThread;
  if (threads.length < pool.size) {
    thread = new _WorkerThread(pool.frameMemory, pool.permissions);
    threads.push(thread);
  } else {
    thread = threads.reduce((a, b) => b.actors < a.actors ? b : a);
  }
  _pools.set(pool, threads);
  thread.actors++;
  return thread;
}

/**
 * An actor left `thread`: the last one out ends it.
 *
 * @param pool Its pool.
 * @param thread The Worker.
 */
export function _release(pool: _PoolLimits, thread: _WorkerThread): void {
  if (--thread.actors > 0 && !thread.dead) return;
  thread.end();
  _pools.set(pool, (_pools.get(pool) ?? []).filter((t) => t !== thread));
}
