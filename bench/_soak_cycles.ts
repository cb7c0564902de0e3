/**
 * The soak's cycle part: many short ffmpeg-backed pipelines started and stopped one after the
 * other, each picked by a seeded random generator, then a count of the child processes left
 * running and of zombies (children that exited and were never reaped), from /proc.
 *
 * A cycle is one of
 *
 * - `read`: `filesrc` on a small clip with sound, to a sink, its audio output connected or not;
 * - `write`: `videotestsrc` (tiny frames) to `filesink`;
 * - `transcode`: `filesrc` to `filesink`, with the sound or without;
 *
 * live or offline, stopped by running to its end, by a drain or by an abort at a random moment
 * (from before `start()` has returned to after the end). Each cycle has a deadline: one that
 * has not settled by then counts as a hang, is aborted, and the run goes on. Each cycle writes
 * into a folder of its own, which must hold at most the finished file afterwards.
 *
 * @module
 */

import { type Actor, NullSink, Pipeline } from "@streamlib/core";
import { FfmpegProcess, FileReader, FileWriter, findFfmpeg } from "@streamlib/ffmpeg";
import { TestPattern } from "@streamlib/video";
import { _children, _fdTargets, _openFds } from "./_soak_census.ts";

/** What the cycles did and left behind. */
export interface _CyclesResult {
  /** Cycles run. */
  readonly cycles: number;
  /** Seconds they took. */
  readonly seconds: number;
  /** Cycles by what they were, `read/live/abort`. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Cycles whose pipeline did not settle within the deadline. */
  readonly hangs: readonly string[];
  /** Cycles whose pipeline failed, with the error. */
  readonly failures: readonly string[];
  /** Cycles after which a child process was still running, with what it was. */
  readonly lingered: readonly string[];
  /** Files left in a cycle's folder besides the finished one. */
  readonly strayFiles: readonly string[];
  /** Cycles after which more descriptors were open than before, with how many more. */
  readonly grewFds: readonly string[];
  /** Child processes running at the end, and zombies. */
  readonly leftover: number;
  readonly zombies: number;
  /**
   * Open file descriptors before the first cycle and after the last. The count before is
   * taken after a warm-up cycle, which opens what the runtime opens once (Deno's child
   * process handling sets up a socket pair the first time it needs one).
   */
  readonly fdsBefore: number;
  readonly fdsAfter: number;
  /** What the descriptors opened during the cycles and still open point at. */
  readonly fdsLeaked: readonly string[];
}

const _KINDS = ["read", "write", "transcode"] as const;
const _STOPS = ["end", "drain", "abort"] as const;

/**
 * Runs `count` cycles.
 *
 * @param options How many, the seed, a folder to work in, each cycle's deadline in ms, a
 *   signal that ends the run early, and a callback after each cycle.
 */
