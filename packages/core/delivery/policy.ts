import { BoundedQueue, type FullBehavior } from "./bounded_queue.ts";
import { StreamlibError } from "../errors.ts";
import { LatestRing } from "./latest_ring.ts";
import type { PortKind } from "../messages.ts";

/**
 * How an input receives messages.
 *
 * - `"latest"`: a 3-slot ring (triple buffer) in which one message, the newest, waits: the
 *   reader gets it, writer and reader never wait, overwritten messages are counted. Its
 *   `capacity` is 1. For live video.
 * - `"queue"` or `{ type: "queue", capacity, full }`: a bounded FIFO (default capacity 8) whose
 *   `full` behaviour is `block` (backpressure reaches the writer; the default), `drop-oldest` or
 *   `drop-newest`.
 * - The string forms `"queue:16"` and `"queue:16:drop-oldest"`, for command lines and JSON.
 *
 * Left unset, an input takes `latest` for video in a live pipeline and a lossless `queue`
 * (`block`) otherwise; an offline pipeline makes every unset input a lossless queue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DeliveryPolicy } from "@streamlib/core";
 * const policies: DeliveryPolicy[] = [
 *   "latest",
 *   "queue:4:drop-oldest",
 *   { type: "queue", capacity: 32, full: "block" },
 * ];
 * assert.ok(policies.length === 3);
 * ```
 */
export type DeliveryPolicy =
  | "latest"
  | "queue"
  | `queue:${number}`
  | `queue:${number}:${FullBehavior}`
  | { readonly type: "latest" }
  | { readonly type: "queue"; readonly capacity?: number; readonly full?: FullBehavior };

/**
 * A delivery policy with every field filled in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePolicy, type ResolvedPolicy } from "@streamlib/core";
 * const p: ResolvedPolicy = resolvePolicy("queue", "data", "live");
 * assert.ok(p.type === "queue" && p.capacity === 8 && p.full === "block");
 * ```
 */
export type ResolvedPolicy =
  | { readonly type: "latest" }
  | { readonly type: "queue"; readonly capacity: number; readonly full: FullBehavior };

/** Capacity of a queue when none is given. */
export const DEFAULT_QUEUE_CAPACITY = 8;

const FULL: readonly FullBehavior[] = ["block", "drop-oldest", "drop-newest"];

/**
 * Fills in a delivery policy: validates an explicit one, or picks the default for the port kind
 * and pipeline mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePolicy } from "@streamlib/core";
 * assert.ok(resolvePolicy(undefined, "video", "live").type === "latest");
 * assert.ok(resolvePolicy(undefined, "video", "offline").type === "queue");
 * const q = resolvePolicy("queue:16:drop-newest", "audio", "live");
 * assert.ok(q.type === "queue" && q.capacity === 16 && q.full === "drop-newest");
 * ```
 *
 * @param policy The policy asked for, or `undefined` for the default.
 * @param kind The input's kind.
 * @param mode The pipeline's mode.
 * @returns The complete policy. Throws `SL_POLICY_INVALID` for a malformed one.
 */
export function resolvePolicy(
  policy: DeliveryPolicy | undefined,
  kind: PortKind | "any",
  mode: "live" | "offline",
): ResolvedPolicy {
  if (policy === undefined) {
    return kind === "video" && mode === "live"
      ? { type: "latest" }
      : { type: "queue", capacity: DEFAULT_QUEUE_CAPACITY, full: "block" };
  }
  if (typeof policy === "string") return _parsePolicy(policy);
  if (policy !== null && typeof policy === "object") {
    if (policy.type === "latest") return { type: "latest" };
    if (policy.type === "queue") {
      const capacity = policy.capacity ?? DEFAULT_QUEUE_CAPACITY;
      const full = policy.full ?? "block";
      if (!Number.isInteger(capacity) || capacity < 1) {
        throw new StreamlibError(
          "SL_POLICY_INVALID",
          `Queue capacity must be a positive integer, got ${JSON.stringify(capacity)}`,
        );
      }
      if (!FULL.includes(full)) {
        throw new StreamlibError(
          "SL_POLICY_INVALID",
          `Queue full behaviour must be one of ${FULL.join(", ")}, got ${JSON.stringify(full)}`,
        );
      }
      return { type: "queue", capacity, full };
    }
  }
  throw new StreamlibError(
    "SL_POLICY_INVALID",
    `Unknown delivery policy ${JSON.stringify(policy)}; expected "latest", "queue", ` +
      `"queue:<capacity>[:block|drop-oldest|drop-newest]" or { type: "queue", capacity, full }`,
  );
}

const _QUEUE_TEXT = /^queue(?::([1-9][0-9]*)(?::(block|drop-oldest|drop-newest))?)?$/;

function _parsePolicy(text: string): ResolvedPolicy {
  if (text === "latest") return { type: "latest" };
  const match = _QUEUE_TEXT.exec(text);
  if (match) {
    return {
      type: "queue",
      capacity: match[1] === undefined ? DEFAULT_QUEUE_CAPACITY : Number(match[1]),
      full: (match[2] ?? "block") as FullBehavior,
    };
  }
  throw new StreamlibError(
    "SL_POLICY_INVALID",
    `Unknown delivery policy "${text}"; expected "latest", "queue" or ` +
      `"queue:<capacity>[:block|drop-oldest|drop-newest]" with a capacity of 1 or more`,
  );
}

/**
 * The short text form of a resolved policy: `latest` or `queue:8:block`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPolicy } from "@streamlib/core";
 * assert.ok(formatPolicy({ type: "queue", capacity: 4, full: "drop-oldest" }) ===
 *   "queue:4:drop-oldest");
 * ```
 *
 * @param policy The policy.
 * @returns Its text form, which {@linkcode resolvePolicy} reads back.
 */
export function formatPolicy(policy: ResolvedPolicy): string {
  return policy.type === "latest" ? "latest" : `queue:${policy.capacity}:${policy.full}`;
}

/**
 * The buffer a policy describes: a {@linkcode LatestRing} or a {@linkcode BoundedQueue}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDeliveryBuffer } from "@streamlib/core";
 * const buffer = createDeliveryBuffer<number>({ type: "queue", capacity: 2, full: "block" });
 * assert.ok(buffer.offer(1) && buffer.size === 1);
 * ```
 *
 * @param policy The resolved policy.
 * @returns A new, empty buffer.
 */
export function createDeliveryBuffer<T>(policy: ResolvedPolicy): DeliveryBuffer<T> {
  return policy.type === "latest"
    ? new LatestRing<T>()
    : new BoundedQueue<T>(policy.capacity, policy.full);
}

/**
 * What inputs need of a buffer; {@linkcode LatestRing} and {@linkcode BoundedQueue} provide it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BoundedQueue, type DeliveryBuffer } from "@streamlib/core";
 * const buffer: DeliveryBuffer<string> = new BoundedQueue(1);
 * assert.ok(buffer.capacity === 1);
 * ```
 *
 * @typeParam T The message type.
 */
export interface DeliveryBuffer<T> {
  /** Messages that can wait at most (1 for a {@linkcode LatestRing}, whatever its slots). */
  readonly capacity: number;
  /** Messages waiting. */
  readonly size: number;
  /** Messages discarded by the policy. */
  readonly dropped: number;
  /** Stores a message; `false` means full and blocking: the writer must wait. */
  offer(message: T): boolean;
  /** Removes the next message. */
  take(): T | undefined;
  /** The next message, left in place. */
  peek(): T | undefined;
  /** Discards everything waiting; returns how many. */
  clear(): number;
}
