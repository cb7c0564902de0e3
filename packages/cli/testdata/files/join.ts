import { Actor, type Contract, type DataMessage, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode Join}. */
export const joinContract = {
  type: "join",
  description: "Forwards data from any number of inputs, requested as in_0, in_1…",
  inputs: { "in_%u": { kind: "data", presence: "request", description: "One input per source" } },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** A filter with request inputs, for `inspect`. */
export class Join extends Actor<typeof joinContract> {
  static override contract: typeof joinContract = joinContract;

  process(_tick: TimedTick): void {
    for (const input of Object.values(this.inputs) as Array<{ read(): DataMessage | undefined }>) {
      for (let m = input.read(); m !== undefined; m = input.read()) this.outputs.out.write(m);
    }
  }
}
