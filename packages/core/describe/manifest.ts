import { validateContract } from "../graph/contract.ts";
import type { Contract, InputSpec, PortSpec, Schedule } from "../graph/spec.ts";
import { isStreamlibError, StreamlibError } from "../errors.ts";
import type { ParamSchema } from "../graph/params.ts";

/**
 * A permission an actor may ask for, named as Deno names them: file system `read` and `write`,
 * `net`work, `env`ironment variables, `run`ning subprocesses, `ffi` (native libraries) and `sys`
 * (system information).
 *
 * @example
 * ```ts
 * import type { PermissionName } from "@streamlib/core";
 * const needed: PermissionName[] = ["read", "net"];
 * console.assert(needed.includes("net"));
 * ```
 */
export type PermissionName = "read" | "write" | "net" | "env" | "run" | "ffi" | "sys";

/**
 * Why an actor needs a permission, and how far it reaches. With neither `values` nor `params`
 * the permission is unrestricted; with both, the allowed values are the union of the two.
 *
 * @example A file reader that only reads the file its `path` parameter names
 * ```ts
 * import type { PermissionRequest } from "@streamlib/core";
 * const read: PermissionRequest = { reason: "Reads the video file to decode", params: ["path"] };
 * console.assert(read.params?.[0] === "path");
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
 * One actor type in a {@linkcode Manifest}: its contract (the same shapes as
 * {@linkcode Contract}), where its class is, how it is classified and what permissions it needs.
 * Everything a catalogue or `inspect` shows is here, so nothing has to be imported to list it.
 *
 * @example
 * ```ts
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
 * console.assert(actor.classification.startsWith("Source/"));
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
 * console.assert(manifest.actors.length === 1);
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
 * import { satisfiesVersion, STREAMLIB_VERSION } from "@streamlib/core";
 * console.assert(satisfiesVersion(STREAMLIB_VERSION, "^0.1.0"));
 * ```
 */
export const STREAMLIB_VERSION: string = "0.1.0";

/**
 * The {@linkcode Contract} part of a manifest entry: type, description, ports, parameters,
 * schedule and clock. The objects are shared with `actor`, not copied.
 *
 * @example
 * ```ts
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
 * console.assert(contract.type === "gain" && !("module" in contract));
 * ```
 *
 * @param actor The manifest entry.
 * @returns Its contract, without the keys the entry leaves out.
 */
export function contractOf(actor: ManifestActor): Contract {
  const contract: { -readonly [K in keyof Contract]: Contract[K] } = {
    type: actor.type,
    description: actor.description,
  };
  if (actor.inputs !== undefined) contract.inputs = actor.inputs;
  if (actor.outputs !== undefined) contract.outputs = actor.outputs;
  if (actor.params !== undefined) contract.params = actor.params;
  if (actor.schedule !== undefined) contract.schedule = actor.schedule;
  if (actor.clock !== undefined) contract.clock = actor.clock;
  return contract;
}

/**
 * Checks that `value` is a valid {@linkcode Manifest} and returns it unchanged, typed.
 *
 * It checks the whole structure (required fields, types, patterns, and unknown keys at every
 * level), then what a JSON Schema cannot say: actor types are unique, each permission's
 * `params` names a string parameter of its actor, `version` and `streamlib` parse, and each
 * actor's contract passes {@linkcode validateContract} (request templates contain `%u`,
 * defaults fit their schemas). It does not check that `streamlib` includes
 * {@linkcode STREAMLIB_VERSION}: that is for the code that loads the plugin.
 *
 * Every problem is collected, and one `SL_MANIFEST_INVALID` error lists them, one a line, as
 * `<file>: <field path>: expected <what>, got <what was there>`; `details.errors` holds them as
 * `{ path, expected, got }` objects.
 *
 * @example
 * ```ts
 * import { isStreamlibError, validateManifest } from "@streamlib/core";
 * const manifest = validateManifest({
 *   name: "gain",
 *   version: "0.1.0",
 *   streamlib: "^0.1.0",
 *   actors: [{
 *     type: "gain",
 *     description: "Multiplies numbers by a gain",
 *     classification: "Filter/Data",
 *     module: "./gain.ts",
 *     export: "Gain",
 *     params: { gain: { type: "number", default: 2 } },
 *   }],
 * });
 * console.assert(manifest.actors[0]?.export === "Gain");
 *
 * try {
 *   validateManifest({ name: "gain", version: "1", streamlib: "^0.1.0", actors: [] }, "gain.json");
 * } catch (error) {
 *   console.assert(isStreamlibError(error, "SL_MANIFEST_INVALID"));
 *   const lines = (error as Error).message.split("\n");
 *   console.assert(lines.length === 2);
 *   console.assert(lines[0]?.startsWith("gain.json: version: expected a semantic version"));
 * }
 * ```
 *
 * @param value The parsed manifest, e.g. from `JSON.parse`.
 * @param file The manifest's file name or URL, to start each line of the error with; default
 * `"manifest"`.
 * @returns `value`, typed as a manifest.
 */
