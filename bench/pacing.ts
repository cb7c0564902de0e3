/**
 * Frame pacing of the SoftwareClock, as a live pipeline sees it: a tick actor at `fps` in a live
 * Pipeline on a SoftwareClock, writing a message a tick to a sink, notes for every tick how late
 * its `process()` ran (the pipeline's running time then, minus the tick's timestamp, which is
 * when it was due). Two phases in the same run, each `seconds` long: a quiet one, and one with
 * another core kept busy by a Worker spinning in a loop (ended after the phase). Reports p50,
 * p99 and max lateness of each, the ticks the pipeline skipped as a period or more late, and the
 * CPU the main thread used (Linux). The first half second of each phase is left out (start-up,
 * compilation).
 *
 * Run: deno run -A bench/pacing.ts [seconds per phase, default 60] [fps, default 60]
 *        [preciseMs, the SoftwareClock's precise stretch, default its own; 0: timers alone]
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createDataMessage,
  NullSink,
  Pipeline,
  SoftwareClock,
  type TimedTick,
} from "@streamlib/core";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:pacing");

const SECONDS = Number(Deno.args[0] ?? 60);
const FPS = Number(Deno.args[1] ?? 60);
const PRECISE_MS = Deno.args[2] === undefined ? undefined : Number(Deno.args[2]);
if (!(SECONDS > 0 && FPS > 0 && Number.isFinite(SECONDS * FPS))) {
  throw new Error(
    `usage: bench/pacing.ts [seconds > 0] [fps > 0] [preciseMs], got ${Deno.args.join(" ")}`,
  );
}
const clockOptions = PRECISE_MS === undefined ? {} : { preciseMs: PRECISE_MS };
const WARM_UP_US = 500_000;

const contract = {
  type: "pacer",
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** A tick source that notes how late each tick's `process()` runs, in µs. */
class Pacer extends Actor<typeof contract> {
  static override contract: typeof contract = contract;
  readonly lateness: number[] = [];
  runningTime: () => number = () => 0;
  process(tick: TimedTick): void {
    const late = this.runningTime() - tick.timestamp;
    if (tick.timestamp >= WARM_UP_US) this.lateness.push(late);
    this.outputs.out.write(createDataMessage(late, tick));
  }
}

interface Phase {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly ticks: number;
  readonly skipped: number;
  /** Share of one core the main thread used, in %, where the system tells. */
  readonly cpu: number | undefined;
}

/** CPU seconds the main thread has used (Linux: its /proc stat), else `undefined`. */
function mainThreadCpu(): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/self/task/${Deno.pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 1/100 s
  } catch {
    return undefined;
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Rejects when `promise` takes longer than `ms`: nothing here may hang. */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function phase(): Promise<Phase> {
  const pipeline = new Pipeline({ clock: new SoftwareClock(clockOptions) });
  const pacer = new Pacer();
  pacer.runningTime = () => pipeline.runningTime();
  pipeline.pipe(pipeline.add(pacer, { fps: FPS }), new NullSink());
  await bounded(pipeline.start(), 10_000, "pipeline.start()");
  const cpu0 = mainThreadCpu();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const cpu1 = mainThreadCpu();
  await bounded(pipeline.stop({ mode: "abort" }), 10_000, "pipeline.stop()");
  const sorted = pacer.lateness.toSorted((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5) / 1000,
    p99: quantile(sorted, 0.99) / 1000,
    max: (sorted.at(-1) ?? NaN) / 1000,
    ticks: sorted.length,
    skipped: pipeline.stats().actors[0]!.skippedTicks,
    cpu: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / SECONDS * 100,
  };
}

/**
 * A Worker that keeps one core busy until `stop()`. It spins on a shared flag rather than for
 * ever: `terminate()` alone does not interrupt a tight loop, and the process would not exit.
 */
async function busyCore(): Promise<{ stop(): void }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const code = `onmessage = (e) => {
    const flag = new Int32Array(e.data);
    postMessage("spinning");
    let x = 0;
    while (Atomics.load(flag, 0) === 0) x = (x * 31 + 7) | 0;
    postMessage(x);
  };`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  URL.revokeObjectURL(url);
  const spinning = new Promise((resolve) => worker.onmessage = resolve);
  worker.postMessage(flag.buffer);
  await bounded(spinning, 10_000, "the busy Worker");
  return {
    stop(): void {
      Atomics.store(flag, 0, 1);
      worker.terminate();
    },
  };
}

const write = (text: string): void => void Deno.stdout.writeSync(new TextEncoder().encode(text));
const ms = (x: number): string => x.toFixed(3);
const describe = (name: string, r: Phase): string =>
  `${name} p50 ${ms(r.p50)} ms p99 ${ms(r.p99)} ms max ${ms(r.max)} ms`;
const details = (r: Phase): string =>
  `${r.ticks} ticks, ${r.skipped} skipped` +
  (r.cpu === undefined ? "" : `, main thread CPU ${r.cpu.toFixed(1)}%`);

// Whatever happens, the run ends: twice the expected time and a minute more.
const watchdog = setTimeout(() => {
  write("pacing: gave up, the run took far longer than it should\n");
  Deno.exit(1);
}, (2 * SECONDS + 60) * 1000);

write(
  `SoftwareClock${
    PRECISE_MS === undefined ? "" : ` (preciseMs ${PRECISE_MS})`
  } at ${FPS} fps, ${SECONDS} s a phase, ${navigator.hardwareConcurrency} ` +
    `cores, load ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`,
);
const quiet = await phase();
write(`quiet:     ${describe("lateness", quiet)}, ${details(quiet)}\n`);
const spinner = await busyCore();
let busy: Phase;
try {
  busy = await phase();
} finally {
  spinner.stop();
}
write(`busy core: ${describe("lateness", busy)}, ${details(busy)}\n`);
clearTimeout(watchdog);
write(
  `pacing: ${FPS} fps ${SECONDS} s${
    PRECISE_MS === undefined ? "" : ` preciseMs ${PRECISE_MS}`
  }, quiet ${describe("", quiet).trim()}, busy core ${describe("", busy).trim()}, ${
    quiet.skipped + busy.skipped
  } ticks skipped (target p99 ≤ 1 ms quiet: ${quiet.p99 <= 1 ? "met" : "missed"})\n`,
);
