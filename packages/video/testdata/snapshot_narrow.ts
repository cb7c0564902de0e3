// Saves one snapshot to the location given as argument and prints "ok" or the error's code and
// message. Run by snapshot_test.ts with Deno granting writes to that location only, as
// `streamlib run` grants a plain (not patterned) location.
import { Collect, isStreamlibError, Pipeline } from "@streamlib/core";
import { Snapshot, TestPattern } from "@streamlib/video";

const [location] = Deno.args;
try {
  await new Pipeline({ mode: "offline" }).pipe(
    new TestPattern({ width: 8, height: 8, frames: 1 }),
    new Snapshot({ location }),
    new Collect(),
  ).run();
  // deno-lint-ignore no-console
  console.log("ok");
} catch (error) {
  const cause = (error as Error).cause ?? error;
  // deno-lint-ignore no-console
  console.log(`${isStreamlibError(cause) ? cause.code : ""} ${(cause as Error).message}`);
}
