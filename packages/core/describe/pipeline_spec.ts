import { StreamlibError } from "../errors.ts";
import { ACTOR_NAME, ACTOR_NAME_RULE, resolveEndpoint } from "../graph/names.ts";
import { _jsonValueProblem, _MAX_DEPTH } from "./_json_value.ts";
import { isRemoteAddress, parseRemoteEndpoint } from "../runtime/remote.ts";

/**
 * A parameter value in a pipeline description: JSON values, where a string such as `"10s"` or
 * `"48kHz"` may stand for a quantity that the catalogue converts to the parameter's unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SpecValue } from "@streamlib/core";
 * const values: SpecValue[] = [30, "smpte", true, "10s", [0, 0, 640, 480], { x: 1 }];
 * assert.ok(values.length === 6);
 * ```
 */
export type SpecValue =
  | string
  | number
  | boolean
  | null
  | readonly SpecValue[]
  | { readonly [key: string]: SpecValue };

/**
 * One actor in a pipeline description.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ActorSpec } from "@streamlib/core";
 * const blur: ActorSpec = { name: "blur0", type: "blur", params: { radius: 4 }, dispatch: "worker" };
 * assert.ok(blur.params?.radius === 4);
 * const mix: ActorSpec = { name: "c", type: "compositor", pads: { layer_1: { opacity: 0.5 } } };
 * assert.ok(mix.pads?.layer_1?.opacity === 0.5);
 * ```
 */
export interface ActorSpec {
  /** Unique name in the pipeline (`blur0` when the text gave none). */
  readonly name: string;
  /** Actor type, as listed by the catalogue. */
  readonly type: string;
  /** Parameter values; absent parameters take their defaults. */
  readonly params?: { readonly [key: string]: SpecValue };
  /**
   * Parameters of request ports by port name (`{ layer_1: { x: 10 } }`; `layer_1::x=10` in
   * text), for types whose request templates declare some, as a compositor's layers do.
   */
  readonly pads?: { readonly [pad: string]: { readonly [key: string]: SpecValue } };
  /**
   * Where the actor runs: on the main thread (default) or in a Worker of its own
   * (`dispatch=worker` in text), built there from its manifest's module and export.
   */
  readonly dispatch?: "main" | "worker";
}

/**
 * One link: `from` names an actor (`"src"`, any fitting output) or one of its outputs
 * (`"src.out"`), `to` an actor or one of its inputs (`"c.layer_1"`). Without a port the single
 * compatible pair is chosen when the pipeline is built, as `Pipeline.pipe()` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LinkSpec } from "@streamlib/core";
 * const link: LinkSpec = { from: "src", to: "c.layer_1" };
 * assert.ok(link.to.endsWith("layer_1"));
 * ```
 */
export interface LinkSpec {
  /** `name` or `name.port` of the upstream actor. */
  readonly from: string;
  /** `name` or `name.port` of the downstream actor. */
  readonly to: string;
}

/**
 * The JSON form of a pipeline: what agents usually emit, and what the text form
 * (`testsrc ! blur ! sink`) converts to and from without loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineSpec } from "@streamlib/core";
 * const spec: PipelineSpec = {
 *   actors: [{ name: "src", type: "datasrc", params: { count: 3 } }, { name: "log0", type: "log" }],
 *   links: [{ from: "src", to: "log0" }],
 * };
 * assert.ok(spec.links.length === 1);
 * ```
 */
export interface PipelineSpec {
  /** The actors, in the order they are created. */
  readonly actors: readonly ActorSpec[];
  /** The links, in the order they are made. */
  readonly links: readonly LinkSpec[];
}

