/**
 * The soak's endurance part: a live 1920×1080 30 fps pipeline for `minutes`, SMPTE bars with a
 * running timecode (every frame differs) teed to a deliberately slow consumer (on a `latest`
 * input, so it sees the newest frame and never holds the source back) and to `filesink`
 * writing H.264 to a temporary file, while this process's resident memory and open file
 * descriptors are sampled every 10 s.
 *
 * ```text
 * videotestsrc overlay=timecode 1920×1080 30 fps I420 ─┬─ latest ─► slowsink (50 ms a frame)
 *                                                      └─ queue:8:drop-oldest ─► filesink
 * ```
 *
 * The bars are drawn in I420 directly; a moving ball would be drawn in RGBA and converted, 22 ms
 * a 1080p frame here, two thirds of a core for the source alone. The writer (H.264 ultrafast,
 * 4 Mb/s) has ffmpeg convert nothing. Its queue drops its oldest frame rather than block the
 * source when the encoder falls behind (other work on the machine), so the live branch keeps
 * its rate and the memory held stays bounded; the frames it lost are reported.
 *
 * @module
 */

import {
  Actor,
  type Contract,
  delay,
  Pipeline,
  type PipelineStats,
  type TimedTick,
} from "@streamlib/core";
import { FileWriter, probeMedia } from "@streamlib/ffmpeg";
import { TestPattern } from "@streamlib/video";
import { _openFds, _rss } from "./_soak_census.ts";

/** What the endurance run measured. */
export interface _EnduranceResult {
  /** Seconds it ran. */
  readonly seconds: number;
  /**
   * Resident memory in bytes, one sample every `every` ms from the start (the first at the
   * start): the lowest reading of the `span` ms before it.
   */
  readonly rss: readonly number[];
  /** The same with the lowest reading of the `every` ms before each sample only. */
  readonly rssWindow: readonly number[];
  /** The highest reading of resident memory. */
  readonly rssPeak: number;
  /** Open file descriptors, one sample every `every` ms from the start. */
  readonly fds: readonly number[];
  /** Frames the source made, and the ticks it skipped being late. */
  readonly made: number;
  readonly skippedTicks: number;
  /** Frames the slow consumer took, and those it never saw (overwritten in its ring). */
  readonly slowTook: number;
  readonly slowMissed: number;
  /** Frames the writer encoded, and those its queue dropped. */
  readonly written: number;
  readonly writerDropped: number;
  /** The written file's length in seconds (by ffmpeg) and size in bytes. */
  readonly fileSeconds: number;
  readonly fileBytes: number;
}

const slowContract = {
  type: "slowsink",
  inputs: { in: { kind: "video", policy: "latest" } },
  params: { ms: { type: "number", default: 50 } },
} as const satisfies Contract;

/** How often resident memory is read, in ms. */
const _READ_MS = 1000;

/** A full collection, where V8 exposes it (`--v8-flags=--expose-gc`). */
const _collect = (globalThis as { gc?: () => void }).gc;

/** Whether readings follow a full collection. */
export const _collects: boolean = _collect !== undefined;

/** A sink that takes `ms` for each frame, longer than a frame lasts at 30 fps. */
class SlowSink extends Actor<typeof slowContract> {
  static override contract: typeof slowContract = slowContract;
  took = 0;
  async process(_tick: TimedTick): Promise<void> {
    if (this.inputs.in.read() === undefined) return;
    this.took++;
    await delay(this.params.ms);
  }
}

/**
 * Runs the pipeline for `minutes`, sampling every `every` ms (resident memory as the floor of
 * the last `span` ms), and stops it by draining (the
 * file is finished), aborting it if that takes longer than 30 s. Rejects when the pipeline
 * fails.
 *
 * @param options How long, where the file goes, the sample period, how far back a memory
 *   sample's floor looks, a signal that ends it early, and a callback for each sample.
 */
