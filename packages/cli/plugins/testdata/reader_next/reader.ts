import { Actor, type Contract, createDataMessage, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode TextSource}. */
export const textSourceContract = {
  type: "textsrc",
  description: "Reads the text file named by path when it starts, then sends its text once",
  classification: "Source/Data",
  outputs: { out: { kind: "data", formats: ["text"] } },
  params: { path: { type: "string", default: "", description: "The file to read" } },
  permissions: {
    read: { reason: "reads the file it is given", params: ["path"] },
    net: { reason: "reports each file it reads to a monitor", values: ["127.0.0.1:9"] },
  },
} as const satisfies Contract;

/** A source that reads one text file and sends its text. */
export class TextSource extends Actor<typeof textSourceContract> {
  static override contract: typeof textSourceContract = textSourceContract;
  #text = "";

  override async start(): Promise<void> {
    this.#text = await Deno.readTextFile(this.params.path);
  }

  process(tick: TimedTick): void {
    if (tick.frameNumber > 0) return this.end();
    this.outputs.out.write(createDataMessage(this.#text, { timestamp: tick.timestamp }));
  }
}
