/**
 * What `deno task manifests` writes, computed without writing: core's `manifest.schema.json`
 * from the validator's rules, and each package's `manifest.json` from its actor classes. The
 * contracts say everything a manifest entry holds but where the class is: the module that
 * exports it (found from the package's `mod.ts`) and its export name. The package's name and
 * version come from its `deno.json`; its description, the streamlib range it works with, and
 * classification and permissions for contracts that do not carry them yet, from its
 * `manifest.config.json` when it has one. Internal to the scripts.
 *
 * @module
 */

import {
  type Contract,
  type InputSpec,
  type Manifest,
  type ManifestActor,
  PARAM_KEYWORDS,
  type ParamSchema,
  type PermissionRequest,
  type PortSpec,
  STREAMLIB_VERSION,
  StreamlibError,
  validateManifest,
} from "@streamlib/core";
import { _manifestSchema } from "../packages/core/describe/_manifest_schema.ts";
import {
  _ACTOR_KEYS,
  _INPUT_KEYS,
  _PERMISSION_KEYS,
  _PERMISSIONS,
  _PORT_KEYS,
} from "../packages/core/describe/_manifest_rules.ts";

/**
 * The folders whose `manifest.json` is generated, each with a `deno.json`, a `mod.ts` and, when
 * it has a description or fields its contracts lack, a `manifest.config.json`. A new package is
 * one more line here.
 */
export const PACKAGES: readonly string[] = [
  "packages/core",
  "packages/video",
  "packages/audio",
  "packages/ffmpeg",
  "packages/net",
  "packages/gpu",
  "plugins/motion",
];

/** The repository root, as a file path ending in `/`. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/** Where the JSON Schema of manifests is, from the root. */
export const SCHEMA_PATH = "packages/core/describe/manifest.schema.json";

/**
 * What a package's `manifest.config.json` says: what its `deno.json` and its contracts cannot.
 */
export interface ManifestConfig {
  /** What the package provides. */
  readonly description?: string;
  /**
   * The streamlib versions the package works with, e.g. `"^0.1.0"`; default: from this
   * streamlib's version on, within its minor version (`^` {@linkcode STREAMLIB_VERSION}).
   */
  readonly streamlib?: string;
  /**
   * For actor types whose contract has no classification or permissions (yet): those fields
   * by type. A field the contract has too is an error: each fact is written once.
   */
  readonly actors?: Readonly<
    Record<string, Pick<ManifestActor, "classification" | "permissions">>
  >;
}

/** An actor class as a package exports it. */
type _ActorClass = { readonly contract: Contract };

/**
 * A value as JSON the way `deno fmt` leaves it: two-space indents, one item a line, a final
 * newline.
 *
 * @param value The value.
 * @returns Its text.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/**
 * Every generated file, by absolute path, with the text it should have. Throws
 * `SL_MANIFEST_INVALID` naming the package and the field when a package's sources cannot make a
 * valid manifest.
 *
 * @param packages The package folders, from the root; default {@linkcode PACKAGES}.
 * @returns Path and text pairs: the schema, then each package's manifest.
 */
export async function generatedFiles(
  packages: readonly string[] = PACKAGES,
): Promise<Array<[path: string, text: string]>> {
  const files: Array<[string, string]> = [[`${ROOT}${SCHEMA_PATH}`, jsonText(_manifestSchema())]];
  for (const dir of packages) {
    files.push([`${ROOT}${dir}/manifest.json`, jsonText(await buildManifest(dir))]);
  }
  return files;
}

/**
 * The manifest of the package in `dir`, from its sources.
 *
 * @param dir The package folder, from the root (`packages/video`).
 * @param root The root, a path ending in `/`; default the repository's.
 * @returns The manifest, validated.
 */
