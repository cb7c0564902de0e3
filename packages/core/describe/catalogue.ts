import { _gstreamerTypes } from "../graph/_gstreamer_names.ts";
import { _closest } from "../graph/_closest.ts";
import type { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { Identity } from "../actors/identity.ts";
import { Logger } from "../actors/logger.ts";
import { NullSink } from "../actors/null_sink.ts";
import { Queue } from "../actors/queue.ts";
import { RateLimit } from "../actors/rate_limit.ts";
import { Tee } from "../actors/tee.ts";
import coreManifest from "../manifest.json" with { type: "json" };
import type { Contract, PermissionName } from "../graph/spec.ts";
import { StreamlibError } from "../errors.ts";
import { contractOf, type Manifest, type ManifestActor, STREAMLIB_VERSION } from "./manifest.ts";
import { validateManifest } from "./validate_manifest.ts";
import { satisfiesVersion } from "./satisfies_version.ts";
import { _contractDifferences } from "./_contract_diff.ts";
import { type ParsedPipeline, type ParseOptions, parsePipeline } from "./parse_pipeline.ts";
import { _textParams } from "./_text_params.ts";
import { _creationKeys, _located } from "./_located.ts";
import { _specPads, _specParams } from "./_spec_values.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import type { AddOptions, PipelineOptions } from "../runtime/pipeline_types.ts";
import {
  type ActorSpec,
  type PipelineSpec,
  type SpecValue,
  validatePipelineSpec,
} from "./pipeline_spec.ts";
import { WorkerPool } from "../threads/worker_pool.ts";
import type { WorkerPermissions } from "../threads/worker_permissions.ts";
import { _isolatedClass } from "./_isolated.ts";

/**
 * One actor type in the catalogue: its manifest entry and where it comes from. Reading it never
 * imports the actor's code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * const entry = Catalogue.withCore().describe("datasrc");
 * assert.ok(entry.package === "@streamlib/core" && entry.actor.classification === "Source/Data");
 * ```
 */
export interface CatalogueEntry {
  /** The type name used in pipelines. */
  readonly type: string;
  /** Its manifest entry: description, classification, ports, parameters, permissions. */
  readonly actor: ManifestActor;
  /** The package (manifest name) that provides it. */
  readonly package: string;
  /** That package's version. */
  readonly version: string;
  /** Where the manifest was read from. */
  readonly manifestUrl: string;
  /** The module that implements the type, resolved against the manifest. */
  readonly moduleUrl: string;
}

/**
 * What a pipeline needs of the runtime's permissions, from its actors' manifests: for each
 * permission, whether it needs it unrestricted (`all`), else the values (paths, hosts,
 * commands) it needs, and why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PermissionSet } from "@streamlib/core";
 * const set: PermissionSet = {
 *   write: { all: false, values: ["out.mp4"], reasons: ["sink (filesink): writes the output file"] },
 * };
 * assert.ok(set.write?.values[0] === "out.mp4");
 * ```
 */
export type PermissionSet = {
  readonly [P in PermissionName]?: {
    /** Needed without restriction. */
    readonly all: boolean;
    /** The specific values needed when not `all`. */
    readonly values: readonly string[];
    /** Why, one line per actor. */
    readonly reasons: readonly string[];
  };
};

/**
 * How one actor of an isolated plugin runs (see {@linkcode Catalogue.isolate}): what the
 * process must hold for it, and what its Worker may do. A Worker never gets more than its
 * process, so `needs` is part of the pipeline's permissions and `worker` a subset of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IsolatedActor } from "@streamlib/core";
 * const none: IsolatedActor = { needs: {}, worker: "none" };
 * assert.ok(none.worker === "none");
 * ```
 */
export interface IsolatedActor {
  /** What the process needs for the actor (its reasons shown with `--verbose`). */
  readonly needs: PermissionSet;
  /** The permissions of the actor's Worker. */
  readonly worker: WorkerPermissions;
}

/**
 * The actor types a program can create by name, read from plugin manifests. Listing and
 * describing types reads only the manifests; an actor's module is imported when the first
 * actor of its type is created. `build()` turns pipeline text or its JSON form into a
 * {@linkcode Pipeline}, with errors that point at the text.
 *
 * @example From text to a running pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue, type Collect, type DataMessage } from "@streamlib/core";
 * const catalogue = Catalogue.withCore();
 * const pipeline = await catalogue.build("datasrc count=3 ! collect name=out", { mode: "offline" });
 * await pipeline.run();
 * const out = pipeline.actor("out") as Collect<DataMessage>;
 * assert.ok(out.messages.map((m) => m.value).join() === "0,1,2");
 * ```
 */
export class Catalogue {
  /** Where `@streamlib/core`'s own manifest is. */
  static readonly coreManifestUrl: string = new URL("../manifest.json", import.meta.url).href;

  #entries = new Map<string, CatalogueEntry>();
  #isolated = new Map<string, (actor: ActorSpec, entry: CatalogueEntry) => IsolatedActor>();
  #classes = new Map<string, Promise<new (params?: Record<string, unknown>) => Actor>>();

  /**
   * A catalogue of `@streamlib/core`'s built-in actors. Their manifest and classes are part of
   * core already, so this reads no file and needs no permission.
   *
   * @returns A new catalogue with the core manifest.
   */
  static withCore(): Catalogue {
    return new Catalogue().add(coreManifest, Catalogue.coreManifestUrl, {
      Collect,
      DataSource,
      Identity,
      Logger,
      NullSink,
      Queue,
      RateLimit,
      Tee,
    });
  }

  /**
   * Reads a manifest from a URL or path (`file:`, `https:`, or a specifier the runtime
   * resolves) and adds it.
   *
   * @param url Where the manifest is.
   * @returns This catalogue.
   */
  async load(url: string | URL): Promise<this> {
    const href = url instanceof URL ? url.href : url;
    let json: unknown;
    try {
      json = (await import(href, { with: { type: "json" } })).default;
    } catch (error) {
      throw new StreamlibError(
        "SL_MANIFEST_INVALID",
        `Cannot read the manifest ${href}: ${(error as Error).message}`,
        { cause: error, details: { file: href } },
      );
    }
    return this.add(json, href);
  }

  /**
   * Adds a manifest after validating it, checking that it fits this streamlib version and that
   * none of its types is taken.
   *
   * @param manifest The manifest (parsed JSON).
   * @param url Where it came from; module paths resolve against it.
   * @param classes Implementations already loaded, by export name: their modules are then not
   *   imported.
   * @returns This catalogue.
   */
  add(
    manifest: unknown,
    url: string | URL,
    classes: Readonly<Record<string, new (params?: never) => Actor>> = {},
  ): this {
    const href = url instanceof URL ? url.href : url;
    const valid: Manifest = validateManifest(manifest, href);
    if (!satisfiesVersion(STREAMLIB_VERSION, valid.streamlib)) {
      throw new StreamlibError(
        "SL_MANIFEST_INVALID",
        `${href}: ${valid.name} needs streamlib ${valid.streamlib}; this is streamlib ${STREAMLIB_VERSION}`,
        { details: { file: href, needs: valid.streamlib, have: STREAMLIB_VERSION } },
      );
    }
    for (const actor of valid.actors) {
      const taken = this.#entries.get(actor.type);
      if (taken !== undefined) {
        throw new StreamlibError(
          "SL_NAME_TAKEN",
          `${href}: actor type "${actor.type}" of ${valid.name} is already provided by ${taken.package} (${taken.manifestUrl})`,
          { details: { type: actor.type, file: href } },
        );
      }
    }
    for (const actor of valid.actors) {
      const loaded = classes[actor.export];
      if (loaded !== undefined) {
        this.#classes.set(
          actor.type,
          Promise.resolve(loaded as unknown as new (params?: Record<string, unknown>) => Actor),
        );
      }
      this.#entries.set(actor.type, {
        type: actor.type,
        actor,
        package: valid.name,
        version: valid.version,
        manifestUrl: href,
        moduleUrl: new URL(actor.module, href).href,
      });
    }
    return this;
  }

  /**
   * Every actor type, sorted by name.
   *
   * @returns The entries.
   */
  list(): CatalogueEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.type < b.type ? -1 : 1);
  }

  /**
   * Whether a type is known.
   *
   * @param type The type name.
   * @returns `true` when the catalogue has it.
   */
  has(type: string): boolean {
    return this.#entries.has(type);
  }

  /**
   * Everything the manifest says of a type, without importing its code. Throws
   * `SL_UNKNOWN_TYPE` with the closest names when there is no such type.
   *
   * @param type The type name.
   * @returns Its entry.
   */
  describe(type: string): CatalogueEntry {
    const entry = this.#entries.get(type);
    if (entry !== undefined) return entry;
    const known = [...this.#entries.keys()].sort();
    const gstreamer = _gstreamerTypes(type, (t) => this.#entries.has(t));
    const close = gstreamer.length > 0 ? gstreamer : _closest(type, known);
    const names = close.map((c) => `"${c}"`).join(" or ");
    throw new StreamlibError(
      "SL_UNKNOWN_TYPE",
      `Unknown actor type "${
        type.length > 80 ? `${type.slice(0, 60)}…" (${type.length} characters` : type
      }"${
        gstreamer.length > 0
          ? `; for GStreamer's ${type}, use ${names} here.`
          : close.length
          ? `; did you mean ${names}?`
          : "."
      } ` +
        `Known types: ${known.join(", ") || "none"}`,
      { details: { type, suggestions: close } },
    );
  }

  /**
   * Checks parameters against a type's manifest and converts quantities (`"10s"`) to the
   * parameter's unit. `SL_PARAM_UNKNOWN` lists the valid parameters with their types;
   * `SL_PARAM_INVALID` names the parameter and what it takes (for a `pads` shorthand such as a
   * compositor's `layers`, each entry is checked against the ports' parameters).
   *
   * @param type The type name.
   * @param params The values given.
   * @returns The values to pass to the actor (defaults are the actor's own business).
   */
  params(
    type: string,
    params: { readonly [key: string]: SpecValue } = {},
  ): Record<string, unknown> {
    return _specParams(this.describe(type).actor, params);
  }

  /**
   * Parses pipeline text as {@linkcode parsePipeline} does, then gives a bare `null`, `true`,
   * `false` or number to a parameter of type string as the text written (`device=null` is
   * `"null"`; for an enum, where that text is one of its values). Other types keep their values.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Catalogue } from "@streamlib/core";
   * const { spec } = Catalogue.withCore().parse("datasrc count=3 ! log prefix=1e3");
   * assert.ok(spec.actors[0]?.params?.count === 3);
   * assert.ok(spec.actors[1]?.params?.prefix === "1e3");
   * ```
   *
   * @param text The pipeline text.
   * @param options Actors that exist outside the text (for a patch to a running pipeline).
   * @returns The JSON form and where each part stands in the text.
   */
  parse(text: string, options: ParseOptions = {}): ParsedPipeline {
    return _textParams(parsePipeline(text, options), (type) => this.#entries.get(type)?.actor);
  }

  /**
   * Checks port parameters (`{ layer_1: { x: 10 } }`, `layer_1::x=10` in text) against a type's
   * manifest and converts quantities to each parameter's unit. `SL_PORT_NOT_FOUND` when no
   * request template with parameters fits a port, `SL_PARAM_UNKNOWN` lists the port's
   * parameters, `SL_PARAM_INVALID` names the port, the parameter and what it takes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Catalogue } from "@streamlib/core";
   * const catalogue = new Catalogue().add({
   *   name: "mix",
   *   version: "0.1.0",
   *   streamlib: "^0.1.0",
   *   actors: [{
   *     type: "mix",
   *     description: "Mixes",
   *     classification: "Filter/Data",
   *     module: "./mix.ts",
   *     export: "Mix",
   *     inputs: {
   *       "in_%u": {
   *         kind: "data",
   *         presence: "request",
   *         params: { delay: { type: "number", default: 0, unit: "s" } },
   *       },
   *     },
   *   }],
   * }, "file:///plugins/mix/manifest.json");
   * assert.ok(catalogue.padParams("mix", { in_1: { delay: "500ms" } }).in_1?.delay === 0.5);
   * ```
   *
   * @param type The type name.
   * @param pads Parameter values by port name.
   * @returns The values to give the actor's ports.
   */
  padParams(
    type: string,
    pads: { readonly [pad: string]: { readonly [key: string]: SpecValue } } = {},
  ): Record<string, Record<string, unknown>> {
    return _specPads(this.describe(type).actor, pads);
  }

  /**
   * Creates an actor by type name with checked parameters, importing its module on first use.
   *
   * @param type The type name.
   * @param params Parameter values (quantities such as `"10s"` are converted).
   * @param pads Port parameter values by port name, checked and converted the same way and set
   *   with {@linkcode Actor.setPadParams}.
   * @returns The actor, not yet added to a pipeline.
   */
  async create(
    type: string,
    params: { readonly [key: string]: SpecValue } = {},
    pads: { readonly [pad: string]: { readonly [key: string]: SpecValue } } = {},
  ): Promise<Actor> {
    const values = this.params(type, params);
    const padValues = this.padParams(type, pads);
    const entry = this.describe(type);
    const ActorClass = this.isolated(type) ? _isolatedClass(entry) : await this.#classOf(entry);
    const actor = new ActorClass(values);
    for (const [pad, changes] of Object.entries(padValues)) actor.setPadParams(pad, changes);
    return actor;
  }

  /**
   * Checks that a type's manifest says what its implementation declares: the same type name,
   * ports (kind, formats, capabilities, presence) and parameters (type, default, bounds,
   * enum). Throws `SL_MANIFEST_MISMATCH` listing every difference.
   *
   * @param type The type name.
   */
  async verify(type: string): Promise<void> {
    const entry = this.describe(type);
    const contract = (await this.#classOf(entry) as unknown as { contract: Contract }).contract;
    const declared = contractOf(entry.actor);
    const differences = _contractDifferences(declared, contract);
    if (differences.length) {
      throw new StreamlibError(
        "SL_MANIFEST_MISMATCH",
        `${entry.manifestUrl}: actor type "${type}" does not match ${entry.actor.export} in ${entry.moduleUrl}:\n` +
          differences.map((d) => `  ${d}`).join("\n"),
        { details: { type, differences } },
      );
    }
  }

  /**
   * Builds a pipeline from pipeline text, its parsed form, or its JSON form: creates every actor
   * (checking types and parameters) and makes every link. Errors in text point at the line and
   * column with a caret.
   *
   * @param input Pipeline text, a parsed pipeline, or a pipeline description (JSON).
   * @param options Pipeline options (mode, clock…).
   * @returns The pipeline, not started.
   */
  async build(
    input: string | ParsedPipeline | PipelineSpec,
    options: PipelineOptions = {},
  ): Promise<Pipeline> {
    const parsed: ParsedPipeline | undefined = typeof input === "string"
      ? this.parse(input)
      : _isParsed(input)
      ? _textParams(input, (type) => this.#entries.get(type)?.actor)
      : undefined;
    // A parsed pipeline made by hand is checked as any description is.
    const spec = validatePipelineSpec(parsed === undefined ? input : parsed.spec);
    const located = (error: unknown, ...keys: string[]): unknown =>
      _located(parsed, error, ...keys);
    const pipeline = new Pipeline(options);
    for (const [i, actor] of spec.actors.entries()) {
      let created: Actor;
      try {
        created = await this.create(actor.type, actor.params ?? {}, actor.pads ?? {});
      } catch (error) {
        throw located(error, ..._creationKeys(i, actor, error));
      }
      try {
        pipeline.add(created, { name: actor.name, ...this.placement(actor) });
      } catch (error) {
        throw located(error, `actors[${i}].name`, `actors[${i}]`);
      }
    }
    for (const [j, link] of spec.links.entries()) {
      try {
        pipeline.link(link.from, link.to);
      } catch (error) {
        throw located(error, `links[${j}]`);
      }
    }
    return pipeline;
  }

  /**
   * Runs every actor type of a plugin isolated: each actor in a Worker of its own, with the
   * permissions `sandbox` gives it, and the plugin's modules imported only in those Workers
   * (the actor this thread holds is made from the manifest alone, and its code never runs
   * here). {@linkcode placement} says so for {@linkcode build} and for patches; the pipeline's
   * {@linkcode permissions} hold what `sandbox` says the process needs for the actor instead
   * of what its manifest declares, and read access to the folders its Worker loads code from.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Catalogue } from "@streamlib/core";
   * const catalogue = Catalogue.withCore().isolate(Catalogue.coreManifestUrl, () => ({
   *   needs: {},
   *   worker: "none",
   * }));
   * assert.ok(catalogue.isolated("identity"));
   * const placed = catalogue.placement({ name: "id", type: "identity" });
   * assert.ok(placed.dispatch !== "main" && placed.export === "Identity");
   * ```
   *
   * @param manifestUrl The plugin's manifest URL, as it was added.
   * @param sandbox For one actor (its description and catalogue entry): what the process needs
   *   for it and what its Worker may do.
   * @returns This catalogue.
   */
  isolate(
    manifestUrl: string | URL,
    sandbox: (actor: ActorSpec, entry: CatalogueEntry) => IsolatedActor,
  ): this {
    this.#isolated.set(manifestUrl instanceof URL ? manifestUrl.href : manifestUrl, sandbox);
    return this;
  }

  /**
   * Whether a type's actors run isolated (see {@linkcode isolate}).
   *
   * @param type The type name.
   * @returns `true` when they do.
   */
  isolated(type: string): boolean {
    return this.#isolated.has(this.describe(type).manifestUrl);
  }

  /**
   * Where an actor runs, as {@linkcode Pipeline.add} takes it: in a Worker of its own with its
   * sandbox's permissions when its type is {@linkcode isolated} (whatever its `dispatch`
   * says), in a Worker of its own for `dispatch: "worker"`, else on the main thread.
   *
   * @param actor The actor's description.
   * @returns The `dispatch`, `module` and `export` options.
   */
  placement(actor: ActorSpec): Pick<AddOptions, "dispatch" | "module" | "export"> {
    const entry = this.describe(actor.type);
    const sandbox = this.#isolated.get(entry.manifestUrl);
    if (sandbox === undefined && actor.dispatch !== "worker") return {};
    const where = { module: entry.moduleUrl, export: entry.actor.export };
    if (sandbox === undefined) return { dispatch: "worker", ...where };
    // The Worker imports the actor's module by a computed specifier, which Deno checks against
    // the Worker's own permissions: it may read its code's folders, and no others.
    const permissions = _withRead(sandbox(actor, entry).worker, _codeFolders(entry));
    return { dispatch: new WorkerPool({ permissions }), ...where };
  }

  /**
   * The permissions a pipeline needs, from its actors' manifests and parameter values (a file
   * sink's `path`, a server's `host`), and read access to core's and the actor's package folder
   * for each actor that runs in a Worker (`dispatch=worker`, or an {@linkcode isolated} type),
   * which loads their code. An isolated actor needs what its sandbox says instead of what its
   * manifest declares.
   *
   * @param spec The pipeline description.
   * @returns What it needs, by permission.
   */
  permissions(spec: PipelineSpec): PermissionSet {
    const out: _Needs = {};
    for (const actor of spec.actors) {
      const entry = this.describe(actor.type);
      const sandbox = this.#isolated.get(entry.manifestUrl);
      if (actor.dispatch === "worker" || sandbox !== undefined) {
        // A Worker loads its program and the actor's module itself: it reads their packages.
        const need = out.read ??= { all: false, values: [], reasons: [] };
        need.reasons.push(`${actor.name} (${actor.type}): runs in a Worker, which loads its code`);
        for (const path of _codeFolders(entry)) {
          if (!need.values.includes(path)) need.values.push(path);
        }
      }
      _merge(
        out,
        sandbox === undefined ? this.actorPermissions(actor) : sandbox(actor, entry).needs,
      );
    }
    return out;
  }

  /**
   * What one actor asks for in its manifest, with its parameters' values (a reader's `path`),
   * whether or not its type is isolated, and without what running in a Worker adds.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Catalogue } from "@streamlib/core";
   * assert.deepEqual(Catalogue.withCore().actorPermissions({ name: "src", type: "datasrc" }), {});
   * ```
   *
   * @param actor The actor's description.
   * @returns What it asks for, by permission.
   */
  actorPermissions(actor: ActorSpec): PermissionSet {
    const out: _Needs = {};
    const entry = this.describe(actor.type);
    for (const [name, request] of Object.entries(entry.actor.permissions ?? {})) {
      if (request === undefined) continue;
      const need = out[name as PermissionName] ??= { all: false, values: [], reasons: [] };
      need.reasons.push(`${actor.name} (${actor.type}): ${request.reason}`);
      const values = [...(request.values ?? [])];
      for (const param of request.params ?? []) {
        const value = actor.params?.[param] ?? entry.actor.params?.[param]?.default;
        if (typeof value === "string") values.push(value);
        else if (Array.isArray(value)) {
          values.push(...value.filter((v): v is string => typeof v === "string"));
        }
      }
      if (request.values === undefined && request.params === undefined) need.all = true;
      for (const raw of values) {
        // An empty parameter asks for nothing; a file pattern (frame-%05d.png) for its folder.
        const v = (name === "read" || name === "write") ? _patternFolder(raw) : raw;
        if (v !== "" && !need.values.includes(v)) need.values.push(v);
      }
    }
    return out;
  }

  /** Imports a type's module once and checks that the export is an actor class. */
  #classOf(entry: CatalogueEntry): Promise<new (params?: Record<string, unknown>) => Actor> {
    let loading = this.#classes.get(entry.type);
    if (loading === undefined) {
      loading = (async () => {
        let module: Record<string, unknown>;
        try {
          module = await import(entry.moduleUrl);
        } catch (error) {
          throw new StreamlibError(
            "SL_MANIFEST_MISMATCH",
            `Cannot import ${entry.moduleUrl} for actor type "${entry.type}": ${
              (error as Error).message
            }`,
            { cause: error, details: { type: entry.type } },
          );
        }
        const exported: unknown = module[entry.actor.export];
        const candidate = exported as { contract?: unknown; prototype?: { process?: unknown } };
        const isActorClass = typeof exported === "function" &&
          typeof candidate.contract === "object" &&
          typeof candidate.prototype?.process === "function";
        if (!isActorClass) {
          throw new StreamlibError(
            "SL_MANIFEST_MISMATCH",
            `${entry.moduleUrl} has no actor class "${entry.actor.export}" for type "${entry.type}"`,
            { details: { type: entry.type } },
          );
        }
        return exported as unknown as new (params?: Record<string, unknown>) => Actor;
      })();
      loading.catch(() => this.#classes.delete(entry.type));
      this.#classes.set(entry.type, loading);
    }
    return loading;
  }
}

type _Needs = Partial<
  Record<PermissionName, { all: boolean; values: string[]; reasons: string[] }>
>;

/** The folders a Worker loads an actor's code from: core's and the actor's package's. */
function _codeFolders(entry: CatalogueEntry): string[] {
  const folders: string[] = [];
  for (const manifest of [Catalogue.coreManifestUrl, entry.manifestUrl]) {
    const folder = new URL(".", manifest);
    if (folder.protocol !== "file:") continue;
    const path = decodeURIComponent(folder.pathname).replace(/\/$/, "");
    if (!folders.includes(path)) folders.push(path);
  }
  return folders;
}

/** `permissions` with read access to `paths` too. */
function _withRead(permissions: WorkerPermissions, paths: readonly string[]): WorkerPermissions {
  if (permissions === "inherit" || paths.length === 0) return permissions;
  const own = permissions === "none" ? {} : permissions;
  const read = own.read === true ? true : [...(Array.isArray(own.read) ? own.read : []), ...paths];
  return { ...own, read };
}

/** Adds `from` to `into`: reasons and values appended once, `all` when either has it. */
function _merge(into: _Needs, from: PermissionSet): void {
  for (const [name, need] of Object.entries(from)) {
    if (need === undefined) continue;
    const to = into[name as PermissionName] ??= { all: false, values: [], reasons: [] };
    to.all ||= need.all;
    for (const v of need.values) if (!to.values.includes(v)) to.values.push(v);
    to.reasons.push(...need.reasons);
  }
}

/** Whether `input` is what `parsePipeline` returns, not a description (which has no spans). */
function _isParsed(input: unknown): input is ParsedPipeline {
  const candidate = input as Partial<ParsedPipeline> | null;
  return typeof candidate === "object" && candidate !== null &&
    candidate.spans instanceof Map && typeof candidate.text === "string";
}

/** The folder of a printf-style file pattern (`shots/frame-%05d.png` → `shots`), else the path. */
function _patternFolder(path: string): string {
  if (!/%0?\d*d/.test(path)) return path;
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}
