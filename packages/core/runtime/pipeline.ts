// Why one file: Pipeline is the one class users build and run graphs with; its parts already
// live in _graph, _scheduler, _lifecycle, _remote_link and transfers, and what is left is its API.
import { Actor } from "../graph/actor.ts";
import { negotiate, transferNeeded } from "../graph/caps.ts";
import { _checkDownstream, _produced } from "./_produced.ts";
import type { Clock } from "../clock/clock.ts";
import { StreamlibError } from "../errors.ts";
import type { Input, Output } from "../graph/ports.ts";
import type { Capability } from "../graph/spec.ts";
import type { PortKind } from "../messages.ts";
import { ACTOR_NAME, ACTOR_NAME_RULE } from "../graph/names.ts";
import { type DeliveryPolicy, resolvePolicy } from "../delivery/policy.ts";
import type { AnyMessage, Message } from "../messages.ts";
import { SoftwareClock } from "../clock/software_clock.ts";
import { UpstreamClock } from "../clock/upstream_clock.ts";
import { WorkerPool } from "../threads/worker_pool.ts";
import { _WorkerHost } from "../threads/_worker_host.ts";
import { Bus } from "./bus.ts";
import { formatActorAddress, Registry } from "./registry.ts";
import { isRemoteAddress, type RemoteLinkResolver, remoteResolver } from "./remote.ts";
import { _remoteLink, _remoteLinks } from "./_remote_link.ts";
import { findTransfer, registeredTransfers, type TransferProvider } from "./transfers.ts";
import type { PipelineStats } from "./stats.ts";
import { resolveSupervision } from "./supervision.ts";
import type {
  AddOptions,
  Connection,
  PipelineJSON,
  PipelineOptions,
  PipelineState,
  PortRef,
  ReadableOptions,
  RunResult,
  StopOptions,
  WritableOptions,
} from "./pipeline_types.ts";
import { _readable, _writable } from "./_web_streams.ts";
import { _actorStats } from "./_actor_stats.ts";
import { _toDot } from "./_dot.ts";
import { _Graph } from "./_graph.ts";
import { _Lifecycle } from "./_lifecycle.ts";
import { _Node, type _PortLink } from "./_node.ts";
import { _OfflineClock, _Scheduler } from "./_scheduler.ts";

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
 * import assert from "node:assert/strict";
 * import { Collect, type DataMessage, DataSource, Identity, Pipeline } from "@streamlib/core";
 *
 * const pipeline = new Pipeline({ mode: "offline" });
 * const sink = new Collect<DataMessage>();
 * pipeline.pipe(new DataSource({ count: 3 }), new Identity(), sink);
 * const result = await pipeline.run();
 * assert.ok(result.status === "eos");
 * assert.ok(sink.messages.map((m) => m.value).join() === "0,1,2");
 * ```
 *
 * @example Connecting by name, and a live run on a manual clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, ManualClock, Pipeline } from "@streamlib/core";
 *
 * const clock = new ManualClock();
 * const pipeline = new Pipeline({ clock });
 * pipeline.add(new DataSource({ count: 2, fps: 10 }), { name: "src" });
 * const sink = pipeline.add(new Collect(), { name: "sink" });
 * pipeline.connect("src.out", "sink.in");
 * await pipeline.start();
 * await clock.advance(100_000);
 * assert.ok((await pipeline.done).status === "eos" && sink.messages.length === 2);
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

  readonly #graph: _Graph = new _Graph((from, to, kind) => this.#transfer(from, to, kind));
  readonly #sched: _Scheduler;
  readonly #life: _Lifecycle;
  readonly #remote: RemoteLinkResolver | undefined;
  readonly #transfers: readonly TransferProvider[];
  /** The transfers this pipeline inserted, each with the output and input it joins. */
  readonly #inserted = new Map<Actor, { readonly output: Output; readonly input: Input }>();

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
    const offline = this.mode === "offline" ? new _OfflineClock() : undefined;
    this.clock = options.clock ?? offline ?? new SoftwareClock();
    // Backoffs and stop timeouts wait on the pipeline's clock, or wall time offline.
    const timer = options.clock ?? (offline ? new SoftwareClock() : this.clock);
    this.registry = options.registry ?? new Registry<Actor>();
    this.#remote = options.remote;
    this.#transfers = options.transfers ?? [];
    const abort = new AbortController();
    const sampleEvery = Math.max(1, Math.floor(options.statsSampleEvery ?? 256));
    this.#sched = new _Scheduler(this.mode, this.clock, offline, abort.signal, sampleEvery);
    this.#life = new _Lifecycle(
      this.#graph.nodes,
      this.#sched,
      this.bus,
      timer,
      abort,
      () => this.stats(),
    );
    this.#sched.ending = this.#life;
    this.done = this.#life.done;
  }

  /**
   * The pipeline's state.
   *
   * @returns `idle`, `starting`, `running`, `stopping`, `done` or `failed`.
   */
  get state(): PipelineState {
    return this.#life.state;
  }

  /**
   * The actors, in the order they were added.
   *
   * @returns A new array.
   */
  get actors(): Actor[] {
    return [...this.#graph.nodes.keys()];
  }

  /**
   * Finds an actor by name.
   *
   * @param name The actor's name.
   * @returns The actor, or `undefined`.
   */
  actor(name: string): Actor | undefined {
    return this.#graph.byName.get(name);
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
    this.#life.assertOpen("add actors");
    const graph = this.#graph;
    const type = actor.contract.type;
    const name = options.name ?? graph.autoName(type);
    if (!ACTOR_NAME.test(name)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Actor name ${JSON.stringify(name)} may use only ${ACTOR_NAME_RULE}`,
      );
    }
    if (graph.byName.has(name)) {
      throw new StreamlibError("SL_NAME_TAKEN", `The pipeline already has an actor "${name}"`);
    }
    const address = formatActorAddress({ host: "local", type, id: name });
    const contract = actor.contract;
    const hasInputs = Object.keys(contract.inputs ?? {}).length > 0;
    const schedule = contract.schedule ?? (hasInputs ? "input" : "tick");
    const node = new _Node(actor, this.#sched, schedule, resolveSupervision(options.supervision));
    node.bus = this.bus;
    for (const [key, given] of Object.entries(options.inputs ?? {})) {
      const input = (actor.inputs as Record<string, Input>)[key];
      if (input === undefined) {
        throw new StreamlibError(
          "SL_PORT_NOT_FOUND",
          `"${name}" has no input "${key}"; inputs: ${
            Object.keys(actor.inputs).join(", ") || "none"
          }`,
        );
      }
      // Checked before anything is registered: a refused policy leaves the actor free to retry.
      if (given?.policy !== undefined) resolvePolicy(given.policy, input.spec.kind, this.mode);
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
    this.#sched.prepare(node);
    const dispatch = options.dispatch ?? "main";
    if (dispatch !== "main") {
      const ports = [
        ...Object.values(contract.inputs ?? {}),
        ...Object.values(contract.outputs ?? {}),
      ];
      if (ports.some((p) => p.capabilities !== undefined && !p.capabilities.includes("cpu"))) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `"${name}" (${type}) has ports in GPU memory, whose frames belong to this thread's ` +
            `GPU device: it runs on the main thread (leave dispatch out)`,
        );
      }
      if (dispatch !== "worker" && !(dispatch instanceof WorkerPool)) {
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `dispatch of "${name}" must be "main", "worker" or a WorkerPool, got ${
            JSON.stringify(dispatch)
          }`,
        );
      }
      const module = String(options.module ?? "");
      if (module === "" || /^\.{1,2}\//.test(module)) {
        // A relative path would be taken relative to streamlib's own Worker code.
        throw new StreamlibError(
          "SL_PARAM_INVALID",
          `"${name}" runs in a Worker, which builds it from its module: give options.module, ` +
            `the URL of the module that exports ${actor.constructor.name}` +
            (module ? `, not a path: new URL(${JSON.stringify(module)}, import.meta.url)` : ""),
        );
      }
      node.remote = new _WorkerHost(actor, node, {
        pool: dispatch === "worker" ? new WorkerPool() : dispatch,
        module: String(options.module),
        export: options.export ?? actor.constructor.name,
      }, (error) => this.#life.remoteFailed(node, error));
    }
    this.registry.register(address, actor);
    actor._node = node;
    actor._name = name;
    actor._address = address;
    actor._clock = this.clock;
    actor._mode = this.mode;
    for (const input of Object.values(actor.inputs as Record<string, Input>)) {
      node.attach(input, options.inputs?.[input.name]?.policy, this.mode);
    }
    for (const output of Object.values(actor.outputs as Record<string, Output>)) {
      output._node = node;
      node.outputs.push(output);
    }
    graph.nodes.set(actor, node);
    graph.byName.set(name, actor);
    if (this.#sched.active) {
      this.#sched.busy++;
      this.#life.startNode(node).then((ok) => {
        this.#sched.busy--;
        if (ok) this.#life.activate(node);
        this.#sched.notifyIdle();
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
    const node = this.#graph.node(actor);
    const a = node.actor;
    this.#inserted.delete(a);
    node.state = "ending";
    node.endRequested = true;
    for (const input of node.inputs) {
      for (const link of [...input._links]) this.#unlink(link);
    }
    for (const output of node.outputs) {
      for (const link of [...output._links]) this.#unlink(link);
    }
    this.#graph.nodes.delete(a);
    this.#graph.byName.delete(a.name);
    this.registry.unregister(a.address);
    for (const input of node.inputs) input._close();
    await this.#life.remove(node);
  }

  /**
   * Connects an output to an input after checking kinds, formats and capabilities
   * (`SL_KIND_MISMATCH`, `SL_CAPS_MISMATCH`; the message names both ports and shows both sides).
   * Ports are objects or `"name.port"` text; naming an instance of a request template
   * (`"mix.in_2"`) creates that port. Works while running: other branches never stall.
   * Either end may be on another node (`"actor://edge/compositor/mix.layer_1"`): a stand-in
   * made by the remote resolver ({@linkcode RemoteLinkResolver}) is added and linked, and the
   * link names the remote end in `remote`.
   *
   * Ports that share no memory (a `cpu` output into an input that takes `gpu` frames only, or
   * back) are linked through a transfer actor that the pipeline adds for the link (see
   * {@linkcode TransferProvider}; `@streamlib/gpu` provides them): the link's `via` names it, it
   * shows in the graph, stats and DOT like any actor, and it goes when the link goes
   * (`disconnect` with the same two ports, or removing either actor).
   *
   * @param from The output.
   * @param to The input.
   * @param options A delivery policy for the input (and for the transfer's, when one is
   *   inserted).
   * @returns The link.
   */
  connect(
    from: PortRef<Output>,
    to: PortRef<Input>,
    options: { policy?: DeliveryPolicy } = {},
  ): Connection {
    this.#life.assertOpen("connect ports");
    if (isRemoteAddress(from) || isRemoteAddress(to)) {
      return _remoteLink(this, this.#graph, this.#remote ?? remoteResolver(), from, to, options);
    }
    const output = this.#graph.output(from);
    const input = this.#graph.input(to, true);
    const move = transferNeeded(output.spec, input.spec);
    if (move !== undefined) return this.#connectThrough(output, input, move, options);
    const fromName = `${output.actor.name}.${output.name}`;
    const toName = `${input.actor.name}.${input.name}`;
    const inNode = this.#graph.node(input.actor);
    if (inNode.over) {
      throw new StreamlibError("SL_STATE", `"${toName}" belongs to an actor that has finished`);
    }
    // An output whose format is a parameter is checked with the format that parameter picks.
    const produced = _produced(output);
    const caps = negotiate(produced, input.spec, fromName, toName);
    try {
      _checkDownstream({ output, input });
    } catch (error) {
      const e = error as StreamlibError;
      throw new StreamlibError(
        e.code,
        `Cannot connect "${fromName}" to "${toName}": what it carries goes on to a link made ` +
          `before, which does not take it. ${e.message}`,
        { details: { ...e.details, from: fromName, to: toName } },
      );
    }
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
    const link: _PortLink = { output, input, ended: output._ended };
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
    return this.#graph.describe(link);
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
    const output = this.#graph.output(from);
    const input = this.#graph.input(to, false);
    const link = output._links.find((l) => l.input === input);
    if (link === undefined) {
      const transfer = [...this.#inserted].find(([, ends]) =>
        ends.output === output && ends.input === input
      );
      if (transfer !== undefined) return this.#dropTransfer(transfer[0]);
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
    for (const actor of actors) if (!this.#graph.nodes.has(actor)) this.add(actor);
    for (let i = 0; i + 1 < actors.length; i++) this.link(actors[i]!, actors[i + 1]!);
    return this;
  }

  /**
   * Connects two actors, naming ports only where wanted: either end is an actor (any fitting
   * port), a port object, or text `"name"` / `"name.port"`. Where a port is left open the single
   * compatible pair is chosen, free inputs first, then a new request input (`layer_%u`); when
   * several fit and exactly one uses the main ports `out` and `in`, that one.
   * Throws `SL_PIPE_AMBIGUOUS` (listing the pairs and the `connect()` call to pick one) or
   * `SL_PIPE_NO_MATCH` (listing both sides' ports). Either end may be on another node, as in
   * {@linkcode Pipeline.connect}.
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
    if (isRemoteAddress(from) || isRemoteAddress(to)) {
      return _remoteLink(this, this.#graph, this.#remote ?? remoteResolver(), from, to, options);
    }
    const [up, fixedOut] = this.#graph.end<Output>(from, "output");
    const [down, fixedIn] = this.#graph.end<Input>(to, "input");
    if (fixedOut !== undefined && fixedIn !== undefined) {
      return this.connect(fixedOut as Output, fixedIn as PortRef<Input>, options);
    }
    const [output, input] = this.#graph.pair(up, down, fixedOut as Output | undefined, fixedIn);
    return this.connect(output, `${down.actor.name}.${input}`, options);
  }

  /**
   * Starts every actor (sinks first, so nothing is produced before it can be consumed), then
   * the clock. Rejects, like `done`, when an actor fails to start.
   *
   * @returns A promise that resolves once the pipeline runs.
   */
  start(): Promise<void> {
    return this.#life.start();
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
  stop(options: StopOptions = {}): Promise<RunResult> {
    return this.#life.stop(options);
  }

  /**
   * Resolves when nothing is queued or running: no `process` call, start, flush or stop in
   * progress, checked after a turn of the event loop so that wake-ups a clock already issued
   * have run. Actors waiting for a tick count as idle. Tests use it after moving a
   * {@linkcode ManualClock}.
   *
   * @returns A promise.
   */
  idle(): Promise<void> {
    return this.#sched.idle();
  }

  /**
   * The running time: µs since the pipeline started (virtual time when offline).
   *
   * @returns The running time in µs.
   */
  runningTime(): number {
    return this.#sched._runningTime();
  }

  /**
   * A snapshot of every actor's numbers: processed, dropped, errors, restarts, processing time
   * p50/p99, and per input its depth and drops.
   *
   * @returns The stats.
   */
  stats(): PipelineStats {
    return {
      state: this.state,
      mode: this.mode,
      runningTime: this.runningTime(),
      actors: [...this.#graph.nodes.values()].map(_actorStats),
    };
  }

  /**
   * The graph as JSON: actors with their types and parameters, links with their policies.
   *
   * @returns A plain object.
   */
  toJSON(): PipelineJSON {
    return {
      mode: this.mode,
      actors: this.actors.map((a) => ({
        name: a.name,
        type: a.contract.type,
        address: a.address,
        params: structuredClone(a.params) as Record<string, unknown>,
        ...(this.#inserted.has(a) ? { inserted: true as const } : {}),
      })),
      links: this.#graph.links(),
      ..._remoteLinks(this.#graph.nodes.keys()),
    };
  }

  /**
   * The graph in Graphviz DOT: one record per actor with its ports, one edge per link.
   *
   * @returns DOT text (`dot -Tsvg` draws it).
   */
  toDot(): string {
    return _toDot(this.toJSON(), this.actors);
  }

  /**
   * Exposes an output as a Web `ReadableStream`: a hidden sink with a blocking queue of
   * `highWaterMark` messages (default 8) feeds it, so a slow reader backpressures the pipeline.
   * The stream closes at end-of-stream; cancelling it ends that sink, and takes it and its link
   * out while other links read the output.
   *
   * @param output The output (object or `"name.port"`).
   * @param options Queue size and sink name.
   * @returns The stream of messages.
   */
  readable<T extends AnyMessage = Message>(
    output: PortRef<Output<T>>,
    options: ReadableOptions = {},
  ): ReadableStream<T> {
    return _readable(this, this.#graph.output(output as PortRef<Output>) as Output<T>, options);
  }

  /**
   * Exposes an input as a Web `WritableStream`: a hidden source writes each chunk into it,
   * with backpressure when the input's queue blocks. Closing the stream sends end-of-stream.
   *
   * @param input The input (object or `"name.port"`).
   * @param options Source name.
   * @returns The stream to write messages into.
   */
  writable<T extends AnyMessage = Message>(
    input: PortRef<Input<T>>,
    options: WritableOptions = {},
  ): WritableStream<T> {
    return _writable(this, this.#graph.input(input as PortRef<Input>, true) as Input<T>, options);
  }

  #unlink(link: _PortLink): void {
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
    if (this.#sched.active) {
      queueMicrotask(() => this.#life.checkDownstreamClosed(output._node as _Node | undefined));
    }
    // A request input left without a link is released then too, unless relinked meanwhile.
    if (input.spec.presence === "request") queueMicrotask(() => this.#release(input));
    // An inserted transfer lives as long as both of its links.
    if (this.#inserted.size !== 0) {
      for (const actor of [output.actor, input.actor] as Actor[]) {
        if (this.#inserted.has(actor)) this.#dropTransfer(actor);
      }
    }
  }

  /** The transfer that moves `kind` messages from `from` memory to `to`, if any. */
  #transfer(
    from: Capability,
    to: Capability,
    kind: PortKind | "any",
  ): TransferProvider | undefined {
    return findTransfer(this.#transfers, from, to, kind) ??
      findTransfer(registeredTransfers(), from, to, kind);
  }

  /**
   * Links `output` to `input`, which share no memory, through a new transfer actor: the kinds
   * and formats must fit as if they did, and a transfer must be known for the move.
   */
  #connectThrough(
    output: Output,
    input: Input,
    move: { readonly from: Capability; readonly to: Capability },
    options: { policy?: DeliveryPolicy },
  ): Connection {
    const fromName = `${output.actor.name}.${output.name}`;
    const toName = `${input.actor.name}.${input.name}`;
    const produced = _produced(output);
    const caps = negotiate(
      produced,
      { ...input.spec, capabilities: output.spec.capabilities ?? ["cpu"] },
      fromName,
      toName,
    );
    const provider = this.#transfer(move.from, move.to, caps.kind);
    if (provider === undefined) {
      try {
        negotiate(produced, input.spec, fromName, toName);
      } catch (error) {
        const e = error as StreamlibError;
        throw new StreamlibError(
          "SL_CAPS_MISMATCH",
          `${e.message}, and no transfer from ${move.from} to ${move.to} memory is known for ` +
            `${caps.kind}${
              move.from === "gpu" || move.to === "gpu" ? " (import @streamlib/gpu)" : ""
            }`,
          { details: { ...e.details, transfer: move } },
        );
      }
    }
    // A transfer fails with the memory it moves to or from (a lost GPU device): it takes the
    // supervision of the actor on that side, so restarting that actor restarts it too.
    const owner = this.#graph.node(move.to !== "cpu" ? input.actor : output.actor).supervision;
    const transfer = this.add(provider!.create(), {
      supervision: owner.policy === "restart" ? { ...owner, policy: "restart" } : owner.policy,
    });
    this.#inserted.set(transfer, { output, input });
    const tIn = (transfer.inputs as Record<string, Input>).in!;
    const tOut = (transfer.outputs as Record<string, Output>).out!;
    try {
      const last = this.connect(tOut, input, options);
      this.connect(output, tIn, { policy: last.policy as DeliveryPolicy });
      return { ...last, from: fromName, formats: caps.formats ?? "any", via: transfer.name };
    } catch (error) {
      this.#dropTransfer(transfer);
      throw error;
    }
  }

  /** Removes an inserted transfer (and so both of its links). */
  #dropTransfer(actor: Actor): void {
    if (!this.#inserted.delete(actor)) return;
    this.remove(actor).catch(() => {});
  }

  /**
   * Releases a request input that has no link (GStreamer's `release_request_pad`): the
   * compositor no longer lists `layer_1` once what fed it is removed. An actor in a Worker lets
   * go of it there too (the Worker's side finds inputs by name).
   */
  #release(input: Input): void {
    const node = input._node as _Node | undefined;
    if (node === undefined || input._links.length !== 0 || node.over) return;
    if (this.#graph.nodes.get(node.actor) !== node) return;
    node.release(input);
    node.actor._releaseInput(input.name);
    this.#sched._inputEnded(node);
  }
}
