/**
 * Display latency, frame timestamp to paint in the page, for each of the display's codecs:
 *
 *   videotestsrc pattern=ball 1280×720 30 fps (live) → display codec=<c> → headless Chromium
 *
 * One viewer on loopback, its window 1280×720. The page measures, at the animation frame that
 * paints each picture, the wall time since the frame was made (its timestamp, translated to
 * wall time by the actor); this bench reads those figures after a warm-up of a second. Also
 * shown: frames painted a second, bytes a frame, and CPU (% of one core) of the Deno process
 * (source and display; ffmpeg included for H.264) and of the browser, from `ps`.
 *
 * Each codec runs `ROUNDS` times, interleaved with the others; figures pool all rounds. CPU of
 * the display is the Deno process's less that of the source alone (measured first).
 *
 * Run: deno run -A bench/display_latency.ts [seconds a round, default 5] [rounds, default 2]
 *
 * Ends with one summary line; the default codec is the one with the lowest p50.
 *
 * @module
 */

import { Pipeline } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { Display } from "../packages/net/display.ts";
import { launchBrowser } from "../packages/net/_browser_testing.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:display");

const SECONDS = Number(Deno.args[0] ?? 5);
const ROUNDS = Number(Deno.args[1] ?? 2);
const CODECS = ["jpeg", "webp", "h264"] as const;
type Codec = typeof CODECS[number];

interface Result {
  codec: Codec;
  p50: number;
  p99: number;
  fps: number;
  kbPerFrame: number;
  serverCpu: number;
  browserCpu: number;
}

interface PageFigures {
  latencies: number[];
  frames: number;
  received: number;
}

/** CPU seconds used so far by the processes `pick` chooses (from `ps` and /proc/<pid>/stat). */
function cpuSeconds(pick: (pid: number, parents: Map<number, number>) => boolean): number {
  const { stdout } = new Deno.Command("ps", { args: ["-e", "-o", "pid=,ppid="], stdout: "piped" })
    .outputSync();
  const parents = new Map(
    new TextDecoder().decode(stdout).trim().split("\n").map((line) =>
      line.trim().split(/\s+/).map(Number) as [number, number]
    ),
  );
  let ticks = 0;
  for (const pid of parents.keys()) {
    if (!pick(pid, parents)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // It exited meanwhile.
    }
  }
  return ticks / 100; // USER_HZ
}

/** Whether `pid` is `root` or descends from it. */
function descends(pid: number, root: number, parents: Map<number, number>): boolean {
  for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; hops++) {
    if (p === root) return true;
    p = parents.get(p);
  }
  return false;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

interface Run {
  latencies: number[];
  frames: number;
  seconds: number;
  bytes: number;
  sent: number;
  serverCpu: number;
  browserCpu: number;
}

/** CPU seconds of this process and its children, the browser's excluded. */
const serverCpu = (browserPid: number): number =>
  cpuSeconds((pid, all) => descends(pid, Deno.pid, all) && !descends(pid, browserPid, all));

/** One round: a live pipeline, one page, `SECONDS` of figures after a warm-up. */
async function measure(codec: Codec): Promise<Run> {
  const pipeline = new Pipeline();
  const display = new Display({ port: 0, codec });
  pipeline.pipe(
    new TestPattern({ pattern: "ball", width: 1280, height: 720, fps: 30, size: 160 }),
    display,
  );
  await pipeline.start();
  await using chrome = await launchBrowser();
  const browserPid = chrome.pid ?? -1;
  try {
    const page = await chrome.open(display.url);
    await page.setViewport({ width: 1280, height: 720 });
    await page.waitForFunction(() =>
      (globalThis as { __streamlib?: PageFigures }).__streamlib!
        .frames >= 30, { timeout: 20_000 });
    // Takes the page's figures since the last take.
    const take = (): Promise<PageFigures> =>
      page.evaluate(() => {
        const s = (globalThis as { __streamlib?: PageFigures }).__streamlib!;
        const figures = { latencies: s.latencies.splice(0), frames: s.frames, received: 0 };
        s.frames = 0;
        return figures;
      });
    await take();
    const { sent: sent0, bytes: bytes0 } = display.stats;
    const server0 = serverCpu(browserPid);
    const browser0 = cpuSeconds((pid, all) => descends(pid, browserPid, all));
    const t0 = performance.now();
    const run: Run = {
      latencies: [],
      frames: 0,
      seconds: 0,
      bytes: 0,
      sent: 0,
      serverCpu: 0,
      browserCpu: 0,
    };
    while (performance.now() - t0 < SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const figures = await take();
      run.latencies.push(...figures.latencies);
      run.frames += figures.frames;
    }
    run.seconds = (performance.now() - t0) / 1000;
    run.serverCpu = serverCpu(browserPid) - server0;
    run.browserCpu = cpuSeconds((pid, all) => descends(pid, browserPid, all)) - browser0;
    run.sent = display.stats.sent - sent0;
    run.bytes = display.stats.bytes - bytes0;
    return run;
  } finally {
    await chrome.close();
    await pipeline.stop();
  }
}

/** CPU (% of one core) of the source alone: the same pipeline with nobody watching. */
async function sourceCpu(): Promise<number> {
  const pipeline = new Pipeline();
  pipeline.pipe(
    new TestPattern({ pattern: "ball", width: 1280, height: 720, fps: 30, size: 160 }),
    new Display({ port: 0 }),
  );
  await pipeline.start();
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cpu0 = serverCpu(-1);
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return (serverCpu(-1) - cpu0) / ((performance.now() - t0) / 1000) * 100;
  } finally {
    await pipeline.stop();
  }
}

const out = (line: string): Promise<number> =>
  Deno.stdout.write(new TextEncoder().encode(line + "\n"));

const source = await sourceCpu();
await out(
  `source alone (videotestsrc ball 1280×720 30 fps, nobody watching): CPU ${source.toFixed(0)}%`,
);
const runs = new Map<Codec, Run[]>(CODECS.map((c) => [c, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const codec of CODECS) runs.get(codec)!.push(await measure(codec));
}
const results: Result[] = CODECS.map((codec) => {
  const all = runs.get(codec)!;
  const sum = (f: (r: Run) => number): number => all.reduce((a, r) => a + f(r), 0);
  const sorted = all.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = sum((r) => r.seconds);
  return {
    codec,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    fps: sum((r) => r.frames) / seconds,
    kbPerFrame: sum((r) => r.bytes) / sum((r) => r.sent) / 1000,
    serverCpu: sum((r) => r.serverCpu) / seconds * 100 - source,
    browserCpu: sum((r) => r.browserCpu) / seconds * 100,
  };
});
for (const r of results) {
  await out(
    `${r.codec.padEnd(5)} p50 ${r.p50.toFixed(1).padStart(5)} ms  p99 ${
      r.p99.toFixed(1).padStart(5)
    } ms  ${r.fps.toFixed(1)} fps painted  ${r.kbPerFrame.toFixed(1).padStart(5)} kB/frame  ` +
      `CPU: display ${r.serverCpu.toFixed(0)}% (ffmpeg included), browser ${
        r.browserCpu.toFixed(0)
      }%`,
  );
}
const best = results.reduce((a, b) => (b.p50 < a.p50 ? b : a));
await out(
  `display-latency: 1280x720 30 fps, ${
    results.map((r) => `${r.codec} p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms`)
      .join(", ")
  }, default ${new Display().params.codec} (lowest p50: ${best.codec}; target p50 ≤ 50 ms)`,
);
