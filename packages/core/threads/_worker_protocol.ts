/**
 * The records the main thread and actor Workers exchange through their two shared queues.
 *
 * @module
 */

import type { _ErrorRecord } from "./_worker_codec.ts";

/** What one input of the main thread holds when a `process` call is sent. */
export interface _InputState {
  readonly name: string;
  /** The request template it came from, so that the Worker's actor can make it too. */
  readonly template?: string;
  /** Every link has sent end-of-stream. */
  readonly eos: boolean;
  readonly links: number;
  readonly capacity: number;
  /** The messages, oldest first (encoded). */
  readonly items: readonly unknown[];
}

/** Builds the actor and runs its `start()`. */
export interface _StartCall {
  readonly op: "start";
  readonly id: number;
  readonly seq: number;
  readonly now: number;
  readonly module: string;
  readonly export: string;
  readonly params: Record<string, unknown>;
  /** The values given for request ports' parameters, by port name. */
  readonly pads: Record<string, Record<string, unknown>>;
  readonly name: string;
  readonly address: string;
  readonly mode: "live" | "offline";
  readonly clockId: string;
}

/** A call from the main thread to an actor in a Worker. */
export type _Call =
  | _StartCall
  | {
    readonly op: "process";
    readonly id: number;
    readonly seq: number;
    readonly now: number;
    readonly tick: unknown;
    readonly inputs: readonly _InputState[];
  }
  | {
    readonly op: "flush" | "stop";
    readonly id: number;
    readonly seq: number;
    readonly now: number;
  }
  | {
    readonly op: "params";
    readonly id: number;
    readonly seq: number;
    readonly now: number;
    readonly changes: Record<string, unknown>;
  }
  | {
    readonly op: "pads";
    readonly id: number;
    readonly seq: number;
    readonly now: number;
    readonly pad: string;
    readonly changes: Record<string, unknown>;
  }
  | {
    /** A request input was released on the main thread: the actor lets go of it too. */
    readonly op: "release";
    readonly id: number;
    readonly seq: number;
    readonly now: number;
    readonly input: string;
  };

/** Progress as `Actor.progress()` gives it. */
export type _Progress = { done: number; total: number | undefined } | undefined;

/** What a Worker sends back. */
export type _Reply =
  /** The actor of a `start` call is built (its module imported); its `start()` runs next. */
  | { readonly op: "built"; readonly id: number; readonly seq: number }
  | {
    readonly op: "done";
    readonly id: number;
    readonly seq: number;
    /** Messages taken from each input's snapshot. */
    readonly reads?: Record<string, number>;
    readonly fps?: number;
    readonly progress?: _Progress;
  }
  | {
    readonly op: "error";
    readonly id: number;
    readonly seq: number;
    readonly error: _ErrorRecord;
    readonly reads?: Record<string, number>;
  }
  | { readonly op: "write"; readonly id: number; readonly port: string; readonly m: unknown }
  | { readonly op: "end"; readonly id: number; readonly port: string }
  | { readonly op: "endRequest"; readonly id: number }
  /** The actor logged a line (`Actor.log`). */
  | { readonly op: "log"; readonly id: number; readonly text: string };
