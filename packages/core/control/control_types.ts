/**
 * What {@linkcode PipelineControl} takes and gives: the live graph, events, tap results and
 * the results of changes. Every type here is plain JSON (except the messages a tap returns), so
 * a transport sends them as they are.
 *
 * @module
 */

import type { Clock } from "../clock/clock.ts";
import type { Capability } from "../graph/spec.ts";
import type { Message, PortKind } from "../messages.ts";
import type { Connection } from "../runtime/pipeline_types.ts";
import type { ActorStats } from "../runtime/stats.ts";
import type { BusEvent } from "../runtime/bus.ts";
import type { RemoteLinkInfo } from "../runtime/remote.ts";
import type { Catalogue, PermissionSet } from "../describe/catalogue.ts";

/**
 * One input port in the live graph: its type, its delivery policy and what waits in it now.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GraphInput } from "@streamlib/core";
 * const input: GraphInput = {
 *   name: "layer_1", kind: "video", formats: ["RGBA"], capabilities: ["cpu"],
 *   template: "layer_%u", params: { x: 40 },
 *   policy: "latest", depth: 1, capacity: 1, received: 90, dropped: 3, links: 1,
 * };
 * assert.ok(input.received - input.dropped === 87);
 * ```
 */
export interface GraphInput {
  /** Port name. */
  readonly name: string;
  /** What it takes. */
  readonly kind: PortKind | "any";
  /** Formats it takes; `"any"` when it takes every format. */
  readonly formats: readonly string[] | "any";
  /** Memory it works with. */
  readonly capabilities: readonly Capability[];
  /** The request template it was made from (`layer_%u`), for a request port. */
  readonly template?: string;
  /** Its own parameters with defaults filled in, for a request port whose template has some. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Delivery policy: `latest`, `queue:8:block`… */
  readonly policy: string;
  /** Messages waiting now. */
  readonly depth: number;
  /** Messages that can wait at most. */
  readonly capacity: number;
  /** Messages that arrived. */
  readonly received: number;
  /** Messages discarded (overwritten, leaked, or left when the actor ended). */
  readonly dropped: number;
  /** Outputs linked to it. */
  readonly links: number;
}

/**
 * One output port in the live graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GraphOutput } from "@streamlib/core";
 * const out: GraphOutput = {
 *   name: "out", kind: "video", formats: ["RGBA"], capabilities: ["cpu"],
 *   written: 90, links: 2, waiting: 0,
 * };
 * assert.ok(out.links === 2);
 * ```
 */
export interface GraphOutput {
  /** Port name. */
  readonly name: string;
  /** What it gives. */
  readonly kind: PortKind | "any";
  /** Formats it gives; `"any"` when it does not say. */
  readonly formats: readonly string[] | "any";
  /** Memory it works with. */
  readonly capabilities: readonly Capability[];
  /** Messages written. */
  readonly written: number;
  /** Inputs linked to it. */
  readonly links: number;
  /** Inputs still to take the last message (backpressure). */
  readonly waiting: number;
}

/**
 * A request template of an actor (`layer_%u`): the ports it can still make.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GraphTemplate } from "@streamlib/core";
 * const t: GraphTemplate = { name: "layer_%u", kind: "video", formats: ["RGBA"], params: ["x", "y"] };
 * assert.ok(t.params.includes("x"));
 * ```
 */
export interface GraphTemplate {
  /** Template name, `%u` standing for a number. */
  readonly name: string;
  /** What its ports take. */
  readonly kind: PortKind | "any";
  /** Formats its ports take; `"any"` when any. */
  readonly formats: readonly string[] | "any";
  /** The names of its ports' own parameters. */
  readonly params: readonly string[];
}

/**
 * One actor in the live graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GraphActor } from "@streamlib/core";
 * const actor: GraphActor = {
 *   name: "src", type: "datasrc", address: "actor://local/datasrc/src", state: "running",
 *   params: { count: 3 }, inputs: [], outputs: [], templates: [],
 * };
 * assert.ok(actor.state === "running");
 * ```
 */
export interface GraphActor {
  /** Name in the pipeline. */
  readonly name: string;
  /** Actor type. */
  readonly type: string;
  /** `actor://local/<type>/<name>`. */
  readonly address: string;
  /** Where it is in its life. */
  readonly state: ActorStats["state"];
  /** Parameter values, defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Its inputs, request ports included (each with its own parameters). */
  readonly inputs: readonly GraphInput[];
  /** Its outputs. */
  readonly outputs: readonly GraphOutput[];
  /** Its request templates. */
  readonly templates: readonly GraphTemplate[];
  /** The Worker it runs in, for an actor in a Worker. */
  readonly worker?: number;
}

