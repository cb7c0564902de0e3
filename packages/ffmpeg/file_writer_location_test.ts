import assert from "node:assert/strict";
import { isStreamlibError, Pipeline } from "@streamlib/core";
import { FileWriter } from "./file_writer.ts";
import { FileReader } from "./file_reader.ts";
import { _startReading, _startWriting } from "./_files_in_use.ts";
import { Frames } from "../video/_testing.ts";
import { ffmpegChildren, ffprobe, hasFfprobe } from "./_testing.ts";

async function write(
  location: string,
  writer: ConstructorParameters<typeof FileWriter>[0] = {},
  frames: ConstructorParameters<typeof Frames>[0] = { count: 4, width: 64, height: 48 },
): Promise<void> {
  await new Pipeline({ mode: "offline" })
    .pipe(new Frames(frames), new FileWriter({ location, preset: "ultrafast", ...writer }))
    .run();
}

/** The names in `dir`, sorted. */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FileWriter leaves nothing at its location when ffmpeg fails", () =>
  withDir(async (dir) => {
    const path = `${dir}/out.mp4`;
    await assert.rejects(write(path, { preset: "nosuchpreset" }), (e) => {
      assert.ok(isStreamlibError((e as Error).cause, "SL_FFMPEG_EXITED"), String(e));
      return true;
    });
    assert.deepEqual(names(dir), [], "no empty out.mp4, no partial file");
    assert.deepEqual(ffmpegChildren(), []);
  }));

Deno.test("FileWriter leaves the file that was there when writing fails, and replaces it once it succeeds", () =>
  withDir(async (dir) => {
    const path = `${dir}/out.mp4`;
    await Deno.writeTextFile(path, "the user's file");
    await assert.rejects(write(path, { preset: "nosuchpreset" }));
    assert.equal(await Deno.readTextFile(path), "the user's file");
    await write(path);
    assert.deepEqual(names(dir), ["out.mp4"]);
    if (hasFfprobe()) assert.equal((await ffprobe(path)).streams[0]!.nb_read_frames, "4");
  }));

Deno.test("FileWriter writes under a hidden name and puts the file in place once it is complete", () =>
  withDir(async (dir) => {
    const path = `${dir}/clip.mkv`;
    const writer = new FileWriter({ location: path, preset: "ultrafast" });
    const seen = new Set<string>();
    const process = writer.process.bind(writer);
    writer.process = async (tick) => {
      await process(tick);
      for (const name of names(dir)) seen.add(name);
    };
    // ffmpeg opens its output once it has read 5 s of input: 8 s are sent.
    const frames = new Frames({ count: 200, width: 32, height: 16 });
    await new Pipeline({ mode: "offline" }).pipe(frames, writer).run();
    assert.deepEqual([...seen], [".clip.partial.mkv"]);
    assert.deepEqual(names(dir), ["clip.mkv"]);
  }));

Deno.test("FileWriter creates the missing folders of its location", () =>
  withDir(async (dir) => {
    const path = `${dir}/a/b/out.mkv`;
    await write(path);
    assert.deepEqual(names(`${dir}/a/b`), ["out.mkv"]);
    await write(`${dir}/c/frame-%02d.png`, {}, { count: 2 });
    assert.deepEqual(names(`${dir}/c`), ["frame-01.png", "frame-02.png"]);
  }));

const script = new URL("./testdata/filesink_narrow.ts", import.meta.url);

/** Runs the script with write access to `location` alone, as `streamlib run` grants it. */
async function narrow(location: string, preset: string): Promise<string> {
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-read",
      "--allow-env",
      "--allow-run",
      `--allow-write=${location}`,
      script.href,
      location,
      preset,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
}

Deno.test("FileWriter allowed to write its location alone writes in place and removes only what it made", () =>
  withDir(async (dir) => {
    const path = `${dir}/out.mp4`;
    assert.match(await narrow(path, "nosuchpreset"), /^SL_FFMPEG_EXITED /);
    assert.deepEqual(names(dir), [], "the file it made is removed");
    assert.equal(await narrow(path, "ultrafast"), "ok\n");
    assert.deepEqual(names(dir), ["out.mp4"]);
    // ffmpeg has overwritten the file by the time it fails: what is left is not removed.
    assert.match(await narrow(path, "nosuchpreset"), /^SL_FFMPEG_EXITED /);
    assert.deepEqual(names(dir), ["out.mp4"]);
  }));

Deno.test("FileWriter allowed to write its location alone names the missing folder it may not create", () =>
  withDir(async (dir) => {
    const out = await narrow(`${dir}/missing/out.mp4`, "ultrafast");
    assert.match(out, /^SL_FILE_WRITE /);
    assert.ok(out.includes(`the folder "${dir}/missing" does not exist`), out);
  }));

Deno.test("FileWriter refuses the file a filesrc of this process reads, and leaves it whole", () =>
  withDir(async (dir) => {
    const path = `${dir}/clip.mp4`;
    await write(path, {}, { count: 6, width: 64, height: 48 });
    const before = await Deno.readFile(path);
    // The same file by another name of its path.
    for (const written of [path, `${dir}/./sub/../clip.mp4`]) {
      const pipeline = new Pipeline({ mode: "offline" });
      pipeline.pipe(
        new FileReader({ location: path }),
        new FileWriter({ location: written, preset: "ultrafast" }),
      );
      const error = await pipeline.run().then(() => undefined, (e: unknown) => e);
      const cause = (error as Error | undefined)?.cause;
      assert.ok(isStreamlibError(cause, "SL_FILE_WRITE"), String(error));
      assert.match((cause as Error).message, /filesrc\d*" in this process is reading it/);
      assert.match((cause as Error).message, /Output same as Input/);
    }
    assert.deepEqual(await Deno.readFile(path), before, "the file is untouched");
    assert.deepEqual(names(dir), ["clip.mp4"]);
    assert.deepEqual(ffmpegChildren(), []);
    // Once those runs are over, the file may be written again, and read.
    await write(path, {}, { count: 3, width: 32, height: 32 });
    const copy = new Pipeline({ mode: "offline" });
    copy.pipe(
      new FileReader({ location: path }),
      new FileWriter({ location: `${dir}/copy.mp4`, preset: "ultrafast" }),
    );
    await copy.run();
    assert.deepEqual(names(dir), ["clip.mp4", "copy.mp4"]);
  }));

Deno.test("a file written by this process is refused to readers and other writers until its writer is done", () => {
  const unwrite = _startWriting("out.mp4", "sink");
  assert.throws(
    () => _startReading("./out.mp4", "src"),
    (e) =>
      isStreamlibError(e, "SL_FILE_INVALID") && /"sink" in this process is writing/.test(e.message),
  );
  assert.throws(() => _startWriting(`${Deno.cwd()}/out.mp4`, "other"), /"sink" .* is writing it/);
  unwrite();
  unwrite(); // twice is once
  const unread = _startReading("out.mp4", "src");
  const unread2 = _startReading("out.mp4", "src2");
  unread();
  assert.throws(() => _startWriting("out.mp4", "sink"), /"src2" in this process is reading it/);
  unread2();
  _startWriting("out.mp4", "sink")();
  // URLs, pipes and image sequences are not files this check can see.
  for (const location of ["rtmp://h/x", "pipe:1", "-", "frame-%05d.png"]) {
    const stop = _startReading(location, "a");
    _startWriting(location, "b")();
    stop();
  }
});
