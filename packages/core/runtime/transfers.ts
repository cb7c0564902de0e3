/**
 * Transfer actors: what a pipeline inserts on a link whose ports share no memory (a `cpu` output
 * into a `gpu`-only input, or back). Core decides from the ports' capabilities when one is
 * needed; the package that owns the memory (`@streamlib/gpu`) provides the actors, registering
 * them here when it is imported, so core never imports it.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { Capability } from "../graph/spec.ts";
import type { PortKind } from "../messages.ts";

/**
 * Makes the actors that move messages between two memories. The actor must have one input `in`
 * whose capabilities are `[from]` and one output `out` whose capabilities are `[to]`, both of
 * the kinds in `kinds`, passing every format through unchanged. A pipeline inserts one, named by
 * its `type` like any actor (`gpuupload0`), on each link that needs it, shows it in its graph,
 * stats and DOT, and removes it when that link goes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Identity, type TransferProvider } from "@streamlib/core";
 * // A stand-in: a real one (such as @streamlib/gpu's gpuupload) copies frames to GPU memory.
 * const upload: TransferProvider = {
 *   type: "identity", from: "cpu", to: "gpu", kinds: ["video"], create: () => new Identity(),
 * };
 * assert.ok(upload.create().contract.type === "identity");
 * ```
 */
export interface TransferProvider {
  /** The type of the actors it makes, e.g. `"gpuupload"`. */
  readonly type: string;
  /** The memory the actor reads. */
  readonly from: Capability;
  /** The memory the actor writes. */
  readonly to: Capability;
  /** The kinds of messages it moves. */
  readonly kinds: readonly PortKind[];
  /** Makes one actor, not yet in a pipeline. */
  create(): Actor;
}

const _registered: TransferProvider[] = [];

/**
 * Registers a transfer for every pipeline of this process (packages that own a memory do it
 * when imported: `@streamlib/gpu` registers `gpuupload` and `gpudownload`). A provider for the
 * same type, memories and kinds replaces the one registered before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Identity, registeredTransfers, registerTransfer } from "@streamlib/core";
 * const before = registeredTransfers().length;
 * const provider = {
 *   type: "test-move", from: "cpu", to: "gpu", kinds: ["data"], create: () => new Identity(),
 * } as const;
 * registerTransfer(provider);
 * registerTransfer(provider);
 * assert.ok(registeredTransfers().length === before + 1);
 * ```
 *
 * @param provider The transfer.
 */
export function registerTransfer(provider: TransferProvider): void {
  const same = (p: TransferProvider): boolean =>
    p.type === provider.type && p.from === provider.from && p.to === provider.to &&
    p.kinds.join() === provider.kinds.join();
  const at = _registered.findIndex(same);
  if (at === -1) _registered.push(provider);
  else _registered[at] = provider;
}

/**
 * The transfers registered with {@linkcode registerTransfer}, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registeredTransfers } from "@streamlib/core";
 * assert.ok(Array.isArray(registeredTransfers()));
 * ```
 *
 * @returns A new array.
 */
export function registeredTransfers(): TransferProvider[] {
  return [..._registered];
}

/**
 * The first provider that moves `kind` messages from memory `from` to `to`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findTransfer, Identity } from "@streamlib/core";
 * const providers = [
 *   { type: "up", from: "cpu", to: "gpu", kinds: ["video"], create: () => new Identity() },
 * ] as const;
 * assert.ok(findTransfer(providers, "cpu", "gpu", "video")?.type === "up");
 * assert.ok(findTransfer(providers, "gpu", "cpu", "video") === undefined);
 * ```
 *
 * @param providers Where to look, first match wins.
 * @param from The output's memory.
 * @param to The input's memory.
 * @param kind The kind of the messages (`any` matches no provider: which is unknown).
 * @returns The provider, or `undefined`.
 */
export function findTransfer(
  providers: readonly TransferProvider[],
  from: Capability,
  to: Capability,
  kind: PortKind | "any",
): TransferProvider | undefined {
  return providers.find((p) => p.from === from && p.to === to && p.kinds.some((k) => k === kind));
}
