import {
  Actor,
  type Contract,
  type ContractParams,
  createVideoFrame,
  StreamlibError,
  tickTime,
  type TimedTick,
  timingOf,
  type VideoColorSpace,
  type VideoFrame,
} from "@streamlib/core";
import { parseColor, type Rgba } from "./color.ts";
import { convertFrame } from "./convert.ts";
import { _drawLabel } from "./_font.ts";
import { _renderPattern } from "./_pattern_rgba.ts";
import { _smpteBars } from "./_pattern_smpte.ts";

/**
 * The contract of {@linkcode TestPattern}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { testPatternContract } from "@streamlib/video";
 * assert.ok(testPatternContract.type === "videotestsrc");
 * assert.ok(testPatternContract.params.pattern.default === "smpte");
 * ```
 */
export const testPatternContract = {
  type: "videotestsrc",
  description: "Generates test video: SMPTE colour bars, a gradient, checkers, a solid colour, " +
    "a moving ball or box, or noise",
  classification: "Source/Video",
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The pattern, one frame a tick, in the chosen format",
      formatParam: "format",
    },
  },
  params: {
    pattern: {
      type: "string",
      enum: ["smpte", "gradient", "checkers", "solid", "ball", "box", "noise"],
      default: "smpte",
      description: "smpte: SMPTE EG 1 75% colour bars; gradient: background at the top to " +
        "foreground at the bottom; checkers: squares of size px; solid: the foreground; ball, " +
        "box: a disc or square of size px bouncing at speed px/s; noise: grey noise",
    },
    width: {
      type: "integer",
      default: 1280,
      minimum: 1,
      maximum: 16_384,
      unit: "px",
      description: "Frame width",
    },
    height: {
      type: "integer",
      default: 720,
      minimum: 1,
      maximum: 16_384,
      unit: "px",
      description: "Frame height; YUV uses BT.709 from 720 lines up, else BT.601",
    },
    fps: {
      type: "number",
      default: 30,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Frames a second",
    },
    format: {
      type: "string",
      enum: ["RGBA", "BGRA", "I420", "NV12"],
      default: "RGBA",
      description: "Pixel format; I420 and NV12 are limited range",
    },
    frames: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Frames to send before end-of-stream; 0 for endless",
    },
    duration: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "s",
      description: "End before the first frame at or past this running time; 0 for endless",
    },
    foreground: {
      type: "string",
      default: "white",
      description: "Colour of solid, the first checker square, the ball, the box and the " +
        "gradient's bottom: #rgb, #rrggbb, #rrggbbaa or a name",
    },
    background: {
      type: "string",
      default: "black",
      description: "Colour of the other checker squares, behind the ball and the box, and the " +
        "gradient's top",
    },
    size: {
      type: "integer",
      default: 64,
      minimum: 1,
      unit: "px",
      description: "Checker square side, ball diameter or box side",
    },
    speed: {
      type: "number",
      default: 200,
      minimum: 0,
      unit: "px/s",
      description: "How fast the ball or box moves along each axis",
    },
    seed: {
      type: "integer",
      default: 0,
      description: "Seed of the noise: a seed and a frame number always give the same picture",
    },
    overlay: {
      type: "string",
      enum: ["none", "frame", "timecode"],
      default: "none",
      description: "Draw the frame number or an HH:MM:SS:FF timecode in the top-left corner",
    },
  },
} as const satisfies Contract;

