/**
 * What an actor and its ports call on the pipeline that holds them. The runtime's node
 * (`runtime/_node.ts`) implements these; the model here only knows the interfaces, so the graph
 * model never imports the runtime. Internal: nothing here is public API.
 *
 * @module
 */

import type { UpstreamClock } from "../clock/upstream_clock.ts";

/**
 * One link from an output to an input, typed by the port classes that use it (kept generic so
 * this module imports neither).
 */
export interface _Link<O, I> {
  readonly output: O;
  readonly input: I;
  /** The output sent end-of-stream on this link. */
  ended: boolean;
}

/** The scheduler events a node's actor and ports report (method parameters are bivariant). */
export interface _Sched {
  /** An input of `node` received a message (front: run it before other ready actors). */
  _wake(node: _Host, front: boolean): void;
  /** `node` ticks on its inputs' time and that time has not reached its next tick yet. */
  _waitsForTime(node: _Host): boolean;
  /** An input of `node` reached end-of-stream, or lost its last link. */
  _inputEnded(node: _Host): void;
  /** The actor called `end()`. */
  _endRequested(node: _Host): void;
  /** The actor created an input from a request template. */
  _inputAdded(node: _Host, input: unknown): void;
}

/** An actor's place in a running pipeline, as the actor and its ports see it. */
export interface _Host {
  readonly sched: _Sched;
  /** Messages read since the node was made (progress detection). */
  reads: number;
  /** Outputs with writes waiting for space. */
  blockedOutputs: number;
  /** Set when the actor ticks on its inputs' time. */
  readonly upstreamClock: UpstreamClock | undefined;
  /** Set when the actor runs in a Worker: parameter changes (the actor's, its ports') go there. */
  readonly remote: {
    paramsChanged(changes: Record<string, unknown>): void;
    padParamsChanged(pad: string, changes: Record<string, unknown>): void;
    inputReleased(input: string): void;
  } | undefined;
  /** Called by outputs when their pending count reaches 0. */
  outputUnblocked(): void;
  /** Publishes a line the actor logged (`Actor.log`) on the pipeline's bus. */
  log(text: string): void;
}