export function validateManifest(value: unknown, file?: string): Manifest {
  const check = new _Check();
  _checkManifest(check, value);
  if (check.problems.length === 0) return value as Manifest;
  const where = file ?? "manifest";
  throw new StreamlibError(
    "SL_MANIFEST_INVALID",
    check.problems.map((problem) => `${where}: ${_line(problem)}`).join("\n"),
    { details: { ...(file === undefined ? {} : { file }), errors: check.problems } },
  );
}

/**
 * Whether `version` lies in `range`, with npm's semantics and no dependencies:
 * - exact `1.2.3` (or `=1.2.3`), comparators `>=`, `>`, `<=`, `<`;
 * - caret `^1.2.3` (same major; for `0.x`, same minor: `^0.1.2` is `>=0.1.2 <0.2.0`; for
 *   `0.0.x`, same patch);
 * - tilde `~1.2.3` (same minor);
 * - x-ranges `1.x`, `1.2.*`, `1`, `*`;
 * - hyphen ranges `1.2.3 - 2.0.0` (inclusive);
 * - space-separated comparators must all hold; `||` separates alternatives.
 *
 * A prerelease version such as `1.2.3-beta.1` matches only when an alternative has a comparator
 * with a prerelease on the same `1.2.3` (`>=1.2.3-alpha`), as in npm, so `^1.0.0` never pulls
 * in a prerelease. Build metadata is ignored. Throws `SL_MANIFEST_INVALID` for a malformed
 * version or range, or an empty one (write `*` for any).
 *
 * @example
 * ```ts
 * import { satisfiesVersion } from "@streamlib/core";
 * console.assert(satisfiesVersion("0.1.5", "^0.1.0"));
 * console.assert(!satisfiesVersion("0.2.0", "^0.1.0"));
 * console.assert(satisfiesVersion("2.3.0", "1.x || >=2.1.0 <3"));
 * console.assert(!satisfiesVersion("1.3.0-beta.1", "^1.2.0"));
 * console.assert(satisfiesVersion("1.3.0-beta.1", ">=1.3.0-alpha <2"));
 * ```
 *
 * @param version A semantic version, e.g. {@linkcode STREAMLIB_VERSION}.
 * @param range The range, e.g. a manifest's `streamlib`.
 * @returns `true` when the version lies in the range.
 */
export function satisfiesVersion(version: string, range: string): boolean {
  const parsed = _version(version);
  const sets = _range(range);
  return sets.some((set) => _testSet(parsed, set));
}

// ---------------------------------------------------------------------------------------------
// Structure

/** One problem in a manifest. */
interface _Problem {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

const _UNKNOWN_KEY = "unknown key";

function _line(problem: _Problem): string {
  const at = problem.path === "" ? "" : `${problem.path}: `;
  return problem.got === _UNKNOWN_KEY
    ? `${at}${_UNKNOWN_KEY}; expected ${problem.expected}`
    : `${at}expected ${problem.expected}, got ${problem.got}`;
}

const _NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const _PORT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(?:%u[A-Za-z0-9_-]*)?$/;
const _PACKAGE = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const _CLASSIFICATION = /^[A-Z][A-Za-z]*(?:\/[A-Z][A-Za-z]*)+$/;
const _MODULE = /^(?:\.{1,2}\/|[A-Za-z][A-Za-z0-9+.-]*:)\S+$/;
const _IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const _POLICY = /^(?:latest|queue(?::[1-9][0-9]*(?::(?:block|drop-oldest|drop-newest))?)?)$/;
const _NUM = "0|[1-9][0-9]*";
const _PRE_ID = "0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*";
const _PRE = `(?:${_PRE_ID})(?:\\.(?:${_PRE_ID}))*`;
const _BUILD = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
const _SEMVER = new RegExp(`^(${_NUM})\\.(${_NUM})\\.(${_NUM})(?:-(${_PRE}))?(?:\\+${_BUILD})?$`);

const _MANIFEST_KEYS = ["$schema", "name", "version", "description", "streamlib", "actors"];
const _ACTOR_KEYS = [
  "type",
  "description",
  "classification",
  "module",
  "export",
  "inputs",
  "outputs",
  "params",
  "schedule",
  "clock",
  "permissions",
];
const _PORT_KEYS = ["kind", "formats", "capabilities", "presence", "description"];
const _INPUT_KEYS = [..._PORT_KEYS, "policy", "multiple"];
const _KINDS = ["video", "audio", "event", "data", "any"];
const _PERMISSIONS: readonly PermissionName[] = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "ffi",
  "sys",
];
const _PERMISSION_KEYS = ["reason", "values", "params"];
const _NUMBER_KEYS = [
  "type",
  "default",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "description",
  "unit",
];
const _PARAM_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ["number", _NUMBER_KEYS],
  ["integer", _NUMBER_KEYS],
  ["string", ["type", "default", "enum", "pattern", "minLength", "maxLength", "description"]],
  ["boolean", ["type", "default", "description"]],
  ["array", ["type", "default", "items", "minItems", "maxItems", "description"]],
  [
    "object",
    ["type", "default", "properties", "required", "additionalProperties", "description"],
  ],
]);

