import { StreamlibError } from "../errors.ts";
import type { GpuVideoFrame, MessageOfKind, PortKind } from "../messages.ts";
import type { Input, Output } from "./ports.ts";
import { checkParam, type ParamSchema, type ParamsOf } from "./params.ts";
import { _padEntriesProblem } from "./_pads.ts";
import { resolvePolicy } from "../delivery/policy.ts";
import type { Contract, InputSpec, PermissionName, PortSpec } from "./spec.ts";
import {
  _CLASSIFICATION_PATTERN,
  _PERMISSION_NAMES,
  _TEMPLATE_PATTERN,
} from "./_contract_rules.ts";

/**
 * The ports record of a contract side, `{}` when the side is absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PortSpecs } from "@streamlib/core";
 * const none: PortSpecs<undefined> = {};
 * assert.ok(Object.keys(none).length === 0);
 * ```
 */
export type PortSpecs<P> = [NonNullable<P>] extends [never] ? Record<never, never>
  : NonNullable<P> extends Readonly<Record<string, PortSpec>> ? NonNullable<P>
  : Record<never, never>;

/**
 * Names of the always-present ports in a ports record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AlwaysPortNames } from "@streamlib/core";
 * const name: AlwaysPortNames<{ in: { kind: "video" }; "l_%u": { kind: "video"; presence: "request" } }> = "in";
 * assert.ok(name === "in");
 * ```
 */
export type AlwaysPortNames<P> = {
  [K in keyof P]: P[K] extends { readonly presence: "request" } ? never : K;
}[keyof P];

/**
 * Names of the request templates in a ports record (any string for a wide `Contract`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RequestPortNames } from "@streamlib/core";
 * const name: RequestPortNames<{ in: { kind: "video" }; "l_%u": { kind: "video"; presence: "request" } }> = "l_%u";
 * assert.ok(name === "l_%u");
 * ```
 */
export type RequestPortNames<P> = string extends keyof P ? string : {
  [K in keyof P]: P[K] extends { readonly presence: "request" } ? K : never;
}[keyof P];

/**
 * The kind of a port spec, as a literal type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KindOf } from "@streamlib/core";
 * const kind: KindOf<{ kind: "audio" }> = "audio";
 * assert.ok(kind === "audio");
 * ```
 */
export type KindOf<S> = S extends { readonly kind: infer K extends PortKind | "any" } ? K : "any";

/**
 * The message type a port spec carries: {@linkcode MessageOfKind} of its kind on a `cpu` port
 * (the default), a {@linkcode GpuVideoFrame} on a `gpu` video port, either on a port with both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuVideoFrame, MessageOfPort, VideoFrame } from "@streamlib/core";
 * type G = MessageOfPort<{ kind: "video"; capabilities: readonly ["gpu"] }>;
 * type C = MessageOfPort<{ kind: "video" }>;
 * const ok: [G, C] extends [GpuVideoFrame, VideoFrame] ? true : false = true;
 * assert.ok(ok);
 * ```
 */
export type MessageOfPort<S> = "capabilities" extends keyof S
  ? NonNullable<S["capabilities" & keyof S]> extends readonly (infer C)[] ?
      | ("cpu" extends C ? MessageOfKind<KindOf<S>> : never)
      | ("gpu" extends C ? [KindOf<S>] extends [infer K] ? K extends "video" | "any" ? GpuVideoFrame
          : never
        : never
        : never)
  : MessageOfKind<KindOf<S>>
  : MessageOfKind<KindOf<S>>;

/**
 * The typed `inputs` object of an actor with contract `C` (request templates excluded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Input, InputsOf, VideoFrame } from "@streamlib/core";
 * type I = InputsOf<{ type: "x"; inputs: { in: { kind: "video" } } }>;
 * const ok: I["in"] extends Input<VideoFrame> ? true : false = true;
 * assert.ok(ok);
 * ```
 */
export type InputsOf<C extends Contract> = {
  readonly [K in AlwaysPortNames<PortSpecs<C["inputs"]>>]: Input<
    MessageOfPort<PortSpecs<C["inputs"]>[K]>
  >;
};

