import { Actor, type Contract, createDataMessage, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode ReadFile}. */
export const readFileContract = {
  type: "readfile",
  description: "Reads the file named by path when it starts, then sends its text once",
  outputs: { out: { kind: "data", formats: ["text"] } },
  params: { path: { type: "string", default: "", description: "The file to read" } },
} as const satisfies Contract;

/** A source that reads one file (it declares read access to `path`) and sends its text. */
export class ReadFile extends Actor<typeof readFileContract> {
  static override contract: typeof readFileContract = readFileContract;
  #text = "";

  override async start(): Promise<void> {
    this.#text = await Deno.readTextFile(this.params.path);
  }

  process(tick: TimedTick): void {
    if (tick.frameNumber > 0) return this.end();
    this.outputs.out.write(createDataMessage(this.#text, { timestamp: tick.timestamp }));
  }
}
