/**
 * The signals that stop `streamlib run`, caught from the moment the command starts on a
 * pipeline, so that none of them kills it half-way through its start-up (with its node entry
 * left behind) before the run's own handling takes over.
 *
 * @module
 */

/** A terminal's Ctrl-C, `kill`, `timeout`, `docker stop` or systemd, a closed terminal. */
export type _StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Every signal that stops a run. */
export const _STOP_SIGNALS: readonly _StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const _NUMBERS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

/**
 * The exit status a shell reports for a process that a signal ended: 128 and its number (130
 * for SIGINT, 143 for SIGTERM, 129 for SIGHUP); 128 for a signal not listed.
 */
export function _signalStatus(signal: Deno.Signal): number {
  return 128 + (_NUMBERS[signal] ?? 0);
}

/** How people call the signal: Ctrl-C for SIGINT, else its name. */
export function _signalName(signal: _StopSignal): string {
  return signal === "SIGINT" ? "Ctrl-C" : signal;
}

/**
 * Listens for the stop signals (which then no longer end the process) and remembers them
 * until {@linkcode _StopSignals.handle} is given a handler: it gets those first, then each new
 * one. Disposing removes the listeners.
 */
export class _StopSignals implements Disposable {
  /** The signals received, in order. */
  readonly received: _StopSignal[] = [];
  #handler: ((signal: _StopSignal) => void) | undefined;
  readonly #listeners = new Map<_StopSignal, () => void>();

  constructor() {
    for (const signal of _STOP_SIGNALS) {
      const listener = (): void => {
        this.received.push(signal);
        this.#handler?.(signal);
      };
      this.#listeners.set(signal, listener);
      Deno.addSignalListener(signal, listener);
    }
  }

  /** The first signal received, if any. */
  get first(): _StopSignal | undefined {
    return this.received[0];
  }

  /** Calls `handler` with each signal received so far, then with each new one. */
  handle(handler: (signal: _StopSignal) => void): void {
    this.#handler = handler;
    for (const signal of [...this.received]) handler(signal);
  }

  [Symbol.dispose](): void {
    this.#handler = undefined;
    for (const [signal, listener] of this.#listeners) Deno.removeSignalListener(signal, listener);
    this.#listeners.clear();
  }
}

/** Says that a signal stopped the run before its pipeline started; returns the exit status. */
export function _stoppedBeforeStart(
  signal: _StopSignal,
  write: (line: string) => void,
): number {
  write(`streamlib: stopped before the pipeline started (${_signalName(signal)})`);
  return _signalStatus(signal);
}
