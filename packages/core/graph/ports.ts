/**
 * Ports, the two ends of a link: an {@linkcode Output} writes by reference into every
 * {@linkcode Input} linked to it, and each input buffers by its delivery policy. One module,
 * since each end calls the other on every message.
 *
 * @module
 */

import { StreamlibError } from "../errors.ts";
import type { AnyMessage, Message } from "../messages.ts";
import {
  createDeliveryBuffer,
  type DeliveryBuffer,
  formatPolicy,
  type ResolvedPolicy,
} from "../delivery/policy.ts";
import type { _Host, _Link } from "./_host.ts";
import type { Contract, InputSpec, PortSpec } from "./spec.ts";

/**
 * The actor a port belongs to, as its ports show it: every {@linkcode Actor} is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, type PortOwner } from "@streamlib/core";
 * const owner: PortOwner = new Collect().inputs.in.actor;
 * assert.ok(owner.name === "collect");
 * ```
 */
export interface PortOwner {
  /** The actor's name in its pipeline (its type until it is added to one). */
  readonly name: string;
  /** `actor://host/type/name` (throws `SL_STATE` until the actor is in a pipeline). */
  readonly address: string;
  /** The actor's contract. */
  readonly contract: Contract;
  /** Parameter values, defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Asks the actor to end, as {@linkcode Actor.end}. */
  end(): void;
  /** A request port's parameter values, as {@linkcode Actor.padParams}. */
  padParams(pad: string): Readonly<Record<string, unknown>>;
  /** Changes a request port's parameters, as {@linkcode Actor.setPadParams}. */
  setPadParams(pad: string, changes: Readonly<Record<string, unknown>>): void;
}

/** What `params` gives for a port without parameters. */
const _NO_PARAMS: Readonly<Record<string, unknown>> = Object.freeze({});

/** A link between the two port classes of this module. @internal */
type _PortLink = _Link<Output, Input>;

interface _Waiter<T> {
  message: T;
  link: _PortLink;
  /** Taken past capacity (see `_offer`): the writer is not waiting for it. */
  taken: boolean;
}

/**
 * An actor's input port: a named, typed buffer that upstream outputs write into and the actor
 * reads in `process`. How it buffers is its delivery policy (`latest` ring or bounded `queue`).
 *
 * @example Reading in process()
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.ok(new Printer().inputs.in.name === "in");
 * ```
 *
 * @typeParam T The message type.
 */
export class Input<T extends AnyMessage = Message> {
  /** Port name, e.g. `"in"` or `"layer_0"`. */
  readonly name: string;
  /** The port's contract entry. */
  readonly spec: InputSpec;
  /** The actor that owns the port. */
  readonly actor: PortOwner;
  /** @internal */
  _node: _Host | undefined;
  /** @internal */
  _policy: ResolvedPolicy;
  /** @internal */
  _buffer: DeliveryBuffer<T>;
  /** @internal */
  _links: _PortLink[] = [];
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
  constructor(actor: PortOwner, name: string, spec: InputSpec, policy: ResolvedPolicy) {
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
   * This port's parameters, defaults filled in, when its request template declares some (a
   * compositor layer's position, a mixer input's gain); `{}` otherwise. The object is the same
   * for the port's life and changes when its parameters do.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Actor, defineContract, type TimedTick } from "@streamlib/core";
   *
   * const contract = defineContract({
   *   type: "summer",
   *   inputs: {
   *     "in_%u": {
   *       kind: "data",
   *       presence: "request",
   *       params: { weight: { type: "number", default: 1 } },
   *     },
   *   },
   * });
   * class Summer extends Actor<typeof contract> {
   *   static override contract = contract;
   *   process(_tick: TimedTick): void {}
   * }
   * const input = new Summer().requestInput("in_%u");
   * input.setParams({ weight: 2 });
   * assert.ok(input.params.weight === 2);
   * ```
   *
   * @returns The parameter values.
   */
  get params(): Readonly<Record<string, unknown>> {
    return this.spec.params === undefined ? _NO_PARAMS : this.actor.padParams(this.name);
  }

  /**
   * Changes this port's parameters, as {@linkcode Actor.setPadParams} does (checked, changeable
   * while running, the actor told).
   *
   * @param changes The parameters to change.
   */
  setParams(changes: Readonly<Record<string, unknown>>): void {
    this.actor.setPadParams(this.name, changes);
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
  _offer(message: T, link: _PortLink): boolean {
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
  _linkEnded(link: _PortLink): void {
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
  _dropWaiters(link: _PortLink): void {
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

/**
 * An actor's output port. `write()` hands the message (by reference, never copied) to every
 * connected input; one output may feed many inputs.
 *
 * When an input with a `block` queue is full, the message waits for space and `write()` returns
 * a promise that resolves once every input has taken it; until then the runtime runs no more
 * ticks or `process` calls of the writer: that is how backpressure reaches it. An actor that
 * writes once per `process` call never needs to await; one that writes several messages in one
 * call must `await` each write (a second write while one waits throws `SL_WRITE_PENDING`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Actor, createDataMessage, defineContract, type TimedTick } from "@streamlib/core";
 *
 * const contract = defineContract({ type: "burst", outputs: { out: { kind: "data" } } });
 * class Burst extends Actor<typeof contract> {
 *   static override contract = contract;
 *   async process(tick: TimedTick): Promise<void> {
 *     for (let i = 0; i < 3; i++) {
 *       await this.outputs.out.write(createDataMessage(i, { timestamp: tick.timestamp }));
 *     }
 *   }
 * }
 * assert.ok(new Burst().outputs.out.written === 0);
 * ```
 *
 * @typeParam T The message type.
 */
export class Output<T extends AnyMessage = Message> {
  /** Port name, e.g. `"out"`. */
  readonly name: string;
  /** The port's contract entry. */
  readonly spec: PortSpec;
  /** The actor that owns the port. */
  readonly actor: PortOwner;
  /** @internal */
  _node: _Host | undefined;
  /** @internal */
  _links: _PortLink[] = [];
  /** @internal Inputs still to take the last message. */
  _pending = 0;
  /** @internal */
  _written = 0;
  /** @internal */
  _ended = false;
  /** @internal */
  _resolvePending: (() => void) | undefined;

