/**
 * The lifecycle of a pipeline and of each actor in it: starting (sinks first), the finish
 * sequence of an actor (flush, end-of-stream, `stop()`), supervision of failures (skip, restart
 * with backoff, stop), draining and aborting, and settling `done`. The scheduler calls in here
 * when an actor ends or fails ({@linkcode _Ending}). Internal: nothing here is public API.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { Clock } from "../clock/clock.ts";
import { StreamlibError } from "../errors.ts";
import type { Bus } from "./bus.ts";
import type { PipelineStats } from "./stats.ts";
import { backoffDelayMs } from "./supervision.ts";
import type { PipelineState, RunResult, StopOptions } from "./pipeline_types.ts";
import type { _Node } from "./_node.ts";
import type { _Ending, _Scheduler } from "./_scheduler.ts";

type _Phase = "start" | "process" | "flush" | "stop";

/** @internal */
/** How long an aborted Worker actor has to answer before it leaves its Worker, in ms. */
const _ABANDON_MS = 2_000;

export class _Lifecycle implements _Ending {
  /** Settles when the run ends: resolves with how it ended, rejects when an actor failed. */
  readonly done: Promise<RunResult>;

  readonly #nodes: ReadonlyMap<Actor, _Node>;
  readonly #sched: _Scheduler;
  readonly #bus: Bus;
  /** Backoffs and stop timeouts wait on this: the pipeline's clock, or wall time offline. */
  readonly #timer: Clock;
  readonly #abort: AbortController;
  readonly #stats: () => PipelineStats;
  #state: PipelineState = "idle";
  /** stop({ mode: "abort" }) or a failure is under way. */
  #aborting = false;
  #starting: Promise<void> | undefined;
  /** A tick or external actor has run: when all such are gone, nothing more can arrive. */
  #hadProducer = false;
  #resolveDone!: (result: RunResult) => void;
  #rejectDone!: (error: unknown) => void;

  /**
   * @param nodes The pipeline's actors (the pipeline adds and removes them).
   * @param sched The scheduler.
   * @param bus Where errors, restarts, end-of-stream and state changes are published.
   * @param timer The clock that backoffs and drain timeouts wait on.
   * @param abort Aborted when the run ends: every wait gives up.
   * @param stats The pipeline's stats, for the run's result.
   */
  constructor(
    nodes: ReadonlyMap<Actor, _Node>,
    sched: _Scheduler,
    bus: Bus,
    timer: Clock,
    abort: AbortController,
    stats: () => PipelineStats,
  ) {
    this.#nodes = nodes;
    this.#sched = sched;
    this.#bus = bus;
    this.#timer = timer;
    this.#abort = abort;
    this.#stats = stats;
    this.done = new Promise<RunResult>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // Nobody is obliged to await `done`; a failure must not become an unhandled rejection.
    this.done.catch(() => {});
  }

  /** The pipeline's state. */
  get state(): PipelineState {
    return this.#state;
  }

  /** Throws `SL_STATE` once the pipeline is over. */
  assertOpen(what: string): void {
    if (this.#state === "done" || this.#state === "failed") {
      throw new StreamlibError("SL_STATE", `Cannot ${what}: the pipeline is ${this.#state}`);
    }
  }

  // ---- The whole pipeline ------------------------------------------------------------------