/**
 * One link in the live graph: a {@linkcode Connection} with what waits in its input and what
 * the input dropped (an input fed by several links counts them together).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GraphLink } from "@streamlib/core";
 * const link: GraphLink = {
 *   from: "src.out", to: "mix.layer_0", kind: "video", policy: "latest", formats: ["RGBA"],
 *   depth: 1, capacity: 1, dropped: 12,
 * };
 * assert.ok(link.dropped === 12);
 * ```
 */
export interface GraphLink extends Connection {
  /** Messages waiting in the input now. */
  readonly depth: number;
  /** Messages that can wait there at most. */
  readonly capacity: number;
  /** Messages the input discarded. */
  readonly dropped: number;
}

/**
 * A running pipeline's graph as the control API shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControlGraph } from "@streamlib/core";
 * const graph: ControlGraph = { mode: "live", state: "running", runningTime: 0, actors: [], links: [] };
 * assert.ok(graph.actors.length === 0);
 * ```
 */
export interface ControlGraph {
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** The pipeline's state. */
  readonly state: string;
  /** Running time in µs. */
  readonly runningTime: number;
  /** Every actor, in the order they were added. */
  readonly actors: readonly GraphActor[];
  /** Every link, output by output. */
  readonly links: readonly GraphLink[];
  /**
   * The links to other nodes, with their transport, codec, state, latency, drops and gaps
   * (one for each actor that stands for a remote end).
   */
  readonly remote?: readonly RemoteLinkInfo[];
}

/**
 * What every {@linkcode ControlEvent} carries: its number and when it happened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControlEventBase } from "@streamlib/core";
 * const base: ControlEventBase = { seq: 1, time: Date.now(), runningTime: 0 };
 * assert.ok(base.seq === 1);
 * ```
 */
export interface ControlEventBase {
  /** Sequence number, from 1, one more for each event: `since` in queries refers to it. */
  readonly seq: number;
  /** Wall-clock time, ms since 1970 (from the control's `now`). */
  readonly time: number;
  /** The pipeline's running time then, in µs. */
  readonly runningTime: number;
}

/**
 * An event kept by {@linkcode PipelineControl}: what the pipeline's bus published, with errors
 * as their code and message so that it is plain JSON.
 *
 * - `error`: an actor threw; `action` is what supervision did.
 * - `restart`, `eos`, `state`: as on the bus.
 * - `log`: a line an actor logged (`Actor.log`; core's `log` actor logs what it prints).
 * - `control`: a change made through the control API (`op`: set, patch, connect, disconnect,
 *   remove, stop), so that every observer sees what an agent or a person did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControlEvent } from "@streamlib/core";
 * const e: ControlEvent = {
 *   seq: 7, time: 0, runningTime: 1_000_000, type: "log",
 *   actor: "actor://local/log/log0", text: "log0: t=1.000000s #30 data 30",
 * };
 * assert.ok(e.type === "log" && e.text.startsWith("log0"));
 * ```
 */
export type ControlEvent =
  & ControlEventBase
  & (
    | {
      readonly type: "error";
      /** `actor://` address. */
      readonly actor: string;
      /** The error's `SL_` code (or its name when it has none). */
      readonly code: string;
      /** The error's message. */
      readonly message: string;
      /** Where it threw. */
      readonly phase: "start" | "process" | "flush" | "stop";
      /** What supervision did. */
      readonly action: "stop" | "skip" | "restart" | "report";
    }
    | Extract<BusEvent, { type: "restart" | "eos" | "state" | "log" | "control" }>
  );

/**
 * Which events {@linkcode PipelineControl.events} and `follow` return.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EventQuery } from "@streamlib/core";
 * const errorsOfMix: EventQuery = { types: ["error"], actor: "mix", since: 0 };
 * assert.ok(errorsOfMix.types?.[0] === "error");
 * ```
 */
export interface EventQuery {
  /** Only these types (default: all). */
  readonly types?: readonly ControlEvent["type"][];
  /** Only events about this actor: its name or `actor://` address. */
  readonly actor?: string;
  /** Only events after this sequence number (default: all those kept). */
  readonly since?: number;
  /** At most this many, the newest (default: all). */
  readonly limit?: number;
}

