/**
 * The fuzz suite's media inputs: small real files made with ffmpeg at the start of a run (a few
 * frames of 32×24, a fraction of a second of 8 kHz sound, in many containers and codecs), their
 * bytes mutated in the headers and the payload, each read by `filesrc` in an offline pipeline
 * into `nullsink` with varied parameters. Internal to the scripts.
 *
 * @module
 */

import type { _Input } from "./_fuzz_case.ts";
import { _mutateBytes, type _Random } from "./_fuzz_random.ts";

/** A file to mutate. */
export interface _Fixture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly video: boolean;
  readonly audio: boolean;
}

const _VIDEO = ["-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.4"];
const _AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.4"];
const _OPUS = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=0.4"];
const _H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const _AAC = ["-c:a", "aac", "-b:a", "16k"];

/** The files, as ffmpeg arguments after the common ones and before the output. */
const _RECIPES: ReadonlyArray<{ name: string; args: string[]; video: boolean; audio: boolean }> = [
  { name: "h264.mp4", args: [..._VIDEO, ..._AUDIO, ..._H264, ..._AAC], video: true, audio: true },
  {
    name: "faststart.mp4",
    args: [..._VIDEO, ..._AUDIO, ..._H264, ..._AAC, "-movflags", "+faststart"],
    video: true,
    audio: true,
  },
  {
    name: "vp9.webm",
    // deno-fmt-ignore
    args: [..._VIDEO, ..._OPUS, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
      "-b:v", "50k", "-c:a", "libopus", "-b:a", "16k"],
    video: true,
    audio: true,
  },
  {
    name: "ffv1.mkv",
    args: [..._VIDEO, ..._AUDIO, "-c:v", "ffv1", "-c:a", "flac"],
    video: true,
    audio: true,
  },
  {
    name: "mjpeg.avi",
    args: [..._VIDEO, ..._AUDIO, "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-c:a", "pcm_s16le"],
    video: true,
    audio: true,
  },
  {
    name: "mpeg4.ts",
    args: [..._VIDEO, ..._AUDIO, "-c:v", "mpeg4", "-c:a", "libmp3lame", "-b:a", "16k"],
    video: true,
    audio: true,
  },
  {
    name: "theora.ogv",
    args: [..._VIDEO, ..._AUDIO, "-c:v", "libtheora", "-c:a", "libvorbis"],
    video: true,
    audio: true,
  },
  { name: "png.mov", args: [..._VIDEO, "-c:v", "png"], video: true, audio: false },
  { name: "anim.gif", args: [..._VIDEO, "-c:v", "gif"], video: true, audio: false },
  {
    name: "image.png",
    args: ["-f", "lavfi", "-i", "testsrc2=size=32x24:rate=1", "-frames:v", "1", "-update", "1"],
    video: true,
    audio: false,
  },
  { name: "tone.wav", args: [..._AUDIO, "-c:a", "pcm_s16le"], video: false, audio: true },
  {
    name: "tone.mp3",
    args: [..._AUDIO, "-c:a", "libmp3lame", "-b:a", "16k"],
    video: false,
    audio: true,
  },
  { name: "tone.flac", args: [..._AUDIO, "-c:a", "flac"], video: false, audio: true },
  { name: "tone.m4a", args: [..._AUDIO, ..._AAC], video: false, audio: true },
];

/**
 * Makes the files in `dir` with `ffmpeg`, bit-exact and single-threaded so that a machine makes
 * the same bytes each run; a phone-style rotated MP4 is one of them (its display matrix set by
 * a copy, as cameras write it). A file whose encoder this ffmpeg lacks is left out.
 */
