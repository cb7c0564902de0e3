import type { Actor } from "./actor.ts";
import type { PortSpec } from "./contract.ts";
import { StreamlibError } from "../errors.ts";
import type { Message } from "../messages.ts";
import type { _Link, _Node } from "../runtime/_node.ts";

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
 * console.assert(new Burst().outputs.out.written === 0);
 * ```
 *
 * @typeParam T The message type.
 */
export class Output<T extends Message = Message> {
  /** Port name, e.g. `"out"`. */
  readonly name: string;
  /** The port's contract entry. */
  readonly spec: PortSpec;
  /** The actor that owns the port. */
  readonly actor: Actor;
  /** @internal */
  _node: _Node | undefined;
  /** @internal */
  _links: _Link[] = [];
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
  constructor(actor: Actor, name: string, spec: PortSpec) {
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
      if (!link.input._offer(message, link)) this._pending++;
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
