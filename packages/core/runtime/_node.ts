/**
 * Runtime state of one actor inside a pipeline, shared by the actor, its ports, the scheduler
 * and the lifecycle. Internal: nothing here is public API.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { Clock, TimedTick } from "../clock/clock.ts";
import type { Input, Output } from "../graph/ports.ts";
import type { _Host, _Link, _Sched } from "../graph/_host.ts";
import type { Schedule } from "../graph/spec.ts";
import type { UpstreamClock } from "../clock/upstream_clock.ts";
import type { _Remote } from "../threads/_worker_host.ts";
import { type DeliveryPolicy, resolvePolicy } from "../delivery/policy.ts";
import type { ResolvedSupervision } from "./supervision.ts";
import type { Bus } from "./bus.ts";
import { _LatencyWindow } from "./_latency_window.ts";

/** One link from an output to an input. */
export type _PortLink = _Link<Output, Input>;

/**
 * Where an actor is in its life in the pipeline:
 * `idle` (added) → `starting` (its `start()` runs) → `running` → `ending` (flush, end-of-stream,
 * `stop()`) → `finished`. A failed `process()` under the `restart` policy goes `running` →
 * `restarting` (stop, backoff, start again) → `running`. Removal and abort jump to `ending` or
 * `finished` from any state.
 */
export type _NodeState = "idle" | "starting" | "running" | "restarting" | "ending" | "finished";

/** The scheduler as a node sees it: the ports' events, and its own. */
export interface _NodeScheduler extends _Sched {
  /** Every pending write of `node` has been delivered. */
  _unblocked(node: _Node): void;
}

/** @internal */
export class _Node implements _Host {
  readonly actor: Actor;
  readonly sched: _NodeScheduler;
  readonly schedule: Schedule;
  readonly inputs: Input[] = [];
  /** The only input of an input-scheduled actor with exactly one (the scheduler's fast path). */
  single: Input | undefined;
  readonly outputs: Output[] = [];
  /** Set when the actor runs in a Worker. */
  remote: _Remote | undefined;
  supervision: ResolvedSupervision;
  /** The pipeline's bus, where the actor's log lines go. */
  bus: Bus | undefined;

  #state: _NodeState = "idle";
  #endRequested = false;
  /**
   * Non-zero while the actor must not run: not `running`, or asked to end. Derived from the state
   * and `endRequested`, so that the scheduler's hot path tests one number.
   */
  halt = 1;

  /** Where the actor is in its life. */
  get state(): _NodeState {
    return this.#state;
  }
  set state(state: _NodeState) {
    this.#state = state;
    this.halt = state === "running" && !this.#endRequested ? 0 : 1;
  }
  /** The actor asked to end (or was told to): it finishes at its next chance. */
  get endRequested(): boolean {
    return this.#endRequested;
  }
  set endRequested(value: boolean) {
    this.#endRequested = value;
    this.halt = this.#state === "running" && !value ? 0 : 1;
  }
  /** In the finish sequence, or past it: takes no new links or inputs. */
  get over(): boolean {
    return this.#state === "ending" || this.#state === "finished";
  }

  // Independent of the state: what the actor's hooks have done.
  /** A `start()` call is under way (an abort or removal may already have moved the state on). */
  startPending = false;
  /** `start()` succeeded and `stop()` has not been called since: the actor holds resources. */
  opened = false;
  /** The actor's lifecycle hooks, chained so that they never overlap. */
  lifecycle: Promise<void> = Promise.resolve();

  // Scheduling.
  /** In the ready queue. */
  queued = false;
  /** Inside `process` (sync, or an async call in flight). */
  running = false;
  /** Woken while running: re-check inputs after the call even without progress. */
  rewake = false;
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
  /** Reused tick for input-driven actors. */
  inputTick: TimedTick & { frameNumber: number } | undefined;

  // Stats.
  /** Completed `process` calls. */
  processed = 0;
  errors = 0;
  skipped = 0;
  restarts = 0;
  lateTicks = 0;
  skippedTicks = 0;
  /** Messages that waited in request inputs when they were released. */
  releasedDrops = 0;
  /** Process calls until the next timed one (stats sampling). */
  untilSample = 1;
  /** Calls between timed ones: 1 for costly actors, growing for cheap ones. */
  sampleInterval = 1;
  readonly times: _LatencyWindow = new _LatencyWindow();

  constructor(
    actor: Actor,
    sched: _NodeScheduler,
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

  /**
   * Takes `input` into the node with its delivery policy: `policy` if given, else the actor's
   * choice, else its contract's, resolved for the pipeline's mode.
   */
  attach(input: Input, policy: DeliveryPolicy | undefined, mode: "live" | "offline"): void {
    input._node = this;
    input._setPolicy(
      resolvePolicy(
        policy ?? this.actor.inputPolicy(input.name) ?? input.spec.policy,
        input.spec.kind,
        mode,
      ),
    );
    this.inputs.push(input);
    this.single = this.schedule === "input" && this.inputs.length === 1 ? input : undefined;
  }

  /**
   * Lets go of a request input whose last link went: it leaves the node, its waiting messages
   * are discarded (counted in `releasedDrops`) and its upstream time no longer holds the actor.
   */
  release(input: Input): void {
    const i = this.inputs.indexOf(input);
    if (i === -1) return;
    this.inputs.splice(i, 1);
    this.single = this.schedule === "input" && this.inputs.length === 1
      ? this.inputs[0]
      : undefined;
    this.releasedDrops += input.size;
    input._close();
    this.upstreamClock?.untrack(input);
  }

  /** Publishes a line the actor logged. */
  log(text: string): void {
    this.bus?.emit({ type: "log", actor: this.actor.address, text });
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

/** The node of the actor that owns a port (set while the actor is in a pipeline). */
export function _nodeOf(port: Input | Output): _Node | undefined {
  return port._node as _Node | undefined;
}
