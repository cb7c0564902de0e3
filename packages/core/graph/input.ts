import type { Actor } from "./actor.ts";
import type { InputSpec } from "./contract.ts";
import type { Message } from "../messages.ts";
import type { _Link, _Node } from "../runtime/_node.ts";
import {
  createDeliveryBuffer,
  type DeliveryBuffer,
  formatPolicy,
  type ResolvedPolicy,
} from "../delivery/policy.ts";

interface _Waiter<T> {
  message: T;
  link: _Link;
  /** Taken past capacity (see `_offer`): the writer is not waiting for it. */
  taken: boolean;
}

/**
 * An actor's input port: a named, typed buffer that upstream outputs write into and the actor
 * reads in `process`. How it buffers is its delivery policy (`latest` ring or bounded `queue`).
 *
 * @example Reading in process()
 * ```ts
 * import { Actor, defineContract, type TimedTick } from "@streamlib/core";
 *
 * const contract = defineContract({ type: "printer", inputs: { in: { kind: "data" } } });
 * class Printer extends Actor<typeof contract> {
 *   static override contract = contract;
 *   process(_tick: TimedTick): void {
 *     const message = this.inputs.in.read();
 *     if (message) console.log(message.value);
 *   }
 * }
 * console.assert(new Printer().inputs.in.name === "in");
 * ```
 *
 * @typeParam T The message type.
 */
export class Input<T extends Message = Message> {
  /** Port name, e.g. `"in"` or `"layer_0"`. */
  readonly name: string;
  /** The port's contract entry. */
  readonly spec: InputSpec;
  /** The actor that owns the port. */
  readonly actor: Actor;
  /** @internal */
  _node: _Node | undefined;
  /** @internal */
  _policy: ResolvedPolicy;
  /** @internal */
  _buffer: DeliveryBuffer<T>;
  /** @internal */
  _links: _Link[] = [];
  /** @internal Links that have not sent end-of-stream. */
  _openLinks = 0;
  /** @internal Writes waiting for space (block policy). */
  _waiters: Array<_Waiter<T>> = [];
  /** @internal The actor finished: later writes are discarded. */
  _closed = false;
  /** @internal */
  _received = 0;
  /** @internal Some output has been connected to this input at some point. */
  _everLinked = false;
  /** @internal Waiting writes discarded because the actor ended. */
  _discarded = 0;

  /**
   * Creates an input; actors get theirs from their contract, you never call this.
   *
   * @param actor The owner.
   * @param name The port name.
   * @param spec The contract entry.
   * @param policy The initial delivery policy.
   */
  constructor(actor: Actor, name: string, spec: InputSpec, policy: ResolvedPolicy) {
    this.actor = actor;
    this.name = name;
    this.spec = spec;
    this._policy = policy;
    this._buffer = createDeliveryBuffer<T>(policy);
  }

  /**
   * Takes the next message: the oldest for a queue, the newest for `latest`.
   *
   * @returns The message, or `undefined` when none waits.
   */
  read(): T | undefined {
    const message = this._buffer.take();
    if (message !== undefined) {
      if (this._node !== undefined) this._node.reads++;
      if (this._waiters.length !== 0) this._admit();
    }
    return message;
  }

  /**
   * The message `read()` would return, left in place.
   *
   * @returns The message, or `undefined`.
   */
  peek(): T | undefined {
    return this._buffer.peek();
  }

  /**
   * Messages waiting to be read.
   *
   * @returns The buffer depth.
   */
  get size(): number {
    return this._buffer.size;
  }

  /**
   * Whether every upstream link has sent end-of-stream (or none is connected). Messages may
   * still be waiting; see {@linkcode Input.ended}.
   *
   * @returns `true` after end-of-stream from every upstream.
   */
  get eos(): boolean {
    return this._openLinks === 0;
  }

  /**
   * Whether nothing more will ever arrive: end-of-stream from every upstream and nothing left to
   * read.
   *
   * @returns `true` once the input is finished.
   */
  get ended(): boolean {
    return this._openLinks === 0 && this._buffer.size === 0 && this._waiters.length === 0;
  }

