/**
 * Soak: does streamlib hold steady for minutes, and leave nothing behind after many runs?
 *
 * 1. Endurance, for `minutes`: a live 1920×1080 30 fps pipeline, a moving test pattern teed to
 *    a deliberately slow consumer (50 ms a frame on a `latest` input) and to `filesink`
 *    (H.264 ultrafast, 4 Mb/s, on a `queue:8:drop-oldest` input) writing a temporary file.
 *    This process's resident memory and open file descriptors are sampled every 10 s; after a
 *    warm-up (the first 20% of the run, at least 30 s) each must stay within ±10% of its first
 *    sample. Resident memory moves by whole 3 MB frames (garbage until the next collection,
 *    frames in flight, and up to about a dozen frames the writer holds for seconds when other
 *    work on the machine keeps it behind), so each reading follows a full collection
 *    (`--v8-flags=--expose-gc`, which the task passes), one reading a second, and a sample is
 *    the lowest reading of the last 30 s: a leak raises that floor for good, garbage and
 *    frames passing through do not. The highest floor of a single 10 s window is reported
 *    too. The task
 *    also pins glibc's mmap threshold at 128 KiB (`MALLOC_MMAP_THRESHOLD_=131072`): by
 *    default glibc raises it past the size of the first large buffer freed, and from then on
 *    keeps freed frames in its heap for reuse, so resident memory wanders by tens of MB with
 *    no trend; pinned, a freed frame goes back to the system at once.
 * 2. Cycles: `cycles` short ffmpeg-backed pipelines (`filesrc` on a small clip, `filesink`
 *    writing small files, or both; live or offline; run to the end, drained or aborted at a
 *    random moment, from a seeded generator), each with a deadline. Then the child processes
 *    still running (leftover) and the zombies among this process's children, read from /proc,
 *    must both be 0, as must the descriptors opened during the cycles and still open.
 *
 * Ends with one summary line starting `soak:`; exits 1 when a figure is off target. Ctrl-C
 * stops early (a drain, then the cycle under way), cleans up and still reports, and exits 130;
 * a second Ctrl-C ends every child process at once. Temporary files are removed in every case.
 *
 * Run: deno task soak [minutes=2] [cycles=1000] [seed=1]   (minutes 0: cycles only)
 *
 * @module
 */

import { _children } from "./_soak_census.ts";
import { _cycles, type _CyclesResult } from "./_soak_cycles.ts";
import { type _Drift, _drift } from "./_soak_drift.ts";
import { _collects, _endurance, type _EnduranceResult } from "./_soak_endurance.ts";

const MINUTES = Number(Deno.args[0] ?? 2);
const CYCLES = Number(Deno.args[1] ?? 1000);
const SEED = Number(Deno.args[2] ?? 1);
/** Sample period and the band samples must stay in after the warm-up. */
const EVERY_MS = 10_000;
const LIMIT = 10;

const say = (text: string): void => void Deno.stdout.writeSync(new TextEncoder().encode(text));
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const pct = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;

if (!(MINUTES >= 0 && Number.isInteger(CYCLES) && CYCLES >= 0 && Number.isInteger(SEED))) {
  say(`usage: deno task soak [minutes=2] [cycles=1000] [seed=1], got ${Deno.args.join(" ")}\n`);
  Deno.exit(2);
}

const dir = await Deno.makeTempDir({ prefix: "streamlib-soak-" });
const interrupt = new AbortController();
let interrupts = 0;
const onInterrupt = (): void => {
  if (++interrupts === 1) {
    say("soak: interrupted; stopping (Ctrl-C again ends every child process now)\n");
    interrupt.abort();
    return;
  }
  _killChildren();
  Deno.removeSync(dir, { recursive: true });
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onInterrupt);

let endurance: _EnduranceResult | undefined;
let cycles: _CyclesResult | undefined;
try {
  say(`soak: working in ${dir}\n`);
  if (MINUTES > 0) {
    const notes = [
      ...(_collects ? [] : ["no gc(): readings include garbage (--v8-flags=--expose-gc)"]),
      ...(Deno.env.get("MALLOC_MMAP_THRESHOLD_") === undefined
        ? ["glibc's mmap threshold not pinned: RSS wanders (MALLOC_MMAP_THRESHOLD_=131072)"]
        : []),
    ];
    say(
      `endurance: ${MINUTES} min of live 1920x1080 30 fps, a sample every 10 s` +
        `${notes.length ? ` (${notes.join("; ")})` : ""}\n`,
    );
    endurance = await _endurance({
      minutes: MINUTES,
      dir,
      every: EVERY_MS,
      signal: interrupt.signal,
      onSample: (seconds, rss, fds) =>
        say(`  ${seconds.toFixed(0).padStart(4)} s  RSS ${mb(rss)} MB  fds ${fds}\n`),
    });
  }
  if (CYCLES > 0 && !interrupt.signal.aborted) {
    say(`cycles: ${CYCLES} start/stop cycles of ffmpeg-backed pipelines, seed ${SEED}\n`);
    cycles = await _cycles({
      count: CYCLES,
      seed: SEED,
      dir,
      signal: interrupt.signal,
      onCycle: (n) => n % 100 === 0 && say(`  ${n} cycles\n`),
    });
  }
} finally {
  // Nothing outlives the soak: whatever the census counted is ended now.
  _killChildren();
  await Deno.remove(dir, { recursive: true });
  Deno.removeSignalListener("SIGINT", onInterrupt);
}