export async function buildManifest(dir: string, root: string = ROOT): Promise<Manifest> {
  const folder = `${root}${dir}/`;
  const fail = (file: string, what: string): never => {
    throw new StreamlibError("SL_MANIFEST_INVALID", `${dir}/${file}: ${what}`, {
      details: { file: `${dir}/${file}` },
    });
  };
  const deno = await _readJson(folder, "deno.json", fail) as { name?: unknown; version?: unknown };
  const config = _checkConfig(
    await _readJson(folder, "manifest.config.json", fail, {}),
    fail,
  );
  const located = await _locateActors(folder, fail);
  const actors = [...located.entries()].map(([cls, [module, name]]) =>
    _entry(cls.contract, module, name, config.actors?.[cls.contract.type], fail)
  ).sort((a, b) => a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
  for (const type of Object.keys(config.actors ?? {})) {
    if (!actors.some((actor) => actor.type === type)) {
      fail(
        "manifest.config.json",
        `actors.${type}: no actor class that mod.ts exports has type "${type}"`,
      );
    }
  }
  const manifest = {
    $schema: _relative(dir, SCHEMA_PATH),
    name: deno.name,
    version: deno.version,
    ...(config.description === undefined ? {} : { description: config.description }),
    streamlib: config.streamlib ?? `^${STREAMLIB_VERSION}`,
    actors,
  };
  return validateManifest(manifest, `${dir}/manifest.json`);
}

/** The JSON in `file`; `missing` when there is no such file and it is given. */
async function _readJson(
  folder: string,
  file: string,
  fail: (file: string, what: string) => never,
  missing?: unknown,
): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${folder}${file}`);
  } catch (error) {
    if (missing !== undefined && error instanceof Deno.errors.NotFound) return missing;
    return fail(file, `cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(file, `is not JSON (${(error as Error).message})`);
  }
}

function _checkConfig(
  value: unknown,
  fail: (file: string, what: string) => never,
): ManifestConfig {
  const file = "manifest.config.json";
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) return fail(file, "must be an object like { streamlib, description }");
  for (const key of Object.keys(value)) {
    if (!["$schema", "description", "streamlib", "actors"].includes(key)) {
      fail(file, `${key}: unknown key; expected description, streamlib or actors`);
    }
  }
  if (value.streamlib !== undefined && typeof value.streamlib !== "string") {
    fail(file, `streamlib: expected a range like "^0.1.0"`);
  }
  if (value.description !== undefined && typeof value.description !== "string") {
    fail(file, "description: expected a string");
  }
  if (value.actors !== undefined) {
    if (!isObject(value.actors)) fail(file, "actors: expected an object of entries by type");
    for (const [type, extra] of Object.entries(value.actors as object)) {
      if (!isObject(extra)) fail(file, `actors.${type}: expected { classification, permissions }`);
      for (const key of Object.keys(extra as object)) {
        if (key !== "classification" && key !== "permissions") {
          fail(
            file,
            `actors.${type}.${key}: unknown key; only classification and permissions may be ` +
              "given here (the rest is in the contract)",
          );
        }
      }
    }
  }
  return value as unknown as ManifestConfig;
}

/** Each actor class `mod.ts` exports, with the module (from `mod.ts`) and name it has there. */
async function _locateActors(
  folder: string,
  fail: (file: string, what: string) => never,
): Promise<Map<_ActorClass, [module: string, name: string]>> {
  const mod: Record<string, unknown> = await import(`${folder}mod.ts`);
  const classes = new Set(Object.values(mod).filter(_isActorClass));
  const text = await Deno.readTextFile(`${folder}mod.ts`);
  const found = new Map<_ActorClass, Array<[string, string]>>();
  for (const [, specifier] of text.matchAll(/\bfrom\s+"(\.\/[^"]+\.ts)"/g)) {
    const module: Record<string, unknown> = await import(`${folder}${specifier!.slice(2)}`);
    for (const [name, value] of Object.entries(module)) {
      if (!classes.has(value as _ActorClass)) continue;
      const list = found.get(value as _ActorClass) ?? [];
      list.push([specifier!, name]);
      found.set(value as _ActorClass, list);
    }
  }
  const located = new Map<_ActorClass, [string, string]>();
  for (const cls of classes) {
    const places = found.get(cls) ?? [];
    if (places.length !== 1) {
      fail(
        "mod.ts",
        `the actor class of type "${cls.contract.type}" must come from exactly one module ` +
          `that mod.ts re-exports; found ${
            places.map(([m, n]) => `${n} in ${m}`).join(", ") || "none"
          }`,
      );
    }
    located.set(cls, places[0]!);
  }
  return located;
}