export async function _makeFixtures(ffmpeg: string, dir: string): Promise<_Fixture[]> {
  const common = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-threads", "1"];
  const exact = [
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-map_metadata",
    "-1",
  ];
  const run = async (args: string[]): Promise<void> => {
    const { success, stderr } = await new Deno.Command(ffmpeg, {
      args: [...common, ...args],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`ffmpeg ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  };
  const fixtures: _Fixture[] = [];
  const skipped: string[] = [];
  for (const recipe of _RECIPES) {
    try {
      await run([...recipe.args, ...exact, `${dir}/${recipe.name}`]);
      fixtures.push({ ...recipe, bytes: await Deno.readFile(`${dir}/${recipe.name}`) });
    } catch (error) {
      // An ffmpeg built without that encoder: the other files will do.
      skipped.push(`${recipe.name}: ${(error as Error).message.split("\n").at(-2) ?? ""}`);
    }
  }
  if (fixtures.some((f) => f.name === "faststart.mp4")) {
    // deno-fmt-ignore
    await run(["-i", `${dir}/faststart.mp4`, "-c", "copy", "-metadata:s:v:0", "rotate=90",
      "-movflags", "+faststart", ...exact, `${dir}/rotated.mp4`]);
    const bytes = await Deno.readFile(`${dir}/rotated.mp4`);
    fixtures.push({ name: "rotated.mp4", bytes, video: true, audio: true });
  }
  if (fixtures.length === 0) {
    throw new Error(`${ffmpeg} made none of the files:\n${skipped.join("\n")}`);
  }
  return fixtures;
}

/**
 * The media target's case number `index`: a fixture's bytes mutated (now and then left alone,
 * or given another file's extension), written to `dir`, and a pipeline that reads it with
 * `ffmpeg` (`""`: the one `findFfmpeg()` finds).
 */
export async function _mediaInput(
  random: _Random,
  fixtures: readonly _Fixture[],
  dir: string,
  index: number,
  ffmpeg: string,
): Promise<_Input> {
  const fixture = random.pick(fixtures);
  const donor = random.pick(fixtures).bytes;
  const bytes = random.chance(0.03)
    ? fixture.bytes
    : _mutateBytes(random, fixture.bytes, { head: random.pick([64, 256, 1024]), donor });
  const extension = random.chance(0.05)
    ? random.pick(fixtures).name.replace(/^.*\./, "")
    : fixture.name.replace(/^.*\./, "");
  const file = `${dir}/case-${index}.${extension}`;
  await Deno.writeFile(file, bytes);
  return { target: "media", file, pipeline: _readerPipeline(random, fixture, file), ffmpeg };
}

/** `filesrc` with varied parameters into `nullsink`s: video, audio, or both, and the info. */
function _readerPipeline(random: _Random, fixture: _Fixture, file: string): string {
  const params = [`location=${JSON.stringify(file)}`];
  if (random.chance(0.3)) params.push(`format=${random.pick(["RGBA", "BGRA", "I420", "NV12"])}`);
  if (random.chance(0.15)) params.push(`width=${random.pick([8, 16, 33])}`);
  if (random.chance(0.1)) params.push(`height=${random.pick([6, 12, 25])}`);
  if (random.chance(0.1)) params.push(`fps=${random.pick([5, 29.97, 60])}`);
  if (random.chance(0.1)) params.push(`start=${random.pick(["100ms", "0.3s", "5s"])}`);
  if (random.chance(0.1)) params.push(`autorotate=false`);
  if (random.chance(0.1)) params.push(`sampleRate=${random.pick([8000, 22050, 48000])}`);
  if (random.chance(0.1)) params.push(`channels=${random.pick([1, 2, 6])}`);
  if (random.chance(0.1)) params.push(`samplesPerBuffer=${random.pick([1, 100, 4096])}`);
  // Mostly what the file holds; now and then an output it lacks (a coded error).
  const video = random.chance(0.1) ? !fixture.video : fixture.video;
  const audio = fixture.audio ? random.chance(0.3) || !video : random.chance(0.1);
  const lines = [`filesrc name=s ${params.join(" ")}`];
  if (video || !audio) lines.push("s.out ! nullsink");
  if (audio) lines.push("s.audio ! nullsink");
  if (random.chance(0.2)) lines.push("s.info ! nullsink");
  return lines.join("\n");
}
