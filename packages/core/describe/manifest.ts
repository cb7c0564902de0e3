import type {
  Contract,
  InputSpec,
  PermissionName,
  PermissionRequest,
  PortSpec,
  Schedule,
} from "../graph/spec.ts";
import type { ParamSchema } from "../graph/params.ts";

/**
 * One actor type in a {@linkcode Manifest}: its contract (the same shapes as
 * {@linkcode Contract}), where its class is, how it is classified and what permissions it needs.
 * Everything a catalogue or `inspect` shows is here, so nothing has to be imported to list it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ManifestActor } from "@streamlib/core";
 * const actor: ManifestActor = {
 *   type: "datasrc",
 *   description: "Generates data messages on each tick",
 *   classification: "Source/Data",
 *   module: "../actors/data_source.ts",
 *   export: "DataSource",
 *   outputs: { out: { kind: "data", formats: ["number"] } },
 *   params: { fps: { type: "number", default: 30, exclusiveMinimum: 0, unit: "Hz" } },
 *   schedule: "tick",
 * };
 * assert.ok(actor.classification.startsWith("Source/"));
 * ```
 */
export interface ManifestActor {
  /** The type name used in pipelines and addresses, e.g. `"datasrc"`. */
  readonly type: string;
  /** One line on what the actor does. */
  readonly description: string;
  /**
   * What the actor is, as capitalised words joined by `/`, GStreamer style: `"Source/Video"`,
   * `"Filter/Data"`, `"Sink/Any"`.
   */
  readonly classification: string;
  /**
   * The module that exports the actor's class: relative to the manifest file (`"./…"` or
   * `"../…"`) or a URL specifier.
   */
  readonly module: string;
  /** The name under which `module` exports the actor's class, e.g. `"DataSource"`. */
  readonly export: string;
  /** Input ports by name. */
  readonly inputs?: Readonly<Record<string, InputSpec>>;
  /** Output ports by name. */
  readonly outputs?: Readonly<Record<string, PortSpec>>;
  /** Parameter schemas by name. */
  readonly params?: Readonly<Record<string, ParamSchema>>;
  /** When `process` runs; see {@linkcode Schedule}. */
  readonly schedule?: Schedule;
  /** Which clock a tick-scheduled actor with inputs follows; see {@linkcode Contract}. */
  readonly clock?: "graph" | "upstream";
  /** The permissions the actor needs, by name. */
  readonly permissions?: Readonly<Partial<Record<PermissionName, PermissionRequest>>>;
}

/**
 * A plugin manifest: the package that provides actor types, the streamlib versions it works
 * with, and one {@linkcode ManifestActor} per actor type. `manifest.schema.json` beside this
 * module describes the same format as JSON Schema, for editors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Manifest } from "@streamlib/core";
 * const manifest: Manifest = {
 *   $schema: "https://streamlib.dev/schemas/manifest.schema.json",
 *   name: "motion-detector",
 *   version: "1.0.0",
 *   streamlib: "^0.1.0",
 *   actors: [{
 *     type: "motion",
 *     description: "Emits an event when the picture changes",
 *     classification: "Filter/Video",
 *     module: "./motion.ts",
 *     export: "MotionDetector",
 *     inputs: { in: { kind: "video", formats: ["RGBA"] } },
 *     outputs: { events: { kind: "event" } },
 *   }],
 * };
 * assert.ok(manifest.actors.length === 1);
 * ```
 */
export interface Manifest {
  /** The URL of the JSON Schema, for editors. */
  readonly $schema?: string;
  /** The package name, like `"@streamlib/core"` or `"motion-detector"`. */
  readonly name: string;
  /** The package version, a semantic version like `"1.2.3"` or `"2.0.0-beta.1"`. */
  readonly version: string;
  /** What the package provides. */
  readonly description?: string;
  /**
   * The streamlib versions the package works with, as a range such as `"^0.1.0"`; see
   * {@linkcode satisfiesVersion}.
   */
  readonly streamlib: string;
  /** The actor types the package provides. */
  readonly actors: readonly ManifestActor[];
}

/**
 * The version of `@streamlib/core`, matched against a manifest's `streamlib` range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { satisfiesVersion, STREAMLIB_VERSION } from "@streamlib/core";
 * assert.ok(satisfiesVersion(STREAMLIB_VERSION, "^0.1.0"));
 * ```
 */
export const STREAMLIB_VERSION: string = "0.1.0";

/**
 * The {@linkcode Contract} part of a manifest entry: type, description, classification, ports,
 * parameters, schedule, clock and permissions (everything but `module` and `export`). The
 * objects are shared with `actor`, not copied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contractOf, validateContract } from "@streamlib/core";
 * const contract = contractOf({
 *   type: "gain",
 *   description: "Multiplies numbers by a gain",
 *   classification: "Filter/Data",
 *   module: "./gain.ts",
 *   export: "Gain",
 *   inputs: { in: { kind: "data" } },
 *   outputs: { out: { kind: "data" } },
 *   params: { gain: { type: "number", default: 2 } },
 * });
 * validateContract(contract);
 * assert.ok(contract.type === "gain" && !("module" in contract));
 * ```
 *
 * @param actor The manifest entry.
 * @returns Its contract, without the keys the entry leaves out.
 */
export function contractOf(actor: ManifestActor): Contract {
  const contract: { -readonly [K in keyof Contract]: Contract[K] } = {
    type: actor.type,
    description: actor.description,
    classification: actor.classification,
  };
  if (actor.inputs !== undefined) contract.inputs = actor.inputs;
  if (actor.outputs !== undefined) contract.outputs = actor.outputs;
  if (actor.params !== undefined) contract.params = actor.params;
  if (actor.schedule !== undefined) contract.schedule = actor.schedule;
  if (actor.clock !== undefined) contract.clock = actor.clock;
  if (actor.permissions !== undefined) contract.permissions = actor.permissions;
  return contract;
}
