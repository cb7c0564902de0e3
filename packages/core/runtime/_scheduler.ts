/**
 * The scheduler of a pipeline: the ready queue, stepping actors, ticks, and idle detection.
 * Sources run on their ticks; other actors run as soon as an input has data, downstream first
 * (a one-input actor that just received a message runs at once, inside the writer's step), so
 * a message usually travels the whole chain before the next is made. Long runs yield to the
 * event loop every few milliseconds. What happens when an actor ends or fails is the
 * lifecycle's ({@linkcode _Ending}). Internal: nothing here is public API.
 *
 * @module
 */

import { type Clock, tickTime, type TimedTick } from "../clock/clock.ts";
import { _clockId } from "../clock/_clock_helpers.ts";
import type { Input } from "../graph/ports.ts";
import { _Deque } from "../delivery/_deque.ts";
import { _macrotask, _nextMacrotask } from "../_yield.ts";
import type { _Node, _NodeScheduler } from "./_node.ts";

/** What the scheduler hands over to the lifecycle. */
export interface _Ending {
  /** Runs the finish sequence of `node`: flush, end-of-stream, `stop()`. */
  finish(node: _Node): void;
  /** Whether an input-driven actor whose inputs have all ended may finish. */
  canFinish(node: _Node): boolean;
  /** A `process` call threw (`reads`: the node's reads before the call). */
  failed(node: _Node, error: unknown, reads: number): void;
}

/** Virtual time of an offline run: as far as the sources have got. */
export class _OfflineClock implements Clock {
  readonly id: string = _clockId("offline");
  time = 0;
  now(): number {
    return this.time;
  }
  sleepUntil(): Promise<void> {
    return Promise.resolve();
  }
}

/** The tick input-driven actors receive; reused between calls. */
class _InputTick implements TimedTick {
  frameNumber = 0;
  readonly duration = 0;
  readonly fps = 0;
  readonly late = false;
  readonly clockId: string;
  readonly #scheduler: _Scheduler;
  constructor(clockId: string, scheduler: _Scheduler) {
    this.clockId = clockId;
    this.#scheduler = scheduler;
  }
  get timestamp(): number {
    return this.#scheduler._runningTime();
  }
}

/** @internal */
export class _Scheduler implements _NodeScheduler {
  readonly mode: "live" | "offline";
  readonly clock: Clock;
  /** Virtual time, offline. */
  readonly offline: _OfflineClock | undefined;
  /** Clock time of running time 0. */
  base = 0;
  /** Running or stopping: actors may be scheduled. Set by the lifecycle. */
  active = false;
  /** The run has started: running time moves. Set by the lifecycle. */
  timeRuns = false;
  /** Work in progress outside the ready queue (hooks, async calls): not idle. */
  busy = 0;
  /** The lifecycle, told when actors end or fail. */
  ending!: _Ending;

