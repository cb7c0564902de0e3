import {
  Actor,
  type Contract,
  createDataMessage,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";

/**
 * The contract of {@linkcode MotionDetector}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { motionContract } from "@streamlib/plugin-motion";
 * assert.ok(motionContract.type === "motion");
 * ```
 */
export const motionContract = {
  type: "motion",
  description: "Emits a data event when a region of the picture starts or stops changing",
  classification: "Analyzer/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The video, unchanged",
    },
    motion: {
      kind: "data",
      formats: ["motion"],
      description: "{ motion, score } when motion starts or stops",
    },
  },
  params: {
    region: {
      type: "array",
      items: { type: "integer", minimum: 0 },
      default: [],
      description: "[x, y, width, height] to watch, in pixels; empty for the whole picture",
    },
    threshold: {
      type: "integer",
      default: 24,
      minimum: 1,
      maximum: 255,
      description: "How much a pixel's brightness must change to count as changed",
    },
    sensitivity: {
      type: "number",
      default: 0.02,
      exclusiveMinimum: 0,
      maximum: 1,
      description: "Share of the region's pixels that must change for motion",
    },
    step: {
      type: "integer",
      default: 2,
      minimum: 1,
      description: "Look at one pixel in step×step (faster, coarser)",
    },
    every: {
      type: "boolean",
      default: false,
      description: "Emit a score for every frame, not only when motion starts or stops",
    },
  },
} as const satisfies Contract;

/** What the `motion` output carries. */
export interface MotionEvent {
  /** Whether the region is changing now. */
  readonly motion: boolean;
  /** Share of the watched pixels that changed since the previous frame, 0 to 1. */
  readonly score: number;
}

/**
 * Watches a region of the picture and emits `{ motion, score }` on its `motion` output when the
 * region starts changing and when it settles (or on every frame with `every=true`). It compares
 * each frame's brightness with the previous frame's, pixel by pixel on a `step` grid: a pixel
 * counts as changed when its brightness moved by `threshold` or more, and there is motion when
 * at least `sensitivity` of the region changed. Brightness is BT.601 luma for RGBA/BGRA and the
 * Y plane for I420/NV12. The video goes on unchanged through `out`.
 *
 * ```text
 * videotestsrc pattern=ball ! motion region=[0,0,320,240] sensitivity=0.05 name=m ! display
 * m.motion ! log
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MotionDetector } from "@streamlib/plugin-motion";
 * const detector = new MotionDetector({ region: [10, 10, 100, 100], sensitivity: 0.1 });
 * assert.ok(detector.params.threshold === 24);
 * ```
 */
export class MotionDetector extends Actor<typeof motionContract> {
  /** Ports and parameters. */
  static override contract: typeof motionContract = motionContract;
  #previous: Uint8Array | undefined;
  #current: Uint8Array | undefined;
  #shape = "";
  #moving = false;

  /** Forgets the previous frame. */
  override start(): void {
    this.#previous = undefined;
    this.#moving = false;
  }

  /**
   * Scores one frame, emits an event when the state changes, and passes the frame on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const score = this.#score(frame);
    if (score !== undefined) {
      const moving = score >= this.params.sensitivity;
      if (moving !== this.#moving || this.params.every) {
        this.#moving = moving;
        const event: MotionEvent = { motion: moving, score };
        this.outputs.motion.write(createDataMessage(event, {
          topic: "motion",
          timestamp: frame.timestamp,
          duration: frame.duration,
          position: frame.position,
          clockId: frame.clockId,
        }));
      }
    }
    this.outputs.out.write(frame);
  }

  /** Share of sampled pixels that changed, or `undefined` for the first frame of a shape. */
  #score(frame: VideoFrame): number | undefined {
    const { codedWidth: width, codedHeight: height } = frame;
    const [rx = 0, ry = 0, rw = width, rh = height] = this.params.region.length === 4
      ? this.params.region
      : [];
    const x0 = Math.min(rx, width);
    const y0 = Math.min(ry, height);
    const x1 = Math.min(x0 + rw, width);
    const y1 = Math.min(y0 + rh, height);
    const step = this.params.step;
    const cols = Math.ceil((x1 - x0) / step);
    const rows = Math.ceil((y1 - y0) / step);
    if (cols <= 0 || rows <= 0) return 0;
    const shape = `${frame.format} ${width}×${height} ${x0},${y0},${cols}×${rows}`;
    if (shape !== this.#shape || this.#current === undefined) {
      this.#shape = shape;
      this.#current = new Uint8Array(cols * rows);
      this.#previous = undefined;
    }
    const luma = this.#current;
    _sampleLuma(frame, x0, y0, cols, rows, step, luma);
    const previous = this.#previous;
    // Keep this frame's samples for the next one, reusing the old buffer.
    this.#current = previous ?? new Uint8Array(cols * rows);
    this.#previous = luma;
    if (previous === undefined) return undefined;
    let changed = 0;
    const threshold = this.params.threshold;
    for (let i = 0; i < luma.length; i++) {
      const d = luma[i]! - previous[i]!;
      if (d >= threshold || d <= -threshold) changed++;
    }
    return changed / luma.length;
  }
}

/** Writes the brightness of every `step`-th pixel of a region into `out`. */
function _sampleLuma(
  frame: VideoFrame,
  x0: number,
  y0: number,
  cols: number,
  rows: number,
  step: number,
  out: Uint8Array,
): void {
  const { data, layout, format } = frame;
  const plane = layout[0]!;
  let k = 0;
  if (format === "I420" || format === "NV12") {
    for (let r = 0; r < rows; r++) {
      const row = plane.offset + (y0 + r * step) * plane.stride + x0;
      for (let c = 0; c < cols; c++) out[k++] = data[row + c * step]!;
    }
    return;
  }
  const [ri, bi] = format === "RGBA" ? [0, 2] : [2, 0];
  for (let r = 0; r < rows; r++) {
    const row = plane.offset + (y0 + r * step) * plane.stride + x0 * 4;
    for (let c = 0; c < cols; c++) {
      const p = row + c * step * 4;
      out[k++] = (data[p + ri]! * 77 + data[p + 1]! * 150 + data[p + bi]! * 29) >> 8;
    }
  }
}
