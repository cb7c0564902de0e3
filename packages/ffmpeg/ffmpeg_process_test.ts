import assert from "node:assert/strict";
import { FfmpegProcess } from "./ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { ffmpegChildren, openPipes } from "./_testing.ts";

const ffmpeg = await findFfmpeg();
// deno-fmt-ignore
const source = [
  "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info",
  "-f", "lavfi", "-i", "testsrc=size=16x8:rate=5:duration=0.6",
];

Deno.test("FfmpegProcess keeps ffmpeg's description of its input apart from its messages", async () => {
  const process = new FfmpegProcess(ffmpeg.path, [
    ...source,
    ...["-pix_fmt", "gray", "-f", "rawvideo", "pipe:1"],
  ], { stdout: true, describe: true });
  const text = await process.description();
  assert.match(text, /^Input #0, lavfi/);
  assert.match(text, /Stream #0:0: Video: rawvideo .*16x8/);
  assert.doesNotMatch(text, /\[info\]|Stream mapping|Output #0/);
  let frames = 0;
  while ((await process.read(16 * 8)) !== undefined) frames++;
  assert.equal(frames, 3);
  assert.equal((await process.wait()).success, true);
  assert.equal(process.stderr, "", "informational lines stay out of the messages");
});

Deno.test("FfmpegProcess keeps errors, untagged, for its messages when it describes", async () => {
  const process = new FfmpegProcess(ffmpeg.path, [
    ...source,
    ...["-vf", "fps=nonsense", "-f", "rawvideo", "pipe:1"],
  ], { stdout: true, describe: true });
  assert.match(await process.description(), /^Input #0, lavfi/);
  assert.equal(await process.read(16 * 8 * 3), undefined);
  assert.equal((await process.wait()).success, false);
  assert.match(process.stderr, /nonsense/);
  assert.doesNotMatch(process.stderr, /\[(error|info|fatal)\]|Input #0/);
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FfmpegProcess's description is what it printed before failing to open", async () => {
  const process = new FfmpegProcess(ffmpeg.path, [
    ...["-hide_banner", "-nostdin", "-loglevel", "level+info", "-i", "/nonexistent/clip.mp4"],
    ...["-f", "null", "-"],
  ], { describe: true });
  assert.equal(await process.description(), "/nonexistent/clip.mp4: No such file or directory");
  assert.equal((await process.wait()).success, false);
  assert.match(process.stderr, /No such file/);
});

Deno.test("FfmpegProcess.kill() closes this side of ffmpeg's stdin and stdout", async () => {
  // ffmpeg copies raw frames from stdin to stdout; it is killed while it waits for more.
  const process = new FfmpegProcess(ffmpeg.path, [
    ...["-hide_banner", "-nostdin", "-loglevel", "error"],
    ...["-f", "rawvideo", "-pix_fmt", "gray", "-s", "16x8", "-i", "pipe:0"],
    ...["-f", "rawvideo", "pipe:1"],
  ], { stdin: true, stdout: true });
  await process.write(new Uint8Array(16 * 8));
  const theirs = openPipes(process.pid, [0, 1, 2]);
  assert.equal(theirs.length, 3);
  process.kill();
  await process.wait();
  assert.deepEqual(openPipes().filter((pipe) => theirs.includes(pipe)), []);
  assert.deepEqual(ffmpegChildren(), []);
});