const problems: string[] = [];
let rss: _Drift | undefined;
let fds: _Drift | undefined;
if (endurance !== undefined) {
  const e = endurance;
  const warmup = Math.ceil(Math.max(30, e.seconds * 0.2) / (EVERY_MS / 1000));
  if (e.rss.length > warmup) {
    rss = _drift(e.rss, warmup, LIMIT);
    const window = e.rssWindow.slice(warmup);
    fds = _drift(e.fds, warmup, LIMIT);
    say(
      `endurance: ${(e.seconds / 60).toFixed(1)} min, ${e.rss.length} samples, warm-up ` +
        `${warmup * EVERY_MS / 1000} s; RSS floor ${mb(rss.baseline)} MB → ` +
        `${mb(e.rss.at(-1)!)} MB (10 s floors ${mb(Math.min(...window))}–` +
        `${mb(Math.max(...window))} MB, peak reading ${mb(e.rssPeak)} MB), fds ` +
        `${fds.baseline} → ${e.fds.at(-1)}\n`,
    );
    if (!rss.within) problems.push(`RSS moved ${pct(rss.max)} (limit ±${LIMIT}%)`);
    if (!fds.within) problems.push(`open descriptors moved ${pct(fds.max)} (limit ±${LIMIT}%)`);
  } else {
    problems.push(`the endurance run was too short for a warm-up (${e.rss.length} samples)`);
  }
  say(
    `endurance: source made ${e.made} frames (${e.skippedTicks} ticks skipped late), slow ` +
      `consumer took ${e.slowTook} (${e.slowMissed} overwritten unseen), writer encoded ` +
      `${e.written} (${e.writerDropped} dropped), file ${e.fileSeconds.toFixed(1)} s, ` +
      `${mb(e.fileBytes)} MB\n`,
  );
}
if (cycles !== undefined) {
  const c = cycles;
  say(
    `cycles: ${c.cycles} in ${c.seconds.toFixed(0)} s (${
      Object.entries(c.kinds).sort().map(([kind, n]) => `${kind} ${n}`).join(", ")
    })\n`,
  );
  say(`cycles: fds ${c.fdsBefore} before, ${c.fdsAfter} after\n`);
  const list = (what: string, items: readonly string[]): void => {
    if (items.length === 0) return;
    problems.push(`${items.length} ${what}`);
    for (const item of items.slice(0, 10)) say(`  ${what}: ${item}\n`);
    if (items.length > 10) say(`  … and ${items.length - 10} more\n`);
  };
  list("hangs", c.hangs);
  list("failed cycles", c.failures);
  list("cycles leaving a child running", c.lingered);
  list("stray files", c.strayFiles);
  list("descriptors leaked", c.fdsLeaked);
  if (c.fdsLeaked.length > 0) {
    for (const item of c.grewFds.slice(0, 10)) say(`  descriptors opened by ${item}\n`);
  }
  if (c.leftover > 0) problems.push(`${c.leftover} leftover processes`);
  if (c.zombies > 0) problems.push(`${c.zombies} zombies`);
}
if (interrupt.signal.aborted) problems.push("interrupted");
for (const problem of problems) say(`soak: off target: ${problem}\n`);

const parts = [
  endurance === undefined
    ? "no endurance run"
    : `${(endurance.seconds / 60).toFixed(1)} min 1080p30, RSS drift ${
      rss ? `${pct(rss.drift)} (max ${pct(rss.max)})` : "n/a"
    }, fds drift ${
      fds ? `${pct(fds.drift)} (max ${pct(fds.max)})` : "n/a"
    }, writer dropped ${endurance.writerDropped} of ${endurance.made}`,
  cycles === undefined
    ? "no cycles"
    : `${cycles.cycles} cycles, ${cycles.hangs.length} hangs, ${cycles.fdsLeaked.length} fds ` +
      `leaked, ${cycles.leftover} leftover, ${cycles.zombies} zombies`,
];
say(`soak: ${parts.join(", ")}${problems.length === 0 ? "" : " (off target)"}\n`);
if (interrupt.signal.aborted) Deno.exit(130);
if (problems.length > 0) Deno.exit(1);

/** Ends every child process of this one (SIGKILL); the census has counted them already. */
function _killChildren(): void {
  for (const { pid } of _children().alive) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}
