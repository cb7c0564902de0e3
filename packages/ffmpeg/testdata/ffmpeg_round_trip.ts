// Writes 8 test-pattern frames to an MP4 in the folder given as argument, reads them back, and
// prints which ffmpeg did it; then reads a variable-rate file and a rotated one that this ffmpeg
// makes. Run by ffmpeg_test.ts in a fresh process with its own environment.
import { Collect, isStreamlibError, Pipeline, type VideoFrame } from "@streamlib/core";
import { FfmpegProcess, FileReader, FileWriter, findFfmpeg, probeMedia } from "@streamlib/ffmpeg";
import { TestPattern } from "@streamlib/video";

const dir = Deno.args[0]!;
try {
  const ffmpeg = await findFfmpeg();
  await new Pipeline({ mode: "offline" }).pipe(
    new TestPattern({ width: 64, height: 48, frames: 8, fps: 8 }),
    new FileWriter({ location: `${dir}/out.mp4`, preset: "ultrafast" }),
  ).run();
  const sink = new Collect();
  await new Pipeline({ mode: "offline" })
    .pipe(new FileReader({ location: `${dir}/out.mp4` }), sink)
    .run();
  const { duration } = await probeMedia(`${dir}/out.mp4`);
  const make = async (...args: string[]): Promise<VideoFrame[]> => {
    const made = new FfmpegProcess(ffmpeg.path, ["-loglevel", "error", "-y", ...args], {});
    if (!(await made.wait()).success) throw new Error(made.stderr);
    const frames = new Collect<VideoFrame>();
    await new Pipeline({ mode: "offline" })
      .pipe(new FileReader({ location: args.at(-1)! }), frames)
      .run();
    return frames.messages;
  };
  // 30 fps, then every other frame for a second, then 30 fps.
  // deno-fmt-ignore
  const vfr = await make(
    "-f", "lavfi", "-i", "testsrc=size=32x16:rate=30:duration=3",
    "-vf", "select='not(between(t,1,1.99)*mod(n,2))'", "-vsync", "vfr", `${dir}/vfr.mp4`,
  );
  const times = vfr.slice(29, 32).map((f) => f.timestamp).join(",");
  // ffmpeg 4's rotate tag is clockwise.
  const [turned] = await make(
    ...["-i", `${dir}/out.mp4`, "-c", "copy", "-metadata:s:v", "rotate=90", `${dir}/turned.mp4`],
  );
  // deno-lint-ignore no-console
  console.log(
    `source=${ffmpeg.source} frames=${sink.messages.length} duration=${duration} ` +
      `vfr=${vfr.length}:${times} turned=${turned?.codedWidth}x${turned?.codedHeight} ` +
      `version=${ffmpeg.version}`,
  );
} catch (error) {
  const code = isStreamlibError(error) ? error.code : "";
  // deno-lint-ignore no-console
  console.error(`${code} ${(error as Error).message}`);
  Deno.exit(1);
}
