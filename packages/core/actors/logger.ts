import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import type { Message } from "../messages.ts";

/**
 * The contract of {@linkcode Logger}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loggerContract } from "@streamlib/core";
 * assert.ok(loggerContract.params.every.default === 1);
 * ```
 */
export const loggerContract = {
  type: "log",
  description: "Prints a one-line summary of each message",
  classification: "Sink/Any",
  inputs: { in: { kind: "any", description: "Messages to describe" } },
  params: {
    every: {
      type: "integer",
      default: 1,
      minimum: 1,
      description: "Print one message in this many",
    },
    prefix: {
      type: "string",
      default: "",
      description: "Text before each line (default: the actor's name)",
    },
  },
} as const satisfies Contract;

/**
 * Describes a message in one line: its time, position and what it holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDataMessage, describeMessage } from "@streamlib/core";
 * const line = describeMessage(createDataMessage(42, { topic: "answer", timestamp: 1_500_000 }));
 * assert.ok(line === "t=1.500000s #0 data answer 42");
 * ```
 *
 * @param message The message.
 * @returns The summary.
 */
export function describeMessage(message: Message): string {
  const head = `t=${(message.timestamp / 1e6).toFixed(6)}s #${message.position}`;
  switch (message.kind) {
    case "video":
      return `${head} video ${message.format} ${message.codedWidth}×${message.codedHeight}`;
    case "audio":
      return `${head} audio ${message.numberOfChannels}ch ${message.sampleRate}Hz ${message.numberOfFrames} samples`;
    case "event":
      return "key" in message
        ? `${head} ${message.type} ${message.key}`
        : `${head} ${message.type} (${message.x}, ${message.y})`;
    case "data": {
      let value: string;
      try {
        value = JSON.stringify(message.value) ?? String(message.value);
      } catch {
        value = String(message.value);
      }
      if (value.length > 120) value = `${value.slice(0, 117)}...`;
      return `${head} data${message.topic ? ` ${message.topic}` : ""} ${value}`;
    }
  }
}

/**
 * A sink that prints one line a message (or one in `every`) through `write`, `console.log` by
 * default, and logs the same line with {@linkcode Actor.log}, so that it is also a `log` event
 * on the pipeline's bus (and in the control API's events).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataSource, Logger, Pipeline } from "@streamlib/core";
 * const lines: string[] = [];
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new DataSource({ count: 2 }), new Logger({}, (line) => lines.push(line)))
 *   .run();
 * assert.ok(lines[1] === "log0: t=0.033333s #1 data 1");
 * ```
 */
export class Logger extends Actor<typeof loggerContract> {
  /** Ports and parameters. */
  static override contract: typeof loggerContract = loggerContract;
  readonly #write: (line: string) => void;
  #seen = 0;

  /**
   * Creates the logger.
   *
   * @param params `every` and `prefix`.
   * @param write Where lines go (default `console.log`).
   */
  constructor(
    params: { every?: number; prefix?: string } = {},
    // deno-lint-ignore no-console
    write: (line: string) => void = (line) => console.log(line),
  ) {
    super(params);
    this.#write = write;
  }

  /**
   * Prints the waiting messages.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const prefix = this.params.prefix || this.name;
    for (let m = this.inputs.in.read(); m !== undefined; m = this.inputs.in.read()) {
      if (this.#seen++ % this.params.every !== 0) continue;
      const line = `${prefix}: ${describeMessage(m)}`;
      this.#write(line);
      this.log(line);
    }
  }
}
