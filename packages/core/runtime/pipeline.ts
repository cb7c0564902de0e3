import { _fitsTemplate, Actor } from "../graph/actor.ts";
import { Bus } from "./bus.ts";
import { negotiate } from "../graph/caps.ts";
import { type Clock, tickTime, type TimedTick } from "../clock/clock.ts";
import { _clockId } from "../clock/clock.ts";
import { StreamlibError } from "../errors.ts";
import { Input } from "../graph/input.ts";
import { type _Link, _Node, type _Scheduler } from "./_node.ts";
import { Output } from "../graph/output.ts";
import { type DeliveryPolicy, formatPolicy, resolvePolicy } from "../delivery/policy.ts";
import { formatActorAddress, Registry } from "./registry.ts";
import { ACTOR_NAME, resolveEndpoint } from "../describe/pipeline_spec.ts";
import { SoftwareClock } from "../clock/software_clock.ts";
import type { ActorStats, PipelineStats } from "./stats.ts";
import { backoffDelayMs, resolveSupervision, type SupervisionPolicy } from "./supervision.ts";
import { UpstreamClock } from "../clock/upstream_clock.ts";
import { _Deque } from "../delivery/_deque.ts";
import { _macrotask, _nextMacrotask } from "../async/_yield.ts";
import { _toDot, type PipelineJSON } from "./graph_export.ts";
import { _readable, _writable, type ReadableOptions, type WritableOptions } from "./web_streams.ts";
import type { Message, PortKind } from "../messages.ts";
import { WorkerPool } from "../threads/worker_pool.ts";
import { _WorkerHost } from "../threads/_worker_host.ts";

/**
 * Options of a {@linkcode Pipeline}.
 *
 * @example
 * ```ts
 * import { ManualClock, type PipelineOptions } from "@streamlib/core";
 * const options: PipelineOptions = { mode: "live", clock: new ManualClock() };
 * console.assert(options.mode === "live");
 * ```
 */
export interface PipelineOptions {
  /**
   * `live` (default): sources tick on the clock, live video inputs keep only the newest frame.
   * `offline`: sources run as fast as the slowest actor allows, timestamps come from positions,
   * and every input without an explicit policy is a lossless blocking queue — file processing.
   */
  mode?: "live" | "offline";
  /** The clock (default: a {@linkcode SoftwareClock} when live, virtual time when offline). */
  clock?: Clock;
  /** Where actors are registered (default: a registry of this pipeline's own). */
  registry?: Registry<Actor>;
  /**
   * At most how many `process` calls go by between two that are timed for the p50/p99 stats
   * (default 256). Calls that take 20 µs or more are timed every time; cheaper ones ever more
   * rarely, up to this bound, since reading the time costs about as much as they do.
   */
  statsSampleEvery?: number;
}

/**
 * Options of {@linkcode Pipeline.add}.
 *
 * @example
 * ```ts
 * import type { AddOptions } from "@streamlib/core";
 * const options: AddOptions = {
 *   name: "cam",
 *   supervision: { policy: "restart", maxRestarts: 3 },
 *   inputs: { in: { policy: "queue:4:drop-oldest" } },
 * };
 * console.assert(options.name === "cam");
 * ```
 */
export interface AddOptions {
  /** Name in the pipeline and id in the address (default: type + number, `blur0`). */
  name?: string;
  /** What happens when the actor throws (default `stop`). */
  supervision?: SupervisionPolicy;
  /** Delivery policy per input port, overriding the contract's. */
  inputs?: Readonly<Record<string, { readonly policy?: DeliveryPolicy }>>;
  /** Ticks a second for a tick-scheduled actor, overriding `actor.fps`. */
  fps?: number;
  /** Late ticks (live only): `skip` to the current one (default) or deliver each, `flag`ged. */
  late?: "skip" | "flag";
  /**
   * Where the actor runs: `main` (default), the main event loop; `worker`, a Worker thread of
   * its own; or a {@linkcode WorkerPool} whose Workers several actors share. In a Worker the
   * same class runs unchanged, built there from `module` and `export` with the same
   * parameters; scheduling, delivery policies, end-of-stream, supervision and stats stay
   * here. Large message data crosses in shared memory, never by structured clone; a
   * buffer is reused once no thread holds a view of it, so keep a received frame or its
   * `data`, not only a `subarray()` of it.
   */
  dispatch?: "main" | "worker" | WorkerPool;
  /**
   * For a Worker: the URL of the module that exports the actor's class (`import.meta.url`
   * of that module, or `import.meta.resolve("@streamlib/video")`).
   */
  module?: string | URL;
  /** For a Worker: the class's export name (default: the class's name). */
  export?: string;
}

/**
 * A port given by object or by `"name.port"` text.
 *
 * @example
 * ```ts
 * import type { Output, PortRef } from "@streamlib/core";
 * const ref: PortRef<Output> = "src.out";
 * console.assert(ref.includes("."));
 * ```
 */
export type PortRef<P> = P | `${string}.${string}`;

/**
 * A link between two ports, as reported by {@linkcode Pipeline.connect} and `toJSON()`.
 *
 * @example
 * ```ts
 * import type { Connection } from "@streamlib/core";
 * const c: Connection = {
 *   from: "src.out", to: "sink.in", kind: "video", policy: "latest", formats: ["RGBA"],
 * };
 * console.assert(c.to === "sink.in");
 * ```
 */
export interface Connection {
  /** `name.port` of the output. */
  readonly from: string;
  /** `name.port` of the input. */
  readonly to: string;
  /** What flows: the more specific side's kind (`any` only when both sides take anything). */
  readonly kind: PortKind | "any";
  /** The input's delivery policy. */
  readonly policy: string;
  /** Formats both sides accept; `"any"` when neither restricts them. */
  readonly formats: readonly string[] | "any";
}

/**
 * How a run ended.
 *
 * @example
 * ```ts
 * import type { RunResult } from "@streamlib/core";
 * function ok(r: RunResult): boolean {
 *   return r.status === "eos";
 * }
 * console.assert(typeof ok === "function");
 * ```
 */
export interface RunResult {
  /** `eos`: every actor finished; `aborted`: `stop({ mode: "abort" })` or a drain timeout. */
  readonly status: "eos" | "aborted";
  /** Stats at the end. */
  readonly stats: PipelineStats;
}

/**
 * Options of {@linkcode Pipeline.stop}.
 *
 * @example
 * ```ts
 * import type { StopOptions } from "@streamlib/core";
 * const options: StopOptions = { mode: "drain", timeoutMs: 5_000 };
 * console.assert(options.mode === "drain");
 * ```
 */
export interface StopOptions {
  /**
   * `drain` (default): sources end, end-of-stream flows through, files finalise; `abort`:
   * everything stops now and waiting messages are discarded.
   */
  mode?: "drain" | "abort";
  /** With `drain`: abort if not done after this many ms of the pipeline's clock (wall time
   * offline). */
  timeoutMs?: number;
}

/**
 * The state of a pipeline.
 *
 * @example
 * ```ts
 * import { Pipeline, type PipelineState } from "@streamlib/core";
 * const state: PipelineState = new Pipeline().state;
 * console.assert(state === "idle");
 * ```
 */