const TYPE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const PORT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A parameter name: what the text form can write (`key=value`) and a manifest can declare. */
const PARAM = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Checks a pipeline description received as JSON (from an agent, a file) and returns it typed.
 * Throws `SL_PIPELINE_INVALID` listing every problem with its path (`actors[1].name`,
 * `links[0].to`) and what was expected: malformed fields, unknown keys, duplicate names, links
 * to actors that do not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStreamlibError, validatePipelineSpec } from "@streamlib/core";
 * const spec = validatePipelineSpec({ actors: [{ name: "a", type: "datasrc" }], links: [] });
 * assert.ok(spec.actors[0]!.type === "datasrc");
 * try {
 *   validatePipelineSpec({ actors: [], links: [{ from: "a", to: "b" }] });
 * } catch (error) {
 *   assert.ok(isStreamlibError(error, "SL_PIPELINE_INVALID"));
 * }
 * ```
 *
 * @param value The parsed JSON.
 * @param source Names the input in messages (a file name), default `pipeline`.
 * @returns The same value, typed.
 */
export function validatePipelineSpec(value: unknown, source = "pipeline"): PipelineSpec {
  const problems: Array<{ path: string; expected: string; got: string }> = [];
  const problem = (path: string, expected: string, got: unknown): void => {
    problems.push({ path, expected, got: _show(got) });
  };
  const keys = (path: string, object: Record<string, unknown>, allowed: string[]): void => {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) {
        problem(
          `${path}${path ? "." : ""}${key}`,
          `no such key; expected one of ${allowed.join(", ")}`,
          key,
        );
      }
    }
  };
  const _valueProblem = (path: string, v: unknown): void => {
    const why = _jsonValueProblem(v);
    if (why === "depth") problem(path, `a JSON value nested at most ${_MAX_DEPTH} deep`, v);
    else if (why === "type") problem(path, "a JSON value", v);
  };
  // A plain object, as JSON makes: not an array, a Date or a Map, whose entries are no fields.
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(v));
  if (!isObject(value)) {
    problem("", "an object with actors and links", value);
  } else {
    keys("", value, ["actors", "links"]);
    const names = new Set<string>();
    if (!Array.isArray(value.actors)) problem("actors", "an array of actors", value.actors);
    else {
      // An index loop, not forEach: a hole (from a JavaScript caller) is refused, not skipped.
      for (let i = 0; i < value.actors.length; i++) {
        const actor: unknown = value.actors[i];
        const at = `actors[${i}]`;
        if (!isObject(actor)) {
          problem(at, "an object with name, type and params", actor);
          continue;
        }
        keys(at, actor, ["name", "type", "params", "pads", "dispatch"]);
        if (
          actor.dispatch !== undefined && actor.dispatch !== "main" && actor.dispatch !== "worker"
        ) {
          problem(`${at}.dispatch`, '"main" or "worker"', actor.dispatch);
        }
        if (typeof actor.name !== "string" || !ACTOR_NAME.test(actor.name)) {
          problem(`${at}.name`, `a name of ${ACTOR_NAME_RULE}`, actor.name);
        } else if (names.has(actor.name)) {
          problem(`${at}.name`, "a name no other actor has", actor.name);
        } else names.add(actor.name);
        if (typeof actor.type !== "string" || !TYPE.test(actor.type)) {
          problem(`${at}.type`, "an actor type like videotestsrc or datasrc", actor.type);
        }
        if (actor.params !== undefined) {
          if (!isObject(actor.params)) {
            problem(`${at}.params`, "an object of parameter values", actor.params);
          } else {
            for (const [key, v] of Object.entries(actor.params)) {
              if (!PARAM.test(key)) {
                problem(`${at}.params`, "parameter names of letters, digits, _ and -", key);
                continue;
              }
              if (key === "name" || key === "dispatch") {
                problem(`${at}.params.${key}`, `no \`${key}\` parameter (it is \`${key}\`)`, key);
              }
              _valueProblem(`${at}.params.${key}`, v);
            }
          }
        }
        if (actor.pads !== undefined) {
          if (!isObject(actor.pads)) {
            problem(
              `${at}.pads`,
              'an object of port parameters, like { "layer_1": { "x": 10 } }',
              actor.pads,
            );
          } else {
            for (const [pad, values] of Object.entries(actor.pads)) {
              if (!PORT.test(pad)) {
                problem(`${at}.pads`, "port names of letters, digits, _ and -", pad);
              } else if (!isObject(values)) {
                problem(`${at}.pads.${pad}`, "an object of parameter values", values);
              } else {
                for (const [key, v] of Object.entries(values)) {
                  if (!PORT.test(key)) {
                    problem(
                      `${at}.pads.${pad}`,
                      "parameter names of letters, digits, _ and -",
                      key,
                    );
                  } else _valueProblem(`${at}.pads.${pad}.${key}`, v);
                }
              }
            }
          }
        }
      }
    }
    if (!Array.isArray(value.links)) problem("links", "an array of links", value.links);
    else {
      for (let i = 0; i < value.links.length; i++) {
        const link: unknown = value.links[i];
        const at = `links[${i}]`;
        if (!isObject(link)) {
          problem(at, 'an object like { "from": "a", "to": "b.in" }', link);
          continue;
        }
        keys(at, link, ["from", "to"]);
        for (const end of ["from", "to"] as const) {
          const ref = link[end];
          if (typeof ref !== "string") {
            problem(`${at}.${end}`, '"name" or "name.port"', ref);
            continue;
          }
          if (ref.startsWith("actor://")) {
            if (!isRemoteAddress(ref)) problem(`${at}.${end}`, "a port on another node", ref);
            else {
              try {
                parseRemoteEndpoint(ref);
              } catch {
                problem(
                  `${at}.${end}`,
                  "actor://node/name.port or actor://node/type/name.port",
                  ref,
                );
              }
            }
            continue;
          }
          const [name, port] = resolveEndpoint(ref, (n) => names.has(n));
          if (!names.has(name)) {
            problem(
              `${at}.${end}`,
              `an actor of this pipeline (${[...names].join(", ") || "none"})`,
              ref,
            );
          } else if (port !== undefined && !PORT.test(port)) {
            problem(`${at}.${end}`, "a port name of letters, digits, _ and -", ref);
          }
        }
      }
    }
  }
  if (problems.length) {
    throw new StreamlibError(
      "SL_PIPELINE_INVALID",
      `${source}: invalid pipeline description:\n` +
        problems.map((p) => `  ${p.path || "(top)"}: expected ${p.expected}, got ${p.got}`).join(
          "\n",
        ),
      { details: { errors: problems } },
    );
  }
  return value as unknown as PipelineSpec;
}

/** A value, briefly, for messages: whatever it is (deep, cyclic, a bigint), without throwing. */
function _show(v: unknown): string {
  if (v === undefined) return "nothing";
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    // A bigint or a cycle in it: described below.
  }
  if (text === undefined) {
    return Array.isArray(v)
      ? `an array of ${v.length} items`
      : typeof v === "object" && v !== null
      ? "an object"
      : typeof v === "bigint"
      ? `${v}n`
      : `a ${typeof v}`;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