/**
 * The typed `outputs` object of an actor with contract `C` (request templates excluded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioBuffer, Output, OutputsOf } from "@streamlib/core";
 * type O = OutputsOf<{ type: "x"; outputs: { out: { kind: "audio" } } }>;
 * const ok: O["out"] extends Output<AudioBuffer> ? true : false = true;
 * assert.ok(ok);
 * ```
 */
export type OutputsOf<C extends Contract> = {
  readonly [K in AlwaysPortNames<PortSpecs<C["outputs"]>>]: Output<
    MessageOfPort<PortSpecs<C["outputs"]>[K]>
  >;
};

/**
 * The names of the input templates of contract `C` that ports can be requested from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RequestInputsOf } from "@streamlib/core";
 * type R = RequestInputsOf<{ type: "mix"; inputs: { "in_%u": { kind: "audio"; presence: "request" } } }>;
 * const name: R = "in_%u";
 * assert.ok(name === "in_%u");
 * ```
 */
export type RequestInputsOf<C extends Contract> = RequestPortNames<PortSpecs<C["inputs"]>> & string;

/**
 * The message type of the input template `K` of contract `C`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioBuffer, RequestInputMessage } from "@streamlib/core";
 * type C = { type: "mix"; inputs: { "in_%u": { kind: "audio"; presence: "request" } } };
 * const ok: RequestInputMessage<C, "in_%u"> extends AudioBuffer ? true : false = true;
 * assert.ok(ok);
 * ```
 */
export type RequestInputMessage<C extends Contract, K extends string> = MessageOfPort<
  PortSpecs<C["inputs"]>[K & keyof PortSpecs<C["inputs"]>]
>;

/**
 * The typed parameters of an actor with contract `C`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ContractParams } from "@streamlib/core";
 * type P = ContractParams<{ type: "x"; params: { n: { type: "integer"; default: 3 } } }>;
 * const p: P = { n: 4 };
 * assert.ok(p.n === 4);
 * ```
 */
export type ContractParams<C extends Contract> = ParamsOf<C["params"]>;

const PARAM_TYPES: readonly string[] = [
  "number",
  "integer",
  "string",
  "boolean",
  "array",
  "object",
];
const KINDS: ReadonlyArray<PortKind | "any"> = ["video", "audio", "event", "data", "any"];
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const CLASSIFICATION = new RegExp(_CLASSIFICATION_PATTERN);
const TEMPLATE = new RegExp(_TEMPLATE_PATTERN);

/**
 * Checks a contract and returns it unchanged; with `const` inference, port kinds and parameter
 * enums keep their literal types, so `this.inputs.in.read()` is typed in the actor.
 * Throws `SL_CONTRACT_INVALID` naming the bad field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineContract } from "@streamlib/core";
 * const c = defineContract({ type: "sink", inputs: { in: { kind: "video", formats: ["RGBA"] } } });
 * assert.ok(c.inputs.in.formats[0] === "RGBA");
 * ```
 *
 * @param contract The contract.
 * @returns The same object.
 */
export function defineContract<const C extends Contract>(contract: C): C {
  validateContract(contract);
  return contract;
}

/**
 * Throws `SL_CONTRACT_INVALID` when a contract is malformed: a bad type name or port name, an
 * unknown kind, a request port without `%u`, a bad policy, a default that fails its schema, a
 * classification not written like `"Filter/Video"`, a permission that is unknown, gives no
 * reason or names a parameter that cannot hold a path or host, port parameters anywhere but on
 * a request input template, or a `pads` parameter that names no such template.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateContract } from "@streamlib/core";
 * try {
 *   validateContract({ type: "x", outputs: { out: { kind: "smell" as "data" } } });
 * } catch (error) {
 *   assert.ok((error as { code: string }).code === "SL_CONTRACT_INVALID");
 * }
 * ```
 *
 * @param contract The contract to check.
 */
