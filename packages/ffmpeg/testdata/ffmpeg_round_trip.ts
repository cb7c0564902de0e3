// Writes 8 test-pattern frames to an MP4 in the folder given as argument, reads them back, and
// prints which ffmpeg did it. Run by ffmpeg_test.ts in a fresh process with its own environment.
import { Collect, isStreamlibError, Pipeline } from "@streamlib/core";
import { FileReader, FileWriter, findFfmpeg, probeMedia } from "@streamlib/ffmpeg";
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
  // deno-lint-ignore no-console
  console.log(
    `source=${ffmpeg.source} frames=${sink.messages.length} duration=${duration} ` +
      `version=${ffmpeg.version}`,
  );
} catch (error) {
  const code = isStreamlibError(error) ? error.code : "";
  // deno-lint-ignore no-console
  console.error(`${code} ${(error as Error).message}`);
  Deno.exit(1);
}