export async function _endurance(options: {
  minutes: number;
  dir: string;
  every?: number;
  span?: number;
  signal?: AbortSignal;
  onSample?: (seconds: number, rss: number, fds: number) => void;
}): Promise<_EnduranceResult> {
  const { minutes, dir, every = 10_000, span = 30_000, signal, onSample } = options;
  const location = `${dir}/endurance.mp4`;
  const pipeline = new Pipeline({ mode: "live" });
  const source = pipeline.add(
    new TestPattern({
      pattern: "smpte",
      overlay: "timecode",
      width: 1920,
      height: 1080,
      fps: 30,
      format: "I420",
    }),
    { name: "src" },
  );
  const slow = pipeline.add(new SlowSink({ ms: 50 }), { name: "slow" });
  const writer = pipeline.add(
    new FileWriter({ location, preset: "ultrafast", bitrate: "4M" }),
    { name: "writer", inputs: { in: { policy: "queue:8:drop-oldest" } } },
  );
  pipeline.link(source, slow);
  pipeline.link(source, writer);

  // RSS moves by whole 3 MB frames: garbage frames until the next collection, frames in
  // flight, frames the writer holds while other work on the machine keeps it behind (up to
  // its queue and the frames its muxer has taken, for seconds at a time). So each reading
  // follows a full collection (where the runtime exposes gc()), one reading a second, and each
  // sample is their floor over the last `span` ms. A leak raises the floor for good; garbage
  // and frames passing through do not.
  const readings: number[] = [];
  const rss: number[] = [];
  const rssWindow: number[] = [];
  const fds: number[] = [];
  const floor = (ms: number): number =>
    Math.min(...readings.slice(-Math.max(1, Math.round(ms / _READ_MS))));
  const read = (): void => {
    _collect?.();
    readings.push(_rss());
  };
  const sample = (): void => {
    rss.push(floor(span));
    rssWindow.push(floor(every));
    fds.push(_openFds());
    onSample?.((performance.now() - started) / 1000, rss.at(-1)!, fds.at(-1)!);
  };
  const started = performance.now();
  await pipeline.start();
  let seconds = 0;
  try {
    const failed = pipeline.done.then(() => undefined, (error: Error) => error);
    const aborted = new Promise<void>((resolve) =>
      signal?.addEventListener("abort", () => resolve())
    );
    read();
    sample();
    const perSample = Math.max(1, Math.round(every / _READ_MS));
    const reads = Math.floor(minutes * 60_000 / _READ_MS);
    for (let k = 1; k <= reads && !signal?.aborted; k++) {
      const wait = delay(Math.max(0, started + k * _READ_MS - performance.now()));
      const error = await Promise.race([wait, aborted, failed]);
      if (error instanceof Error) throw error;
      if (signal?.aborted) break;
      read();
      if (k % perSample === 0) sample();
    }
  } finally {
    seconds = (performance.now() - started) / 1000;
    await _stopWithin(pipeline, 30_000);
  }
  const stats = pipeline.stats();
  const of = (name: string): PipelineStats["actors"][number] =>
    stats.actors.find((a) => a.name === name)!;
  const writerIn = of("writer").inputs.in!;
  return {
    seconds,
    rss,
    rssWindow,
    rssPeak: Math.max(...readings),
    fds,
    made: of("src").outputs.out!.written,
    skippedTicks: of("src").skippedTicks,
    slowTook: slow.took,
    slowMissed: of("slow").inputs.in!.dropped,
    written: writerIn.received - writerIn.dropped,
    writerDropped: writerIn.dropped,
    fileSeconds: (await probeMedia(location)).duration ?? 0,
    fileBytes: (await Deno.stat(location)).size,
  };
}

/** Drains the pipeline; aborts it when that takes longer than `ms`. Never rejects. */
async function _stopWithin(pipeline: Pipeline, ms: number): Promise<void> {
  const timer = setTimeout(() => pipeline.stop({ mode: "abort" }).catch(() => {}), ms);
  try {
    await pipeline.stop().catch(() => {});
  } finally {
    clearTimeout(timer);
  }
}
