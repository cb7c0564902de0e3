import type { PortKind } from "../messages.ts";
import type { ParamSchema } from "./params.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";

/**
 * Where a port's data lives. Connecting two ports needs a capability in common.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Capability } from "@streamlib/core";
 * const caps: Capability[] = ["cpu", "gpu"];
 * assert.ok(caps.includes("gpu"));
 * ```
 */
export type Capability = "cpu" | "gpu";

/**
 * A port in a contract.
 *
 * - `formats`: what the port accepts or produces (`RGBA`, `I420`… for video; `f32-planar` for
 *   audio; `key`, `mouse` for events; free names for data). Absent means any.
 * - `capabilities`: memory the port works with; default `["cpu"]`.
 * - `presence`: `always` (default), or `request` for ports created on demand from a template
 *   whose name contains `%u` (`layer_%u` gives `layer_0`, `layer_1`…), as in GStreamer.
 * - `formatParam` (outputs): the parameter that picks the one format the output produces;
 *   `formatFrom` (outputs): the input whose format it passes on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PortSpec } from "@streamlib/core";
 * const layers: PortSpec = { kind: "video", formats: ["RGBA"], presence: "request" };
 * assert.ok(layers.presence === "request");
 * ```
 */
export interface PortSpec {
  /** What the port carries; `any` for generic actors (sinks, loggers) that take everything. */
  readonly kind: PortKind | "any";
  /** Accepted or produced formats; absent means any. */
  readonly formats?: readonly string[];
  /** Memory the port works with; default `["cpu"]`. */
  readonly capabilities?: readonly Capability[];
  /** `always` (default) or `request` (a template such as `layer_%u`). */
  readonly presence?: "always" | "request";
  /** What the port is for. */
  readonly description?: string;
  /**
   * Outputs only: the string parameter whose value is the one format the output produces (a
   * test source's `format`). A link is then checked against that format, so
   * `videotestsrc format=I420 ! compositor` fails when it is linked, not at the first frame.
   */
  readonly formatParam?: string;
  /**
   * Outputs only: the input whose format the output passes on unchanged (a flip, a crop, a
   * queue). A link is then checked against the formats that input's links produce, so
   * `videotestsrc format=I420 ! videoflip ! compositor` fails when it is linked.
   */
  readonly formatFrom?: string;
}

/**
 * An input port in a contract: a {@linkcode PortSpec} plus its default delivery policy and, for
 * a request template, the parameters of each port made from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { InputSpec } from "@streamlib/core";
 * const audio: InputSpec = { kind: "audio", policy: "queue:32" };
 * assert.ok(audio.policy === "queue:32");
 * const inputs: InputSpec = {
 *   kind: "audio",
 *   presence: "request",
 *   params: { gain: { type: "number", default: 1, minimum: 0 } },
 * };
 * assert.ok(inputs.params?.gain?.type === "number");
 * ```
 */
export interface InputSpec extends PortSpec {
  /** The input's delivery policy unless the pipeline sets another. */
  readonly policy?: DeliveryPolicy;
  /**
   * Whether several outputs may feed this input (their messages interleave). Default: `true`
   * for events and data, `false` for video and audio.
   */
  readonly multiple?: boolean;
  /**
   * For a request template: the parameters each of its ports has (GStreamer's pad properties),
   * such as a compositor layer's position. They are set per port (`layer_1::x=10` in pipeline
   * text, {@linkcode Actor.setPadParams} in code) and can change while the actor runs.
   */
  readonly params?: Readonly<Record<string, ParamSchema>>;
}

/**
 * When the runtime calls an actor's `process`:
 * - `tick`: on each tick of its clock (sources, and compositors or mixers that produce at a fixed
 *   rate, reading their inputs' newest data);
 * - `input`: when an input has a message (or one of several inputs ends);
 * - `external`: never; the actor writes from its own callbacks (sockets, streams, devices) and
 *   calls `end()` when done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Schedule } from "@streamlib/core";
 * const s: Schedule = "tick";
 * assert.ok(s === "tick");
 * ```
 */
export type Schedule = "tick" | "input" | "external";

/**
 * A permission an actor may ask for, named as Deno names them: file system `read` and `write`,
 * `net`work, `env`ironment variables, `run`ning subprocesses, `ffi` (native libraries) and `sys`
 * (system information).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PermissionName } from "@streamlib/core";
 * const needed: PermissionName[] = ["read", "net"];
 * assert.ok(needed.includes("net"));
 * ```
 */
export type PermissionName = "read" | "write" | "net" | "env" | "run" | "ffi" | "sys";

/**
 * Why an actor needs a permission, and how far it reaches. With neither `values` nor `params`
 * the permission is unrestricted; with both, the allowed values are the union of the two.
 *
 * @example A file reader that only reads the file its `path` parameter names
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PermissionRequest } from "@streamlib/core";
 * const read: PermissionRequest = { reason: "Reads the video file to decode", params: ["path"] };
 * assert.ok(read.params?.[0] === "path");
 * ```
 */
export interface PermissionRequest {
  /** Why the actor needs the permission, shown to users before they grant it. */
  readonly reason: string;
  /** Fixed allowed values: paths, hosts, commands or environment variable names. */
  readonly values?: readonly string[];
  /**
   * Names of this actor's string (or string-array) parameters whose values are allowed, e.g.
   * `["path"]` for a reader that reads only the file it is given.
   */
  readonly params?: readonly string[];
}

/**
 * What an actor type declares up front — its contract, readable without running it: ports,
 * parameters with defaults, and how it is scheduled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineContract } from "@streamlib/core";
 * const contract = defineContract({
 *   type: "gain",
 *   description: "Multiplies numbers by a gain",
 *   inputs: { in: { kind: "data" } },
 *   outputs: { out: { kind: "data" } },
 *   params: { gain: { type: "number", default: 2 } },
 * });
 * assert.ok(contract.params.gain.default === 2);
 * ```
 */
export interface Contract {
  /** The type name used in pipelines and addresses, e.g. `"testsrc"`. */
  readonly type: string;
  /** One line on what the actor does. */
  readonly description?: string;
  /**
   * What the actor is, as capitalised words joined by `/`, GStreamer style: `"Source/Video"`,
   * `"Filter/Data"`, `"Sink/Any"`. Manifests need one.
   */
  readonly classification?: string;
  /** Input ports by name. */
  readonly inputs?: Readonly<Record<string, InputSpec>>;
  /** Output ports by name. */
  readonly outputs?: Readonly<Record<string, PortSpec>>;
  /** Parameter schemas by name. */
  readonly params?: Readonly<Record<string, ParamSchema>>;
  /** When `process` runs; default `tick` for actors without inputs, else `input`. */
  readonly schedule?: Schedule;
  /**
   * For tick-scheduled actors with inputs: tick on the pipeline's clock (`graph`), or follow the
   * inputs' timestamps (`upstream`). Default: `upstream` in offline pipelines, else `graph`.
   */
  readonly clock?: "graph" | "upstream";
  /**
   * The permissions the actor needs, by name, each with the reason shown to users (the runtime
   * grants a pipeline what its actors' manifests list, no more).
   */
  readonly permissions?: Readonly<Partial<Record<PermissionName, PermissionRequest>>>;
}
