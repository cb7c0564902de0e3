/**
 * Transcode overhead: the same H.264 re-encode done by plain ffmpeg and by a streamlib pipeline,
 * side by side in the same run with the same ffmpeg binary and encoder settings.
 *
 *   ffmpeg:    ffmpeg -i in.mp4 -c:v libx264 -preset P -crf C … out.mp4
 *   relay:     ffmpeg -i in.mp4 -f rawvideo pipe:1 → Deno → ffmpeg -f rawvideo -i pipe:0 … out.mp4
 *   unix:      the same relay over Unix sockets this process listens on (ffmpeg's `unix:`
 *              protocol; a socket buffers about 208 KiB where a pipe holds 64 KiB)
 *   streamlib: filesrc location=in.mp4 format=I420 ! identity ! filesink location=out.mp4 …
 *
 * The relay is the least any design that passes raw frames through this process can cost: a
 * loop that reads a frame from one ffmpeg and writes it to the other, nothing else.
 *
 * The input is a 1280×720 30 fps H.264 clip of ffmpeg's testsrc2 made at the start. Rounds
 * alternate between the ways; the median of each is reported with its ratio to plain ffmpeg, in
 * wall time and in CPU time (this process and its ended children, from /proc/self/stat: Linux
 * only), which other work on the machine disturbs much less. Ends with one summary line.
 *
 * Run: deno task bench:transcode [seconds=10] [rounds=5] [x264 preset=medium]
 *
 * The pipeline's extra cost is fixed per frame (raw frames cross two pipes: about 2 ms a 720p
 * frame of CPU here), so it weighs more against a faster preset: compare `… 10 5 veryfast`.
 *
 * @module
 */

import { Identity, Pipeline } from "@streamlib/core";
import { FfmpegProcess, FileReader, FileWriter, findFfmpeg } from "@streamlib/ffmpeg";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:transcode");

const SECONDS = Number(Deno.args[0] ?? 10);
const ROUNDS = Number(Deno.args[1] ?? 5);
/** x264's preset: its default (medium) unless given, as in a plain `ffmpeg -i in out.mp4`. */
const PRESET = Deno.args[2] ?? "medium";
const CRF = 23;

const ffmpeg = await findFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamlib-bench-" });
const input = `${dir}/in.mp4`;