/**
 * Options of {@linkcode PipelineControl.tap}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TapOptions } from "@streamlib/core";
 * const options: TapOptions = { count: 3, timeoutMs: 500 };
 * assert.ok(options.count === 3);
 * ```
 */
export interface TapOptions {
  /** Messages to collect, 1 to 100 (default 1). */
  readonly count?: number;
  /**
   * Return what came within this many ms (default 2 000, at most 60 000), measured on the
   * control's timer: the pipeline's clock when live, wall time offline.
   */
  readonly timeoutMs?: number;
  /** Ends the tap early, with what it has. */
  readonly signal?: AbortSignal;
  /**
   * Told once, when the tap's sink is linked and collecting. From then on the tap cannot fail:
   * a transport that must answer before it ends (an HTTP status) may commit to success.
   */
  readonly onStart?: () => void;
}

/**
 * What {@linkcode PipelineControl.tap} collected: the messages themselves (frames, audio,
 * data), for a transport to encode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TapResult } from "@streamlib/core";
 * const result: TapResult = { port: "src.out", kind: "data", messages: [], reason: "timeout" };
 * assert.ok(result.messages.length === 0);
 * ```
 */
export interface TapResult {
  /** The output tapped, `name.port`. */
  readonly port: string;
  /** What the output carries. */
  readonly kind: PortKind | "any";
  /** The messages, oldest first; never more than `count`. */
  readonly messages: readonly Message[];
  /**
   * Why it ended: `count` (all collected), `timeout` (the link was quieter), `eos` (the output
   * ended), or `aborted` (the signal, or the control closed).
   */
  readonly reason: "count" | "timeout" | "eos" | "aborted";
}

/**
 * What {@linkcode PipelineControl.set} changed: the values it gave the actor, converted to each
 * parameter's unit (`"10s"` became `10`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SetResult } from "@streamlib/core";
 * const r: SetResult = { actor: "mix", params: {}, pads: { layer_1: { x: 40 } } };
 * assert.ok(r.pads.layer_1?.x === 40);
 * ```
 */
export interface SetResult {
  /** The actor's name. */
  readonly actor: string;
  /** Its parameters that were set. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Its ports' parameters that were set, by port. */
  readonly pads: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Options of {@linkcode PipelineControl.patch}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PatchOptions } from "@streamlib/core";
 * const options: PatchOptions = { dryRun: true };
 * assert.ok(options.dryRun);
 * ```
 */
export interface PatchOptions {
  /** Only validate: say what would be added, change nothing. */
  readonly dryRun?: boolean;
}

/**
 * What {@linkcode PipelineControl.patch} added (or, in a dry run, would add).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PatchResult } from "@streamlib/core";
 * const r: PatchResult = {
 *   applied: true,
 *   actors: [{ name: "b", type: "videotestsrc" }],
 *   links: [{ from: "b.out", to: "mix.layer_1", kind: "video", policy: "latest", formats: ["RGBA"] }],
 * };
 * assert.ok(r.links[0]!.to === "mix.layer_1");
 * ```
 */
export interface PatchResult {
  /** `false` for a dry run. */
  readonly applied: boolean;
  /** The new actors, in the order of the text. */
  readonly actors: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  /** The new links, with the ports chosen. */
  readonly links: readonly Connection[];
}

/**
 * Options of a {@linkcode PipelineControl}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue, type PipelineControlOptions } from "@streamlib/core";
 * const options: PipelineControlOptions = {
 *   catalogue: Catalogue.withCore(),
 *   granted: {}, // least privilege: nothing that needs a permission may be patched in
 *   eventCapacity: 500,
 * };
 * assert.ok(options.eventCapacity === 500);
 * ```
 */
export interface PipelineControlOptions {
  /**
   * Where patches find actor types and where `set` finds parameter schemas (default: core's
   * actors). An actor whose type the catalogue lacks is checked against its own contract.
   */
  readonly catalogue?: Catalogue;
  /**
   * The permissions the process was granted, when it runs with least privilege (the CLI's
   * pipeline process): a patch or a parameter change whose actors would need more is refused
   * with `SL_PERMISSION_NOT_GRANTED` before anything changes. Absent: no check.
   */
  readonly granted?: PermissionSet;
  /** Events kept (default 1 000); older ones make room. */
  readonly eventCapacity?: number;
  /** Wall-clock time in ms for events (default `Date.now`). */
  readonly now?: () => number;
  /**
   * The clock tap time limits run on (default: the pipeline's clock, or wall time for an
   * offline pipeline, whose clock is virtual).
   */
  readonly timer?: Clock;
}
