/**
 * Names of actors in a pipeline, and how a `name.port` reference resolves against them.
 *
 * @module
 */

/**
 * Names the pipeline language and `Pipeline.add` accept: letters, digits, `_`, `.`, `~` and `-`,
 * not ending with a dot (`cam.` means "the actor cam" in a link, so no name may look like it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACTOR_NAME } from "@streamlib/core";
 * assert.ok(ACTOR_NAME.test("my.cam") && !ACTOR_NAME.test("cam."));
 * ```
 */
export const ACTOR_NAME: RegExp = /^[A-Za-z0-9_.~-]*[A-Za-z0-9_~-]$/;

/** What {@linkcode ACTOR_NAME} allows, in words, for error messages. */
export const ACTOR_NAME_RULE = 'letters, digits, "_", ".", "~" and "-", not ending with "."';

/**
 * Resolves a link end against the pipeline's actor names: `"c.layer_1"` → actor `c`, port
 * `layer_1`; `"c"` → actor `c`, no port. Names may contain dots: a whole text that names an
 * actor is that actor, and a trailing dot (`"my.cam."`) says "this actor, no port".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveEndpoint } from "@streamlib/core";
 * const names = new Set(["mix", "my.cam"]);
 * const has = (n: string): boolean => names.has(n);
 * assert.ok(resolveEndpoint("mix.in_2", has).join() === "mix,in_2");
 * assert.ok(resolveEndpoint("my.cam", has)[1] === undefined);
 * assert.ok(resolveEndpoint("my.cam.out", has).join() === "my.cam,out");
 * ```
 *
 * @param endpoint `name`, `name.port` or `name.`.
 * @param isActor Tells whether a name is an actor of the pipeline.
 * @returns The actor name and the port (`undefined` when none is given).
 */
export function resolveEndpoint(
  endpoint: string,
  isActor: (name: string) => boolean,
): [name: string, port: string | undefined] {
  if (endpoint.endsWith(".")) return [endpoint.slice(0, -1), undefined];
  if (isActor(endpoint)) return [endpoint, undefined];
  const dot = endpoint.lastIndexOf(".");
  if (dot === -1) return [endpoint, undefined];
  return [endpoint.slice(0, dot), endpoint.slice(dot + 1)];
}
