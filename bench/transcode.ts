/**
 * Transcode overhead: the same H.264 re-encode done by plain ffmpeg and by a streamlib pipeline,
 * side by side in the same run with the same ffmpeg binary and encoder settings.
 *
 *   ffmpeg:    ffmpeg -i in.mp4 -c:v libx264 -preset P -crf C … out.mp4
 *   relay:     ffmpeg -i in.mp4 -f rawvideo pipe:1 → Deno → ffmpeg -f rawvideo -i pipe:0 … out.mp4
 *   streamlib: filesrc location=in.mp4 format=I420 ! identity ! filesink location=out.mp4 …
 *
 * The relay is the least any design that passes raw frames through this process can cost: a
 * loop that reads a frame from one ffmpeg and writes it to the other, nothing else.
 *
 * The input is a 1280×720 30 fps H.264 clip of ffmpeg's testsrc2 made at the start. Rounds
 * alternate between the two; the median of each is reported with their ratio. Ends with one
 * summary line.
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

async function streamlib(): Promise<number> {
  const start = performance.now();
  await new Pipeline({ mode: "offline" }).pipe(
    new FileReader({ location: input, format: "I420" }),
    new Identity(),
    new FileWriter({ location: `${dir}/streamlib.mp4`, crf: CRF, preset: PRESET }),
  ).run();
  return performance.now() - start;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const times = { plain: [] as number[], relay: [] as number[], streamlib: [] as number[] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    times.plain.push(await plain());
    times.relay.push(await relay());
    times.streamlib.push(await streamlib());
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
const [p, r, s] = [median(times.plain), median(times.relay), median(times.streamlib)];
const frames = SECONDS * 30;
// deno-lint-ignore no-console
console.log(
  `transcode: 720p30 ${frames} frames x264 ${PRESET}, ffmpeg ${(p / 1000).toFixed(2)} s, relay ${
    (r / 1000).toFixed(2)
  } s (${(r / p).toFixed(2)}x), streamlib ${(s / 1000).toFixed(2)} s, ratio ${
    (s / p).toFixed(2)
  }x (ffmpeg ${ffmpeg.version}, ${ffmpeg.source})`,
);