function _isActorClass(value: unknown): value is _ActorClass {
  const candidate = value as { contract?: unknown; prototype?: { process?: unknown } };
  return typeof value === "function" && typeof candidate.contract === "object" &&
    typeof candidate.prototype?.process === "function";
}

/** One manifest entry: the contract's fields in the manifest's order, plus where the class is. */
function _entry(
  contract: Contract,
  module: string,
  name: string,
  extra: Pick<ManifestActor, "classification" | "permissions"> | undefined,
  fail: (file: string, what: string) => never,
): ManifestActor {
  for (const field of ["classification", "permissions"] as const) {
    if (extra?.[field] !== undefined && contract[field] !== undefined) {
      fail(
        "manifest.config.json",
        `actors.${contract.type}.${field}: the contract has it already; write it in one place`,
      );
    }
  }
  const classification = contract.classification ?? extra?.classification;
  if (classification === undefined) {
    fail(
      module,
      `the contract of "${contract.type}" has no classification; add one like "Filter/Video"`,
    );
  }
  if (contract.description === undefined) {
    fail(module, `the contract of "${contract.type}" has no description; add one`);
  }
  const permissions = contract.permissions ?? extra?.permissions;
  const fields: Record<string, unknown> = {
    type: contract.type,
    description: contract.description,
    classification,
    module,
    export: name,
    inputs: _map(contract.inputs, (spec) => _port(spec, true)),
    outputs: _map(contract.outputs, (spec) => _port(spec, false)),
    params: _map(contract.params, _param),
    schedule: contract.schedule,
    clock: contract.clock,
    permissions: permissions === undefined ? undefined : _permissions(permissions),
  };
  return _ordered(fields, _ACTOR_KEYS) as unknown as ManifestActor;
}

/** `record` with `f` applied to each value, in the same order; `undefined` stays. */
function _map<T>(
  record: Readonly<Record<string, T>> | undefined,
  f: (value: T) => unknown,
): Record<string, unknown> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

/**
 * The defined keys of `object` in the order of `keys`, then any other keys (which the
 * validator then reports).
 */
function _ordered(object: object, keys: readonly string[]): Record<string, unknown> {
  const entries = Object.entries(object).filter(([, value]) => value !== undefined);
  const rank = (key: string): number => {
    const i = keys.indexOf(key);
    return i === -1 ? keys.length : i;
  };
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)));
}

function _port(spec: PortSpec | InputSpec, input: boolean): Record<string, unknown> {
  const out = _ordered(spec, input ? _INPUT_KEYS : _PORT_KEYS);
  if ("params" in spec && spec.params !== undefined) out.params = _map(spec.params, _param);
  return out;
}

function _param(schema: ParamSchema): Record<string, unknown> {
  const keywords = PARAM_KEYWORDS[schema.type] ?? {};
  const out = _ordered(schema, ["type", ...Object.keys(keywords)]);
  if (schema.type === "array" && schema.items !== undefined) out.items = _param(schema.items);
  if (schema.type === "object" && schema.properties !== undefined) {
    out.properties = _map(schema.properties, _param);
  }
  return out;
}

function _permissions(
  permissions: NonNullable<Contract["permissions"]>,
): Record<string, unknown> {
  const ordered = _ordered(permissions, _PERMISSIONS) as Record<string, PermissionRequest>;
  return _map(ordered, (request) => _ordered(request, _PERMISSION_KEYS))!;
}

/** `to` (from the root) relative to the folder `dir` (from the root). */
function _relative(dir: string, to: string): string {
  const from = dir.split("/");
  const target = to.split("/");
  let common = 0;
  while (common < from.length && from[common] === target[common]) common++;
  const up = from.length - common;
  return (up === 0 ? "./" : "../".repeat(up)) + target.slice(common).join("/");
}
