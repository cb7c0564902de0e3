/**
 * Runtime state of one actor inside a pipeline, shared by the actor, its ports and the
 * scheduler. Internal: nothing here is public API.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { Clock, TimedTick } from "../clock/clock.ts";
import type { Input } from "../graph/input.ts";
import type { Output } from "../graph/output.ts";
import type { ResolvedSupervision } from "./supervision.ts";
import { _LatencyWindow } from "./_latency_window.ts";
import type { UpstreamClock } from "../clock/upstream_clock.ts";
import type { Schedule } from "../graph/contract.ts";

/** What ports and actors call on their pipeline. @internal */
export interface _Scheduler {
  /** An input of `node` received a message (front: run it before other ready actors). */
  _wake(node: _Node, front: boolean): void;
  /** Every pending write of `node` has been delivered. */
  _unblocked(node: _Node): void;
  /** An input of `node` reached end-of-stream, or lost its last link. */
  _inputEnded(node: _Node): void;
  /** The actor called `end()`. */
  _endRequested(node: _Node): void;
  /** The actor created an input from a request template. */
  _inputAdded(node: _Node, input: Input): void;
  /** Running time now, for input-driven ticks. */
  _runningTime(): number;
  /** `node` ticks on its inputs' time and that time has not reached its next tick yet. */
  _waitsForTime(node: _Node): boolean;
}

/** One link from an output to an input. @internal */
/** An actor's hooks when they run elsewhere (in a Worker): the scheduler calls these instead. */
export interface _Remote {
  start(): Promise<void>;
  process(tick: TimedTick): Promise<void>;
  flush(): Promise<void>;
  stop(): Promise<void>;
  progress(): { done: number; total: number | undefined } | undefined;
  paramsChanged(changes: Record<string, unknown>): void;
  /** Gives up a `start()` still under way (it may never return): its Worker is left. */
  abandon(): void;
  /** The rate the actor gave after `start()`, for a tick actor. */
  readonly fps: number | undefined;
  /** The Worker's number, while there is one. */
  readonly worker: number | undefined;
}

export interface _Link {
  readonly output: Output;
  readonly input: Input;
  /** The output sent end-of-stream on this link. */
  ended: boolean;
}

const _NOT_STARTED = 1;
const _ENDING = 2;
const _FINISHED = 4;
const _RESTARTING = 8;
const _END_REQUESTED = 16;

/** @internal */
export class _Node {
  readonly actor: Actor;
  readonly sched: _Scheduler;
  readonly schedule: Schedule;
  readonly inputs: Input[] = [];
  /** The only input of an input-scheduled actor with exactly one (the scheduler's fast path). */
  single: Input | undefined;
  readonly outputs: Output[] = [];
  /** Set when the actor runs in a Worker. */
  remote: _Remote | undefined;
  supervision: ResolvedSupervision;

  /** In the ready queue. */
  queued = false;
  /** Inside `process` (sync, or an async call in flight). */
  running = false;
  /** Woken while running: re-check inputs after the call even without progress. */
  rewake = false;
  /**
   * Non-zero while the actor must not run: not started, ending, finished, restarting or asked to
   * end. One number so the scheduler's hot path tests it once; the flags below set its bits.
   */
  halt: number = _NOT_STARTED;
  /** `start()` is under way. */
  starting = false;
  /** `start()` succeeded and `stop()` has not been called since: the actor holds resources. */
  opened = false;
  /** Removed from its pipeline. */
  removed = false;
  /** The actor's lifecycle hooks, chained so that they never overlap. */
  lifecycle: Promise<void> = Promise.resolve();