const _NAME_RULE = "a letter or _, then letters, digits, _ and -";

/** A field's check: what it must be, and the test. */
interface _Rule {
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
}

const _isString = (value: unknown): value is string => typeof value === "string";
const _isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const _isNumber = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value);
const _matching = (pattern: RegExp) => (value: unknown): boolean =>
  typeof value === "string" && pattern.test(value);
const _oneOf = (values: readonly unknown[]) => (value: unknown): boolean => values.includes(value);

const _STRING: _Rule = { expected: "a string", test: _isString };
const _TEXT: _Rule = { expected: "a non-empty string", test: _matching(/./su) };
const _NUMBER: _Rule = { expected: "a number", test: _isNumber };
const _COUNT: _Rule = {
  expected: "an integer ≥ 0",
  test: (value) => Number.isInteger(value) && (value as number) >= 0,
};
const _BOOLEAN: _Rule = { expected: "true or false", test: (v) => typeof v === "boolean" };

function _quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(", ");
}

/** A key as a path segment: `.name`, or `["odd name"]`. */
function _key(key: string): string {
  return /^[A-Za-z0-9_$%-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function _join(path: string, key: string): string {
  const segment = _key(key);
  return path === "" && segment.startsWith(".") ? segment.slice(1) : `${path}${segment}`;
}

/** What was there, briefly, for messages. */
function _got(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  switch (typeof value) {
    case "string": {
      const text = JSON.stringify(value);
      return text.length > 60 ? `${text.slice(0, 58)}…"` : text;
    }
    case "object": {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        // A cycle: describe it instead.
      }
      if (text !== undefined && text.length <= 60) return text;
      return Array.isArray(value) ? `an array of ${value.length} items` : "an object";
    }
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return `a ${typeof value}`;
  }
}

/** Collects problems. Each check returns whether the value passed. */
class _Check {
  readonly problems: _Problem[] = [];

  fail(path: string, expected: string, value: unknown): false {
    this.problems.push({ path, expected, got: _got(value) });
    return false;
  }

  /** Reports each key of `object` not in `allowed`. */
  keys(path: string, object: Record<string, unknown>, allowed: readonly string[]): boolean {
    let ok = true;
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      this.problems.push({
        path: _join(path, key),
        expected: `one of ${allowed.join(", ")}`,
        got: _UNKNOWN_KEY,
      });
      ok = false;
    }
    return ok;
  }

  required(path: string, value: unknown, rule: _Rule): boolean {
    return rule.test(value) || this.fail(path, rule.expected, value);
  }

  optional(path: string, value: unknown, rule: _Rule): boolean {
    return value === undefined || this.required(path, value, rule);
  }

  /** An optional array of distinct items, each passing `item`. */
  list(path: string, value: unknown, item: _Rule, options: { nonEmpty: boolean }): boolean {
    if (value === undefined) return true;
    if (!Array.isArray(value) || (options.nonEmpty && value.length === 0)) {
      return this.fail(
        path,
        `${options.nonEmpty ? "a non-empty" : "an"} array of distinct items, each ${item.expected}`,
        value,
      );
    }
    let ok = true;
    value.forEach((entry: unknown, i) => {
      const at = `${path}[${i}]`;
      if (!this.required(at, entry, item)) {
        ok = false;
      } else if (value.indexOf(entry) !== i) {
        ok = this.fail(
          at,
          `a value not listed before (it repeats ${path}[${value.indexOf(entry)}])`,
          entry,
        );
      }
    });
    return ok;
  }
}

function _checkManifest(check: _Check, value: unknown): void {
  if (!_isObject(value)) {
    check.fail("", "a manifest object like { name, version, streamlib, actors }", value);
    return;
  }
  check.keys("", value, _MANIFEST_KEYS);
  check.optional("$schema", value.$schema, { ..._TEXT, expected: "a non-empty string (a URL)" });
  check.required("name", value.name, {
    expected: `a package name like "@scope/name" or "name" (lowercase letters, digits, ., _ and -)`,
    test: _matching(_PACKAGE),
  });
  const versionRule = {
    expected: `a semantic version like "1.2.3" or "1.0.0-beta.1"`,
    test: _matching(_SEMVER),
  };
  if (check.required("version", value.version, versionRule)) {
    try {
      _version(value.version as string);
    } catch (error) {
      check.fail("version", `${versionRule.expected} (${_reason(error)})`, value.version);
    }
  }
  check.optional("description", value.description, _STRING);
  const rangeExample = `a version range like "^0.1.0" or ">=0.1.0 <0.3.0"`;
  if (check.required("streamlib", value.streamlib, { ..._TEXT, expected: rangeExample })) {
    try {
      _range(value.streamlib as string);
    } catch (error) {
      check.fail("streamlib", `${rangeExample} (${_reason(error)})`, value.streamlib);
    }
  }
  const actors = value.actors;
  if (!Array.isArray(actors) || actors.length === 0) {
    check.fail("actors", "a non-empty array of actor entries", actors);
    return;
  }
  const types = new Map<string, string>();
  actors.forEach((actor: unknown, i) => _checkActor(check, `actors[${i}]`, actor, types));
}

