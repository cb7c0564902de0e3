/**
 * A deadline for a benchmark: past it, the benchmark prints that it produced no result in time
 * and ends with exit code 1, instead of sitting at 0% CPU for ever as `bench:cross-thread` once
 * did after a lost wake-up. Thirty minutes unless `STREAMLIB_BENCH_DEADLINE_S` says otherwise,
 * far above any benchmark's run with its default arguments; the timer does not keep a finished
 * benchmark alive.
 *
 * @module
 */

/** The deadline when `STREAMLIB_BENCH_DEADLINE_S` is not set, in seconds. */
export const DEFAULT_BENCH_DEADLINE_S = 30 * 60;

/**
 * Starts the deadline of the benchmark `name`.
 *
 * @param name What the message calls the benchmark, e.g. `bench:compositor`.
 * @param seconds The deadline (default: `STREAMLIB_BENCH_DEADLINE_S`, else 30 minutes).
 */
export function benchDeadline(name: string, seconds?: number): void {
  let fromEnv = NaN;
  try {
    fromEnv = Number(Deno.env.get("STREAMLIB_BENCH_DEADLINE_S"));
  } catch {
    // Run without --allow-env (`deno task bench`): the default holds.
  }
  const limit = seconds ?? (fromEnv > 0 ? fromEnv : DEFAULT_BENCH_DEADLINE_S);
  const timer = setTimeout(() => {
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `${name}: no result within ${limit} s, so it is ended (a hang; ` +
          `STREAMLIB_BENCH_DEADLINE_S sets the limit for longer runs)\n`,
      ),
    );
    Deno.exit(1);
  }, limit * 1000);
  Deno.unrefTimer(timer);
}
