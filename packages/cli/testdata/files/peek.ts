import { Actor, type Contract, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode Peek}. */
export const peekContract = {
  type: "peek",
  description: "A sink that reads the file named by path when it starts, without declaring it",
  inputs: { in: { kind: "any" } },
  params: { path: { type: "string", default: "/etc/hostname", description: "The file it reads" } },
} as const satisfies Contract;

/** A sink whose manifest leaves out the read access it takes: runs must refuse it. */
export class Peek extends Actor<typeof peekContract> {
  static override contract: typeof peekContract = peekContract;

  override async start(): Promise<void> {
    await Deno.readTextFile(this.params.path);
  }

  process(_tick: TimedTick): void {
    while (this.inputs.in.read() !== undefined);
  }
}
