/**
 * The control API's memory of events: a bounded ring of the bus's events with sequence
 * numbers, queries with filters, and followers that wait for new ones. Internal: nothing here
 * is public API.
 *
 * @module
 */

import { isStreamlibError, StreamlibError } from "../errors.ts";
import type { BusEvent } from "../runtime/bus.ts";
import type { ControlEvent, EventQuery } from "./control_types.ts";

/** The event types a query may name. */
const _TYPES: ReadonlySet<string> = new Set([
  "error",
  "restart",
  "eos",
  "state",
  "log",
  "control",
]);

/** A bus event as plain JSON: an error becomes its code and message. */
export function _plainEvent(event: BusEvent): _EventBody {
  if (event.type !== "error") return event;
  const { error, actor, phase, action } = event;
  return {
    type: "error",
    actor,
    code: isStreamlibError(error) ? error.code : error instanceof Error ? error.name : "Error",
    message: error instanceof Error ? error.message : String(error),
    phase,
    action,
  };
}

/** An event without its number and times. */
export type _EventBody = ControlEvent extends infer E
  ? E extends unknown ? Omit<E, "seq" | "time" | "runningTime"> : never
  : never;

/** Checks a query from outside (a transport passes what a client sent). */
export function _checkQuery(query: EventQuery): void {
  for (const type of query.types ?? []) {
    if (!_TYPES.has(type)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Unknown event type ${JSON.stringify(type)}; types: ${[..._TYPES].join(", ")}`,
      );
    }
  }
  for (const key of ["since", "limit"] as const) {
    const value = query[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Event query "${key}" must be a whole number ≥ 0, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/** Whether `event` is one `query` asks for (ignoring `since` and `limit`). */
function _matches(event: ControlEvent, query: EventQuery): boolean {
  if (query.types !== undefined && !query.types.includes(event.type)) return false;
  if (query.actor === undefined) return true;
  const actor = "actor" in event ? event.actor : undefined;
  return actor !== undefined && (actor === query.actor || actor.endsWith(`/${query.actor}`));
}

/** @internal */
export class _EventLog {
  readonly #ring: Array<ControlEvent | undefined>;
  readonly #stamp: () => { time: number; runningTime: number };
  #next = 1;
  #closed = false;
  #wakers = new Set<() => void>();

  constructor(capacity: number, stamp: () => { time: number; runningTime: number }) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `eventCapacity must be a whole number ≥ 1, got ${JSON.stringify(capacity)}`,
      );
    }
    this.#ring = new Array(capacity);
    this.#stamp = stamp;
  }

  /** Keeps an event, numbering and timing it, and wakes the followers. */
  push(body: _EventBody): ControlEvent {
    const seq = this.#next++;
    const event = { seq, ...this.#stamp(), ...body } as ControlEvent;
    this.#ring[(seq - 1) % this.#ring.length] = event;
    this.#wake();
    return event;
  }

  /** The kept events `query` asks for, oldest first. */
  query(query: EventQuery = {}): ControlEvent[] {
    _checkQuery(query);
    const first = Math.max(1, this.#next - this.#ring.length, (query.since ?? 0) + 1);
    const found: ControlEvent[] = [];
    for (let seq = first; seq < this.#next; seq++) {
      const event = this.#ring[(seq - 1) % this.#ring.length]!;
      if (_matches(event, query)) found.push(event);
    }
    return query.limit === undefined ? found : found.slice(Math.max(0, found.length - query.limit));
  }

  /**
   * The events `query` asks for (only new ones when it gives no `since`), then each new one as
   * it comes, until `signal` aborts (at once) or the log closes (after what came before the
   * close, so that a follower sees how the pipeline ended: its last end-of-stream, `done`). A
   * follower more than the ring's capacity behind loses the oldest: the sequence numbers show
   * the gap.
   */
  async *follow(query: EventQuery = {}, signal?: AbortSignal): AsyncGenerator<ControlEvent> {
    _checkQuery(query);
    let cursor = this.#next - 1;
    if (query.since !== undefined) {
      const backlog = this.query(query);
      for (const event of backlog) {
        if (signal?.aborted) return;
        yield event;
      }
    }
    const live = { ...query, limit: undefined };
    for (;;) {
      if (signal?.aborted) return;
      const closed = this.#closed;
      if (cursor !== this.#next - 1) {
        const events = this.query({ ...live, since: cursor });
        cursor = this.#next - 1;
        for (const event of events) {
          if (signal?.aborted) return;
          yield event;
        }
      }
      if (closed || signal?.aborted) return;
      // Closed while this follower was yielding: one more pass sends what came before.
      if (this.#closed) continue;
      if (cursor === this.#next - 1) await this.#changed(signal);
    }
  }

  /** Ends every follower. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #changed(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#wakers.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#wakers.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  #wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }
}
