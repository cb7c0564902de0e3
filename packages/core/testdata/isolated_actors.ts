// An isolated plugin's module for the catalogue's isolation tests: importing it marks the
// thread, and its actor reads the file it is given when it starts.
import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { createDataMessage } from "../create_messages.ts";

(globalThis as { isolatedImported?: boolean }).isolatedImported = true;

const peekContract = {
  type: "isopeek",
  description: "Reads the file it is given when it starts, then forwards its input",
  classification: "Filter/Data",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  params: { path: { type: "string", default: "" } },
} as const satisfies Contract;

/** Reads `path` (when given) in `start()`, then forwards what comes, tagged with its thread. */
export class IsoPeek extends Actor<typeof peekContract> {
  static override contract: typeof peekContract = peekContract;
  override async start(): Promise<void> {
    if (this.params.path !== "") await Deno.readTextFile(this.params.path);
  }
  process(_tick: TimedTick): void | Promise<void> {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    const main = (globalThis as { isolatedImported?: boolean }).isolatedImported === true &&
      typeof (globalThis as { document?: unknown }).document === "undefined" &&
      typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "undefined";
    return this.outputs.out.write(
      createDataMessage(main ? "main" : "worker", { timestamp: m.timestamp }),
    );
  }
}