/**
 * A source of test video, like GStreamer's `videotestsrc`: one frame a tick at `fps`, of
 * `width` × `height` pixels in `format`, ending after `frames` frames or `duration` seconds
 * (whichever comes first; 0 for endless).
 *
 * `pattern=smpte` (the default) draws the SMPTE EG 1 75% colour bars: seven bars (75% white,
 * yellow, cyan, green, magenta, red, blue) over the top 2/3, the reverse strip (blue, black,
 * magenta, black, cyan, black, 75% white) down to 3/4, then −I, 100% white, +Q and black (5/4
 * bar each), the PLUGE under the red bar (−4%, black, +4%) and black. Column `x` belongs to bar
 * `floor(7x / width)` and rows split at `floor(2h / 3)` and `floor(3h / 4)`, so any size works.
 * The bars are drawn natively in each format: RGBA and BGRA from 8-bit R'G'B' (75% = 191,
 * −I = 0, 63, 105; +Q = 65, 0, 120; −4% clips to 0, +4% = 10), I420 and NV12 from limited-range
 * Y'CbCr computed with BT.709 from 720 lines up (75% yellow = 168, 44, 136) and BT.601 below
 * (162, 44, 142), rounded to nearest, chroma averaged over each 2×2 block. −I and +Q are the
 * values of SMPTE RP 219 (BT.709: 61, 153, 99 and 35, 174, 152).
 *
 * The other patterns are drawn in RGBA and converted with {@linkcode convertFrame} for YUV
 * formats. `ball` and `box` start at the top-left corner and move `speed` px/s along each axis,
 * bouncing off the edges: their position is a function of the frame's timestamp, so a frame is
 * the same whenever it is made. `noise` is a function of `seed` and the frame number. Static
 * patterns are drawn once and copied into a fresh buffer for every frame.
 *
 * `overlay=frame` or `overlay=timecode` draws the frame number or an SMPTE-style `HH:MM:SS:FF`
 * timecode (seconds from the timestamp, `FF` the frame within the second at the tick rate)
 * white on black in the top-left corner, with a built-in 5×7 font scaled by
 * `max(1, floor(height / 144))`.
 *
 * ```text
 * videotestsrc pattern=ball format=I420 overlay=timecode duration=10 ! filesink location=ball.yuv
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, Pipeline, type VideoFrame } from "@streamlib/core";
 * import { TestPattern } from "@streamlib/video";
 * const sink = new Collect<VideoFrame>();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new TestPattern({ width: 70, height: 48, frames: 3 }), sink)
 *   .run();
 * assert.ok(sink.messages.length === 3);
 * // The first bar is 75% white.
 * assert.ok(sink.messages[0]!.data.subarray(0, 4).join() === "191,191,191,255");
 * ```
 */
export class TestPattern extends Actor<typeof testPatternContract> {
  /** Ports and parameters. */
  static override contract: typeof testPatternContract = testPatternContract;
  #foreground: Rgba;
  #background: Rgba;
  /** The last static picture drawn, and what it was drawn for. */
  #cache: { key: string; data: Uint8Array } | undefined;

  /**
   * Creates the source; parameters are checked against the contract, and `foreground` and
   * `background` must be colours (`SL_PARAM_INVALID` otherwise).
   *
   * @param params Parameter values; the rest take their defaults.
   */
  constructor(params: Partial<ContractParams<typeof testPatternContract>> = {}) {
    super(params);
    this.#foreground = _color("foreground", this.params.foreground);
    this.#background = _color("background", this.params.background);
  }

  /**
   * Frames sent, of the `frames` or `duration` limit (unknown when endless).
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    const { frames, duration } = this.params;
    let total: number | undefined = frames || undefined;
    if (duration > 0) {
      const n = _framesBefore(duration * 1e6, this.fps);
      total = total === undefined ? n : Math.min(total, n);
    }
    return { done: this.outputs.out.written, total };
  }

  /** Forgets the cached picture. */
  override start(): void {
    this.#cache = undefined;
  }

  /**
   * Changes parameters, checking colours first (`SL_PARAM_INVALID`, nothing changed).
   *
   * @param changes The parameters to change.
   */
  override setParams(changes: Partial<ContractParams<typeof testPatternContract>>): void {
    if (changes.foreground !== undefined) _color("foreground", changes.foreground);
    if (changes.background !== undefined) _color("background", changes.background);
    super.setParams(changes);
  }

  /**
   * Takes new colours and redraws from the next frame.
   *
   * @param _changed Unused.
   */
  override paramsChanged(_changed: readonly string[]): void {
    this.#foreground = _color("foreground", this.params.foreground);
    this.#background = _color("background", this.params.background);
    this.#cache = undefined;
  }

