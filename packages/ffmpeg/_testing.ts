/**
 * Test helpers for the ffmpeg package: ffprobe, the ffmpeg children still running and the pipes
 * open to them, and sources of audio clicks and video flashes whose sync can be checked in a
 * written file.
 *
 * @module
 */
import {
  Actor,
  type Contract,
  createAudioBuffer,
  createVideoFrame,
  type TimedTick,
  timingOf,
} from "@streamlib/core";
import { _running } from "./_ffmpeg_running.ts";

/** Whether Debian's ffprobe is installed. */
export function hasFfprobe(): boolean {
  try {
    return new Deno.Command("ffprobe", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** `ffprobe -show_streams -show_format` (and `-show_frames` when asked) as JSON. */
export async function ffprobe(
  path: string,
  frames = false,
): Promise<{
  streams: Record<string, string | number>[];
  format: Record<string, string | number>;
  frames?: Record<string, string | number>[];
}> {
  const { success, stdout, stderr } = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-count_frames",
      "-show_streams",
      "-show_format",
      ...(frames ? ["-show_frames"] : []),
      "-of",
      "json",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`ffprobe ${path} failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/**
 * The ffmpeg processes this test file's actors started that are still running, by `ps` (Deno
 * guards /proc). Test files run in parallel in one process, so other files' ffmpeg children are
 * told apart by the ids our module recorded.
 */
export function ffmpegChildren(): number[] {
  if (_running.size === 0) return [];
  const { stdout } = new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,stat="],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const alive = new Set<number>();
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const [pid, stat] = line.trim().split(/\s+/);
    if (pid && !stat?.startsWith("Z")) alive.add(Number(pid));
  }
  return [..._running].filter((pid) => alive.has(pid));
}

/**
 * The pipes a process has open (`pipe:[inode]`), by `ls -l` of its /proc/<pid>/fd in a child
 * process (Deno guards /proc); with `fds`, only those descriptors (`[0, 1, 2]`: a child's
 * standard streams, not what it inherited). Both ends of a pipe show the same inode, so a pipe
 * of an ffmpeg child that this process still holds appears in both lists.
 */
export function openPipes(pid: number = Deno.pid, fds?: readonly number[]): string[] {
  const { stdout } = new Deno.Command("ls", {
    args: ["-l", `/proc/${pid}/fd`],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const pipes: string[] = [];
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const link = / (\d+) -> (pipe:\[\d+\])$/.exec(line);
    if (link !== null && (fds === undefined || fds.includes(Number(link[1])))) pipes.push(link[2]!);
  }
  return pipes;
}

const clicksContract = {
  type: "clicks",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
  params: {
    seconds: { type: "number", default: 2 },
    sampleRate: { type: "integer", default: 48_000 },
    channels: { type: "integer", default: 2 },
    samplesPerBuffer: { type: "integer", default: 1024 },
  },
} as const satisfies Contract;

/**
 * Audio of `seconds` length: silence with a click (4 samples at 0.9) starting exactly on every
 * whole second, in buffers of `samplesPerBuffer` (the last one shorter).
 */
export class Clicks extends Actor<typeof clicksContract> {
  static override contract = clicksContract;
  override get fps(): number {
    return this.params.sampleRate / this.params.samplesPerBuffer;
  }
  process(tick: TimedTick): void {
    const { seconds, sampleRate, channels, samplesPerBuffer } = this.params;
    const total = Math.round(seconds * sampleRate);
    const position = tick.frameNumber * samplesPerBuffer;
    const frames = Math.min(samplesPerBuffer, total - position);
    if (frames <= 0) return this.end();
    const buffer = createAudioBuffer({
      sampleRate,
      numberOfChannels: channels,
      numberOfFrames: frames,
      position,
      clockId: tick.clockId,
    });
    for (let i = 0; i < frames; i++) {
      if ((position + i) % sampleRate < 4) {
        for (let c = 0; c < channels; c++) buffer.data[c * frames + i] = 0.9;
      }
    }
    this.outputs.out.write(buffer);
    if (position + frames >= total) this.end();
  }
}

const flashesContract = {
  type: "flashes",
  outputs: { out: { kind: "video", formats: ["I420"] } },
  params: {
    seconds: { type: "number", default: 2 },
    fps: { type: "number", default: 30 },
    width: { type: "integer", default: 64 },
    height: { type: "integer", default: 48 },
  },
} as const satisfies Contract;

/** I420 video of `seconds`: black, with a white frame on every whole second. */
export class Flashes extends Actor<typeof flashesContract> {
  static override contract = flashesContract;
  process(tick: TimedTick): void {
    const { seconds, fps, width, height } = this.params;
    const count = Math.round(seconds * fps);
    const n = tick.frameNumber;
    if (n >= count) return this.end();
    const frame = createVideoFrame({
      format: "I420",
      codedWidth: width,
      codedHeight: height,
      ...timingOf(tick),
    });
    const white = n % fps === 0;
    frame.data.fill(white ? 235 : 16, 0, width * height);
    frame.data.fill(128, width * height);
    this.outputs.out.write(frame);
    if (n + 1 >= count) this.end();
  }
}

/** Decodes the first audio stream of `path` to mono f32 at its own rate with ffmpeg. */
export async function decodeAudio(path: string): Promise<Float32Array> {
  const { success, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-f", "f32le", "pipe:1"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  return new Float32Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 4);
}

/** Mean luma of each decoded frame of `path` (scaled to 4×4 gray by ffmpeg), in order. */
export async function frameBrightness(path: string): Promise<number[]> {
  const { success, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-i",
      path,
      "-map",
      "0:v:0",
      "-vsync",
      "passthrough",
      "-vf",
      "scale=4:4",
      "-pix_fmt",
      "gray",
      "-f",
      "rawvideo",
      "pipe:1",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  const out: number[] = [];
  for (let i = 0; i + 16 <= stdout.length; i += 16) {
    let sum = 0;
    for (let k = 0; k < 16; k++) sum += stdout[i + k]!;
    out.push(sum / 16);
  }
  return out;
}