  /**
   * Whether any output is connected to this input.
   *
   * @returns `true` when linked.
   */
  get connected(): boolean {
    return this._links.length !== 0;
  }

  /**
   * The delivery policy in its text form, e.g. `latest` or `queue:8:block`.
   *
   * @returns The policy.
   */
  get policy(): string {
    return formatPolicy(this._policy);
  }

  /**
   * Messages this input discarded: overwritten in a `latest` ring, dropped by a leaky queue, or
   * left unread when the actor ended.
   *
   * @returns The count.
   */
  get dropped(): number {
    return this._buffer.dropped + this._discarded;
  }

  /**
   * Messages that arrived: taken into the buffer, or dropped by its policy on arrival
   * (`drop-newest`), so that `received = read + waiting + dropped`.
   *
   * @returns The count.
   */
  get received(): number {
    return this._received;
  }

  /** @internal Replaces the buffer (only while empty). */
  _setPolicy(policy: ResolvedPolicy): void {
    this._policy = policy;
    this._buffer = createDeliveryBuffer<T>(policy);
  }

  /**
   * @internal Delivers `message` from `link`.
   * @returns `false` when the message waits for space (the writer is blocked).
   */
  _offer(message: T, link: _Link): boolean {
    if (this._closed) return true;
    if (this._waiters.length !== 0 || !this._buffer.offer(message)) {
      const node = this._node;
      // A tick actor following its inputs' time (a compositor offline) cannot tick until data
      // past its next tick has come. When this full input is what holds that time back, take
      // the message past capacity, or a fast input would stall the actor for ever. Bounded: once
      // the tick is due, writes wait again.
      const taken = node?.upstreamClock !== undefined && node.sched._waitsForTime(node);
      this._waiters.push({ message, link, taken });
      if (!taken) return false;
      this._received++;
      node!.upstreamClock!.observe(this, message.timestamp + message.duration);
      return true;
    }
    this._received++;
    const node = this._node;
    if (node !== undefined) {
      if (node.upstreamClock !== undefined) {
        node.upstreamClock.observe(this, message.timestamp + message.duration);
      }
      node.sched._wake(node, true);
    }
    return true;
  }

  /** @internal Moves waiting writes into freed space, releasing their writers. */
  _admit(): void {
    let admitted = false;
    while (this._waiters.length !== 0) {
      const waiter = this._waiters[0]!;
      if (!this._buffer.offer(waiter.message)) break;
      this._waiters.shift();
      admitted = true;
      if (waiter.taken) continue;
      this._received++;
      this._node?.upstreamClock?.observe(this, waiter.message.timestamp + waiter.message.duration);
      waiter.link.output._delivered();
    }
    if (this._openLinks === 0 && this._waiters.length === 0) {
      this._node?.upstreamClock?.untrack(this);
    }
    if (admitted && this._node !== undefined) this._node.sched._wake(this._node, true);
  }

  /** @internal End-of-stream arrived on `link`. */
  _linkEnded(link: _Link): void {
    if (link.ended) return;
    link.ended = true;
    this._openLinks--;
    this._maybeEnded();
  }

  /** @internal Tells the actor when this input has no open upstream left. */
  _maybeEnded(): void {
    if (this._openLinks !== 0 || this._node === undefined) return;
    // Writes still waiting for space are data too: time stays held back until they are in.
    if (this._waiters.length === 0) this._node.upstreamClock?.untrack(this);
    this._node.sched._inputEnded(this._node);
  }

  /** @internal Drops `link`'s waiting writes, releasing the writer. */
  _dropWaiters(link: _Link): void {
    if (this._waiters.length === 0) return;
    this._waiters = this._waiters.filter((w) => {
      if (w.link !== link || w.taken) return true;
      this._discarded++;
      w.link.output._delivered();
      return false;
    });
  }

  /** @internal The actor is done: discard what waits and refuse nothing from now on. */
  _close(): void {
    this._closed = true;
    this._buffer.clear();
    const waiters = this._waiters;
    this._waiters = [];
    this._discarded += waiters.length;
    for (const w of waiters) if (!w.taken) w.link.output._delivered();
  }
}
