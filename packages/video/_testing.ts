/**
 * Test helpers for the video package: a source of known frames and ffprobe.
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
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";
import { _running } from "./_ffmpeg_running.ts";

const framesContract = {
  type: "frames",
  outputs: { out: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  params: {
    count: { type: "integer", default: 10 },
    width: { type: "integer", default: 64 },
    height: { type: "integer", default: 48 },
    fps: { type: "number", default: 25 },
    format: { type: "string", enum: ["RGBA", "BGRA", "I420", "NV12"], default: "RGBA" },
    timestamps: { type: "array", items: { type: "number" }, default: [] },
  },
} as const satisfies Contract;

/**
 * `count` frames of a smooth picture that changes with the frame number (see
 * {@linkcode framePixel}); with `timestamps`, frame n carries `timestamps[n]` µs instead of the
 * tick's (variable frame rate).
 */
export class Frames extends Actor<typeof framesContract> {
  static override contract = framesContract;
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    const { count, width, height, timestamps } = this.params;
    if (n >= count) return this.end();
    const timestamp = timestamps[n] ?? tick.timestamp;
    const next = timestamps[n + 1] ?? (timestamps.length ? timestamp + 40_000 : undefined);
    this.outputs.out.write(
      makeFrame(this.params.format as VideoPixelFormat, width, height, n, {
        timestamp,
        duration: next === undefined ? tick.duration : next - timestamp,
        position: n,
        clockId: tick.clockId,
      }),
    );
    if (n + 1 >= count) this.end();
  }
}

/** The RGB value of pixel (x, y) in frame n: smooth gradients, easy on codecs. */
export function framePixel(x: number, y: number, n: number): [number, number, number] {
  return [(x * 3 + n * 8) & 255, (y * 3 + n * 4) & 255, 128];
}

/** Mean absolute difference between a decoded RGBA frame and frame n's known pixels. */
export function frameError(frame: VideoFrame, n: number): number {
  let sum = 0;
  for (let y = 0; y < frame.codedHeight; y++) {
    for (let x = 0; x < frame.codedWidth; x++) {
      const p = (y * frame.codedWidth + x) * 4;
      const [r, g, b] = framePixel(x, y, n);
      sum += Math.abs(frame.data[p]! - r) + Math.abs(frame.data[p + 1]! - g) +
        Math.abs(frame.data[p + 2]! - b);
    }
  }
  return sum / (frame.codedWidth * frame.codedHeight * 3);
}

/** A frame of {@linkcode framePixel} values (YUV formats: BT.601 full-swing-free approximation). */
export function makeFrame(
  format: VideoPixelFormat,
  width: number,
  height: number,
  n: number,
  timing: { timestamp: number; duration: number; position: number; clockId: string },
): VideoFrame {
  const frame = createVideoFrame({ format, codedWidth: width, codedHeight: height, ...timing });
  const { data, layout } = frame;
  if (format === "RGBA" || format === "BGRA") {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [r, g, b] = framePixel(x, y, n);
        const p = y * width * 4 + x * 4;
        data[p] = format === "RGBA" ? r : b;
        data[p + 1] = g;
        data[p + 2] = format === "RGBA" ? b : r;
        data[p + 3] = 255;
      }
    }
    return frame;
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = framePixel(x, y, n)[0];
  }
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const [u, v] = [(x * 5 + n) & 255, (y * 5) & 255];
      if (format === "I420") {
        data[layout[1]!.offset + y * cw + x] = u;
        data[layout[2]!.offset + y * cw + x] = v;
      } else {
        data[layout[1]!.offset + y * cw * 2 + 2 * x] = u;
        data[layout[1]!.offset + y * cw * 2 + 2 * x + 1] = v;
      }
    }
  }
  return frame;
}

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

/** Timing of frame n at 25 fps. */
export function timing(
  n: number,
): { timestamp: number; duration: number; position: number; clockId: string } {
  return { timestamp: n * 40_000, duration: 40_000, position: n, clockId: "" };
}

const replayContract = {
  type: "replay",
  outputs: { out: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
} as const satisfies Contract;

/** Sends the given frames, one a tick, then ends. */
export class Replay extends Actor<typeof replayContract> {
  static override contract = replayContract;
  readonly frames: readonly VideoFrame[];
  constructor(frames: readonly VideoFrame[]) {
    super();
    this.frames = frames;
  }
  process(tick: TimedTick): void {
    const frame = this.frames[tick.frameNumber];
    if (frame !== undefined) this.outputs.out.write(frame);
    if (tick.frameNumber + 1 >= this.frames.length) this.end();
  }
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