  /**
   * Creates an output; actors get theirs from their contract, you never call this.
   *
   * @param actor The owner.
   * @param name The port name.
   * @param spec The contract entry.
   */
  constructor(actor: PortOwner, name: string, spec: PortSpec) {
    this.actor = actor;
    this.name = name;
    this.spec = spec;
  }

  /**
   * Sends `message` to every connected input.
   *
   * @param message The message; receivers share it, so do not change it afterwards.
   * @returns `undefined` when every input took the message at once, else a promise that
   *   resolves when the last one did.
   */
  write(message: T): void | Promise<void> {
    if (this._pending !== 0) {
      throw new StreamlibError(
        "SL_WRITE_PENDING",
        `Output "${this.actor.name}.${this.name}" is still waiting for space for the previous ` +
          `message; await the promise write() returned before writing again`,
      );
    }
    if (this._ended) {
      throw new StreamlibError(
        "SL_STATE",
        `Output "${this.actor.name}.${this.name}" has ended; it cannot write any more`,
      );
    }
    this._written++;
    const links = this._links;
    for (let i = 0; i < links.length; i++) {
      const link = links[i]!;
      // Typed as CPU messages; a link joins ports of one memory (the pipeline checked it).
      if (!link.input._offer(message as Message, link)) this._pending++;
    }
    if (this._pending === 0) return undefined;
    if (this._node !== undefined) this._node.blockedOutputs++;
    return new Promise<void>((resolve) => this._resolvePending = resolve);
  }

  /**
   * Messages written so far.
   *
   * @returns The count.
   */
  get written(): number {
    return this._written;
  }

  /**
   * Whether any input is connected.
   *
   * @returns `true` when linked.
   */
  get connected(): boolean {
    return this._links.length !== 0;
  }

  /**
   * Whether this output has sent end-of-stream.
   *
   * @returns `true` after `end()`.
   */
  get ended(): boolean {
    return this._ended;
  }

  /**
   * Sends end-of-stream on this output only (a demuxer whose video ended before its audio, say).
   * `Actor.end()` ends every output at once.
   */
  end(): void {
    if (this._ended) return;
    this._ended = true;
    for (const link of [...this._links]) link.input._linkEnded(link);
  }

  /** @internal One input took the pending message (or dropped it). */
  _delivered(): void {
    if (this._pending === 0 || --this._pending !== 0) return;
    const resolve = this._resolvePending;
    this._resolvePending = undefined;
    resolve?.();
    this._node?.outputUnblocked();
  }
}
