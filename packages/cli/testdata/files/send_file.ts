import { Actor, type Contract, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode SendFile}. */
export const sendFileContract = {
  type: "sendfile",
  description: "A sink that says it writes a file, reports to a monitor and reads its settings",
  inputs: { in: { kind: "any" } },
  params: { path: { type: "string", default: "out.bin", description: "The file to write" } },
} as const satisfies Contract;

/** A sink with write, net and env permissions in its manifest; it discards what it gets. */
export class SendFile extends Actor<typeof sendFileContract> {
  static override contract: typeof sendFileContract = sendFileContract;

  process(_tick: TimedTick): void {
    while (this.inputs.in.read() !== undefined);
  }
}
