import assert from "node:assert/strict";
import { isStreamlibError, Pipeline } from "@streamlib/core";
import { FileWriter } from "./file_writer.ts";
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