  /**
   * Writes the frame of `tick`, or ends at the `frames` or `duration` limit.
   *
   * @param tick The tick.
   */
  process(tick: TimedTick): void {
    const { frames, duration } = this.params;
    const limit = duration * 1e6;
    // `frames` counts frames sent (a live source that fell behind skips ticks, not frames);
    // `duration` is time.
    const out = this.outputs.out;
    if ((frames !== 0 && out.written >= frames) || (duration !== 0 && tick.timestamp >= limit)) {
      this.end();
      return;
    }
    out.write(this.#frame(tick));
    if (
      (frames !== 0 && out.written >= frames) ||
      (duration !== 0 && tick.timestamp + tick.duration >= limit)
    ) {
      this.end();
    }
  }

  #frame(tick: TimedTick): VideoFrame {
    const { width, height, format, overlay } = this.params;
    const yuv = format === "I420" || format === "NV12";
    const colorSpace: VideoColorSpace | undefined = yuv
      ? { matrix: height >= 720 ? "bt709" : "smpte170m", fullRange: false }
      : undefined;
    const frame = createVideoFrame({
      format,
      codedWidth: width,
      codedHeight: height,
      data: this.#pixels(tick),
      colorSpace,
      ...timingOf(tick),
    });
    if (overlay !== "none") {
      const text = overlay === "frame"
        ? String(tick.frameNumber)
        : _timecode(tick.timestamp, tick.fps || this.fps);
      _drawLabel(frame, text, Math.max(1, Math.floor(height / 144)));
    }
    return frame;
  }

  /** The pixels of `tick`'s frame, in a buffer of its own. */
  #pixels(tick: TimedTick): Uint8Array {
    const { pattern, width, height, format, size } = this.params;
    if (pattern === "ball" || pattern === "box" || pattern === "noise") {
      return this.#draw(tick.timestamp, tick.frameNumber);
    }
    const key = [pattern, format, width, height, size, this.#foreground, this.#background].join();
    if (this.#cache?.key !== key) this.#cache = { key, data: this.#draw(0, 0) };
    return this.#cache.data.slice();
  }

  #draw(timestamp: number, frameNumber: number): Uint8Array {
    const { pattern, width, height, format, size, speed, seed } = this.params;
    const matrix = height >= 720 ? "bt709" : "bt601";
    if (pattern === "smpte") return _smpteBars(format, width, height, matrix);
    const rgba = _renderPattern(
      {
        pattern,
        order: format === "BGRA" ? "BGRA" : "RGBA",
        width,
        height,
        foreground: this.#foreground,
        background: this.#background,
        size,
        speed,
        seed,
      },
      timestamp,
      frameNumber,
    );
    if (format === "RGBA" || format === "BGRA") return rgba;
    const frame = createVideoFrame({
      format: "RGBA",
      codedWidth: width,
      codedHeight: height,
      data: rgba,
    });
    return convertFrame(frame, format, { matrix, fullRange: false }).data;
  }
}

/** Parses a colour parameter, naming the parameter in the error. */
function _color(name: string, value: string): Rgba {
  try {
    return parseColor(value);
  } catch (error) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Parameter "${name}" of "videotestsrc": ${(error as Error).message}`,
      { cause: error, details: { param: name, value } },
    );
  }
}

/** How many ticks at `fps` start before `limit` µs. */
function _framesBefore(limit: number, fps: number): number {
  let n = Math.ceil((limit * fps) / 1e6);
  while (n > 0 && tickTime(n - 1, fps) >= limit) n--;
  while (tickTime(n, fps) < limit) n++;
  return n;
}

/**
 * `HH:MM:SS:FF` of a timestamp: whole seconds of running time, and `FF` the frame within the
 * second at `fps` (timestamps are rounded to the µs, hence the half µs). Hours wrap at 24.
 */
function _timecode(timestamp: number, fps: number): string {
  const t = timestamp + 0.5;
  const seconds = Math.floor(t / 1e6);
  const ff = Math.min(Math.floor(((t - seconds * 1e6) * fps) / 1e6), Math.ceil(fps) - 1);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(Math.floor(seconds / 3600) % 24)}:${two(Math.floor(seconds / 60) % 60)}:${
    two(seconds % 60)
  }:${two(ff)}`;
}
