// Writes 4 frames with filesink to the location given as first argument (with the x264 preset
// given as second, "nosuchpreset" to make ffmpeg fail) and prints "ok" or the error's code and
// message. Run by file_writer_location_test.ts with Deno granting writes to that location only,
// as `streamlib run` does.
import { isStreamlibError, Pipeline } from "@streamlib/core";
import { FileWriter } from "@streamlib/ffmpeg";
import { TestPattern } from "@streamlib/video";

const [location, preset] = Deno.args;
try {
  await new Pipeline({ mode: "offline" }).pipe(
    new TestPattern({ width: 64, height: 48, frames: 4 }),
    new FileWriter({ location, preset }),
  ).run();
  // deno-lint-ignore no-console
  console.log("ok");
} catch (error) {
  const cause = (error as Error).cause ?? error;
  // deno-lint-ignore no-console
  console.log(`${isStreamlibError(cause) ? cause.code : ""} ${(cause as Error).message}`);
}
