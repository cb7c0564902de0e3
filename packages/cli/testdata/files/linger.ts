import { Actor, type Contract, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode Linger}. */
export const lingerContract = {
  type: "linger",
  description: "A sink whose flush at end-of-stream takes a minute, unless it is stopped",
  inputs: { in: { kind: "any" } },
} as const satisfies Contract;

/** A sink that holds up a drain: its `flush()` settles only when `stop()` runs (an abort). */
export class Linger extends Actor<typeof lingerContract> {
  static override contract: typeof lingerContract = lingerContract;
  #release: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  process(_tick: TimedTick): void {
    while (this.inputs.in.read() !== undefined);
  }

  override flush(): Promise<void> {
    return new Promise((resolve) => {
      this.#release = resolve;
      this.#timer = setTimeout(resolve, 60_000);
    });
  }

  override stop(): void {
    clearTimeout(this.#timer);
    this.#release?.();
  }
}
