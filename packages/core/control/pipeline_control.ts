import type { Actor } from "../graph/actor.ts";
import type { Clock } from "../clock/clock.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";
import { StreamlibError } from "../errors.ts";
import { SoftwareClock } from "../clock/software_clock.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import type { Connection, RunResult, StopOptions } from "../runtime/pipeline_types.ts";
import type { PipelineStats } from "../runtime/stats.ts";
import { Catalogue, type PermissionSet } from "../describe/catalogue.ts";
import type { ManifestActor } from "../describe/manifest.ts";
import type { SpecValue } from "../describe/pipeline_spec.ts";
import { formatValue } from "../describe/format_pipeline.ts";
import { _specPads, _specParams } from "../describe/_spec_values.ts";
import type {
  ControlEvent,
  ControlGraph,
  EventQuery,
  PatchOptions,
  PatchResult,
  PipelineControlOptions,
  SetResult,
  TapOptions,
  TapResult,
} from "./control_types.ts";
import { _EventLog, _plainEvent } from "./_event_log.ts";
import { _graphView, _plain } from "./_graph_view.ts";
import { _tap, _TAP_TYPE } from "./_tap.ts";
import { _applyPlan, _planPatch } from "./_patch.ts";
import { _beyond } from "./_permits.ts";

/**
 * The live control of a running {@linkcode Pipeline}: what a person or an agent outside the
 * program can see and change. It reads the graph with every port's policy, depth and drops,
 * keeps the bus's events (errors, restarts, end-of-stream, states, actors' log lines, and every
 * change made through it) in a bounded ring, samples what an output carries without ever
 * holding it back, changes parameters, applies pipeline text to the running graph after
 * validating all of it, links, unlinks, removes and stops. Values are checked against the
 * manifests in its {@linkcode Catalogue}, as pipeline text is.
 *
 * It adds nothing to the pipeline's hot path: it listens to the bus, and a tap's hidden sink
 * exists only while the tap runs. Transports (`serveControl` in `@streamlib/net`) put it on a
 * socket; this class is the whole model.
 *
 * @example See, change and patch a running pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue, ManualClock, Pipeline, PipelineControl } from "@streamlib/core";
 *
 * const clock = new ManualClock();
 * const pipeline = await Catalogue.withCore().build(
 *   "datasrc name=src fps=10 ! log name=out",
 *   { clock },
 * );
 * const control = new PipelineControl(pipeline);
 * await pipeline.start();
 *
 * assert.deepEqual(control.graph().links.map((l) => `${l.from} > ${l.to}`), ["src.out > out.in"]);
 * control.set("src", { pattern: "sine" });
 * await control.patch("datasrc name=more fps=10 ! nullsink");
 * assert.ok(control.graph().actors.some((a) => a.name === "more"));
 * const tap = control.tap("src.out", { count: 2 });
 * await clock.advance(200_000);
 * assert.ok((await tap).messages.length === 2);
 * assert.ok(control.events({ types: ["control"] }).length === 2); // the set and the patch
 * await control.stop({ mode: "abort" });
 * control.close();
 * ```
 */
export class PipelineControl {
  /** The pipeline it controls. */
  readonly pipeline: Pipeline;
  /** Where patches find actor types and `set` finds parameter schemas. */
  readonly catalogue: Catalogue;
  /** What the process was granted, when it runs with least privilege. */
  readonly granted: PermissionSet | undefined;

  readonly #log: _EventLog;
  readonly #timer: Clock;
  readonly #hidden = new Set<Actor>();
  readonly #hiddenAddresses = new Set<string>();
  readonly #closing = new AbortController();
  readonly #off: () => void;
  #taps = 0;

