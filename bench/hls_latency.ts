/**
 * How long a frame takes from its creation to being playable in hls.js, through `hlssink`:
 *
 *   videotestsrc (1280×720, 30 fps, ball, I420, live) → tap → hlssink → HTTP → hls.js in
 *   headless Chromium (the sink's own page)
 *
 * The tap, right after the source, records each frame's wall time (its creation, to within
 * microseconds). The sink runs with the settings under test: 1 s segments, a live window of 6,
 * x264 `veryfast` + `zerolatency`; the page's hls.js starts 2 segments behind the live edge
 * (`liveSyncDurationCount: 2`). Segment `n` holds exactly the frames whose time since the first
 * frame lies in [n, n + 1) s (a keyframe is forced at every boundary), so each frame is matched
 * to its segment by number. For every frame the bench takes:
 *
 * - **buffered**: when hls.js reported the segment appended to its media buffer
 *   (`FRAG_BUFFERED`, wall time in the page), i.e. the frame became playable;
 * - **listed**: when the segment first appeared in `index.m3u8` on disk (the playlist polled
 *   every 10 ms): what ffmpeg's encoding and segmenting cost, before hls.js's polling and fetch;
 * - **shown**: when the page presented it (`requestVideoFrameCallback`, matched to its frame by
 *   media time within its segment): what a viewer sees, with the player's live offset.
 *
 * The first `WARMUP` segments (player start-up) are left out. Chromium and Deno share the
 * machine's clock. Ends with one summary line: p50 and p99 of frame → buffered.
 *
 * Run: deno run -A bench/hls_latency.ts [seconds, default 25]
 *
 * @module
 */

import { Actor, type Contract, Pipeline, type TimedTick, type VideoFrame } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { HlsSink } from "../packages/net/hls_sink.ts";
import { launchBrowser } from "../packages/net/_browser_testing.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:hls");

const SECONDS = Number(Deno.args[0] ?? 25);
const SEGMENT = 1;
const FPS = 30;
const WARMUP = 2;

const tapContract = {
  type: "tap",
  inputs: { in: { kind: "video", policy: "queue:4:block" } },
  outputs: { out: { kind: "video" } },
} as const satisfies Contract;

/** Passes frames on, noting the wall time (ms) each passed, by timestamp. */
class Tap extends Actor<typeof tapContract> {
  static override contract: typeof tapContract = tapContract;
  readonly created: Array<{ timestamp: number; at: number }> = [];
  async process(_tick: TimedTick): Promise<void> {
    const frame = this.inputs.in.read() as VideoFrame | undefined;
    if (frame === undefined) return;
    this.created.push({ timestamp: frame.timestamp, at: Date.now() });
    await this.outputs.out.write(frame);
  }
}

/** Page code: records FRAG_BUFFERED and presented frames as soon as the page makes `hls`. */
const INSTRUMENT = `
  window.buffered = [];
  window.shown = [];
  let player;
  Object.defineProperty(window, "hls", {
    configurable: true,
    get: () => player,
    set: (hls) => {
      player = hls;
      hls.on("hlsFragBuffered", (_event, data) => {
        if (data.frag.type !== "main") return;
        window.buffered.push({ sn: data.frag.sn, at: Date.now(), start: data.frag.start });
      });
    },
  });
  document.addEventListener("DOMContentLoaded", () => {
    const video = document.querySelector("video");
    const onFrame = (now, meta) => {
      window.shown.push({ mediaTime: meta.mediaTime, at: performance.timeOrigin + now });
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  });
`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]!;
}

const sink = new HlsSink({ port: 0, segmentDuration: SEGMENT, playlistLength: 6 });
const tap = new Tap();
const pipeline = new Pipeline().pipe(
  new TestPattern({ width: 1280, height: 720, fps: FPS, pattern: "ball", format: "I420" }),
  tap,
  sink,
);
await pipeline.start();
const chrome = await launchBrowser();
const listed = new Map<number, number>();
let buffered: Array<{ sn: number; at: number; start: number }> = [];
let shown: Array<{ mediaTime: number; at: number }> = [];
try {
  const page = await chrome.browser.newPage();
  await page.evaluateOnNewDocument(INSTRUMENT);
  await page.goto(sink.url, { waitUntil: "load" });
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    try {
      const text = await Deno.readTextFile(`${sink.folder}/index.m3u8`);
      for (const m of text.matchAll(/^seg_(\d+)\.ts$/gm)) {
        if (!listed.has(Number(m[1]))) listed.set(Number(m[1]), Date.now());
      }
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  buffered = await page.evaluate("window.buffered") as typeof buffered;
  shown = await page.evaluate("window.shown") as typeof shown;
} finally {
  await chrome.close();
  await pipeline.stop();
}

// Frame creation times by segment and index in it.
const first = tap.created[0]!.timestamp;
const frames = tap.created.map(({ timestamp, at }) => {
  const t = (timestamp - first) / 1e6;
  const sn = Math.floor(t / SEGMENT + 1e-9);
  return { sn, index: Math.round((t - sn * SEGMENT) * FPS), at };
});
const bySegment = new Map<number, typeof frames>();
for (const frame of frames) {
  if (!bySegment.has(frame.sn)) bySegment.set(frame.sn, []);
  bySegment.get(frame.sn)!.push(frame);
}

const toBuffered: number[] = [];
const toListed: number[] = [];
const starts = new Map<number, number>();
for (const { sn, at, start } of buffered) {
  if (sn < WARMUP || starts.has(sn)) continue;
  starts.set(sn, start);
  for (const frame of bySegment.get(sn) ?? []) {
    toBuffered.push((at - frame.at) / 1000);
    const listedAt = listed.get(sn);
    if (listedAt !== undefined) toListed.push((listedAt - frame.at) / 1000);
  }
}
const toShown: number[] = [];
for (const { mediaTime, at } of shown) {
  for (const [sn, start] of starts) {
    const index = Math.round((mediaTime - start) * FPS);
    if (index < 0 || index >= SEGMENT * FPS) continue;
    const frame = bySegment.get(sn)?.find((f) => f.index === index);
    if (frame !== undefined) toShown.push((at - frame.at) / 1000);
  }
}

const out = (line: string): Promise<number> =>
  Deno.stdout.write(new TextEncoder().encode(line + "\n"));
if (toBuffered.length === 0) throw new Error("hls.js buffered no segment: nothing to measure");
const fmt = (values: number[]): string =>
  values.length === 0
    ? "n/a"
    : `p50 ${percentile(values, 50).toFixed(2)} s p99 ${percentile(values, 99).toFixed(2)} s`;
await out(
  `settings: 1280x720 ${FPS} fps ball, ${SEGMENT} s segments, live window 6, x264 veryfast ` +
    `zerolatency, hls.js liveSyncDurationCount 2; ${starts.size} segments (${toBuffered.length} ` +
    `frames) measured after ${WARMUP} warm-up segments, ${SECONDS} s run`,
);
await out(`frame → listed in playlist (ffmpeg)    ${fmt(toListed)}`);
await out(`frame → buffered in hls.js (playable)  ${fmt(toBuffered)}`);
await out(`frame → shown by the page              ${fmt(toShown)} (${toShown.length} frames)`);
await out(
  `hls-latency: 1280x720 ${FPS} fps, ${SEGMENT} s segments, ${
    fmt(toBuffered)
  } (frame creation → buffered in hls.js)`,
);