export function validateContract(contract: Contract): void {
  const fail = (where: string, what: string): never => {
    throw new StreamlibError(
      "SL_CONTRACT_INVALID",
      `Contract of "${contract?.type}": ${where} ${what}`,
      { details: { type: contract?.type, field: where } },
    );
  };
  if (typeof contract !== "object" || contract === null) fail("contract", "must be an object");
  if (typeof contract.type !== "string" || !NAME.test(contract.type)) {
    fail("type", `must be a name like "testsrc" (letters, digits, _ and -)`);
  }
  for (const side of ["inputs", "outputs"] as const) {
    for (const [name, spec] of Object.entries(contract[side] ?? {})) {
      const where = `${side}.${name}`;
      if (typeof spec !== "object" || spec === null) {
        fail(where, 'must be a port object like { kind: "video" }');
      }
      const request = spec.presence === "request";
      if (spec.presence !== undefined && spec.presence !== "always" && !request) {
        fail(`${where}.presence`, `must be "always" or "request"`);
      }
      if (request ? !TEMPLATE.test(name) : !NAME.test(name)) {
        fail(
          where,
          request
            ? `is a request port: its name must contain %u, like "layer_%u"`
            : `is not a valid port name (letters, digits, _ and -)`,
        );
      }
      if (!KINDS.includes(spec.kind)) {
        fail(
          `${where}.kind`,
          `must be one of ${KINDS.join(", ")}, got ${JSON.stringify(spec.kind)}`,
        );
      }
      if (
        spec.formats !== undefined && (!Array.isArray(spec.formats) || spec.formats.length === 0)
      ) {
        fail(`${where}.formats`, "must be a non-empty array (omit it to accept any format)");
      }
      if (
        spec.capabilities !== undefined &&
        (!Array.isArray(spec.capabilities) || spec.capabilities.length === 0 ||
          spec.capabilities.some((c) => c !== "cpu" && c !== "gpu"))
      ) {
        fail(`${where}.capabilities`, `must be a non-empty array of "cpu" and "gpu"`);
      }
      if (side === "inputs" && (spec as InputSpec).policy !== undefined) {
        try {
          resolvePolicy((spec as InputSpec).policy, spec.kind, "live");
        } catch (error) {
          fail(`${where}.policy`, (error as Error).message);
        }
      }
      if (spec.formatParam !== undefined) {
        const param = contract.params?.[spec.formatParam];
        if (side !== "outputs") fail(`${where}.formatParam`, "is only for outputs");
        if (param === undefined || param.type !== "string") {
          fail(
            `${where}.formatParam`,
            `must name a string parameter of the contract, got ${JSON.stringify(spec.formatParam)}`,
          );
        }
        const values = param!.type === "string" ? param!.enum ?? [] : [];
        const outside = values.filter((f) =>
          spec.formats !== undefined && !spec.formats.includes(f)
        );
        if (outside.length > 0) {
          fail(
            `${where}.formatParam`,
            `names "${spec.formatParam}", whose values ${JSON.stringify(outside)} are not among ` +
              `the port's formats`,
          );
        }
      }
      if (spec.formatFrom !== undefined) {
        const from = contract.inputs?.[spec.formatFrom];
        if (side !== "outputs") fail(`${where}.formatFrom`, "is only for outputs");
        if (from === undefined || from.presence === "request") {
          fail(
            `${where}.formatFrom`,
            `must name an input of the contract (not a request template), got ${
              JSON.stringify(spec.formatFrom)
            }`,
          );
        }
      }
      const params = (spec as InputSpec).params;
      if (params !== undefined) {
        if (side !== "inputs" || !request) {
          fail(`${where}.params`, `are only for request input templates (presence "request")`);
        }
        _checkSchemas(`${where}.params`, params, fail);
      }
    }
  }
  _checkSchemas("params", contract.params, fail);
  for (const [name, schema] of Object.entries(contract.params ?? {})) {
    if (schema.type !== "object" || schema.pads === undefined) continue;
    const where = `params.${name}.pads`;
    const template = contract.inputs?.[schema.pads];
    const padSchemas = template?.presence === "request" ? template.params : undefined;
    if (padSchemas === undefined) {
      const templates = Object.entries(contract.inputs ?? {})
        .filter(([, s]) => s.presence === "request" && s.params !== undefined).map(([n]) => n);
      return fail(
        where,
        `must name a request input template with params (${templates.join(", ") || "none"}), ` +
          `got ${JSON.stringify(schema.pads)}`,
      );
    }
    const problem = schema.default === undefined
      ? undefined
      : _padEntriesProblem(padSchemas, schema.default);
    if (problem) fail(`params.${name}.default`, problem);
  }
  if (
    contract.schedule !== undefined &&
    !["tick", "input", "external"].includes(contract.schedule)
  ) {
    fail("schedule", `must be "tick", "input" or "external"`);
  }
  if (contract.clock !== undefined && contract.clock !== "graph" && contract.clock !== "upstream") {
    fail("clock", `must be "graph" or "upstream"`);
  }
  if (
    contract.classification !== undefined &&
    (typeof contract.classification !== "string" || !CLASSIFICATION.test(contract.classification))
  ) {
    fail("classification", `must be capitalised words joined by /, like "Source/Video"`);
  }
  _checkPermissions(contract, fail);
}