export async function _cycles(options: {
  count: number;
  seed: number;
  dir: string;
  deadline?: number;
  signal?: AbortSignal;
  onCycle?: (done: number) => void;
}): Promise<_CyclesResult> {
  const { count, seed, dir, deadline = 15_000, signal, onCycle } = options;
  const clip = await _makeClip(dir);
  const random = _mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const kinds: Record<string, number> = {};
  const hangs: string[] = [];
  const failures: string[] = [];
  const lingered: string[] = [];
  const strayFiles: string[] = [];
  const grewFds: string[] = [];
  const folder = `${dir}/cycle`;
  const run = async (c: _CycleSpec): Promise<string> => {
    await Deno.mkdir(folder, { recursive: true });
    try {
      return await _cycle(c, clip, folder, deadline);
    } finally {
      files = [...Deno.readDirSync(folder)].map((entry) => entry.name);
      await Deno.remove(folder, { recursive: true });
    }
  };
  let files: string[] = [];
  await run({ kind: "write", live: true, stop: "end", at: 0, audio: false, loop: false });
  const fdsBefore = _fdTargets();
  const started = performance.now();
  let cycles = 0;
  for (; cycles < count && !signal?.aborted; cycles++) {
    const kind = pick(_KINDS);
    const live = random() < 0.5;
    const stop = pick(_STOPS);
    const at = Math.round(random() * 300);
    const audio = random() < 0.5;
    // A looping file never ends by itself: only a stop ends it.
    const loop = kind !== "write" && live && stop !== "end" && random() < 0.5;
    const name = `${kind}/${live ? "live" : "offline"}${loop ? "/loop" : ""}/${stop}`;
    kinds[name] = (kinds[name] ?? 0) + 1;
    const label = `cycle ${cycles + 1} (${name}${stop === "end" ? "" : ` at ${at} ms`})`;
    const fds = _openFds();
    const outcome = await run({ kind, live, stop, at, audio, loop });
    if (outcome === "hang") hangs.push(label);
    else if (outcome !== "ok") failures.push(`${label}: ${outcome}`);
    const { alive } = _children();
    if (alive.length > 0) {
      lingered.push(`${label}: ${alive.map((c) => `${c.command} ${c.pid}`).join(", ")}`);
    }
    const more = _openFds() - fds;
    if (more > 0) grewFds.push(`${label}: ${more}`);
    for (const file of files) {
      if (!/^out\.(mp4|mkv)$/.test(file)) strayFiles.push(`${label}: ${file}`);
    }
    onCycle?.(cycles + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  const { alive, zombies } = _children();
  const fdsAfter = _fdTargets();
  const leaked = [...fdsAfter];
  for (const target of fdsBefore) {
    const i = leaked.indexOf(target);
    if (i >= 0) leaked.splice(i, 1);
  }
  return {
    cycles,
    seconds,
    kinds,
    hangs,
    failures,
    lingered,
    strayFiles,
    grewFds,
    leftover: alive.length,
    zombies: zombies.length,
    fdsBefore: fdsBefore.length,
    fdsAfter: fdsAfter.length,
    fdsLeaked: leaked,
  };
}

/** What one cycle runs, and how it is stopped. */
interface _CycleSpec {
  readonly kind: (typeof _KINDS)[number];
  readonly live: boolean;
  readonly stop: (typeof _STOPS)[number];
  /** When a drain or abort comes, in ms after `start()` is called. */
  readonly at: number;
  /** Whether a reader's audio output is connected too (a second ffmpeg). */
  readonly audio: boolean;
  /** Whether a reader loops its file. */
  readonly loop: boolean;
}

/** One cycle: `ok`, `hang`, or what it failed with. */
async function _cycle(
  c: _CycleSpec,
  clip: string,
  folder: string,
  deadline: number,
): Promise<string> {
  const pipeline = new Pipeline({ mode: c.live ? "live" : "offline" });
  const ext = c.kind === "transcode" ? "mkv" : "mp4";
  const writer = (): Actor =>
    new FileWriter({ location: `${folder}/out.${ext}`, preset: "ultrafast" });
  if (c.kind === "write") {
    pipeline.pipe(
      new TestPattern({ pattern: "ball", width: 64, height: 48, fps: 30, frames: 15 }),
      writer(),
    );
  } else {
    // Live reading loops the clip now and then, so that a stop finds it mid-file; with its
    // sound connected, the reader runs a second ffmpeg, and the writer muxes the sound.
    const reader = pipeline.add(new FileReader({ location: clip, loop: c.loop }));
    const sink = pipeline.add(c.kind === "read" ? new NullSink() : writer());
    pipeline.connect(reader.outputs.out, `${sink.name}.in`);
    if (c.audio) {
      const to = c.kind === "read" ? pipeline.add(new NullSink()) : sink;
      pipeline.connect(reader.outputs.audio, `${to.name}.${c.kind === "read" ? "in" : "audio"}`);
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (c.stop !== "end") {
    const mode = c.stop;
    timer = setTimeout(() => pipeline.stop({ mode }).catch(() => {}), c.at);
  }
  const settled = pipeline.start().then(() => pipeline.done).then(
    () => "ok",
    (error: Error) => `${(error as { code?: string }).code ?? error.name}: ${error.message}`,
  );
  const outcome = await _within(settled, deadline);
  clearTimeout(timer);
  if (outcome !== undefined) return outcome;
  // A hang: abort it, and give the abort a while.
  await _within(pipeline.stop({ mode: "abort" }).catch(() => {}), 5_000);
  return "hang";
}

/** The promise's value, or `undefined` when `ms` pass first. */
async function _within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) =>
    timer = setTimeout(() => resolve(undefined), ms)
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A 0.5 s 64×48 H.264 clip at 20 fps with a sine tone, in `dir`. */
async function _makeClip(dir: string): Promise<string> {
  const path = `${dir}/clip.mp4`;
  const ffmpeg = await findFfmpeg();
  // deno-fmt-ignore
  const make = new FfmpegProcess(ffmpeg.path, [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", "testsrc=size=64x48:rate=20:duration=0.5",
    "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5",
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", path,
  ], {});
  if (!(await make.wait()).success) throw new Error(`Could not make ${path}: ${make.stderr}`);
  return path;
}

/** A small seeded generator of numbers in [0, 1) (mulberry32). */
function _mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