  /** Starts every actor, sinks first, then the clock. */
  start(): Promise<void> {
    if (this.#state !== "idle") {
      return Promise.reject(
        new StreamlibError("SL_STATE", `Cannot start a pipeline that is ${this.#state}`),
      );
    }
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#setState("starting");
    for (const node of this.#startOrder()) {
      if (!(await this.startNode(node))) return;
    }
    // Actors added while the others were starting.
    for (let more = this.#unstarted(); more.length !== 0; more = this.#unstarted()) {
      for (const node of more) if (!(await this.startNode(node))) return;
    }
    if (this.#state !== "starting") return;
    this.#sched.base = this.#sched.clock.now();
    this.#setState("running");
    for (const node of this.#nodes.values()) this.activate(node, true);
    this.checkDone();
  }

  /** Drains (sources end, end-of-stream flows through) or aborts. */
  async stop(options: StopOptions): Promise<RunResult> {
    const mode = options.mode ?? "drain";
    if (this.#state === "idle") {
      // Nothing started: release writes waiting on an input (a writable's) and end.
      for (const node of this.#nodes.values()) for (const input of node.inputs) input._close();
      this.#complete("aborted");
      return this.done;
    }
    if (this.#state === "starting") {
      if (mode === "abort") {
        // A start waiting on a backoff gives up now; one under way is not waited for.
        this.#abort.abort();
        await this.#abortAll(undefined);
        return this.done;
      }
      await this.#starting?.catch(() => {});
    }
    if (mode === "abort" || this.#state === "starting") {
      await this.#abortAll(undefined);
      return this.done;
    }
    if (!this.#sched.active) return this.done;
    this.#setState("stopping");
    for (const node of this.#nodes.values()) {
      if (this.#isSource(node)) this.#sched._endRequested(node);
    }
    this.wakeWaiting();
    if (options.timeoutMs !== undefined) {
      const timer = new AbortController();
      this.done.finally(() => timer.abort()).catch(() => {});
      this.#timer.sleepUntil(this.#timer.now() + options.timeoutMs * 1000, timer.signal)
        .then(() => this.#abortAll(undefined), () => {});
    }
    return this.done;
  }

  #setState(state: PipelineState): void {
    this.#state = state;
    this.#sched.active = state === "running" || state === "stopping";
    this.#sched.timeRuns = state !== "idle" && state !== "starting";
    this.#bus.emit({ type: "state", state });
  }

  #unstarted(): _Node[] {
    return [...this.#nodes.values()].filter((n) => n.state === "idle" && !n.startPending);
  }

  /** Sinks first: reverse topological order (actors in cycles keep insertion order). */
  #startOrder(): _Node[] {
    const indegree = new Map<_Node, number>();
    const downstream = (node: _Node): _Node[] =>
      node.outputs.flatMap((o) => o._links.map((l) => this.#nodes.get(l.input.actor as Actor)!));
    for (const node of this.#nodes.values()) indegree.set(node, 0);
    for (const node of this.#nodes.values()) {
      for (const down of downstream(node)) indegree.set(down, indegree.get(down)! + 1);
    }
    const order: _Node[] = [];
    const queue = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
    while (queue.length) {
      const node = queue.shift()!;
      order.push(node);
      for (const down of downstream(node)) {
        const d = indegree.get(down)! - 1;
        indegree.set(down, d);
        if (d === 0) queue.push(down);
      }
    }
    for (const node of this.#nodes.values()) if (!order.includes(node)) order.push(node);
    return order.reverse();
  }

  /** The run is over when every actor has finished. */
  checkDone(): void {
    if (!this.#sched.active || this.#aborting) return;
    for (const node of this.#nodes.values()) if (node.state !== "finished") return;
    this.#complete("eos");
  }

  #complete(status: "eos" | "aborted"): void {
    this.#setState("done");
    this.#abort.abort();
    this.#resolveDone({ status, stats: this.#stats() });
    this.#sched.notifyIdle();
  }

  /** Stops everything now; rejects `done` with `error` when given. */
  async #abortAll(error: StreamlibError | undefined): Promise<void> {
    if (this.#state === "done" || this.#state === "failed" || this.#aborting) return;
    this.#aborting = true;
    const wasStarting = this.#state === "starting";
    this.#setState(error ? "failed" : "stopping");
    this.#abort.abort();
    this.#sched.clear();
    const nodes = [...this.#nodes.values()];
    for (const node of nodes) {
      node.queued = false;
      node.endRequested = true;
      // Closing every input releases every write waiting for space.
      for (const input of node.inputs) input._close();
    }
    // Each actor holding resources is stopped once, after whatever hook it is in: none is left
    // started, none is stopped twice. A stop() already under way (finalising a file) is waited
    // for; a start() still under way is not (it may never end): it is stopped when it does.
    await Promise.all(nodes.map(async (node) => {
      node.state = "finished";
      // A Worker can be ended under a start that never returns.
      if (node.startPending) node.remote?.abandon();
      // A Worker actor busy in a call that does not return (a loop in process()) cannot hear
      // its stop: after a grace it leaves its Worker, which ends, so that the abort returns.
      const stuck = node.remote === undefined ? undefined : setTimeout(
        () =>
          node.remote?.abandon(
            `did not answer within ${_ABANDON_MS} ms of the abort; its Worker was ended`,
          ),
        _ABANDON_MS,
      );
      const closing = this.#close(node).catch((stopError) => this.#report(node, stopError, "stop"))
        .finally(() => clearTimeout(stuck));
      if (!node.startPending) await closing;
    }));
    if (error) {
      this.#rejectDone(error);
      this.#sched.notifyIdle();
      if (wasStarting) throw error;
    } else {
      this.#complete("aborted");
    }
  }

  // ---- One actor: starting and stopping ------------------------------------------------------

  /**
   * Runs `start()`, retrying per supervision. `false` when the actor will not run: the pipeline
   * failed or stopped, or the actor was removed meanwhile (then it is stopped again if the start
   * went through).
   */
  async startNode(node: _Node): Promise<boolean> {
    for (;;) {
      node.startPending = true;
      if (node.state === "idle") node.state = "starting";
      try {
        await this.#hook(node, async () => {
          await (node.remote ?? node.actor).start();
          node.opened = true;
          if (node.schedule === "tick" && !node.fixedFps) this.#refreshFps(node);
        });
        node.startPending = false;
        if (!this.#wanted(node)) {
          await this.#close(node).catch((error) => this.#report(node, error, "stop"));
          return false;
        }
        if (node.state === "starting") node.state = "running";
        return true;
      } catch (error) {
        node.startPending = false;
        node.errors++;
        if (!this.#wanted(node)) {
          this.#report(node, error, "start");
          return false;
        }
        const restart = node.supervision.policy === "restart" &&
          node.restarts < node.supervision.maxRestarts;
        this.#bus.emit({
          type: "error",
          actor: node.actor.address,
          error,
          phase: "start",
          action: restart ? "restart" : "stop",
        });
        if (!restart) {
          await this.#fail(node, error, "start");
          return false;
        }
        if (!(await this.#backoff(node))) return false;
      }
    }
  }

  /** A source may learn its rate in `start()` (a file reader reading its file's frame rate). */
  #refreshFps(node: _Node): void {
    const fps = node.remote?.fps ?? node.actor.fps;
    if (!(typeof fps === "number" && fps > 0 && Number.isFinite(fps))) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `fps of "${node.actor.name}" must be > 0, got ${fps}`,
      );
    }
    if (fps !== node.fps) {
      node.fps = fps;
      node.cachedTick = -1;
    }
  }

  /**
   * Lets a started actor run: arm its first tick, or look at its inputs. Sources there at the
   * start tick from running time 0; one added later from the running time it joins at.
   */
  activate(node: _Node, atStart = false): void {
    if (node.state !== "running" || !this.#sched.active) return;
    if (node.endRequested) {
      this.finish(node);
      return;
    }
    if (node.schedule !== "input") this.#hadProducer = true;
    if (this.#state === "stopping" && this.#isSource(node)) {
      // Added while the pipeline drains: a source ends at once.
      node.endRequested = true;
      this.finish(node);
      return;
    }
    if (node.schedule === "tick") {
      node.tickBase = atStart ? 0 : this.#sched._runningTime();
      this.#sched.armTick(node);
    } else if (node.schedule === "input") {
      if (node.hasData()) this.#sched._wake(node, false);
      else if (this.canFinish(node)) this.finish(node);
    }
  }

  /**
   * Takes a removed actor out of the run: a restart waiting on its backoff gives up; a `start()`
   * under way is stopped when it ends. Resolves once its `stop()` has run.
   */
  async remove(node: _Node): Promise<void> {
    const closing = this.#close(node).catch((error) => this.#report(node, error, "stop"));
    if (!node.startPending) {
      this.#sched.busy++;
      await closing;
      this.#sched.busy--;
    }
    node.state = "finished";
    if (node.schedule !== "input") this.wakeWaiting();
    this.checkDone();
    this.#sched.notifyIdle();
  }

  /** Runs a lifecycle hook of `node` once its previous hook has settled: hooks never overlap. */
  #hook(node: _Node, hook: () => Promise<void>): Promise<void> {
    const run = node.lifecycle.then(hook);
    node.lifecycle = run.catch(() => {});
    return run;
  }

  /** Calls `stop()` once for each successful `start()`, after any hook in flight. */
  #close(node: _Node): Promise<void> {
    return this.#hook(node, async () => {
      if (!node.opened) return;
      node.opened = false;
      await (node.remote ?? node.actor).stop();
    });
  }

  /** The actor should still be running: not removed or finished, the pipeline not ending. */
  #wanted(node: _Node): boolean {
    return !node.over && !this.#aborting && (this.#sched.active || this.#state === "starting");
  }

  /** Publishes an error that changes nothing (the actor is on its way out anyway). */
  #report(node: _Node, error: unknown, phase: _Phase): void {
    this.#bus.emit({ type: "error", actor: node.actor.address, error, phase, action: "report" });
  }

