/**
 * What the pipeline publishes on its bus.
 *
 * - `error`: an actor threw; `action` is what supervision did about it.
 * - `restart`: an actor is being restarted after `delayMs`.
 * - `eos`: an actor finished (its end-of-stream went downstream and `stop()` returned).
 * - `state`: the pipeline changed state.
 * - `log`: an actor logged a line with {@linkcode Actor.log} (core's `log` actor does, for each
 *   line it prints).
 * - `control`: a change made through the control API (`PipelineControl`): parameters set, a
 *   patch applied, a link made or removed, an actor removed, a stop asked for, so that every
 *   observer sees what an agent or a person did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BusEvent } from "@streamlib/core";
 * function describe(e: BusEvent): string {
 *   return e.type === "error" ? `${e.actor}: ${e.error}` : e.type;
 * }
 * assert.ok(describe({ type: "state", state: "running" }) === "state");
 * ```
 */
export type BusEvent =
  | {
    readonly type: "error";
    /** `actor://` address. */
    readonly actor: string;
    readonly error: unknown;
    /** Where it threw. */
    readonly phase: "start" | "process" | "flush" | "stop";
    /** What supervision did. */
    readonly action: "stop" | "skip" | "restart" | "report";
  }
  | {
    readonly type: "restart";
    readonly actor: string;
    /** Restart number in this run, from 1. */
    readonly attempt: number;
    readonly delayMs: number;
  }
  | { readonly type: "eos"; readonly actor: string }
  | { readonly type: "state"; readonly state: string }
  | {
    readonly type: "log";
    /** `actor://` address of the actor that logged. */
    readonly actor: string;
    /** The line. */
    readonly text: string;
  }
  | {
    readonly type: "control";
    /** What was done. */
    readonly op: "set" | "patch" | "connect" | "disconnect" | "remove" | "stop";
    /** What was done, in one line for people: `set mix layer_1::x=40`. */
    readonly text: string;
    /** `actor://` address of the actor it changed, when it changed one. */
    readonly actor?: string;
    /** The same for programs: the operation's arguments and what it changed. */
    readonly details: Readonly<Record<string, unknown>>;
  };

/**
 * A listener for bus events of type `K`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BusListener } from "@streamlib/core";
 * const log: BusListener<"eos"> = (e) => console.log("finished:", e.actor);
 * assert.ok(typeof log === "function");
 * ```
 */
export type BusListener<K extends BusEvent["type"]> = (
  event: Extract<BusEvent, { type: K }>,
) => void;

/**
 * A typed publish/subscribe channel for runtime events. A listener that throws never disturbs
 * the pipeline or the other listeners.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Bus } from "@streamlib/core";
 * const bus = new Bus();
 * const seen: string[] = [];
 * const off = bus.on("eos", (e) => seen.push(e.actor));
 * bus.emit({ type: "eos", actor: "actor://local/sink/sink0" });
 * off();
 * bus.emit({ type: "eos", actor: "actor://local/sink/sink1" });
 * assert.ok(seen.length === 1);
 * ```
 */
export class Bus {
  #listeners = new Map<string, Set<(event: BusEvent) => void>>();

  /**
   * Subscribes to events of one type, or `"*"` for all.
   *
   * @param type The event type.
   * @param listener Called with each event.
   * @returns A function that unsubscribes.
   */
  on<K extends BusEvent["type"] | "*">(
    type: K,
    listener: K extends BusEvent["type"] ? BusListener<K> : (event: BusEvent) => void,
  ): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    const fn = listener as (event: BusEvent) => void;
    set.add(fn);
    return () => void set.delete(fn);
  }

  /**
   * Publishes an event to its type's listeners and to `"*"` listeners.
   *
   * @param event The event.
   */
  emit(event: BusEvent): void {
    for (const key of [event.type, "*"]) {
      for (const listener of this.#listeners.get(key) ?? []) {
        try {
          listener(event);
        } catch {
          // A listener's failure is its own; the runtime keeps going.
        }
      }
    }
  }
}