/** Why `_version` or `_range` rejected its text. */
function _reason(error: unknown): string {
  return isStreamlibError(error) ? String(error.details.reason) : String(error);
}

function _checkActor(
  check: _Check,
  path: string,
  actor: unknown,
  types: Map<string, string>,
): void {
  if (!_isObject(actor)) {
    check.fail(
      path,
      "an actor entry like { type, description, classification, module, export }",
      actor,
    );
    return;
  }
  check.keys(path, actor, _ACTOR_KEYS);
  const typeOk = check.required(`${path}.type`, actor.type, {
    expected: `an actor type name like "motion_detector" (${_NAME_RULE})`,
    test: _matching(_NAME),
  });
  if (typeOk) {
    const type = actor.type as string;
    const first = types.get(type);
    if (first === undefined) {
      types.set(type, path);
    } else {
      check.fail(`${path}.type`, `a type that no other actor declares (${first} has it)`, type);
    }
  }
  check.required(`${path}.description`, actor.description, {
    expected: "a non-empty string saying what the actor does",
    test: _TEXT.test,
  });
  check.required(`${path}.classification`, actor.classification, {
    expected:
      `a classification like "Source/Video" or "Filter/Data" (capitalised words joined by /)`,
    test: _matching(_CLASSIFICATION),
  });
  check.required(`${path}.module`, actor.module, {
    expected: `a module specifier relative to the manifest ("./…" or "../…") or a URL`,
    test: _matching(_MODULE),
  });
  check.required(`${path}.export`, actor.export, {
    expected: `the name of the exported class, a JavaScript identifier like "MotionDetector"`,
    test: _matching(_IDENTIFIER),
  });
  const inputs = _checkPorts(check, `${path}.inputs`, actor.inputs, true);
  const outputs = _checkPorts(check, `${path}.outputs`, actor.outputs, false);
  const params = _checkParams(check, `${path}.params`, actor.params);
  const scheduleOk = check.optional(`${path}.schedule`, actor.schedule, {
    expected: `one of "tick", "input", "external"`,
    test: _oneOf(["tick", "input", "external"]),
  });
  const clockOk = check.optional(`${path}.clock`, actor.clock, {
    expected: `"graph" or "upstream"`,
    test: _oneOf(["graph", "upstream"]),
  });
  _checkPermissions(check, `${path}.permissions`, actor.permissions, actor.params);
  // The semantic checks of validateContract, on the parts that are well formed (a stand-in
  // type when the type is not, so that the ports and parameters are still checked).
  _checkContract(check, path, {
    ...(actor as unknown as ManifestActor),
    type: typeOk ? actor.type as string : "actor",
    inputs: inputs as Record<string, InputSpec> | undefined,
    outputs,
    params,
    schedule: scheduleOk ? actor.schedule as Schedule | undefined : undefined,
    clock: clockOk ? actor.clock as ManifestActor["clock"] : undefined,
  });
}

/** Checks a ports record; returns the well-formed ports (`undefined` when there are none). */
function _checkPorts(
  check: _Check,
  path: string,
  ports: unknown,
  input: boolean,
): Record<string, PortSpec> | undefined {
  if (ports === undefined) return undefined;
  if (!_isObject(ports)) {
    check.fail(path, `an object of ports by name, like { in: { kind: "video" } }`, ports);
    return undefined;
  }
  const clean: Record<string, PortSpec> = Object.create(null);
  for (const [name, spec] of Object.entries(ports)) {
    const at = _join(path, name);
    const nameOk = _PORT_NAME.test(name) ||
      check.fail(
        at,
        `a port name (${_NAME_RULE}; a request template also contains %u, like "layer_%u")`,
        name,
      );
    if (_checkPort(check, at, spec, input) && nameOk) clean[name] = spec as PortSpec;
  }
  return clean;
}