export type PipelineState = "idle" | "starting" | "running" | "stopping" | "done" | "failed";

/** Virtual time of an offline run: as far as the sources have got. @internal */
class _OfflineClock implements Clock {
  readonly id: string = _clockId("offline");
  time = 0;
  now(): number {
    return this.time;
  }
  sleepUntil(): Promise<void> {
    return Promise.resolve();
  }
}

/** The tick input-driven actors receive; reused between calls. @internal */
class _InputTick implements TimedTick {
  frameNumber = 0;
  readonly duration = 0;
  readonly fps = 0;
  readonly late = false;
  readonly clockId: string;
  readonly #sched: _Scheduler;
  constructor(clockId: string, sched: _Scheduler) {
    this.clockId = clockId;
    this.#sched = sched;
  }
  get timestamp(): number {
    return this.#sched._runningTime();
  }
}

/**
 * A graph of actors and the runtime that runs it: add actors, connect their ports (also while
 * running), start, and wait for `done`.
 *
 * Scheduling: sources run on their ticks; other actors run as soon as an input has data,
 * downstream first, so a message usually travels the whole chain before the next is made. Long
 * runs yield to the event loop every few milliseconds. End-of-stream flows downstream; `done`
 * settles once every actor has finished (every sink has seen end-of-stream and run its
 * `stop`). An actor that throws is handled by its supervision policy and never takes the
 * process down.
 *
 * @example Source → pass-through → sink, offline
 * ```ts
 * import { Collect, type DataMessage, DataSource, Identity, Pipeline } from "@streamlib/core";
 *
 * const pipeline = new Pipeline({ mode: "offline" });
 * const sink = new Collect<DataMessage>();
 * pipeline.pipe(new DataSource({ count: 3 }), new Identity(), sink);
 * const result = await pipeline.run();
 * console.assert(result.status === "eos");
 * console.assert(sink.messages.map((m) => m.value).join() === "0,1,2");
 * ```
 *
 * @example Connecting by name, and a live run on a manual clock
 * ```ts
 * import { Collect, DataSource, ManualClock, Pipeline } from "@streamlib/core";
 *
 * const clock = new ManualClock();
 * const pipeline = new Pipeline({ clock });
 * pipeline.add(new DataSource({ count: 2, fps: 10 }), { name: "src" });
 * const sink = pipeline.add(new Collect(), { name: "sink" });
 * pipeline.connect("src.out", "sink.in");
 * await pipeline.start();
 * await clock.advance(100_000);
 * console.assert((await pipeline.done).status === "eos" && sink.messages.length === 2);
 * ```
 */
export class Pipeline {
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** The pipeline's clock, shared by its actors. */
  readonly clock: Clock;
  /** Where the actors are registered. */
  readonly registry: Registry<Actor>;
  /** Errors, restarts, end-of-stream and state changes. */
  readonly bus: Bus = new Bus();
  /** Settles when the run ends: resolves with how it ended, rejects when an actor failed. */
  readonly done: Promise<RunResult>;

