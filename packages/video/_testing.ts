/**
 * Test helpers for the video package (and the ffmpeg package's file tests): sources of known
 * frames.
 *
 * @module
 */
import {
  Actor,
  type Contract,
  createVideoFrame,
  type TimedTick,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";

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