function _checkPort(check: _Check, path: string, spec: unknown, input: boolean): boolean {
  if (!_isObject(spec)) {
    return check.fail(path, `a port object like { kind: "video" }`, spec);
  }
  let ok = check.keys(path, spec, input ? _INPUT_KEYS : _PORT_KEYS);
  ok = check.required(`${path}.kind`, spec.kind, {
    expected: `one of ${_quoteAll(_KINDS)}`,
    test: _oneOf(_KINDS),
  }) && ok;
  ok = check.list(`${path}.formats`, spec.formats, {
    ..._TEXT,
    expected: `a non-empty format name like "RGBA"`,
  }, { nonEmpty: true }) && ok;
  ok = check.list(`${path}.capabilities`, spec.capabilities, {
    expected: `"cpu" or "gpu"`,
    test: _oneOf(["cpu", "gpu"]),
  }, { nonEmpty: true }) && ok;
  ok = check.optional(`${path}.presence`, spec.presence, {
    expected: `"always" or "request"`,
    test: _oneOf(["always", "request"]),
  }) && ok;
  ok = check.optional(`${path}.description`, spec.description, _STRING) && ok;
  if (input) {
    ok = _checkPolicy(check, `${path}.policy`, spec.policy) && ok;
    ok = check.optional(`${path}.multiple`, spec.multiple, _BOOLEAN) && ok;
  }
  return ok;
}

function _checkPolicy(check: _Check, path: string, policy: unknown): boolean {
  if (policy === undefined) return true;
  const forms = `"latest", "queue", "queue:<capacity>[:block|drop-oldest|drop-newest]"`;
  if (typeof policy === "string") {
    return _POLICY.test(policy) || check.fail(path, `one of ${forms}`, policy);
  }
  if (!_isObject(policy)) {
    return check.fail(
      path,
      `a delivery policy: ${forms} or { type: "queue", capacity, full }`,
      policy,
    );
  }
  if (policy.type === "latest") return check.keys(path, policy, ["type"]);
  if (policy.type !== "queue") {
    return check.fail(`${path}.type`, `"latest" or "queue"`, policy.type);
  }
  let ok = check.keys(path, policy, ["type", "capacity", "full"]);
  ok = check.optional(`${path}.capacity`, policy.capacity, {
    expected: "an integer ≥ 1",
    test: (value) => Number.isInteger(value) && (value as number) >= 1,
  }) && ok;
  const full = ["block", "drop-oldest", "drop-newest"];
  ok = check.optional(`${path}.full`, policy.full, {
    expected: `one of ${_quoteAll(full)}`,
    test: _oneOf(full),
  }) && ok;
  return ok;
}

/** Checks a parameters record; returns the well-formed schemas (`undefined` when none). */
function _checkParams(
  check: _Check,
  path: string,
  params: unknown,
): Record<string, ParamSchema> | undefined {
  if (params === undefined) return undefined;
  if (!_isObject(params)) {
    check.fail(
      path,
      `an object of parameter schemas by name, like { fps: { type: "number" } }`,
      params,
    );
    return undefined;
  }
  const clean: Record<string, ParamSchema> = Object.create(null);
  for (const [name, schema] of Object.entries(params)) {
    const at = _join(path, name);
    const nameOk = _NAME.test(name) || check.fail(at, `a parameter name (${_NAME_RULE})`, name);
    if (_checkParam(check, at, schema) && nameOk) clean[name] = schema as ParamSchema;
  }
  return clean;
}

function _checkParam(check: _Check, path: string, schema: unknown): boolean {
  if (!_isObject(schema)) {
    return check.fail(path, `a parameter schema like { type: "number", default: 1 }`, schema);
  }
  const type = schema.type;
  const keys = typeof type === "string" ? _PARAM_KEYS.get(type) : undefined;
  if (keys === undefined) {
    return check.fail(`${path}.type`, `one of ${_quoteAll([..._PARAM_KEYS.keys()])}`, type);
  }
  let ok = check.keys(path, schema, keys);
  ok = check.optional(`${path}.description`, schema.description, _STRING) && ok;
  const optional = (key: string, rule: _Rule): void => {
    ok = check.optional(`${path}.${key}`, schema[key], rule) && ok;
  };
  switch (type) {
    case "number":
    case "integer":
      optional(
        "default",
        type === "number" ? _NUMBER : { expected: "an integer", test: Number.isInteger },
      );
      for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
        optional(key, _NUMBER);
      }
      optional("unit", _STRING);
      break;
    case "string":
      optional("default", _STRING);
      ok = check.list(`${path}.enum`, schema.enum, _STRING, { nonEmpty: true }) && ok;
      if (check.optional(`${path}.pattern`, schema.pattern, _STRING)) {
        if (schema.pattern !== undefined && !_isRegExp(schema.pattern as string)) {
          ok = check.fail(
            `${path}.pattern`,
            "a valid regular expression (JavaScript syntax, Unicode mode)",
            schema.pattern,
          );
        }
      } else {
        ok = false;
      }
      optional("minLength", _COUNT);
      optional("maxLength", _COUNT);
      break;
    case "boolean":
      optional("default", _BOOLEAN);
      break;
    case "array":
      optional("default", { expected: "an array", test: Array.isArray });
      if (schema.items !== undefined) ok = _checkParam(check, `${path}.items`, schema.items) && ok;
      optional("minItems", _COUNT);
      optional("maxItems", _COUNT);
      break;
    default: // object
      optional("default", { expected: "an object", test: _isObject });
      if (schema.properties !== undefined) {
        if (_isObject(schema.properties)) {
          for (const [name, inner] of Object.entries(schema.properties)) {
            ok = _checkParam(check, _join(`${path}.properties`, name), inner) && ok;
          }
        } else {
          ok = check.fail(
            `${path}.properties`,
            "an object of parameter schemas by name",
            schema.properties,
          );
        }
      }
      ok = check.list(`${path}.required`, schema.required, _STRING, { nonEmpty: false }) && ok;
      optional("additionalProperties", _BOOLEAN);
  }
  return ok;
}

