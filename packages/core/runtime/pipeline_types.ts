/**
 * The options and results of a {@linkcode Pipeline}: what `new Pipeline()`, `add()`,
 * `connect()`, `stop()` and `toJSON()` take and give.
 *
 * @module
 */

import type { Clock } from "../clock/clock.ts";
import type { Actor } from "../graph/actor.ts";
import type { PortKind } from "../messages.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";
import type { WorkerPool } from "../threads/worker_pool.ts";
import type { Registry } from "./registry.ts";
import type { RemoteLinkInfo, RemoteLinkResolver } from "./remote.ts";
import type { PipelineStats } from "./stats.ts";
import type { SupervisionPolicy } from "./supervision.ts";
import type { TransferProvider } from "./transfers.ts";

/**
 * Options of a {@linkcode Pipeline}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock, type PipelineOptions } from "@streamlib/core";
 * const options: PipelineOptions = { mode: "live", clock: new ManualClock() };
 * assert.ok(options.mode === "live");
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
  /**
   * Makes the local stand-ins of link ends on other nodes (`actor://edge/mix.layer_1`); default:
   * the resolver installed with `setRemoteResolver` (by `@streamlib/net`'s link service).
   */
  remote?: RemoteLinkResolver;
  /**
   * Transfers this pipeline may insert on links whose ports share no memory, searched before
   * those registered for the whole process with {@linkcode registerTransfer} (which is how
   * `@streamlib/gpu` provides `gpuupload` and `gpudownload`).
   */
  transfers?: readonly TransferProvider[];
}

/**
 * Options of {@linkcode Pipeline.add}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AddOptions } from "@streamlib/core";
 * const options: AddOptions = {
 *   name: "cam",
 *   supervision: { policy: "restart", maxRestarts: 3 },
 *   inputs: { in: { policy: "queue:4:drop-oldest" } },
 * };
 * assert.ok(options.name === "cam");
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
   *
   * The Worker imports `module`, so code at its top level runs again there: a script that
   * defines an actor and runs a pipeline in the same file must guard that code with
   * `if (import.meta.main) { … }`. A Worker that does not come up (module imported, actor
   * built) within the pool's `startTimeoutMs` (10 s by default) fails the actor's start with
   * `SL_WORKER_START` and is ended.
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
 * import assert from "node:assert/strict";
 * import type { Output, PortRef } from "@streamlib/core";
 * const ref: PortRef<Output> = "src.out";
 * assert.ok(ref.includes("."));
 * ```
 */
export type PortRef<P> = P | `${string}.${string}`;

/**
 * A link between two ports, as reported by {@linkcode Pipeline.connect} and `toJSON()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Connection } from "@streamlib/core";
 * const c: Connection = {
 *   from: "src.out", to: "sink.in", kind: "video", policy: "latest", formats: ["RGBA"],
 * };
 * assert.ok(c.to === "sink.in");
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
  /** For a link to or from another node: the remote end as given (`actor://edge/mix.in`). */
  readonly remote?: string;
  /**
   * The transfer actor the link goes through, when the pipeline inserted one because the two
   * ports share no memory (`cpu` into `gpu`, or back): its name, e.g. `"gpuupload0"`.
   */
  readonly via?: string;
}

/**
 * How a run ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RunResult } from "@streamlib/core";
 * function ok(r: RunResult): boolean {
 *   return r.status === "eos";
 * }
 * assert.ok(typeof ok === "function");
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
 * import assert from "node:assert/strict";
 * import type { StopOptions } from "@streamlib/core";
 * const options: StopOptions = { mode: "drain", timeoutMs: 5_000 };
 * assert.ok(options.mode === "drain");
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
 * import assert from "node:assert/strict";
 * import { Pipeline, type PipelineState } from "@streamlib/core";
 * const state: PipelineState = new Pipeline().state;
 * assert.ok(state === "idle");
 * ```
 */
export type PipelineState = "idle" | "starting" | "running" | "stopping" | "done" | "failed";

/**
 * A pipeline's graph as plain JSON, from `Pipeline.toJSON()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineJSON } from "@streamlib/core";
 * const graph: PipelineJSON = {
 *   mode: "live",
 *   actors: [{ name: "src", type: "datasrc", address: "actor://local/datasrc/src", params: {} }],
 *   links: [],
 * };
 * assert.ok(graph.actors[0]!.name === "src");
 * ```
 */
export interface PipelineJSON {
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** Every actor with its type and parameter values. */
  readonly actors: ReadonlyArray<{
    readonly name: string;
    readonly type: string;
    readonly address: string;
    readonly params: Readonly<Record<string, unknown>>;
    /** The pipeline inserted it: a transfer on a link between `cpu` and `gpu` ports. */
    readonly inserted?: true;
  }>;
  /** Every link, output to input, with the input's policy. */
  readonly links: readonly Connection[];
  /** The links to other nodes, one for each actor that stands for a remote end (if any). */
  readonly remote?: readonly RemoteLinkInfo[];
}

/**
 * Options of `Pipeline.readable()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReadableOptions } from "@streamlib/core";
 * const options: ReadableOptions = { highWaterMark: 16 };
 * assert.ok(options.highWaterMark === 16);
 * ```
 */
export interface ReadableOptions {
  /** Messages buffered before the pipeline is held back (default 8). */
  highWaterMark?: number;
  /** Name of the hidden sink actor (default `readable0`, …). */
  name?: string;
}

/**
 * Options of `Pipeline.writable()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WritableOptions } from "@streamlib/core";
 * const options: WritableOptions = { name: "upload" };
 * assert.ok(options.name === "upload");
 * ```
 */
export interface WritableOptions {
  /** Name of the hidden source actor (default `writable0`, …). */
  name?: string;
}
