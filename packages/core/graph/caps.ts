import { describePort } from "./contract.ts";
import type { Capability, PortSpec } from "./spec.ts";
import { StreamlibError } from "../errors.ts";
import type { PortKind } from "../messages.ts";

/**
 * What two connected ports agreed on: the formats and capabilities both sides support.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { negotiate } from "@streamlib/core";
 * const caps = negotiate({ kind: "video", formats: ["RGBA", "BGRA"] }, { kind: "video", formats: ["BGRA"] });
 * assert.ok(caps.formats?.[0] === "BGRA");
 * ```
 */
export interface NegotiatedCaps {
  /** The kind that flows: the more specific side's when one side is `any`. */
  readonly kind: PortKind | "any";
  /** Formats both accept, in the output's order; `undefined` when both accept any. */
  readonly formats: readonly string[] | undefined;
  /** Capabilities both support, in the output's order. */
  readonly capabilities: readonly Capability[];
}

/**
 * Intersects an output's and an input's kind, formats and capabilities. Throws
 * `SL_KIND_MISMATCH` or `SL_CAPS_MISMATCH` with a message that names both ports (when given)
 * and shows both sides, e.g.
 * `Cannot connect "blur.out" (video: RGBA; cpu) to "enc.in" (video: I420; cpu): no common format`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { negotiate } from "@streamlib/core";
 * try {
 *   negotiate({ kind: "video", formats: ["RGBA"] }, { kind: "video", formats: ["I420"] }, "blur.out", "enc.in");
 * } catch (error) {
 *   assert.ok((error as { code: string }).code === "SL_CAPS_MISMATCH");
 * }
 * ```
 *
 * @param from The output's spec.
 * @param to The input's spec.
 * @param fromName How to name the output in errors.
 * @param toName How to name the input in errors.
 * @returns The common formats and capabilities.
 */
export function negotiate(
  from: PortSpec,
  to: PortSpec,
  fromName = "output",
  toName = "input",
): NegotiatedCaps {
  const fail = (code: "SL_KIND_MISMATCH" | "SL_CAPS_MISMATCH", why: string): never => {
    throw new StreamlibError(
      code,
      `Cannot connect "${fromName}" (${describePort(from)}) to "${toName}" (${
        describePort(to)
      }): ${why}`,
      {
        details: {
          from: fromName,
          to: toName,
          fromKind: from.kind,
          toKind: to.kind,
          fromFormats: from.formats ?? "any",
          toFormats: to.formats ?? "any",
          fromCapabilities: from.capabilities ?? ["cpu"],
          toCapabilities: to.capabilities ?? ["cpu"],
        },
      },
    );
  };
  if (from.kind !== to.kind && from.kind !== "any" && to.kind !== "any") {
    fail("SL_KIND_MISMATCH", `${from.kind} cannot flow into ${to.kind}`);
  }
  let formats: readonly string[] | undefined;
  if (from.formats === undefined) formats = to.formats;
  else if (to.formats === undefined) formats = from.formats;
  else {
    const accepted = to.formats;
    formats = from.formats.filter((f) => accepted.includes(f));
    if (formats.length === 0) fail("SL_CAPS_MISMATCH", "no common format");
  }
  const toCaps = to.capabilities ?? ["cpu"];
  const capabilities = (from.capabilities ?? ["cpu"]).filter((c) => toCaps.includes(c));
  if (capabilities.length === 0) fail("SL_CAPS_MISMATCH", "no common capability (memory)");
  return { kind: from.kind === "any" ? to.kind : from.kind, formats, capabilities };
}

/**
 * The memory move a link from `from` to `to` needs: `undefined` when the two ports have a
 * capability in common (no move), else the output's memory and the input's, e.g.
 * `{ from: "cpu", to: "gpu" }` for a CPU output feeding an input that takes GPU frames only.
 * Kinds and formats are not looked at (see {@linkcode negotiate}). A pipeline links such ports
 * through a transfer actor (see {@linkcode TransferProvider}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transferNeeded } from "@streamlib/core";
 * const gpu = { kind: "video", capabilities: ["gpu"] } as const;
 * assert.deepEqual(transferNeeded({ kind: "video" }, gpu), { from: "cpu", to: "gpu" });
 * assert.ok(transferNeeded(gpu, { kind: "video", capabilities: ["cpu", "gpu"] }) === undefined);
 * ```
 *
 * @param from The output's spec.
 * @param to The input's spec.
 * @returns The memories to move between, or `undefined`.
 */
export function transferNeeded(
  from: PortSpec,
  to: PortSpec,
): { readonly from: Capability; readonly to: Capability } | undefined {
  const out = from.capabilities ?? ["cpu"];
  const into = to.capabilities ?? ["cpu"];
  if (out.some((c) => into.includes(c))) return undefined;
  return { from: out[0]!, to: into[0]! };
}