function _isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

function _checkPermissions(
  check: _Check,
  path: string,
  permissions: unknown,
  params: unknown,
): void {
  if (permissions === undefined) return;
  if (!_isObject(permissions)) {
    check.fail(
      path,
      `an object of permission requests by name, like { net: { reason: "…" } }`,
      permissions,
    );
    return;
  }
  check.keys(path, permissions, _PERMISSIONS);
  // The parameters whose values a permission can allow: strings and arrays of strings.
  const eligible = Object.entries(_isObject(params) ? params : {}).filter(([, schema]) =>
    _isObject(schema) &&
    (schema.type === "string" ||
      (schema.type === "array" &&
        (schema.items === undefined ||
          (_isObject(schema.items) && schema.items.type === "string"))))
  ).map(([name]) => name);
  for (const name of _PERMISSIONS) {
    const request = permissions[name];
    if (request === undefined) continue;
    const at = `${path}.${name}`;
    if (!_isObject(request)) {
      check.fail(at, `a permission request like { reason: "…", values: ["…"] }`, request);
      continue;
    }
    check.keys(at, request, _PERMISSION_KEYS);
    check.required(`${at}.reason`, request.reason, {
      expected: "a non-empty string saying why the actor needs it",
      test: _TEXT.test,
    });
    check.list(`${at}.values`, request.values, _TEXT, { nonEmpty: true });
    const listed = check.list(`${at}.params`, request.params, {
      expected: `a parameter name (${_NAME_RULE})`,
      test: _matching(_NAME),
    }, { nonEmpty: true });
    if (!listed || request.params === undefined) continue;
    (request.params as string[]).forEach((param, i) => {
      if (eligible.includes(param)) return;
      check.fail(
        `${at}.params[${i}]`,
        `the name of a string or string-array parameter of this actor (${
          eligible.length === 0 ? "it has none" : `one of ${eligible.join(", ")}`
        })`,
        param,
      );
    });
  }
}

/**
 * Runs {@linkcode validateContract} on a well-formed actor, and again without each part it
 * rejects, so that every semantic problem is reported, not only the first.
 */
function _checkContract(check: _Check, path: string, actor: ManifestActor): void {
  let contract = contractOf(actor);
  for (;;) {
    try {
      validateContract(contract);
      return;
    } catch (error) {
      if (!isStreamlibError(error, "SL_CONTRACT_INVALID")) throw error;
      const field = String(error.details.field);
      check.problems.push(_fromContract(path, contract, field, error.message));
      const next = _without(contract, field);
      if (next === undefined) return;
      contract = next;
    }
  }
}

/** A contract problem as a manifest problem. */
function _fromContract(path: string, contract: Contract, field: string, message: string): _Problem {
  const [side, name, leaf] = field.split(".") as [string, string?, string?];
  const at = path + field.split(".").map(_key).join("");
  const prefix = `Contract of "${contract.type}": ${field} `;
  const what = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  const comma = what.lastIndexOf(", got ");
  const rule = comma < 0 ? what : what.slice(0, comma);
  if ((side === "inputs" || side === "outputs") && name !== undefined && leaf === undefined) {
    const request = contract[side]?.[name]?.presence === "request";
    return {
      path: at,
      expected: request
        ? `a request template name containing %u, like "${name}_%u"`
        : `a port name without %u (a template needs presence "request")`,
      got: JSON.stringify(name),
    };
  }
  if (side === "params" && name !== undefined && leaf === "default") {
    return {
      path: at,
      expected: `a default that fits its schema (${rule})`,
      got: _got(contract.params?.[name]?.default),
    };
  }
  let value: unknown = contract;
  for (const segment of field.split(".")) {
    value = _isObject(value) ? value[segment] : undefined;
  }
  return { path: at, expected: rule, got: _got(value) };
}

