import {
  Actor,
  type Contract,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { _copyRows, _derivedFrame, _framePlanes } from "./_frame_planes.ts";

/**
 * How many pixels {@linkcode cropFrame} removes from each side.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CropSides } from "@streamlib/video";
 * const letterbox: CropSides = { top: 60, bottom: 60 };
 * assert.ok(letterbox.left === undefined);
 * ```
 */
export interface CropSides {
  /** Pixels removed on the left (default 0). */
  left?: number;
  /** Pixels removed on the right (default 0). */
  right?: number;
  /** Pixels removed at the top (default 0). */
  top?: number;
  /** Pixels removed at the bottom (default 0). */
  bottom?: number;
}

/**
 * Cuts `left`, `right`, `top` and `bottom` pixels off the sides of a frame, like GStreamer's
 * `videocrop`: a W×H frame becomes (W − left − right) × (H − top − bottom), in the same format
 * and colour space and with the same timing. With nothing to crop the frame comes back as it is;
 * otherwise the result is a new, tightly packed frame and the input is not modified.
 *
 * I420 and NV12 keep every luma pixel exactly; their chroma planes (one sample per 2×2 block)
 * start at block ⌊left/2⌋, ⌊top/2⌋, so an odd `left` or `top` shifts colours by half a block
 * (one pixel). Even offsets crop chroma exactly.
 *
 * Throws `SL_PARAM_INVALID` when a side is not a non-negative integer or the crop leaves no
 * pixels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cropFrame } from "@streamlib/video";
 * import { createVideoFrame } from "@streamlib/core";
 * const frame = createVideoFrame({ format: "I420", codedWidth: 1920, codedHeight: 1080 });
 * const cropped = cropFrame(frame, { left: 240, right: 240 });
 * assert.ok(cropped.codedWidth === 1440 && cropped.codedHeight === 1080);
 * ```
 *
 * @param frame The frame to crop.
 * @param sides Pixels to remove on each side.
 * @returns The cropped frame (or `frame` itself when every side is 0).
 */
export function cropFrame(frame: VideoFrame, sides: CropSides): VideoFrame {
  const { left = 0, right = 0, top = 0, bottom = 0 } = sides;
  for (const [name, value] of Object.entries({ left, right, top, bottom })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Cannot crop ${JSON.stringify(value)} pixels on the ${name}: give an integer ≥ 0`,
      );
    }
  }
  const { codedWidth: w, codedHeight: h } = frame;
  const width = w - left - right;
  const height = h - top - bottom;
  if (width <= 0 || height <= 0) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Cropping left ${left}, right ${right}, top ${top}, bottom ${bottom} from a ${w}×${h} ` +
        `frame leaves nothing; crop less than the picture's width and height`,
      { details: { left, right, top, bottom, width: w, height: h } },
    );
  }
  if (width === w && height === h) return frame;
  const out = _derivedFrame(frame, frame.format, width, height);
  const dst = _framePlanes(out);
  _framePlanes(frame).forEach((src, i) => {
    const d = dst[i]!;
    // Plane 0 is full size; chroma planes start at half the offsets, rounded down.
    const x = i === 0 ? left : left >> 1;
    const y = i === 0 ? top : top >> 1;
    const rowBytes = d.width * d.channels;
    const from = src.offset + y * src.stride + x * src.channels;
    _copyRows(frame.data, from, src.stride, out.data, d.offset, d.stride, rowBytes, d.height);
  });
  return out;
}

/**
 * The contract of {@linkcode VideoCrop}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoCropContract } from "@streamlib/video";
 * assert.ok(videoCropContract.type === "videocrop");
 * ```
 */
export const videoCropContract = {
  type: "videocrop",
  description: "Removes pixels from the left, right, top and bottom of the picture",
  classification: "Filter/Effect/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The cropped video, in the input's format",
    },
  },
  params: {
    left: {
      type: "integer",
      default: 0,
      minimum: 0,
      unit: "px",
      description: "Pixels to remove on the left",
    },
    right: {
      type: "integer",
      default: 0,
      minimum: 0,
      unit: "px",
      description: "Pixels to remove on the right",
    },
    top: {
      type: "integer",
      default: 0,
      minimum: 0,
      unit: "px",
      description: "Pixels to remove at the top",
    },
    bottom: {
      type: "integer",
      default: 0,
      minimum: 0,
      unit: "px",
      description: "Pixels to remove at the bottom",
    },
  },
} as const satisfies Contract;

/**
 * Crops video frames, like GStreamer's `videocrop`: removes `left`, `right`, `top` and `bottom`
 * pixels from the sides with {@linkcode cropFrame} (see there for how I420 and NV12 chroma is
 * cropped at odd offsets). The format, timing and colour space are kept; with every side 0 the
 * frames pass through. A crop that leaves nothing fails with `SL_PARAM_INVALID`. Parameters may
 * change while running.
 *
 * ```text
 * videotestsrc ! videocrop left=80 right=80 ! display
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VideoCrop } from "@streamlib/video";
 * const crop = new VideoCrop({ top: 60, bottom: 60 });
 * assert.ok(crop.params.left === 0);
 * ```
 */
export class VideoCrop extends Actor<typeof videoCropContract> {
  /** Ports and parameters. */
  static override contract: typeof videoCropContract = videoCropContract;

  /**
   * Crops one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.outputs.out.write(cropFrame(frame, this.params));
  }
}