  #state: PipelineState = "idle";
  /** Running or stopping: actors may be scheduled. */
  #active = false;
  #nodes = new Map<Actor, _Node>();
  #byName = new Map<string, Actor>();
  #counters = new Map<string, number>();
  #ready = new _Deque<_Node>();
  #abort = new AbortController();
  #base = 0;
  #offline: _OfflineClock | undefined;
  #sampleEvery: number;
  #resolveDone!: (result: RunResult) => void;
  #rejectDone!: (error: unknown) => void;
  #pumpScheduled = false;
  #pumping = false;
  /** Nesting of direct dispatches (bounded, so the stack stays shallow). */
  #depth = 0;
  #inSlice = false;
  #sliceStart = 0;
  #busy = 0;
  #idleWaiters: Array<() => void> = [];
  #starting: Promise<void> | undefined;
  /** stop({ mode: "abort" }) or a failure is under way. */
  #aborting = false;
  /** Backoffs and stop timeouts wait on this: the pipeline's clock, or wall time offline. */
  readonly #timer: Clock;
  /** A tick or external actor has run: when all such are gone, nothing more can arrive. */
  #hadProducer = false;
  readonly #pump = (): void => this.#runReady();
  readonly #endSlice = (): void => {
    this.#inSlice = false;
  };

  /**
   * Creates an empty pipeline.
   *
   * @param options Mode, clock, registry and stats sampling.
   */
  constructor(options: PipelineOptions = {}) {
    this.mode = options.mode ?? "live";
    if (this.mode !== "live" && this.mode !== "offline") {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Pipeline mode must be "live" or "offline", got ${JSON.stringify(this.mode)}`,
      );
    }
    if (this.mode === "offline") this.#offline = new _OfflineClock();
    this.clock = options.clock ?? this.#offline ?? new SoftwareClock();
    this.#timer = options.clock ?? (this.#offline ? new SoftwareClock() : this.clock);
    this.registry = options.registry ?? new Registry<Actor>();
    this.#sampleEvery = Math.max(1, Math.floor(options.statsSampleEvery ?? 256));
    this.done = new Promise<RunResult>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // Nobody is obliged to await `done`; a failure must not become an unhandled rejection.
    this.done.catch(() => {});
  }

  /**
   * The pipeline's state.
   *
   * @returns `idle`, `starting`, `running`, `stopping`, `done` or `failed`.
   */
  get state(): PipelineState {
    return this.#state;
  }

  /**
   * The actors, in the order they were added.
   *
   * @returns A new array.
   */
  get actors(): Actor[] {
    return [...this.#nodes.keys()];
  }

  /**
   * Finds an actor by name.
   *
   * @param name The actor's name.
   * @returns The actor, or `undefined`.
   */
  actor(name: string): Actor | undefined {
    return this.#byName.get(name);
  }

  /**
   * Adds an actor: names it, registers its address, applies delivery policies. While running,
   * the actor starts at once (connect it in the same synchronous step).
   *
   * @param actor The actor.
   * @param options Name, supervision, input policies, tick rate.
   * @returns The same actor, for chaining.
   */
  add<A extends Actor>(actor: A, options: AddOptions = {}): A {
    if (!(actor instanceof Actor)) {
      throw new StreamlibError("SL_PARAM_INVALID", "Pipeline.add() takes an Actor instance");
    }
    if (actor._node !== undefined) {
      throw new StreamlibError("SL_STATE", `Actor "${actor.name}" already belongs to a pipeline`);
    }
    this.#assertOpen("add actors");
    const type = actor.contract.type;
    const name = options.name ?? this.#autoName(type);
    if (!ACTOR_NAME.test(name)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Actor name ${JSON.stringify(name)} may use only letters, digits, "_", ".", "~" and "-"`,
      );
    }
    if (this.#byName.has(name)) {
      throw new StreamlibError("SL_NAME_TAKEN", `The pipeline already has an actor "${name}"`);
    }
    const address = formatActorAddress({ host: "local", type, id: name });
    const contract = actor.contract;
    const hasInputs = Object.keys(contract.inputs ?? {}).length > 0;
    const schedule = contract.schedule ?? (hasInputs ? "input" : "tick");
    const node = new _Node(actor, this, schedule, resolveSupervision(options.supervision));
    for (const key of Object.keys(options.inputs ?? {})) {
      if ((actor.inputs as Record<string, Input>)[key] === undefined) {
        throw new StreamlibError(
          "SL_PORT_NOT_FOUND",
          `"${name}" has no input "${key}"; inputs: ${
            Object.keys(actor.inputs).join(", ") || "none"
          }`,
        );
      }
    }
    if (schedule === "tick") {
      const fps = options.fps ?? actor.fps;
      if (!(typeof fps === "number" && fps > 0 && Number.isFinite(fps))) {
        throw new StreamlibError("SL_PARAM_INVALID", `fps of "${name}" must be > 0, got ${fps}`);
      }
      node.fps = fps;
      node.fixedFps = options.fps !== undefined;
      node.late = options.late ?? "skip";
      const clockKind = contract.clock ??
        (this.mode === "offline" && hasInputs ? "upstream" : "graph");
      if (clockKind === "upstream") {
        node.upstreamClock = new UpstreamClock();
        node.tickClock = node.upstreamClock;
      } else {
        node.tickClock = this.clock;
      }
    }
    node.inputTick = new _InputTick(this.clock.id, this);
    const dispatch = options.dispatch ?? "main";
    if (dispatch !== "main") {
      if (dispatch !== "worker" && !(dispatch instanceof WorkerPool)) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `dispatch of "${name}" must be "main", "worker" or a WorkerPool, got ${
            JSON.stringify(dispatch)
          }`,
        );
      }
      if (options.module === undefined || String(options.module) === "") {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `"${name}" runs in a Worker, which builds it from its module: give options.module, ` +
            `the URL of the module that exports ${actor.constructor.name}`,
        );
      }
      node.remote = new _WorkerHost(actor, node, {
        pool: dispatch === "worker" ? new WorkerPool() : dispatch,
        module: String(options.module),
        export: options.export ?? actor.constructor.name,
      }, (error) => this.#remoteFailed(node, error));
    }
    this.registry.register(address, actor);
    actor._node = node;
    actor._name = name;
    actor._address = address;
    actor._clock = this.clock;
    actor._mode = this.mode;
    for (const input of Object.values(actor.inputs as Record<string, Input>)) {
      this.#attachInput(node, input, options.inputs?.[input.name]?.policy);
    }
    for (const output of Object.values(actor.outputs as Record<string, Output>)) {
      output._node = node;
      node.outputs.push(output);
    }
    this.#nodes.set(actor, node);
    this.#byName.set(name, actor);
    if (this.#active) {
      this.#busy++;
      this.#startNode(node).then((ok) => {
        this.#busy--;
        if (ok) this.#activate(node);
        this.#notifyIdle();
      });
    }
    return actor;
  }

  /**
   * Removes an actor: disconnects all its links (inputs it fed see end-of-stream when they have
   * no other upstream), stops it if running, and unregisters it.
   *
   * @param actor The actor or its name.
   * @returns A promise that resolves once the actor's `stop()` has run.
   */
  async remove(actor: Actor | string): Promise<void> {
    const node = this.#node(actor);
    const a = node.actor;
    node.removed = true;
    node.ending = true;
    node.endRequested = true;
    for (const input of node.inputs) {
      for (const link of [...input._links]) this.#unlink(link);
    }
    for (const output of node.outputs) {
      for (const link of [...output._links]) this.#unlink(link);
    }
    this.#nodes.delete(a);
    this.#byName.delete(a.name);
    this.registry.unregister(a.address);
    for (const input of node.inputs) input._close();
    // A restart waiting on its backoff gives up; a start() under way is stopped when it ends.
    const closing = this.#close(node).catch((error) => this.#report(node, error, "stop"));
    if (!node.starting) {
      this.#busy++;
      await closing;
      this.#busy--;
    }
    node.finished = true;
    if (node.schedule !== "input") this.#wakeWaiting();
    this.#checkDone();
    this.#notifyIdle();
  }

  /**
   * Connects an output to an input after checking kinds, formats and capabilities
   * (`SL_KIND_MISMATCH`, `SL_CAPS_MISMATCH`; the message names both ports and shows both sides).
   * Ports are objects or `"name.port"` text; naming an instance of a request template
   * (`"mix.in_2"`) creates that port. Works while running: other branches never stall.
   *
   * @param from The output.
   * @param to The input.
   * @param options A delivery policy for the input.
   * @returns The link.
   */
  connect(
    from: PortRef<Output>,
    to: PortRef<Input>,
    options: { policy?: DeliveryPolicy } = {},
  ): Connection {
    this.#assertOpen("connect ports");
    const output = this.#output(from);
    const input = this.#input(to, true);
    const fromName = `${output.actor.name}.${output.name}`;
    const toName = `${input.actor.name}.${input.name}`;
    const inNode = this.#nodes.get(input.actor)!;
    if (inNode.finished || inNode.ending) {
      throw new StreamlibError("SL_STATE", `"${toName}" belongs to an actor that has finished`);
    }
    const caps = negotiate(output.spec, input.spec, fromName, toName);
    if (input._links.some((l) => l.output === output)) {
      throw new StreamlibError(
        "SL_ALREADY_CONNECTED",
        `"${fromName}" is already connected to "${toName}"`,
      );
    }
    // Several links may feed an input when it says so, or when all of them carry events or data
    // (interleaving those is meaningful; interleaving two videos is not).
    const interleaves = (kind: string): boolean => kind === "event" || kind === "data";
    const multiple = input.spec.multiple ??
      [caps.kind, ...input._links.map((l) => negotiate(l.output.spec, input.spec).kind)].every(
        interleaves,
      );
    if (!multiple && input._links.length !== 0) {
      const other = input._links[0]!.output;
      throw new StreamlibError(
        "SL_ALREADY_CONNECTED",
        `"${toName}" already takes "${other.actor.name}.${other.name}" and accepts one link; ` +
          `disconnect it first, or connect to another input`,
      );
    }
    if (options.policy !== undefined) {
      if (input.size !== 0) {
        throw new StreamlibError(
          "SL_STATE",
          `Cannot change the policy of "${toName}" while it holds messages`,
        );
      }
      input._setPolicy(resolvePolicy(options.policy, input.spec.kind, this.mode));
    }
    const link: _Link = { output, input, ended: output._ended };
    output._links.push(link);
    input._links.push(link);
    input._everLinked = true;
    inNode.everLinked = true;
    if (!link.ended) {
      input._openLinks++;
      inNode.upstreamClock?.track(input);
    } else {
      input._maybeEnded();
    }
    return this.#describeLink(link);
  }

  /**
   * Removes the link between an output and an input. Messages already in the input stay; a
   * write waiting on it is released. An input left with no upstream ends (after the current
   * synchronous step, so `disconnect` then `connect` rewires without ending anything).
   *
   * @param from The output.
   * @param to The input.
   */
  disconnect(from: PortRef<Output>, to: PortRef<Input>): void {
    const output = this.#output(from);
    const input = this.#input(to, false);
    const link = output._links.find((l) => l.input === input);
    if (link === undefined) {
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `"${output.actor.name}.${output.name}" is not connected to "${input.actor.name}.${input.name}"`,
      );
    }
    this.#unlink(link);
  }

  /**
   * Connects each actor to the next through their single compatible port pair (`a ! b ! c`;
   * where several fit, the one on the main ports `out` and `in`, if there is exactly one),
   * adding the actors that are not in the pipeline yet. Throws `SL_PIPE_AMBIGUOUS` when more
   * than one pair fits (use `connect` then) and `SL_PIPE_NO_MATCH` when none does; both list
   * the ports of the two actors.
   *
   * @param actors Two or more actors, upstream first.
   * @returns This pipeline.
   */
  pipe(...actors: Actor[]): this {
    for (const actor of actors) if (!this.#nodes.has(actor)) this.add(actor);
    for (let i = 0; i + 1 < actors.length; i++) this.link(actors[i]!, actors[i + 1]!);
    return this;
  }

  /**
   * Connects two actors, naming ports only where wanted: either end is an actor (any fitting
   * port), a port object, or text `"name"` / `"name.port"`. Where a port is left open the single
   * compatible pair is chosen, free inputs first, then a new request input (`layer_%u`); when
   * several fit and exactly one uses the main ports `out` and `in`, that one.
   * Throws `SL_PIPE_AMBIGUOUS` (listing the pairs and the `connect()` call to pick one) or
   * `SL_PIPE_NO_MATCH` (listing both sides' ports).
   *
   * @param from The upstream actor or output.
   * @param to The downstream actor or input.
   * @param options A delivery policy for the input.
   * @returns The link.
   */
  link(
    from: Actor | PortRef<Output> | string,
    to: Actor | PortRef<Input> | string,
    options: { policy?: DeliveryPolicy } = {},
  ): Connection {
    const [up, fixedOut] = this.#end<Output>(from, "output");
    const [down, fixedIn] = this.#end<Input>(to, "input");
    if (fixedOut !== undefined && fixedIn !== undefined) {
      return this.connect(fixedOut as Output, fixedIn as PortRef<Input>, options);
    }
    const fits = (o: Output, spec: Input["spec"] | undefined): boolean => {
      if (spec === undefined) return false;
      try {
        negotiate(o.spec, spec);
        return true;
      } catch {
        return false;
      }
    };
    const outputs = fixedOut !== undefined ? [fixedOut as Output] : up.outputs;
    const a = up.actor.name;
    const b = down.actor.name;
    const pairs: Array<[Output, string]> = [];
    if (fixedIn !== undefined) {
      const port = typeof fixedIn === "string" ? fixedIn.slice(b.length + 1) : fixedIn.name;
      const spec = typeof fixedIn === "string" ? this.#inputSpec(down, port) : fixedIn.spec;
      if (spec === undefined) this.#input(`${b}.${port}`, false); // throws: no such input
      for (const o of outputs) if (fits(o, spec)) pairs.push([o, port]);
    } else {
      for (const o of outputs) {
        for (const i of down.inputs) if (!i.connected && fits(o, i.spec)) pairs.push([o, i.name]);
      }
      if (pairs.length === 0) {
        for (const o of outputs) {
          for (const [name, spec] of Object.entries(down.actor.contract.inputs ?? {})) {
            if (spec.presence === "request" && fits(o, spec)) pairs.push([o, name]);
          }
        }
      }
    }
    if (pairs.length > 1) {
      // Several fit: the conventional main ports, "out" and "in", win if exactly one pair uses
      // them (a detector's video "out" rather than its "motion" events).
      const main = pairs.filter(([o, i]) =>
        (fixedOut !== undefined || o.name === "out") && (fixedIn !== undefined || i === "in")
      );
      if (main.length === 1) pairs.splice(0, pairs.length, main[0]!);
    }
    if (pairs.length === 1) {
      const [o, name] = pairs[0]!;
      return this.connect(o, `${b}.${name}`, options);
    }
    const list = (ports: Array<Input | Output>): string =>
      ports.map((p) => `${p.name} (${p.spec.kind}: ${p.spec.formats?.join(", ") ?? "any"})`)
        .join(", ") || "none";
    if (pairs.length === 0) {
      throw new StreamlibError(
        "SL_PIPE_NO_MATCH",
        `Cannot link "${a}" to "${b}": no compatible free ports. "${a}" outputs: ${
          list(outputs)
        }; "${b}" free inputs: ${list(down.inputs.filter((i) => !i.connected))}`,
        { details: { from: a, to: b } },
      );
    }
    throw new StreamlibError(
      "SL_PIPE_AMBIGUOUS",
      `Cannot link "${a}" to "${b}": ${pairs.length} port pairs fit (${
        pairs.map(([o, i]) => `${a}.${o.name} → ${b}.${i}`).join(", ")
      }); choose one with pipeline.connect("${a}.${pairs[0]![0].name}", "${b}.${pairs[0]![1]}")`,
      { details: { from: a, to: b, pairs: pairs.map(([o, i]) => [o.name, i]) } },
    );
  }

  /**
   * Starts every actor (sinks first, so nothing is produced before it can be consumed), then
   * the clock. Rejects, like `done`, when an actor fails to start.
   *
   * @returns A promise that resolves once the pipeline runs.
   */
  start(): Promise<void> {
    if (this.#state !== "idle") {
      return Promise.reject(
        new StreamlibError("SL_STATE", `Cannot start a pipeline that is ${this.#state}`),
      );
    }
    this.#starting = this.#start();
    return this.#starting;
  }

  /**
   * Starts the pipeline and waits for it to end.
   *
   * @returns How the run ended; rejects when an actor failed.
   */
  async run(): Promise<RunResult> {
    await this.start();
    return await this.done;
  }

  /**
   * Stops the pipeline. `drain` (default) ends the sources so that end-of-stream flows through
   * and every sink finalises; `abort` stops every actor at once. An abort does not wait for a
   * `start()` still under way (it is stopped if it ever returns); the Worker of an actor in
   * one is ended.
   *
   * @param options Mode and drain timeout.
   * @returns The run result (as `done`).
   */
  async stop(options: StopOptions = {}): Promise<RunResult> {
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
    if (!this.#active) return this.done;
    this.#setState("stopping");
    for (const node of this.#nodes.values()) if (this.#isSource(node)) this._endRequested(node);
    this.#wakeWaiting();
    if (options.timeoutMs !== undefined) {
      const timer = new AbortController();
      this.done.finally(() => timer.abort()).catch(() => {});
      this.#timer.sleepUntil(this.#timer.now() + options.timeoutMs * 1000, timer.signal)
        .then(() => this.#abortAll(undefined), () => {});
    }
    return this.done;
  }

  /**
   * Resolves when nothing is queued or running: no `process` call, start, flush or stop in
   * progress, checked after a turn of the event loop so that wake-ups a clock already issued
   * have run. Actors waiting for a tick count as idle. Tests use it after moving a
   * {@linkcode ManualClock}.
   *
   * @returns A promise.
   */
  async idle(): Promise<void> {
    for (;;) {
      // Let callbacks of promises that already settled (a clock's wake-ups) run first.
      await _nextMacrotask();
      if (this.#isIdle()) return;
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  /**
   * The running time: µs since the pipeline started (virtual time when offline).
   *
   * @returns The running time in µs.
   */
  runningTime(): number {
    return this._runningTime();
  }

  /**
   * A snapshot of every actor's numbers: processed, dropped, errors, restarts, processing time
   * p50/p99, and per input its depth and drops.
   *
   * @returns The stats.
   */
  stats(): PipelineStats {
    const actors: ActorStats[] = [];
    for (const node of this.#nodes.values()) actors.push(this.#actorStats(node));
    return { state: this.#state, mode: this.mode, runningTime: this._runningTime(), actors };
  }

  /**
   * The graph as JSON: actors with their types and parameters, links with their policies.
   *
   * @returns A plain object.
   */
  toJSON(): PipelineJSON {
    const links: Connection[] = [];
    for (const node of this.#nodes.values()) {
      for (const output of node.outputs) {
        for (const link of output._links) links.push(this.#describeLink(link));
      }
    }
    return {
      mode: this.mode,
      actors: [...this.#nodes.keys()].map((a) => ({
        name: a.name,
        type: a.contract.type,
        address: a.address,
        params: structuredClone(a.params) as Record<string, unknown>,
      })),
      links,
    };
  }

  /**
   * The graph in Graphviz DOT: one record per actor with its ports, one edge per link.
   *
   * @returns DOT text (`dot -Tsvg` draws it).
   */
  toDot(): string {
    return _toDot(this.toJSON(), [...this.#nodes.keys()]);
  }

  /**
   * Exposes an output as a Web `ReadableStream`: a hidden sink with a blocking queue of
   * `highWaterMark` messages (default 8) feeds it, so a slow reader backpressures the pipeline.
   * The stream closes at end-of-stream; cancelling it ends that sink.
   *
   * @param output The output (object or `"name.port"`).
   * @param options Queue size and sink name.
   * @returns The stream of messages.
   */
  readable<T extends Message = Message>(
    output: PortRef<Output<T>>,
    options: ReadableOptions = {},
  ): ReadableStream<T> {
    return _readable(this, this.#output(output) as Output<T>, options);
  }

  /**
   * Exposes an input as a Web `WritableStream`: a hidden source writes each chunk into it,
   * with backpressure when the input's queue blocks. Closing the stream sends end-of-stream.
   *
   * @param input The input (object or `"name.port"`).
   * @param options Source name.
   * @returns The stream to write messages into.
   */
  writable<T extends Message = Message>(
    input: PortRef<Input<T>>,
    options: WritableOptions = {},
  ): WritableStream<T> {
    return _writable(this, this.#input(input, true) as Input<T>, options);
  }

  // ---- Scheduler interface (called by ports and actors) ----------------------------------

  /** @internal */
  _wake(node: _Node, front: boolean): void {
    if (node.running) {
      node.rewake = true;
      return;
    }
    if (node.queued || node.halt !== 0 || node.blockedOutputs !== 0 || !this.#active) return;
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

  /** @internal */
  _unblocked(node: _Node): void {
    if (node.running || node.halt !== 0) return;
    if (!this.#active) return;
    this.#continue(node, true);
  }

  /** @internal */
  _waitsForTime(node: _Node): boolean {
    const clock = node.upstreamClock;
    if (clock === undefined || node.tickDue || node.finished) return false;
    return clock.now() < node.tickBase + tickTime(node.tickNumber, node.fps) + 1;
  }

  /** @internal */
  _inputEnded(node: _Node): void {
    node.wakeEos = true;
    node.inputEnded = true;
    node.eosSeen = true;
    this._wake(node, false);
  }

  /** @internal */
  _endRequested(node: _Node): void {
    if (node.endRequested || node.finished) return;
    node.endRequested = true;
    if (node.running || !node.started || node.restarting) return;
    if (this.#active) this.#finish(node);
  }

  /** @internal */
  _inputAdded(node: _Node, input: Input): void {
    this.#attachInput(node, input, undefined);
  }

  /** @internal */
  _runningTime(): number {
    if (this.#state === "idle" || this.#state === "starting") return 0;
    return this.#offline ? this.#offline.time : this.clock.now() - this.#base;
  }

  // ---- Lifecycle ---------------------------------------------------------------------------

  async #start(): Promise<void> {
    this.#setState("starting");
    for (const node of this.#startOrder()) {
      if (!(await this.#startNode(node))) return;
    }
    // Actors added while the others were starting.
    for (let more = this.#unstarted(); more.length !== 0; more = this.#unstarted()) {
      for (const node of more) if (!(await this.#startNode(node))) return;
    }
    if (this.#state !== "starting") return;
    this.#base = this.clock.now();
    this.#setState("running");
    for (const node of this.#nodes.values()) this.#activate(node, true);
    this.#checkDone();
  }

  #unstarted(): _Node[] {
    return [...this.#nodes.values()].filter((n) => !n.started && !n.starting && !n.finished);
  }

  /** Sinks first: reverse topological order (actors in cycles keep insertion order). */
  #startOrder(): _Node[] {
    const indegree = new Map<_Node, number>();
    for (const node of this.#nodes.values()) indegree.set(node, 0);
    for (const node of this.#nodes.values()) {
      for (const output of node.outputs) {
        for (const link of output._links) {
          const down = link.input._node!;
          indegree.set(down, indegree.get(down)! + 1);
        }
      }
    }
    const order: _Node[] = [];
    const queue = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
    while (queue.length) {
      const node = queue.shift()!;
      order.push(node);
      for (const output of node.outputs) {
        for (const link of output._links) {
          const down = link.input._node!;
          const d = indegree.get(down)! - 1;
          indegree.set(down, d);
          if (d === 0) queue.push(down);
        }
      }
    }
    for (const node of this.#nodes.values()) if (!order.includes(node)) order.push(node);
    return order.reverse();
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
   * Runs `start()`, retrying per supervision. `false` when the actor will not run: the pipeline
   * failed or stopped, or the actor was removed meanwhile (then it is stopped again if the start
   * went through).
   */
  async #startNode(node: _Node): Promise<boolean> {
    for (;;) {
      node.starting = true;
      try {
        await this.#hook(node, async () => {
          await (node.remote ?? node.actor).start();
          node.opened = true;
          if (node.schedule === "tick" && !node.fixedFps) this.#refreshFps(node);
        });
        node.starting = false;
        if (!this.#wanted(node)) {
          await this.#close(node).catch((error) => this.#report(node, error, "stop"));
          return false;
        }
        node.started = true;
        return true;
      } catch (error) {
        node.starting = false;
        node.errors++;
        if (!this.#wanted(node)) {
          this.#report(node, error, "start");
          return false;
        }
        const restart = node.supervision.policy === "restart" &&
          node.restarts < node.supervision.maxRestarts;
        this.bus.emit({
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

  /** The actor should still be running: not removed, not finished, the pipeline not ending. */
  #wanted(node: _Node): boolean {
    return !node.removed && !node.finished && !this.#aborting &&
      (this.#active || this.#state === "starting");
  }

  /** Publishes an error that changes nothing (the actor is on its way out anyway). */
  #report(node: _Node, error: unknown, phase: "start" | "process" | "flush" | "stop"): void {
    this.bus.emit({ type: "error", actor: node.actor.address, error, phase, action: "report" });
  }

  /** Counts a restart, publishes it and waits its backoff; `false` if the actor is not wanted. */
  async #backoff(node: _Node): Promise<boolean> {
    node.restarts++;
    const delayMs = backoffDelayMs(node.supervision, node.restarts);
    this.bus.emit({ type: "restart", actor: node.actor.address, attempt: node.restarts, delayMs });
    try {
      await this.#timer.sleepUntil(this.#timer.now() + delayMs * 1000, this.#abort.signal);
    } catch {
      return false;
    }
    return this.#wanted(node);
  }

  /**
   * Lets a started actor run: arm its first tick, or look at its inputs. Sources there at the
   * start tick from running time 0; one added later from the running time it joins at.
   */
  #activate(node: _Node, atStart = false): void {
    if (node.finished || node.ending || !node.started) return;
    if (!this.#active) return;
    if (node.endRequested) {
      this.#finish(node);
      return;
    }
    if (node.schedule !== "input") this.#hadProducer = true;
    if (this.#state === "stopping" && this.#isSource(node)) {
      // Added while the pipeline drains: a source ends at once.
      node.endRequested = true;
      this.#finish(node);
      return;
    }
    if (node.schedule === "tick") {
      node.tickBase = atStart ? 0 : this._runningTime();
      this.#armTick(node);
    } else if (node.schedule === "input") {
      if (node.hasData()) this._wake(node, false);
      else if (this.#canFinish(node)) this.#finish(node);
    }
  }

  #setState(state: PipelineState): void {
    this.#state = state;
    this.#active = state === "running" || state === "stopping";
    this.bus.emit({ type: "state", state });
  }

  #assertOpen(what: string): void {
    if (this.#state === "done" || this.#state === "failed") {
      throw new StreamlibError("SL_STATE", `Cannot ${what}: the pipeline is ${this.#state}`);
    }
  }

  // ---- Scheduling --------------------------------------------------------------------------

  #runReady(): void {
    this.#pumpScheduled = false;
    this.#pumping = true;
    if (!this.#inSlice) {
      this.#inSlice = true;
      this.#sliceStart = performance.now();
      _macrotask(this.#endSlice);
    }
    let steps = 0;
    for (;;) {
      const node = this.#ready.shift();
      if (node === undefined) break;
      node.queued = false;
      this.#step(node);
      if (
        (++steps & 255) === 0 && this.#ready.length !== 0 &&
        performance.now() - this.#sliceStart > 8
      ) {
        // Give I/O and timers a turn; carry on in a new macrotask.
        this.#pumping = false;
        this.#pumpScheduled = true;
        _macrotask(this.#pump);
        return;
      }
    }
    this.#pumping = false;
    this.#notifyIdle();
  }

  #step(node: _Node): void {
    // Queued, then blocked by a write from outside process(): wait for the unblock.
    if (node.blockedOutputs !== 0) return;
    const single = node.single;
    if (single !== undefined && node.halt === 0 && !node.wakeEos) {
      // The common case, one input with data: straight to process().
      if (single._buffer.size === 0) return;
      const tick = node.inputTick as _InputTick;
      tick.frameNumber = node.processed;
      this.#run(node, tick);
      return;
    }
    if (node.halt !== 0) {
      if (node.started && !node.finished && !node.ending && !node.restarting) {
        this.#finish(node); // asked to end
      }
      return;
    }
    if (node.schedule === "tick") {
      if (node.wakeEos) {
        node.wakeEos = false;
        if (
          node.upstreamClock === undefined && node.everLinked && node.inputs.length !== 0 &&
          node.allInputsEnded()
        ) {
          this.#finish(node);
          return;
        }
        if (node.tickArmed && node.upstreamClock) {
          // An armed upstream tick may now be out of reach.
          node.tickArmed = false;
          this.#armTick(node);
        }
      }
      if (!node.tickDue) return;
      node.tickDue = false;
      this.#run(node, this.#makeTick(node));
    } else if (node.schedule === "input") {
      if (!node.hasData()) {
        if (!node.wakeEos) return;
        node.wakeEos = false;
        if (this.#canFinish(node)) {
          this.#finish(node);
          return;
        }
        // One of several inputs ended: process() hears of it; otherwise there is nothing to do.
        if (!node.inputEnded) return;
      }
      node.wakeEos = false;
      node.inputEnded = false;
      const tick = node.inputTick as _InputTick;
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
      this.#failed(node, error, reads);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      this.#settle(node, result as Promise<void>, reads, sample, t0);
      return;
    }
    if (sample) this.#sampled(node, t0);
    if (node.single === undefined || !this.#afterSingle(node, node.single, reads)) {
      this.#afterRun(node, reads);
    }
  }

  /**
   * After a synchronous call of a one-input actor in the ordinary case (not ending, not blocked,
   * no end-of-stream news): reschedule it if more input waits. `false` sends anything else the
   * general way.
   */
  #afterSingle(node: _Node, single: Input, reads: number): boolean {
    if (node.halt !== 0 || node.blockedOutputs !== 0 || !this.#active || node.wakeEos) return false;
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
    this.#busy++;
    result.then(
      () => {
        this.#busy--;
        if (sample) this.#sampled(node, t0);
        this.#afterRun(node, reads);
        this.#notifyIdle();
      },
      (error) => {
        this.#busy--;
        node.running = false;
        if (sample) node.untilSample = node.sampleInterval;
        this.#failed(node, error, reads);
        this.#notifyIdle();
      },
    );
  }

  #afterRun(node: _Node, reads: number, completed = true): void {
    node.running = false;
    if (completed) node.processed++;
    if (node.schedule === "tick") node.tickNumber++;
    if (!this.#active) return;
    if (node.halt !== 0) {
      if (!node.finished && !node.ending && !node.restarting) this.#finish(node); // asked to end
      return;
    }
    if (node.blockedOutputs !== 0) return;
    this.#continue(node, node.reads !== reads || node.rewake);
  }

  /** Decides what an idle, unblocked actor does next. */
  #continue(node: _Node, progress: boolean): void {
    if (node.halt !== 0) {
      if (node.endRequested && !node.ending && !node.finished) this.#finish(node);
      return;
    }
    if (node.schedule === "tick") {
      // An upstream-clocked actor goes on while its clock still reaches ticks (#armTick ends it).
      if (
        node.upstreamClock === undefined && node.everLinked && node.inputs.length !== 0 &&
        node.allInputsEnded()
      ) {
        this.#finish(node);
      } else {
        this.#armTick(node);
      }
    } else if (node.schedule === "input") {
      if (node.hasData()) {
        if (progress || node.wakeEos) this._wake(node, false);
      } else if (node.wakeEos || (node.eosSeen && this.#canFinish(node))) {
        node.wakeEos = true;
        this._wake(node, false);
      }
    }
  }

  #armTick(node: _Node): void {
    if (node.tickArmed || node.finished || node.ending || node.endRequested) return;
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
    const target = node.upstreamClock ? running + 1 : this.#base + running;
    if (node.upstreamClock && clock.now() < target && node.inputs.every((i) => i.eos)) {
      // Every upstream has ended short of the next tick: there is nothing left to follow.
      this.#finish(node);
      return;
    }
    if (clock.now() >= target) {
      node.tickDue = true;
      this._wake(node, false);
      return;
    }
    node.tickArmed = true;
    clock.sleepUntil(target, this.#abort.signal).then(() => {
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
      const elapsed = this.clock.now() - this.#base - node.tickBase;
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
    if (this.#offline !== undefined && timestamp > this.#offline.time) {
      this.#offline.time = timestamp;
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

  // ---- Ending ------------------------------------------------------------------------------

  /**
   * flush → pending writes delivered → EOS downstream → inputs closed → stop → finished.
   * When `flush()` is synchronous and no write waits, end-of-stream leaves at once, in the same
   * scheduling step as the last message; otherwise after they settle.
   */
  #finish(node: _Node): void {
    if (node.ending || node.finished) return;
    node.ending = true;
    this.#busy++;
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
    try {
      if (!eosSent) {
        try {
          await flushed;
        } catch (error) {
          if (!(await this.#hookFailed(node, error, "flush"))) return;
        }
        if (node.blockedOutputs !== 0) {
          // Waiting for downstream to make room is not work in progress: idle() may resolve.
          this.#busy--;
          this.#notifyIdle();
          await node.whenUnblocked();
          this.#busy++;
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
      node.finished = true;
      this.bus.emit({ type: "eos", actor: node.actor.address });
      if (node.schedule !== "input") this.#wakeWaiting();
      for (const input of node.inputs) {
        for (const link of input._links) this.#checkDownstreamClosed(link.output._node);
      }
      this.#checkDone();
    } finally {
      this.#busy--;
      this.#notifyIdle();
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
    return !node.finished && this.#active && !this.#aborting;
  }

  /** Ends an upstream actor whose every link leads to a finished actor (GStreamer's EOS flow return). */
  #checkDownstreamClosed(up: _Node | undefined): void {
    if (up === undefined || up.finished || up.ending || up.endRequested) return;
    let linked = false;
    for (const output of up.outputs) {
      for (const link of output._links) {
        linked = true;
        if (!link.input._closed) return;
      }
    }
    if (linked) this._endRequested(up);
  }

  /**
   * Whether an input-driven actor whose inputs have all ended (or never had a link) may finish.
   * An input that never had a link keeps its actor waiting to be connected, until nothing in the
   * pipeline can produce any more (every tick or external actor finished) or it is draining.
   */
  /** Produces without input: an external actor, or a tick actor nothing feeds. */
  #isSource(node: _Node): boolean {
    return node.schedule === "external" || (node.schedule === "tick" && !node.everLinked);
  }

  #canFinish(node: _Node): boolean {
    if (!node.allInputsEnded()) return false;
    const waitingForLinks = node.inputs.length === 0
      ? Object.values(node.actor.contract.inputs ?? {}).some((s) => s.presence === "request")
      : !node.inputs.every((i) => i._everLinked);
    return !waitingForLinks || this.#producersGone();
  }

  #producersGone(): boolean {
    if (!this.#hadProducer && this.#state !== "stopping") return false;
    for (const node of this.#nodes.values()) {
      if (node.schedule !== "input" && !node.finished) return false;
    }
    return true;
  }

  /** Lets actors waiting on never-connected inputs re-check whether they may finish. */
  #wakeWaiting(): void {
    if (!this.#producersGone()) return;
    for (const node of this.#nodes.values()) {
      if (node.schedule === "input" && !node.finished && !node.ending) {
        node.eosSeen = true;
        node.wakeEos = true;
        this._wake(node, false);
      }
    }
  }

  #checkDone(): void {
    if (!this.#active || this.#aborting) return;
    for (const node of this.#nodes.values()) if (!node.finished) return;
    this.#complete("eos");
  }

  #complete(status: "eos" | "aborted"): void {
    this.#setState("done");
    this.#abort.abort();
    this.#resolveDone({ status, stats: this.stats() });
    this.#notifyIdle();
  }

  /**
   * The Worker of an idle actor died: handled as a failure of `process`. One that is in a call
   * hears of it through that call.
   */
  #remoteFailed(node: _Node, error: unknown): void {
    if (node.running || !node.started || node.restarting || node.ending || node.finished) {
      if (!node.running) this.#report(node, error, "process");
      return;
    }
    this.#failed(node, error, node.reads);
  }

  /** A `process` call threw: apply the actor's supervision policy. */
  #failed(node: _Node, error: unknown, reads: number): void {
    node.errors++;
    if (!this.#active || this.#aborting || node.finished || node.ending || node.removed) {
      // The actor was being stopped or removed: its failure changes nothing.
      this.#report(node, error, "process");
      return;
    }
    const { policy, maxRestarts } = node.supervision;
    const action = policy === "restart" && node.restarts >= maxRestarts ? "stop" : policy;
    this.bus.emit({ type: "error", actor: node.actor.address, error, phase: "process", action });
    if (action === "skip") {
      node.skipped++;
      if (node.reads === reads) {
        // It threw before reading: drop what it choked on, or it would choke on it forever.
        for (const input of node.inputs) if (input.size !== 0) input.read();
      }
      this.#afterRun(node, node.reads - 1, false);
    } else if (action === "restart") {
      void this.#restart(node);
    } else {
      void this.#fail(node, error, "process");
    }
  }

  async #restart(node: _Node): Promise<void> {
    node.restarting = true;
    node.running = false;
    node.tickDue = false;
    this.#busy++;
    try {
      await this.#close(node);
    } catch (error) {
      this.#report(node, error, "stop");
    } finally {
      this.#busy--;
      this.#notifyIdle();
    }
    if (!(await this.#backoff(node))) return;
    node.started = false;
    this.#busy++;
    let ok: boolean;
    try {
      ok = await this.#startNode(node);
    } finally {
      this.#busy--;
    }
    node.restarting = false;
    this.#notifyIdle();
    if (!ok || !this.#wanted(node)) return;
    if (node.endRequested) this.#finish(node);
    else if (node.schedule === "tick") this.#armTick(node);
    else this.#continue(node, true);
  }

  /** A flush or stop hook threw: `skip` reports and carries on, anything else fails the run. */
  async #hookFailed(node: _Node, error: unknown, phase: "flush" | "stop"): Promise<boolean> {
    node.errors++;
    const carryOn = node.supervision.policy === "skip";
    this.bus.emit({
      type: "error",
      actor: node.actor.address,
      error,
      phase,
      action: carryOn ? "report" : "stop",
    });
    if (!carryOn) await this.#fail(node, error, phase);
    return carryOn;
  }

  async #fail(node: _Node, error: unknown, phase: string): Promise<void> {
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

  /** Stops everything now; rejects `done` with `error` when given. */
  async #abortAll(error: StreamlibError | undefined): Promise<void> {
    if (this.#state === "done" || this.#state === "failed" || this.#aborting) return;
    this.#aborting = true;
    const wasStarting = this.#state === "starting";
    this.#setState(error ? "failed" : "stopping");
    this.#abort.abort();
    this.#ready.clear();
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
      node.finished = true;
      // A Worker can be ended under a start that never returns.
      if (node.starting) node.remote?.abandon();
      const closing = this.#close(node).catch((stopError) => this.#report(node, stopError, "stop"));
      if (!node.starting) await closing;
    }));
    if (error) {
      this.#rejectDone(error);
      this.#notifyIdle();
      if (wasStarting) throw error;
    } else {
      this.#complete("aborted");
    }
  }

  // ---- Idle --------------------------------------------------------------------------------

  #isIdle(): boolean {
    return this.#busy === 0 && this.#ready.length === 0 && !this.#pumpScheduled && !this.#pumping;
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- Graph helpers -----------------------------------------------------------------------

  #autoName(type: string): string {
    let n = this.#counters.get(type) ?? 0;
    while (this.#byName.has(`${type}${n}`)) n++;
    this.#counters.set(type, n + 1);
    return `${type}${n}`;
  }

  #attachInput(node: _Node, input: Input, policy: DeliveryPolicy | undefined): void {
    input._node = node;
    input._setPolicy(
      resolvePolicy(
        policy ?? node.actor.inputPolicy(input.name) ?? input.spec.policy,
        input.spec.kind,
        this.mode,
      ),
    );
    node.inputs.push(input);
    node.single = node.schedule === "input" && node.inputs.length === 1 ? input : undefined;
  }

  #node(actor: Actor | string): _Node {
    const a = typeof actor === "string" ? this.#byName.get(actor) : actor;
    const node = a === undefined ? undefined : this.#nodes.get(a);
    if (node === undefined) {
      throw new StreamlibError(
        "SL_ACTOR_NOT_FOUND",
        `No actor ${
          JSON.stringify(typeof actor === "string" ? actor : actor.name)
        } in this pipeline; actors: ${[...this.#byName.keys()].join(", ") || "none"}`,
      );
    }
    return node;
  }

  #splitRef(ref: string): [_Node, string] {
    const dot = ref.lastIndexOf(".");
    if (dot <= 0 || dot === ref.length - 1) {
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `Port reference "${ref}" must look like "name.port"`,
      );
    }
    return [this.#node(ref.slice(0, dot)), ref.slice(dot + 1)];
  }

  #output(ref: PortRef<Output>): Output {
    if (ref instanceof Output) {
      this.#node(ref.actor);
      return ref;
    }
    const [node, port] = this.#splitRef(ref);
    const output = node.outputs.find((o) => o.name === port);
    if (output === undefined) {
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `"${node.actor.name}" has no output "${port}"; outputs: ${
          node.outputs.map((o) => o.name).join(", ") || "none"
        }`,
      );
    }
    return output;
  }

  #input(ref: PortRef<Input>, create: boolean): Input {
    if (ref instanceof Input) {
      this.#node(ref.actor);
      return ref;
    }
    const [node, port] = this.#splitRef(ref);
    const existing = node.inputs.find((i) => i.name === port);
    if (existing) return existing;
    const templates = Object.entries(node.actor.contract.inputs ?? {})
      .filter(([, s]) => s.presence === "request").map(([n]) => n);
    const template = port.includes("%u")
      ? templates.find((t) => t === port)
      : templates.find((t) => _fitsTemplate(port, t));
    if (create && template !== undefined) {
      if (node.finished || node.ending) {
        throw new StreamlibError(
          "SL_STATE",
          `"${node.actor.name}" has finished; it takes no new inputs`,
        );
      }
      return port === template
        ? (node.actor.requestInput as (t: string) => Input)(template)
        : (node.actor.requestInput as (t: string, n: string) => Input)(template, port);
    }
    throw new StreamlibError(
      "SL_PORT_NOT_FOUND",
      `"${node.actor.name}" has no input "${port}"; inputs: ${
        [...node.inputs.map((i) => i.name), ...templates].join(", ") || "none"
      }`,
    );
  }

  #unlink(link: _Link): void {
    const { output, input } = link;
    output._links.splice(output._links.indexOf(link), 1);
    input._links.splice(input._links.indexOf(link), 1);
    input._dropWaiters(link);
    if (!link.ended) {
      link.ended = true;
      input._openLinks--;
      input._maybeEnded();
    }
    // Once the current step is over (a rewire may be under way), an upstream whose remaining
    // links all lead to finished actors has nobody left to feed.
    if (this.#active) queueMicrotask(() => this.#checkDownstreamClosed(output._node));
  }

  /** Resolves one end of `link()`: the actor, and the port when one is named. */
  #end<P extends Input | Output>(
    ref: Actor | PortRef<P> | string,
    side: "input" | "output",
  ): [_Node, P | string | undefined] {
    if (ref instanceof Actor) return [this.#node(ref), undefined];
    if (ref instanceof Input || ref instanceof Output) {
      if ((side === "input") !== (ref instanceof Input)) {
        throw new StreamlibError(
          "SL_PORT_NOT_FOUND",
          `"${ref.actor.name}.${ref.name}" is not an ${side}`,
        );
      }
      return [this.#node(ref.actor), ref as P];
    }
    const [name, port] = resolveEndpoint(ref, (n) => this.#byName.has(n));
    const node = this.#node(name);
    if (port === undefined) return [node, undefined];
    if (side === "output") return [node, this.#output(`${name}.${port}`) as P];
    return [node, `${name}.${port}`];
  }

  /** The spec a named input has, or will have once requested from its template. */
  #inputSpec(node: _Node, port: string): Input["spec"] | undefined {
    const existing = node.inputs.find((i) => i.name === port);
    if (existing) return existing.spec;
    return Object.entries(node.actor.contract.inputs ?? {})
      .find(([t, s]) => s.presence === "request" && (t === port || _fitsTemplate(port, t)))?.[1];
  }

  #describeLink(link: _Link): Connection {
    const { output, input } = link;
    const caps = negotiate(output.spec, input.spec); // checked when the link was made
    return {
      from: `${output.actor.name}.${output.name}`,
      to: `${input.actor.name}.${input.name}`,
      kind: caps.kind,
      policy: formatPolicy(input._policy),
      formats: caps.formats ?? "any",
    };
  }

  #actorStats(node: _Node): ActorStats {
    const a = node.actor;
    const inputs: Record<string, ActorStats["inputs"][string]> = {};
    let dropped = node.skipped;
    for (const input of node.inputs) {
      dropped += input.dropped;
      inputs[input.name] = {
        policy: input.policy,
        depth: input.size,
        capacity: input._buffer.capacity,
        received: input.received,
        dropped: input.dropped,
        links: input._links.length,
      };
    }
    const outputs: Record<string, ActorStats["outputs"][string]> = {};
    for (const output of node.outputs) {
      outputs[output.name] = {
        written: output.written,
        links: output._links.length,
        waiting: output._pending,
      };
    }
    let progress: ActorStats["progress"];
    try {
      progress = (node.remote ?? a).progress();
    } catch {
      // A faulty progress() must not break stats.
    }
    const state = node.finished
      ? "finished"
      : node.restarting
      ? "restarting"
      : node.starting
      ? "starting"
      : !node.started
      ? "idle"
      : node.blockedOutputs !== 0
      ? "blocked"
      : "running";
    return {
      address: a.address,
      name: a.name,
      type: a.contract.type,
      state,
      processed: node.processed,
      dropped,
      errors: node.errors,
      skipped: node.skipped,
      restarts: node.restarts,
      lateTicks: node.lateTicks,
      skippedTicks: node.skippedTicks,
      processingTimeUs: node.times.percentiles(),
      inputs,
      outputs,
      ...(progress === undefined ? {} : { progress }),
      ...(node.remote?.worker === undefined ? {} : { worker: node.remote.worker }),
    };
  }
}