/** The contract without the port or parameter `field` names; `undefined` when there is none. */
function _without(contract: Contract, field: string): Contract | undefined {
  const [side, name] = field.split(".");
  if (side !== "inputs" && side !== "outputs" && side !== "params") return undefined;
  const record: Readonly<Record<string, unknown>> | undefined = contract[side];
  if (name === undefined || record === undefined || !Object.hasOwn(record, name)) return undefined;
  const rest = { ...record };
  delete rest[name];
  return { ...contract, [side]: rest };
}

// ---------------------------------------------------------------------------------------------
// Versions and ranges

/** A parsed semantic version. */
interface _Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: readonly (string | number)[];
}

/** A version with wildcards (`undefined`) from a range: `1.x`, `1.2`, `*`. */
interface _Partial {
  readonly major: number | undefined;
  readonly minor: number | undefined;
  readonly patch: number | undefined;
  readonly pre: readonly (string | number)[];
}

type _Op = ">=" | ">" | "<=" | "<" | "=";

interface _Comparator {
  readonly op: _Op;
  readonly version: _Version;
}

const _XR = "x|X|\\*|0|[1-9][0-9]*";
const _PARTIAL = new RegExp(
  `^(${_XR})(?:\\.(${_XR})(?:\\.(${_XR})(?:-(${_PRE}))?(?:\\+${_BUILD})?)?)?$`,
);
const _COMPARATOR = /^(<=|>=|<|>|=|\^|~)?(.*)$/s;
const _HYPHEN = /^(\S+)\s+-\s+(\S+)$/;
/** Matches no version at all (`>*`). */
const _NOTHING: readonly _Comparator[] = [{ op: "<", version: _v(0, 0, 0, [0]) }];

function _v(major: number, minor: number, patch: number, pre: _Version["pre"] = []): _Version {
  return { major, minor, patch, pre };
}

function _invalid(what: string, text: string, why: string): StreamlibError {
  return new StreamlibError(
    "SL_MANIFEST_INVALID",
    `Invalid ${what} ${JSON.stringify(text)}: ${why}`,
    { details: { [what === "version" ? "version" : "range"]: text, reason: why } },
  );
}