  /**
   * Takes control of a pipeline, from now on: events before this are not kept.
   *
   * @param pipeline The pipeline, running or not yet started.
   * @param options Catalogue, granted permissions, event capacity, clocks.
   */
  constructor(pipeline: Pipeline, options: PipelineControlOptions = {}) {
    this.pipeline = pipeline;
    this.catalogue = options.catalogue ?? Catalogue.withCore();
    this.granted = options.granted;
    const now = options.now ?? Date.now;
    this.#timer = options.timer ??
      (pipeline.mode === "offline" ? new SoftwareClock() : pipeline.clock);
    this.#log = new _EventLog(options.eventCapacity ?? 1_000, () => ({
      time: now(),
      runningTime: pipeline.runningTime(),
    }));
    this.#off = pipeline.bus.on("*", (event) => {
      if ("actor" in event && event.actor !== undefined && this.#hiddenAddresses.has(event.actor)) {
        return;
      }
      this.#log.push(_plainEvent(event));
    });
  }

  /**
   * The live graph: every actor with its type, address, state, parameters and ports (kinds,
   * formats, policies, depths, capacities, drops, request ports with their own parameters),
   * and every link with its input's numbers.
   *
   * @returns A snapshot, plain JSON.
   */
  graph(): ControlGraph {
    return _graphView(this.pipeline, this.#hidden);
  }

  /**
   * The pipeline's stats, as `Pipeline.stats()` gives them (without the hidden sinks of taps
   * under way).
   *
   * @returns A snapshot.
   */
  stats(): PipelineStats {
    const stats = this.pipeline.stats();
    if (this.#hidden.size === 0) return stats;
    return { ...stats, actors: stats.actors.filter((a) => !this.#hiddenAddresses.has(a.address)) };
  }

  /**
   * The graph in Graphviz DOT, as `Pipeline.toDot()` draws it.
   *
   * @returns DOT text.
   */
  toDot(): string {
    return this.pipeline.toDot();
  }

  /**
   * The kept events a query asks for, oldest first: by type, by actor (name or address), after a
   * sequence number, the newest `limit`.
   *
   * @param query Filters; none gives every event kept.
   * @returns The events.
   */
  events(query: EventQuery = {}): ControlEvent[] {
    return this.#log.query(query);
  }

  /**
   * Follows the events a query asks for: first those kept after `since` (when given), then each
   * new one as it happens, until `signal` aborts or the control closes. A follower that falls
   * more than the ring's capacity behind misses the oldest (the sequence numbers show the gap).
   *
   * @param query Filters.
   * @param options `signal` ends the iteration.
   * @returns The events, as they come.
   */
  follow(
    query: EventQuery = {},
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncIterableIterator<ControlEvent> {
    return this.#log.follow(query, options.signal);
  }

  /**
   * Samples what an output carries: links a hidden sink to it with a lossy queue (it never
   * holds the output back), collects up to `count` messages, and takes the sink out again. A
   * quiet output returns what came within `timeoutMs`; an output that ends returns what it
   * gave. The messages are the pipeline's own (not copies); a transport encodes them.
   *
   * @param port The output, `actor.port`.
   * @param options Count, time limit, abort signal.
   * @returns The messages and why the tap ended.
   */
  tap(port: string, options: TapOptions = {}): Promise<TapResult> {
    let name: string;
    do name = `~tap${this.#taps++}`; while (this.pipeline.actor(name) !== undefined);
    return _tap(this.pipeline, port, options, {
      timer: this.#timer,
      name,
      closing: this.#closing.signal,
      // The sink, hidden before it is added, or a transfer inserted for it (already added).
      hide: (actor) => {
        this.#hidden.add(actor);
        this.#hiddenAddresses.add(actor._address ?? `actor://local/${_TAP_TYPE}/${name}`);
      },
      unhide: (actor) => {
        this.#hidden.delete(actor);
        this.#hiddenAddresses.delete(actor._address ?? `actor://local/${_TAP_TYPE}/${name}`);
      },
    });
  }

  /**
   * Changes an actor's parameters and its request ports' parameters while it runs. Values are
   * checked against the manifest through the catalogue and converted as in pipeline text
   * (`"10s"` to the parameter's unit, quoted JSON for object parameters), all of them before
   * any is applied: a bad value (`SL_PARAM_INVALID`, `SL_PARAM_UNKNOWN`, `SL_PORT_NOT_FOUND`)
   * changes nothing.
   *
   * @param actor The actor's name.
   * @param params Parameter values.
   * @param pads Port parameter values by port (`{ layer_1: { x: 40 } }`).
   * @returns The values set, converted.
   */
  set(
    actor: string,
    params: { readonly [key: string]: SpecValue } = {},
    pads: { readonly [pad: string]: { readonly [key: string]: SpecValue } } = {},
  ): SetResult {
    const target = this.#actor(actor);
    const entry = this.#manifestOf(target);
    const values = _specParams(entry, params);
    const padValues = _specPads(entry, pads);
    if (this.granted !== undefined && Object.keys(values).length !== 0) {
      const merged = { ..._plain(target.params as Record<string, SpecValue>), ...params };
      const need = this.catalogue.has(target.contract.type)
        ? this.catalogue.permissions({
          actors: [{ name: target.name, type: target.contract.type, params: merged }],
          links: [],
        })
        : {};
      const missing = _beyond(need, this.granted);
      if (missing.length) {
        throw new StreamlibError(
          "SL_PERMISSION_NOT_GRANTED",
          `With these parameters "${target.name}" would need ${
            missing.join("; ")
          }, which this node was not granted: it runs with only the permissions its pipeline ` +
            `needed`,
          { details: { actor: target.name, missing } },
        );
      }
    }
    if (Object.keys(values).length !== 0) {
      target.setParams(values as Parameters<Actor["setParams"]>[0]);
    }
    for (const [pad, changes] of Object.entries(padValues)) target.setPadParams(pad, changes);
    const text = [
      ...Object.entries(params).map(([k, v]) => `${k}=${formatValue(v)}`),
      ...Object.entries(pads).flatMap(([pad, vs]) =>
        Object.entries(vs).map(([k, v]) => `${pad}::${k}=${formatValue(v)}`)
      ),
    ].join(" ");
    this.#announce("set", `set ${target.name} ${text}`.trim(), {
      actor: target.name,
      params: values,
      pads: padValues,
    }, target.address);
    return { actor: target.name, params: _plain(values), pads: _plain(padValues) };
  }

  /**
   * Applies pipeline text to the running graph: new actors, and links among them and to the
   * running actors, named as in the graph (`datasrc name=b ! mix.`). The whole patch is
   * checked before anything changes — the text, types, parameters, names already taken, ports
   * and whether they fit, and (for a least-privilege node) permissions — and an error points at
   * the text with a caret, as `streamlib run` shows it. `dryRun` only checks. Should adding
   * still fail midway, what was added is taken out again.
   *
   * @param text Pipeline text.
   * @param options `dryRun`.
   * @returns The actors and links added (or that would be).
   */
  async patch(text: string, options: PatchOptions = {}): Promise<PatchResult> {
    const plan = await _planPatch(this.pipeline, this.catalogue, text, this.granted);
    const actors = plan.actors.map(({ spec }) => ({ name: spec.name, type: spec.type }));
    if (options.dryRun) return { applied: false, actors, links: plan.connections };
    const links = await _applyPlan(this.pipeline, this.catalogue, plan);
    this.#announce("patch", `patch ${text.trim().replace(/\s+/g, " ")}`, { text, actors, links });
    return { applied: true, actors, links };
  }

  /**
   * Links two actors or ports, as `Pipeline.link()` does: either end may be `name` (the single
   * fitting port) or `name.port`.
   *
   * @param from The upstream actor or output.
   * @param to The downstream actor or input.
   * @param options A delivery policy for the input.
   * @returns The link made.
   */
  connect(
    from: string,
    to: string,
    options: { readonly policy?: DeliveryPolicy } = {},
  ): Connection {
    const link = this.pipeline.link(from, to, options);
    this.#announce("connect", `connect ${link.from} ${link.to}`, { ...link });
    return link;
  }

  /**
   * Removes a link. Either end may be `name` when only one link joins the two actors.
   *
   * @param from The upstream actor or output.
   * @param to The downstream actor or input.
   * @returns The link removed.
   */
  disconnect(from: string, to: string): Connection {
    const fits = (end: string, ref: string): boolean =>
      ref === end || ref.slice(0, ref.lastIndexOf(".")) === end.replace(/\.$/, "");
    const links = this.pipeline.toJSON().links.filter((l) => fits(from, l.from) && fits(to, l.to));
    if (links.length !== 1) {
      throw new StreamlibError(
        links.length === 0 ? "SL_PORT_NOT_FOUND" : "SL_PIPE_AMBIGUOUS",
        links.length === 0
          ? `No link from "${from}" to "${to}"`
          : `${links.length} links join "${from}" and "${to}" (${
            links.map((l) => `${l.from} → ${l.to}`).join(", ")
          }); name the ports`,
        { details: { from, to } },
      );
    }
    const link = links[0]!;
    this.pipeline.disconnect(link.from as `${string}.${string}`, link.to as `${string}.${string}`);
    this.#announce("disconnect", `disconnect ${link.from} ${link.to}`, { ...link });
    return link;
  }

  /**
   * Removes an actor and its links (what it fed sees end-of-stream where nothing else feeds it).
   *
   * @param actor The actor's name.
   * @returns A promise that resolves once the actor has stopped.
   */
  async remove(actor: string): Promise<void> {
    const target = this.#actor(actor);
    const address = target.address;
    this.#announce("remove", `remove ${target.name}`, { actor: target.name }, address);
    await this.pipeline.remove(target);
  }

  /**
   * Stops the pipeline: `drain` (default) lets end-of-stream flow and files finalise, `abort`
   * stops at once.
   *
   * @param options Mode and drain timeout.
   * @returns How the run ended.
   */
  stop(options: StopOptions = {}): Promise<RunResult> {
    const mode = options.mode ?? "drain";
    this.#announce("stop", `stop ${mode}`, { mode });
    return this.pipeline.stop(options);
  }

  /** Stops listening to the pipeline: followers end, taps under way return what they have. */
  close(): void {
    this.#off();
    this.#closing.abort();
    this.#log.close();
  }

  /** Closes the control, as {@linkcode PipelineControl.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #actor(name: string): Actor {
    const actor = this.pipeline.actor(name);
    if (actor === undefined || this.#hidden.has(actor)) {
      throw new StreamlibError(
        "SL_ACTOR_NOT_FOUND",
        `No actor ${JSON.stringify(name)} in this pipeline; actors: ${
          this.pipeline.actors.filter((a) => !this.#hidden.has(a)).map((a) => a.name).join(", ") ||
          "none"
        }`,
        { details: { actor: name } },
      );
    }
    return actor;
  }

  /** The manifest entry to check an actor's values against: the catalogue's, else its contract. */
  #manifestOf(actor: Actor): ManifestActor {
    const contract = actor.contract;
    if (this.catalogue.has(contract.type)) return this.catalogue.describe(contract.type).actor;
    return {
      ...contract,
      description: contract.description ?? contract.type,
      classification: contract.classification ?? "Filter/Any",
      module: "",
      export: actor.constructor.name,
    };
  }

  #announce(
    op: "set" | "patch" | "connect" | "disconnect" | "remove" | "stop",
    text: string,
    details: Record<string, unknown>,
    actor?: string,
  ): void {
    this.pipeline.bus.emit({
      type: "control",
      op,
      text,
      details: _plain(details),
      ...(actor === undefined ? {} : { actor }),
    });
  }
}