  /** `start()` has completed. */
  get started(): boolean {
    return (this.halt & _NOT_STARTED) === 0;
  }
  set started(value: boolean) {
    this.#flag(_NOT_STARTED, !value);
  }
  /** In the finish sequence (flush, EOS, stop). */
  get ending(): boolean {
    return (this.halt & _ENDING) !== 0;
  }
  set ending(value: boolean) {
    this.#flag(_ENDING, value);
  }
  /** Finished: EOS sent and `stop()` done. */
  get finished(): boolean {
    return (this.halt & _FINISHED) !== 0;
  }
  set finished(value: boolean) {
    this.#flag(_FINISHED, value);
  }
  /** Restarting after an error. */
  get restarting(): boolean {
    return (this.halt & _RESTARTING) !== 0;
  }
  set restarting(value: boolean) {
    this.#flag(_RESTARTING, value);
  }
  /** The actor asked to end. */
  get endRequested(): boolean {
    return (this.halt & _END_REQUESTED) !== 0;
  }
  set endRequested(value: boolean) {
    this.#flag(_END_REQUESTED, value);
  }

  #flag(bit: number, on: boolean): void {
    this.halt = on ? this.halt | bit : this.halt & ~bit;
  }

  /** Whether the actor may finish should be checked at its next step. */
  wakeEos = false;
  /** An input reached end-of-stream since the last process call (process() hears of it). */
  inputEnded = false;
  /** Some input has ended at some point (so finishing is worth checking). */
  eosSeen = false;
  /** Some input of this actor has had a link. */
  everLinked = false;
  /** Outputs with writes waiting for space. */
  blockedOutputs = 0;
  /** Messages read since the node was made (progress detection). */
  reads = 0;
  /** Resolvers waiting for `blockedOutputs` to reach 0. */
  unblockWaiters: Array<() => void> = [];

  // Ticks (schedule "tick").
  fps = 30;
  /** The rate came from `Pipeline.add(actor, { fps })`, not from the actor. */
  fixedFps = false;
  late: "skip" | "flag" = "skip";
  /** The clock whose sleeps pace this actor's ticks. */
  tickClock: Clock | undefined;
  upstreamClock: UpstreamClock | undefined;
  /** Running time of tick 0 (when the actor started). */
  tickBase = 0;
  /** `tickTime(cachedTick, fps)`, kept from the previous tick's duration. */
  cachedTick = -1;
  cachedTickTime = 0;
  /** Next tick number. */
  tickNumber = 0;
  tickArmed = false;
  tickDue = false;
  /** Due time (graph-clock µs) of the pending tick, for lateness. */
  tickDueAt = 0;
  /** Reused tick for input-driven actors. */
  inputTick: { frameNumber: number } | undefined;

  // Stats.
  /** Completed `process` calls. */
  processed = 0;
  errors = 0;
  skipped = 0;
  restarts = 0;
  lateTicks = 0;
  skippedTicks = 0;
  /** Process calls until the next timed one (stats sampling). */
  untilSample = 1;
  /** Calls between timed ones: 1 for costly actors, growing for cheap ones. */
  sampleInterval = 1;
  readonly times: _LatencyWindow = new _LatencyWindow();

  constructor(
    actor: Actor,
    sched: _Scheduler,
    schedule: Schedule,
    supervision: ResolvedSupervision,
  ) {
    this.actor = actor;
    this.sched = sched;
    this.schedule = schedule;
    this.supervision = supervision;
  }

  /** Any input has a message waiting. */
  hasData(): boolean {
    const inputs = this.inputs;
    if (inputs.length === 1) return inputs[0]!._buffer.size !== 0;
    for (let i = 0; i < inputs.length; i++) if (inputs[i]!._buffer.size !== 0) return true;
    return false;
  }

  /** Every input has ended (EOS from all links, or no links) and is drained. */
  allInputsEnded(): boolean {
    for (const input of this.inputs) if (!input.ended) return false;
    return true;
  }

  /** Resolves when no write of this node waits for space. */
  whenUnblocked(): Promise<void> {
    if (this.blockedOutputs === 0) return Promise.resolve();
    return new Promise((resolve) => this.unblockWaiters.push(resolve));
  }

  /** Called by outputs when their pending count reaches 0. */
  outputUnblocked(): void {
    if (--this.blockedOutputs !== 0) return;
    const waiters = this.unblockWaiters;
    this.unblockWaiters = [];
    for (const resolve of waiters) resolve();
    this.sched._unblocked(this);
  }
}
