import { validateContract } from "../graph/contract.ts";
import type { Contract, InputSpec, PortSpec, Schedule } from "../graph/spec.ts";
import { isStreamlibError, StreamlibError } from "../errors.ts";
import { contractOf, type Manifest, type ManifestActor } from "./manifest.ts";
import { _range, _SEMVER, _version } from "./_semver.ts";
import {
  _ACTOR_KEYS,
  _CAPABILITIES,
  _CLASSIFICATION,
  _CLOCKS,
  _FULL,
  _IDENTIFIER,
  _INPUT_KEYS,
  _KINDS,
  _MANIFEST_KEYS,
  _MODULE,
  _NAME,
  _NAME_RULE,
  _OUTPUT_KEYS,
  _PACKAGE,
  _PERMISSION_KEYS,
  _PERMISSIONS,
  _POLICY,
  _PORT_NAME,
  _PRESENCES,
  _SCHEDULES,
} from "./_manifest_rules.ts";
import {
  _BOOLEAN,
  _Check,
  _got,
  _isObject,
  _join,
  _key,
  _line,
  _matching,
  _oneOf,
  type _Problem,
  _quoteAll,
  _STRING,
  _TEXT,
} from "./_manifest_check.ts";
import { _checkParams } from "./_manifest_params.ts";

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
 * import assert from "node:assert/strict";
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
 * assert.ok(manifest.actors[0]?.export === "Gain");
 *
 * try {
 *   validateManifest({ name: "gain", version: "1", streamlib: "^0.1.0", actors: [] }, "gain.json");
 * } catch (error) {
 *   assert.ok(isStreamlibError(error, "SL_MANIFEST_INVALID"));
 *   const lines = (error as Error).message.split("\n");
 *   assert.ok(lines.length === 2);
 *   assert.ok(lines[0]?.startsWith("gain.json: version: expected a semantic version"));
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
  // An index loop, not forEach: a hole (from a JavaScript caller) is refused, not skipped.
  for (let i = 0; i < actors.length; i++) _checkActor(check, `actors[${i}]`, actors[i], types);
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
    expected: `one of ${_quoteAll(_SCHEDULES)}`,
    test: _oneOf(_SCHEDULES),
  });
  const clockOk = check.optional(`${path}.clock`, actor.clock, {
    expected: `"graph" or "upstream"`,
    test: _oneOf(_CLOCKS),
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
  let ok = check.keys(path, spec, input ? _INPUT_KEYS : _OUTPUT_KEYS);
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
    test: _oneOf(_CAPABILITIES),
  }, { nonEmpty: true }) && ok;
  ok = check.optional(`${path}.presence`, spec.presence, {
    expected: `"always" or "request"`,
    test: _oneOf(_PRESENCES),
  }) && ok;
  ok = check.optional(`${path}.description`, spec.description, _STRING) && ok;
  if (!input) {
    ok = check.optional(`${path}.formatParam`, spec.formatParam, _STRING) && ok;
    ok = check.optional(`${path}.formatFrom`, spec.formatFrom, _STRING) && ok;
  }
  if (input) {
    ok = _checkPolicy(check, `${path}.policy`, spec.policy) && ok;
    ok = check.optional(`${path}.multiple`, spec.multiple, _BOOLEAN) && ok;
    // Only well-formed schemas go on to the contract's checks (defaults, request templates).
    const params = _checkParams(check, `${path}.params`, spec.params);
    if (
      spec.params !== undefined &&
      (params === undefined ||
        Object.keys(params).length !== Object.keys(spec.params as object).length)
    ) {
      ok = false;
    }
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
  const full = _FULL;
  ok = check.optional(`${path}.full`, policy.full, {
    expected: `one of ${_quoteAll(full)}`,
    test: _oneOf(full),
  }) && ok;
  return ok;
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
  // The structure checks have reported on the classification and permissions already.
  const { classification: _c, permissions: _p, ...rest } = contractOf(actor);
  let contract: Contract = rest;
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
