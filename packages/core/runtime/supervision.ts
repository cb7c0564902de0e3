import { StreamlibError } from "../errors.ts";

/**
 * What happens when an actor throws (in `process`, `start`, `flush` or `stop`):
 *
 * - `"stop"` (default): the pipeline stops and its `done` rejects with `SL_ACTOR_FAILED`, naming
 *   the actor.
 * - `"skip"`: the messages being processed are dropped and counted, and processing goes on.
 * - `"restart"`: `stop()` then `start()` again after an exponential backoff on the pipeline's
 *   clock (wall time in an offline run, whose virtual time does not pass while it waits), up to
 *   `maxRestarts` times in a run; then the pipeline stops as with `"stop"`.
 *
 * Every error, and every restart, is also published on the pipeline's bus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SupervisionPolicy } from "@streamlib/core";
 * const policy: SupervisionPolicy = { policy: "restart", maxRestarts: 3, initialDelayMs: 50 };
 * assert.ok(typeof policy === "object");
 * ```
 */
export type SupervisionPolicy =
  | "stop"
  | "skip"
  | "restart"
  | {
    readonly policy: "restart";
    /** Restarts allowed in one run (default 5). */
    readonly maxRestarts?: number;
    /** Wait before the first restart, in ms (default 100). */
    readonly initialDelayMs?: number;
    /** Longest wait between restarts, in ms (default 10 000). */
    readonly maxDelayMs?: number;
    /** Growth of the wait from one restart to the next (default 2). */
    readonly factor?: number;
  }
  | { readonly policy: "stop" | "skip" };

/**
 * A supervision policy with every field filled in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSupervision } from "@streamlib/core";
 * const s = resolveSupervision("restart");
 * assert.ok(s.policy === "restart" && s.maxRestarts === 5);
 * ```
 */
export interface ResolvedSupervision {
  /** The action on error. */
  readonly policy: "stop" | "skip" | "restart";
  /** Restarts allowed in one run. */
  readonly maxRestarts: number;
  /** Wait before the first restart, in ms. */
  readonly initialDelayMs: number;
  /** Longest wait, in ms. */
  readonly maxDelayMs: number;
  /** Backoff growth factor. */
  readonly factor: number;
}

const DEFAULTS: ResolvedSupervision = {
  policy: "stop",
  maxRestarts: 5,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
};

/**
 * Fills in a supervision policy; throws `SL_PARAM_INVALID` for a malformed one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSupervision } from "@streamlib/core";
 * assert.ok(resolveSupervision(undefined).policy === "stop");
 * assert.ok(resolveSupervision({ policy: "restart", factor: 3 }).factor === 3);
 * ```
 *
 * @param policy The policy, or `undefined` for the default (`stop`).
 * @returns The complete policy.
 */
export function resolveSupervision(policy: SupervisionPolicy | undefined): ResolvedSupervision {
  if (policy === undefined) return DEFAULTS;
  const given = typeof policy === "string" ? { policy } : policy;
  if (!["stop", "skip", "restart"].includes(given.policy)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Supervision policy must be "stop", "skip" or "restart", got ${JSON.stringify(given.policy)}`,
    );
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const resolved = { ...DEFAULTS, ...defined } as ResolvedSupervision;
  const numbers: Array<[string, number, number]> = [
    ["maxRestarts", resolved.maxRestarts, 0],
    ["initialDelayMs", resolved.initialDelayMs, 0],
    ["maxDelayMs", resolved.maxDelayMs, 0],
    ["factor", resolved.factor, 1],
  ];
  for (const [name, value, min] of numbers) {
    if (typeof value !== "number" || !(value >= min)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Supervision "${name}" must be a number ≥ ${min}, got ${JSON.stringify(value)}`,
      );
    }
  }
  return resolved;
}

/**
 * The wait before restart number `attempt` (from 1): `initialDelayMs × factor^(attempt−1)`,
 * capped at `maxDelayMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelayMs, resolveSupervision } from "@streamlib/core";
 * const s = resolveSupervision({ policy: "restart", initialDelayMs: 100, maxDelayMs: 350 });
 * assert.ok(backoffDelayMs(s, 1) === 100);
 * assert.ok(backoffDelayMs(s, 2) === 200);
 * assert.ok(backoffDelayMs(s, 3) === 350);
 * ```
 *
 * @param supervision The policy.
 * @param attempt The restart number, from 1.
 * @returns The delay in ms.
 */
export function backoffDelayMs(supervision: ResolvedSupervision, attempt: number): number {
  return Math.min(
    supervision.maxDelayMs,
    supervision.initialDelayMs * supervision.factor ** (attempt - 1),
  );
}