/** Parameter schemas by name: valid names, known types, defaults that fit. */
function _checkSchemas(
  where: string,
  schemas: Readonly<Record<string, ParamSchema>> | undefined,
  fail: (where: string, what: string) => never,
): void {
  if (schemas === undefined) return;
  if (typeof schemas !== "object" || schemas === null || Array.isArray(schemas)) {
    fail(where, "must be an object of parameter schemas by name");
  }
  for (const [name, schema] of Object.entries(schemas)) {
    if (!NAME.test(name)) fail(`${where}.${name}`, "is not a valid parameter name");
    if (typeof schema !== "object" || schema === null || !PARAM_TYPES.includes(schema.type)) {
      fail(`${where}.${name}`, `must have a type among ${PARAM_TYPES.join(", ")}`);
    }
    if (schema.default !== undefined) {
      const problem = checkParam(schema, schema.default);
      if (problem) fail(`${where}.${name}.default`, problem);
    }
  }
}

/** The permissions of a contract: known names, each with a reason and a well-formed reach. */
function _checkPermissions(contract: Contract, fail: (where: string, what: string) => never): void {
  const permissions = contract.permissions;
  if (permissions === undefined) return;
  if (typeof permissions !== "object" || permissions === null || Array.isArray(permissions)) {
    fail("permissions", `must be an object of requests by name, like { net: { reason: "…" } }`);
  }
  // A permission can allow the values of string and string-array parameters.
  const eligible = Object.entries(contract.params ?? {}).filter(([, s]) =>
    s.type === "string" ||
    (s.type === "array" && (s.items === undefined || s.items.type === "string"))
  ).map(([name]) => name);
  const texts = (value: unknown): boolean =>
    Array.isArray(value) && value.length > 0 &&
    value.every((v) => typeof v === "string" && v !== "");
  for (const [name, request] of Object.entries(permissions)) {
    const where = `permissions.${name}`;
    if (!_PERMISSION_NAMES.includes(name as PermissionName)) {
      fail(where, `is not a permission; permissions: ${_PERMISSION_NAMES.join(", ")}`);
    }
    if (typeof request !== "object" || request === null) {
      fail(where, `must be a request like { reason: "…" }`);
    }
    if (typeof request.reason !== "string" || request.reason === "") {
      fail(`${where}.reason`, "must say why the actor needs it");
    }
    if (request.values !== undefined && !texts(request.values)) {
      fail(`${where}.values`, "must be a non-empty array of non-empty strings");
    }
    if (request.params !== undefined) {
      const bad = texts(request.params)
        ? request.params.find((param) => !eligible.includes(param))
        : "";
      if (bad !== undefined) {
        fail(
          `${where}.params`,
          `must name string or string-array parameters (${eligible.join(", ") || "none"}), ` +
            `got ${JSON.stringify(bad)}`,
        );
      }
    }
  }
}

/**
 * Formats a port for messages: `video: RGBA, BGRA; cpu`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describePort } from "@streamlib/core";
 * assert.ok(describePort({ kind: "video", formats: ["RGBA"] }) === "video: RGBA; cpu");
 * assert.ok(describePort({ kind: "data" }) === "data: any; cpu");
 * ```
 *
 * @param spec The port.
 * @returns Kind, formats and capabilities.
 */
export function describePort(spec: PortSpec): string {
  return `${spec.kind}: ${spec.formats?.join(", ") ?? "any"}; ${
    (spec.capabilities ?? ["cpu"]).join(", ")
  }`;
}