async function run(args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(ffmpeg.path, {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
}

// deno-fmt-ignore
await run([
  "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
  "-i", `testsrc2=size=1280x720:rate=30:duration=${SECONDS}`,
  "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input,
]);

async function plain(): Promise<number> {
  const start = performance.now();
  // The same output options the writer passes, so that only the plumbing differs.
  // deno-fmt-ignore
  await run([
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", input, "-map", "0:v:0",
    "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", String(CRF), "-preset", PRESET,
    "-movflags", "+faststart", "-vsync", "vfr", `${dir}/plain.mp4`,
  ]);
  return performance.now() - start;
}

async function relay(): Promise<number> {
  const start = performance.now();
  const raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p"];
  const quiet = ["-hide_banner", "-nostdin", "-loglevel", "error"];
  const decoder = new FfmpegProcess(ffmpeg.path, [...quiet, "-i", input, ...raw, "pipe:1"], {
    stdout: true,
  });
  // deno-fmt-ignore
  const encoder = new FfmpegProcess(ffmpeg.path, [
    ...quiet, "-y", ...raw, "-s", "1280x720", "-r", "30", "-i", "pipe:0",
    "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", String(CRF), "-preset", PRESET,
    "-movflags", "+faststart", `${dir}/relay.mp4`,
  ], { stdin: true });
  for (let frame; (frame = await decoder.read(1280 * 720 * 3 / 2)) !== undefined;) {
    await encoder.write(frame);
  }
  await encoder.closeInput();
  for (const process of [encoder, decoder]) {
    if (!(await process.wait()).success) throw new Error(process.stderr);
  }
  return performance.now() - start;
}

/** Fills `buffer` from `conn`; the bytes read (fewer only at the end of the stream). */
async function readFull(conn: Deno.Conn, buffer: Uint8Array): Promise<number> {
  let filled = 0;
  while (filled < buffer.byteLength) {
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled;
}

/**
 * The same relay over Unix sockets (ffmpeg's `unix:` protocol; this process listens): socket
 * buffers hold about 208 KiB against a pipe's 64 KiB, so a frame takes fewer wake-ups.
 */
async function relayUnix(): Promise<number> {
  const start = performance.now();
  const raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p"];
  const quiet = ["-hide_banner", "-nostdin", "-loglevel", "error"];
  const inPath = `${dir}/in.sock`;
  const outPath = `${dir}/out.sock`;
  using fromDecoder = Deno.listen({ transport: "unix", path: inPath });
  using toEncoder = Deno.listen({ transport: "unix", path: outPath });
  const decoder = new FfmpegProcess(
    ffmpeg.path,
    [...quiet, "-i", input, ...raw, `unix:${inPath}`],
    {},
  );
  // deno-fmt-ignore
  const encoder = new FfmpegProcess(ffmpeg.path, [
    ...quiet, "-y", ...raw, "-s", "1280x720", "-r", "30", "-i", `unix:${outPath}`,
    "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", String(CRF), "-preset", PRESET,
    "-movflags", "+faststart", `${dir}/relay-unix.mp4`,
  ], {});
  const [source, sink] = await Promise.all([fromDecoder.accept(), toEncoder.accept()]);
  const frame = new Uint8Array(1280 * 720 * 3 / 2);
  for (let n; (n = await readFull(source, frame)) > 0;) {
    for (let at = 0; at < n;) at += await sink.write(frame.subarray(at, n));
  }
  sink.close();
  source.close();
  for (const process of [encoder, decoder]) {
    if (!(await process.wait()).success) throw new Error(process.stderr);
  }
  await Deno.remove(inPath);
  await Deno.remove(outPath);
  return performance.now() - start;
}

async function streamlib(): Promise<number> {
  const start = performance.now();
  await new Pipeline({ mode: "offline" }).pipe(
    new FileReader({ location: input, format: "I420" }),
    new Identity(),
    new FileWriter({ location: `${dir}/streamlib.mp4`, crf: CRF, preset: PRESET }),
  ).run();
  return performance.now() - start;
}

/**
 * CPU seconds used so far by this process and its children that have ended (Linux
 * /proc/self/stat: utime, stime, cutime, cstime), so that each way's cost is also known apart
 * from the other work on the machine, which wall times are not.
 */
function cpuSeconds(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14–17 of the file; the slice starts at field 3.
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

/** Runs `way`, returning its wall time (ms) and the CPU seconds it and its children used. */
async function timed(way: () => Promise<number>): Promise<{ wall: number; cpu: number }> {
  const before = cpuSeconds();
  const wall = await way();
  return { wall, cpu: cpuSeconds() - before };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ways = { plain, relay, unix: relayUnix, streamlib };
const times = {
  plain: [] as number[],
  relay: [] as number[],
  unix: [] as number[],
  streamlib: [] as number[],
};
const cpu = {
  plain: [] as number[],
  relay: [] as number[],
  unix: [] as number[],
  streamlib: [] as number[],
};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (
      const [name, way] of Object.entries(ways) as [keyof typeof ways, () => Promise<number>][]
    ) {
      const { wall, cpu: used } = await timed(way);
      times[name].push(wall);
      cpu[name].push(used);
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
const [p, r, u, s] = [times.plain, times.relay, times.unix, times.streamlib].map(median) as [
  number,
  number,
  number,
  number,
];
const frames = SECONDS * 30;
const [cp, cr, cu, cs] = [cpu.plain, cpu.relay, cpu.unix, cpu.streamlib].map(median) as [
  number,
  number,
  number,
  number,
];
// deno-lint-ignore no-console
console.log(
  `transcode: 720p30 ${frames} frames x264 ${PRESET}, ffmpeg ${(p / 1000).toFixed(2)} s, relay ${
    (r / 1000).toFixed(2)
  } s (${(r / p).toFixed(2)}x), relay over unix sockets ${(u / 1000).toFixed(2)} s (${
    (u / p).toFixed(2)
  }x), streamlib ${(s / 1000).toFixed(2)} s, ratio ${(s / p).toFixed(2)}x; CPU ffmpeg ${
    cp.toFixed(2)
  } s, relay ${(cr / cp).toFixed(2)}x, unix ${(cu / cp).toFixed(2)}x, streamlib ${
    (cs / cp).toFixed(2)
  }x (ffmpeg ${ffmpeg.version}, ${ffmpeg.source})`,
);