function _number(text: string, what: string, whole: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw _invalid(what, whole, `${text} is larger than ${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

function _prerelease(text: string | undefined): (string | number)[] {
  if (text === undefined) return [];
  return text.split(".").map((id) => {
    const n = Number(id);
    return /^[0-9]+$/.test(id) && Number.isSafeInteger(n) ? n : id;
  });
}

function _version(text: string): _Version {
  const match = typeof text === "string" ? _SEMVER.exec(text) : null;
  if (!match) {
    throw _invalid(
      "version",
      String(text),
      `expected a semantic version like "1.2.3" or "1.0.0-beta.1"`,
    );
  }
  return {
    major: _number(match[1]!, "version", text),
    minor: _number(match[2]!, "version", text),
    patch: _number(match[3]!, "version", text),
    pre: _prerelease(match[4]),
  };
}

function _partial(text: string, range: string): _Partial {
  const match = _PARTIAL.exec(text);
  if (!match) {
    throw _invalid("range", range, `${JSON.stringify(text)} is not a version like 1.2.3, 1.x or *`);
  }
  const parts = [match[1], match[2], match[3]].map((part) =>
    part === undefined || part === "x" || part === "X" || part === "*"
      ? undefined
      : _number(part, "range", range)
  );
  const firstWild = parts.indexOf(undefined);
  if (firstWild >= 0 && parts.slice(firstWild).some((part) => part !== undefined)) {
    throw _invalid("range", range, `${JSON.stringify(text)} has a number after a wildcard`);
  }
  if (firstWild >= 0 && match[4] !== undefined) {
    throw _invalid("range", range, `${JSON.stringify(text)} has a prerelease after a wildcard`);
  }
  return { major: parts[0], minor: parts[1], patch: parts[2], pre: _prerelease(match[4]) };
}

/** Parses a range into alternatives, each a list of comparators that must all hold. */
function _range(range: string): _Comparator[][] {
  if (typeof range !== "string") throw _invalid("range", String(range), "expected a string");
  return range.split("||").map((alternative) => {
    const text = alternative.trim().replace(/(<=|>=|<|>|=|\^|~)\s+/g, "$1");
    if (text === "") {
      throw _invalid("range", range, `it has an empty alternative; write "*" for any version`);
    }
    const hyphen = _HYPHEN.exec(text);
    const set = hyphen
      ? _hyphen(_partial(hyphen[1]!, range), _partial(hyphen[2]!, range))
      : text.split(/\s+/).flatMap((token) => {
        const [, op = "", rest = ""] = _COMPARATOR.exec(token)!;
        const partial = _partial(rest, range);
        if (op === "^") return _caret(partial);
        if (op === "~") return _tilde(partial);
        return _xRange(op as _Op | "", partial);
      });
    // As in npm, `>=0.0.0` bounds nothing, not even the prereleases of 0.0.0.
    return set.filter(({ op, version: v }) =>
      !(op === ">=" && v.major === 0 && v.minor === 0 && v.patch === 0 && v.pre.length === 0)
    );
  });
}

function _full(p: _Partial): _Version {
  return _v(p.major ?? 0, p.minor ?? 0, p.patch ?? 0, p.pre);
}

/** `1.2.3`, `>=1.2`, `<1.x`, `*`: a comparator with wildcards. */
function _xRange(op: _Op | "", p: _Partial): readonly _Comparator[] {
  const { major: M, minor: m, patch } = p;
  if (patch !== undefined) return [{ op: op === "" ? "=" : op, version: _full(p) }];
  if (M === undefined) return op === ">" || op === "<" ? _NOTHING : [];
  if (op === "" || op === "=") {
    return m === undefined
      ? [{ op: ">=", version: _v(M, 0, 0) }, { op: "<", version: _v(M + 1, 0, 0, [0]) }]
      : [{ op: ">=", version: _v(M, m, 0) }, { op: "<", version: _v(M, m + 1, 0, [0]) }];
  }
  switch (op) {
    case ">": // >1 is >=2.0.0; >1.2 is >=1.3.0
      return [{ op: ">=", version: m === undefined ? _v(M + 1, 0, 0) : _v(M, m + 1, 0) }];
    case ">=":
      return [{ op: ">=", version: _v(M, m ?? 0, 0) }];
    case "<":
      return [{ op: "<", version: _v(M, m ?? 0, 0, [0]) }];
    default: // <=1 is <2.0.0-0; <=1.2 is <1.3.0-0
      return [{
        op: "<",
        version: m === undefined ? _v(M + 1, 0, 0, [0]) : _v(M, m + 1, 0, [0]),
      }];
  }
}

/** `^1.2.3`: changes that keep the left-most non-zero number. */
function _caret(p: _Partial): readonly _Comparator[] {
  const { major: M, minor: m, patch: n } = p;
  if (M === undefined) return [];
  if (m === undefined) {
    return [{ op: ">=", version: _v(M, 0, 0) }, { op: "<", version: _v(M + 1, 0, 0, [0]) }];
  }
  const from: _Comparator = { op: ">=", version: _full(p) };
  if (n === undefined) {
    return [from, { op: "<", version: M === 0 ? _v(0, m + 1, 0, [0]) : _v(M + 1, 0, 0, [0]) }];
  }
  const to = M !== 0 ? _v(M + 1, 0, 0, [0]) : m !== 0 ? _v(0, m + 1, 0, [0]) : _v(0, 0, n + 1, [0]);
  return [from, { op: "<", version: to }];
}

/** `~1.2.3`: patch-level changes. */
function _tilde(p: _Partial): readonly _Comparator[] {
  const { major: M, minor: m } = p;
  if (M === undefined) return [];
  if (m === undefined) {
    return [{ op: ">=", version: _v(M, 0, 0) }, { op: "<", version: _v(M + 1, 0, 0, [0]) }];
  }
  return [{ op: ">=", version: _full(p) }, { op: "<", version: _v(M, m + 1, 0, [0]) }];
}

/** `1.2.3 - 2.3.4`: inclusive at both ends; a partial upper end covers what it leaves open. */
function _hyphen(from: _Partial, to: _Partial): _Comparator[] {
  const set: _Comparator[] = [];
  if (from.major !== undefined) set.push({ op: ">=", version: _full(from) });
  if (to.major !== undefined) {
    if (to.minor === undefined) set.push({ op: "<", version: _v(to.major + 1, 0, 0, [0]) });
    else if (to.patch === undefined) {
      set.push({ op: "<", version: _v(to.major, to.minor + 1, 0, [0]) });
    } else set.push({ op: "<=", version: _full(to) });
  }
  return set;
}

function _comparePre(a: _Version["pre"], b: _Version["pre"]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function _compare(a: _Version, b: _Version): number {
  return Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) ||
    Math.sign(a.patch - b.patch) || _comparePre(a.pre, b.pre);
}

function _holds(version: _Version, { op, version: bound }: _Comparator): boolean {
  const order = _compare(version, bound);
  switch (op) {
    case ">=":
      return order >= 0;
    case ">":
      return order > 0;
    case "<=":
      return order <= 0;
    case "<":
      return order < 0;
    default:
      return order === 0;
  }
}

function _testSet(version: _Version, set: readonly _Comparator[]): boolean {
  if (!set.every((comparator) => _holds(version, comparator))) return false;
  if (version.pre.length === 0) return true;
  // npm's rule: a prerelease matches only where a comparator names a prerelease of the same
  // major.minor.patch.
  return set.some(({ version: bound }) =>
    bound.pre.length > 0 && bound.major === version.major && bound.minor === version.minor &&
    bound.patch === version.patch
  );
}