  /** Counts a restart, publishes it and waits its backoff; `false` if the actor is not wanted. */
  async #backoff(node: _Node): Promise<boolean> {
    node.restarts++;
    const delayMs = backoffDelayMs(node.supervision, node.restarts);
    this.#bus.emit({ type: "restart", actor: node.actor.address, attempt: node.restarts, delayMs });
    try {
      await this.#timer.sleepUntil(this.#timer.now() + delayMs * 1000, this.#abort.signal);
    } catch {
      return false;
    }
    return this.#wanted(node);
  }

  // ---- One actor: ending ---------------------------------------------------------------------

  /**
   * flush → pending writes delivered → EOS downstream → inputs closed → stop → finished.
   * When `flush()` is synchronous and no write waits, end-of-stream leaves at once, in the same
   * scheduling step as the last message; otherwise after they settle.
   */
  finish(node: _Node): void {
    if (node.over) return;
    node.state = "ending";
    this.#sched.busy++;
    let flushed: void | Promise<void>;
    try {
      flushed = (node.remote ?? node.actor).flush();
    } catch (error) {
      flushed = Promise.reject(error);
    }
    const eosNow = flushed === undefined && node.blockedOutputs === 0;
    if (eosNow) this.#sendEos(node);
    void this.#finishRest(node, flushed, eosNow);
  }

  async #finishRest(node: _Node, flushed: void | Promise<void>, eosSent: boolean): Promise<void> {
    const sched = this.#sched;
    try {
      if (!eosSent) {
        try {
          await flushed;
        } catch (error) {
          if (!(await this.#hookFailed(node, error, "flush"))) return;
        }
        if (node.blockedOutputs !== 0) {
          // Waiting for downstream to make room is not work in progress: idle() may resolve.
          sched.busy--;
          sched.notifyIdle();
          await node.whenUnblocked();
          sched.busy++;
        }
        if (!this.#live(node)) return;
        this.#sendEos(node);
      }
      try {
        await this.#close(node);
      } catch (error) {
        if (!(await this.#hookFailed(node, error, "stop"))) return;
      }
      if (!this.#live(node)) return;
      node.state = "finished";
      this.#bus.emit({ type: "eos", actor: node.actor.address });
      if (node.schedule !== "input") this.wakeWaiting();
      for (const input of node.inputs) {
        for (const link of input._links) this.checkDownstreamClosed(link.output._node as _Node);
      }
      this.checkDone();
    } finally {
      sched.busy--;
      sched.notifyIdle();
    }
  }

  /** Sends end-of-stream on every output and stops taking input. */
  #sendEos(node: _Node): void {
    for (const output of node.outputs) output.end();
    for (const input of node.inputs) input._close();
    node.upstreamClock = undefined;
  }

  /** The pipeline still runs and `node` was not aborted meanwhile. */
  #live(node: _Node): boolean {
    return node.state !== "finished" && this.#sched.active && !this.#aborting;
  }

  /** Ends an upstream actor whose every link leads to a finished actor (GStreamer's EOS flow return). */
  checkDownstreamClosed(up: _Node | undefined): void {
    if (up === undefined || up.over || up.endRequested) return;
    let linked = false;
    for (const output of up.outputs) {
      for (const link of output._links) {
        linked = true;
        if (!link.input._closed) return;
      }
    }
    if (linked) this.#sched._endRequested(up);
  }

  /** Produces without input: an external actor, or a tick actor nothing feeds. */
  #isSource(node: _Node): boolean {
    return node.schedule === "external" || (node.schedule === "tick" && !node.everLinked);
  }

  /**
   * Whether an input-driven actor whose inputs have all ended (or never had a link) may finish.
   * An input that never had a link keeps its actor waiting to be connected, until nothing in the
   * pipeline can produce any more (every tick or external actor finished) or it is draining.
   */
  canFinish(node: _Node): boolean {
    if (!node.allInputsEnded()) return false;
    const waitingForLinks = node.inputs.length === 0
      ? Object.values(node.actor.contract.inputs ?? {}).some((s) => s.presence === "request")
      : !node.inputs.every((i) => i._everLinked);
    return !waitingForLinks || this.#producersGone();
  }

  #producersGone(): boolean {
    if (!this.#hadProducer && this.#state !== "stopping") return false;
    for (const node of this.#nodes.values()) {
      if (node.schedule !== "input" && node.state !== "finished") return false;
    }
    return true;
  }

  /** Lets actors waiting on never-connected inputs re-check whether they may finish. */
  wakeWaiting(): void {
    if (!this.#producersGone()) return;
    for (const node of this.#nodes.values()) {
      if (node.schedule === "input" && !node.over) {
        node.eosSeen = true;
        node.wakeEos = true;
        this.#sched._wake(node, false);
      }
    }
  }

  // ---- One actor: failures -------------------------------------------------------------------

  /**
   * The Worker of an idle actor died: handled as a failure of `process`. One that is in a call
   * hears of it through that call.
   */
  remoteFailed(node: _Node, error: unknown): void {
    if (node.running || node.state !== "running") {
      if (!node.running) this.#report(node, error, "process");
      return;
    }
    this.failed(node, error, node.reads);
  }

  /** A `process` call threw: apply the actor's supervision policy. */
  failed(node: _Node, error: unknown, reads: number): void {
    node.errors++;
    if (!this.#sched.active || this.#aborting || node.over) {
      // The actor was being stopped or removed: its failure changes nothing.
      this.#report(node, error, "process");
      return;
    }
    const { policy, maxRestarts } = node.supervision;
    const action = policy === "restart" && node.restarts >= maxRestarts ? "stop" : policy;
    this.#bus.emit({ type: "error", actor: node.actor.address, error, phase: "process", action });
    if (action === "skip") {
      node.skipped++;
      if (node.reads === reads) {
        // It threw before reading: drop what it choked on, or it would choke on it forever.
        for (const input of node.inputs) if (input.size !== 0) input.read();
      }
      this.#sched.afterRun(node, node.reads - 1, false);
    } else if (action === "restart") {
      void this.#restart(node);
    } else {
      void this.#fail(node, error, "process");
    }
  }

  async #restart(node: _Node): Promise<void> {
    const sched = this.#sched;
    node.state = "restarting";
    node.running = false;
    node.tickDue = false;
    sched.busy++;
    try {
      await this.#close(node);
    } catch (error) {
      this.#report(node, error, "stop");
    } finally {
      sched.busy--;
      sched.notifyIdle();
    }
    if (!(await this.#backoff(node))) return;
    sched.busy++;
    let ok: boolean;
    try {
      ok = await this.startNode(node);
    } finally {
      sched.busy--;
    }
    if (node.state === "restarting") node.state = ok ? "running" : "idle";
    sched.notifyIdle();
    if (!ok || !this.#wanted(node)) return;
    if (node.endRequested) this.finish(node);
    else if (node.schedule === "tick") sched.armTick(node);
    else sched.continue(node, true);
  }

  /** A flush or stop hook threw: `skip` reports and carries on, anything else fails the run. */
  async #hookFailed(node: _Node, error: unknown, phase: "flush" | "stop"): Promise<boolean> {
    node.errors++;
    const carryOn = node.supervision.policy === "skip";
    this.#bus.emit({
      type: "error",
      actor: node.actor.address,
      error,
      phase,
      action: carryOn ? "report" : "stop",
    });
    if (!carryOn) await this.#fail(node, error, phase);
    return carryOn;
  }

  async #fail(node: _Node, error: unknown, phase: _Phase): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const gaveUp =
      node.supervision.policy === "restart" && node.restarts >= node.supervision.maxRestarts
        ? ` (gave up after ${node.restarts} restarts)`
        : "";
    await this.#abortAll(
      new StreamlibError(
        "SL_ACTOR_FAILED",
        `Actor "${node.actor.address}" failed in ${phase}()${gaveUp}: ${message}`,
        { cause: error, details: { actor: node.actor.address, phase } },
      ),
    );
  }
}