  readonly #signal: AbortSignal;
  readonly #sampleEvery: number;
  #ready = new _Deque<_Node>();
  #pumpScheduled = false;
  #pumping = false;
  /** Nesting of direct dispatches (bounded, so the stack stays shallow). */
  #depth = 0;
  #inSlice = false;
  #sliceStart = 0;
  /** Steps run in this slice, and the step after which the clock is read next. */
  #sliceSteps = 0;
  #sliceCheck = 1;
  #idleWaiters: Array<() => void> = [];
  readonly #pump = (): void => this.#runReady();
  readonly #endSlice = (): void => {
    this.#inSlice = false;
  };

  /**
   * @param mode Live or offline.
   * @param clock The pipeline's clock (virtual time offline).
   * @param offline The virtual clock, offline.
   * @param signal Aborts every tick sleep when the run ends.
   * @param sampleEvery At most how many calls between two timed ones.
   */
  constructor(
    mode: "live" | "offline",
    clock: Clock,
    offline: _OfflineClock | undefined,
    signal: AbortSignal,
    sampleEvery: number,
  ) {
    this.mode = mode;
    this.clock = clock;
    this.offline = offline;
    this.#signal = signal;
    this.#sampleEvery = sampleEvery;
  }

  /** Gives `node` its reusable input-driven tick. */
  prepare(node: _Node): void {
    node.inputTick = new _InputTick(this.clock.id, this);
  }

  // ---- Events from ports and actors ---------------------------------------------------------

  _wake(node: _Node, front: boolean): void {
    if (node.running) {
      node.rewake = true;
      return;
    }
    if (node.queued || node.halt !== 0 || node.blockedOutputs !== 0 || !this.active) return;
    if (front && this.#pumping && node.single !== undefined && this.#depth < 32) {
      // Direct dispatch, as GStreamer's chain functions: a one-input actor that just received a
      // message runs now, inside the writer's step, instead of a round trip through the queue.
      this.#depth++;
      this.#step(node);
      this.#depth--;
      return;
    }
    node.queued = true;
    // A Worker's actor goes first: its step only sends a call, and the Worker then works while
    // this thread runs the rest.
    if (front || node.remote !== undefined) this.#ready.unshift(node);
    else this.#ready.push(node);
    if (!this.#pumpScheduled && !this.#pumping) {
      this.#pumpScheduled = true;
      queueMicrotask(this.#pump);
    }
  }

  _unblocked(node: _Node): void {
    if (node.running || node.halt !== 0) return;
    if (!this.active) return;
    this.continue(node, true);
  }

  _waitsForTime(node: _Node): boolean {
    const clock = node.upstreamClock;
    if (clock === undefined || node.tickDue || node.state === "finished") return false;
    return clock.now() < node.tickBase + tickTime(node.tickNumber, node.fps) + 1;
  }

  _inputEnded(node: _Node): void {
    node.wakeEos = true;
    node.inputEnded = true;
    node.eosSeen = true;
    this._wake(node, false);
  }

  _endRequested(node: _Node): void {
    if (node.endRequested || node.state === "finished") return;
    node.endRequested = true;
    if (node.running || node.state !== "running") return;
    if (this.active) this.ending.finish(node);
  }

  _inputAdded(node: _Node, input: Input): void {
    node.attach(input, undefined, this.mode);
  }

  /** Running time now: µs since the run started (virtual time offline). */
  _runningTime(): number {
    if (!this.timeRuns) return 0;
    return this.offline ? this.offline.time : this.clock.now() - this.base;
  }

  // ---- Stepping -----------------------------------------------------------------------------

  #runReady(): void {
    this.#pumpScheduled = false;
    this.#pumping = true;
    if (!this.#inSlice) {
      this.#inSlice = true;
      this.#sliceStart = performance.now();
      this.#sliceSteps = 0;
      this.#sliceCheck = 1;
      _macrotask(this.#endSlice);
    }
    // The clock is read after a slice's steps 1, 2, 4 … 256, then every 256: cheap steps cost
    // one read in 256, and a slow one (a large frame drawn) gives I/O and timers a turn at once.
    let steps = this.#sliceSteps;
    let check = this.#sliceCheck;
    for (;;) {
      const node = this.#ready.shift();
      if (node === undefined) break;
      node.queued = false;
      this.#step(node);
      if (++steps !== check) continue;
      check += check < 256 ? check : 256;
      if (this.#ready.length !== 0 && performance.now() - this.#sliceStart > 8) {
        // Give I/O and timers a turn; carry on in a new macrotask.
        this.#sliceSteps = steps;
        this.#sliceCheck = check;
        this.#pumping = false;
        this.#pumpScheduled = true;
        _macrotask(this.#pump);
        return;
      }
    }
    this.#sliceSteps = steps;
    this.#sliceCheck = check;
    this.#pumping = false;
    this.notifyIdle();
  }

  #step(node: _Node): void {
    // Queued, then blocked by a write from outside process(): wait for the unblock.
    if (node.blockedOutputs !== 0) return;
    const single = node.single;
    if (single !== undefined && node.halt === 0 && !node.wakeEos) {
      // The common case, one input with data: straight to process().
      if (single._buffer.size === 0) return;
      const tick = node.inputTick!;
      tick.frameNumber = node.processed;
      this.#run(node, tick);
      return;
    }
    if (node.halt !== 0) {
      if (node.state === "running") this.ending.finish(node); // asked to end
      return;
    }
    if (node.schedule === "tick") {
      if (node.wakeEos) {
        node.wakeEos = false;
        if (
          node.upstreamClock === undefined && node.everLinked && node.inputs.length !== 0 &&
          node.allInputsEnded()
        ) {
          this.ending.finish(node);
          return;
        }
        if (node.tickArmed && node.upstreamClock) {
          // An armed upstream tick may now be out of reach.
          node.tickArmed = false;
          this.armTick(node);
        }
      }
      if (!node.tickDue) return;
      node.tickDue = false;
      this.#run(node, this.#makeTick(node));
    } else if (node.schedule === "input") {
      if (!node.hasData()) {
        if (!node.wakeEos) return;
        node.wakeEos = false;
        if (this.ending.canFinish(node)) {
          this.ending.finish(node);
          return;
        }
        // One of several inputs ended: process() hears of it; otherwise there is nothing to do.
        if (!node.inputEnded) return;
      }
      node.wakeEos = false;
      node.inputEnded = false;
      const tick = node.inputTick!;
      tick.frameNumber = node.processed;
      this.#run(node, tick);
    }
  }

  #run(node: _Node, tick: TimedTick): void {
    node.running = true;
    node.rewake = false;
    const reads = node.reads;
    const sample = --node.untilSample === 0;
    const t0 = sample ? performance.now() : 0;
    let result: void | Promise<void>;
    try {
      result = node.remote === undefined ? node.actor.process(tick) : node.remote.process(tick);
    } catch (error) {
      node.running = false;
      if (sample) node.untilSample = node.sampleInterval;
      this.ending.failed(node, error, reads);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      this.#settle(node, result as Promise<void>, reads, sample, t0);
      return;
    }
    if (sample) this.#sampled(node, t0);
    if (node.single === undefined || !this.#afterSingle(node, node.single, reads)) {
      this.afterRun(node, reads);
    }
  }

  /**
   * After a synchronous call of a one-input actor in the ordinary case (not ending, not blocked,
   * no end-of-stream news): reschedule it if more input waits. `false` sends anything else the
   * general way.
   */
  #afterSingle(node: _Node, single: Input, reads: number): boolean {
    if (node.halt !== 0 || node.blockedOutputs !== 0 || !this.active || node.wakeEos) return false;
    node.running = false;
    node.processed++;
    if (single._buffer.size !== 0) {
      if (node.reads !== reads || node.rewake) this._wake(node, false);
    } else if (node.eosSeen && single.ended) {
      node.wakeEos = true;
      this._wake(node, false);
    }
    return true;
  }

  /** Records a timed call and picks when to time the next one. */
  #sampled(node: _Node, t0: number): void {
    const us = (performance.now() - t0) * 1000;
    node.times.record(us);
    node.sampleInterval = us >= 20 ? 1 : Math.min(this.#sampleEvery, node.sampleInterval * 2);
    node.untilSample = node.sampleInterval;
  }

  /** Waits for an async process() call, then goes on as after a synchronous one. */
  #settle(node: _Node, result: Promise<void>, reads: number, sample: boolean, t0: number): void {
    this.busy++;
    result.then(
      () => {
        this.busy--;
        if (sample) this.#sampled(node, t0);
        this.afterRun(node, reads);
        this.notifyIdle();
      },
      (error) => {
        this.busy--;
        node.running = false;
        if (sample) node.untilSample = node.sampleInterval;
        this.ending.failed(node, error, reads);
        this.notifyIdle();
      },
    );
  }

  /** After a `process` call (`completed`: it did not throw): what the actor does next. */
  afterRun(node: _Node, reads: number, completed = true): void {
    node.running = false;
    if (completed) node.processed++;
    if (node.schedule === "tick") node.tickNumber++;
    if (!this.active) return;
    if (node.halt !== 0) {
      if (node.state === "running") this.ending.finish(node); // asked to end
      return;
    }
    if (node.blockedOutputs !== 0) return;
    this.continue(node, node.reads !== reads || node.rewake);
  }

  /** Decides what an idle, unblocked actor does next. */
  continue(node: _Node, progress: boolean): void {
    if (node.halt !== 0) {
      if (node.endRequested) this.ending.finish(node);
      return;
    }
    if (node.schedule === "tick") {
      // An upstream-clocked actor goes on while its clock still reaches ticks (armTick ends it).
      if (
        node.upstreamClock === undefined && node.everLinked && node.inputs.length !== 0 &&
        node.allInputsEnded()
      ) {
        this.ending.finish(node);
      } else {
        this.armTick(node);
      }
    } else if (node.schedule === "input") {
      if (node.hasData()) {
        if (progress || node.wakeEos) this._wake(node, false);
      } else if (node.wakeEos || (node.eosSeen && this.ending.canFinish(node))) {
        node.wakeEos = true;
        this._wake(node, false);
      }
    }
  }

  // ---- Ticks --------------------------------------------------------------------------------

  /** Makes the next tick of `node` due now, or when its clock reaches it. */
  armTick(node: _Node): void {
    if (node.tickArmed || node.over || node.endRequested) return;
    if (node.tickDue) {
      this._wake(node, false);
      return;
    }
    if (this.mode === "offline" && node.upstreamClock === undefined) {
      // As fast as downstream takes it; #makeTick moves the virtual time.
      node.tickDue = true;
      this._wake(node, false);
      return;
    }
    const running = node.tickBase + tickTime(node.tickNumber, node.fps);
    const clock = node.tickClock!;
    // An upstream clock has reached `t` once data *past* t arrived: frame n needs data covering
    // its timestamp, not merely data ending there.
    const target = node.upstreamClock ? running + 1 : this.base + running;
    if (node.upstreamClock && clock.now() < target && node.inputs.every((i) => i.eos)) {
      // Every upstream has ended short of the next tick: there is nothing left to follow.
      this.ending.finish(node);
      return;
    }
    if (clock.now() >= target) {
      node.tickDue = true;
      this._wake(node, false);
      return;
    }
    node.tickArmed = true;
    clock.sleepUntil(target, this.#signal).then(() => {
      node.tickArmed = false;
      node.tickDue = true;
      this._wake(node, false);
    }, () => {
      node.tickArmed = false;
    });
  }

  #makeTick(node: _Node): TimedTick {
    const fps = node.fps;
    let n = node.tickNumber;
    let late = false;
    if (this.mode === "live" && node.upstreamClock === undefined) {
      const elapsed = this.clock.now() - this.base - node.tickBase;
      if (elapsed - tickTime(n, fps) >= 1e6 / fps) {
        if (node.late === "skip") {
          const current = Math.max(n, Math.floor(elapsed * fps / 1e6));
          node.skippedTicks += current - n;
          n = node.tickNumber = current;
        } else {
          late = true;
          node.lateTicks++;
        }
      }
    }
    const start = node.cachedTick === n ? node.cachedTickTime : tickTime(n, fps);
    const end = tickTime(n + 1, fps);
    node.cachedTick = n + 1;
    node.cachedTickTime = end;
    const timestamp = node.tickBase + start;
    if (this.offline !== undefined && timestamp > this.offline.time) {
      this.offline.time = timestamp;
    }
    return {
      timestamp,
      duration: end - start,
      frameNumber: n,
      clockId: node.tickClock!.id,
      fps,
      late,
    };
  }

  // ---- Idle ---------------------------------------------------------------------------------

  /** Drops every queued step (an abort). */
  clear(): void {
    this.#ready.clear();
  }

  /** Nothing queued or running. */
  isIdle(): boolean {
    return this.busy === 0 && this.#ready.length === 0 && !this.#pumpScheduled && !this.#pumping;
  }

  /** Wakes `idle()` callers once nothing is queued or running. */
  notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when idle, checked after a turn of the event loop. */
  async idle(): Promise<void> {
    for (;;) {
      // Let callbacks of promises that already settled (a clock's wake-ups) run first.
      await _nextMacrotask();
      if (this.isIdle()) return;
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }
}
