import {
  Actor,
  type Contract,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { _derivedFrame, _framePlanes, type _Plane } from "./_frame_planes.ts";

/**
 * How {@linkcode flipFrame} turns the picture, with GStreamer's `videoflip` names:
 * `none`, `clockwise` (90° right), `rotate-180`, `counterclockwise` (90° left),
 * `horizontal-flip` (mirror left–right), `vertical-flip` (upside down), `upper-left-diagonal`
 * (transpose: mirror across the top-left–bottom-right diagonal) and `upper-right-diagonal`
 * (mirror across the top-right–bottom-left diagonal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FlipMethod } from "@streamlib/video";
 * const method: FlipMethod = "clockwise";
 * assert.ok(method === "clockwise");
 * ```
 */
export type FlipMethod =
  | "none"
  | "clockwise"
  | "rotate-180"
  | "counterclockwise"
  | "horizontal-flip"
  | "vertical-flip"
  | "upper-left-diagonal"
  | "upper-right-diagonal";

const _METHODS: readonly FlipMethod[] = [
  "none",
  "clockwise",
  "rotate-180",
  "counterclockwise",
  "horizontal-flip",
  "vertical-flip",
  "upper-left-diagonal",
  "upper-right-diagonal",
];

const _TRANSPOSING: ReadonlySet<FlipMethod> = new Set([
  "clockwise",
  "counterclockwise",
  "upper-left-diagonal",
  "upper-right-diagonal",
]);

/**
 * Rotates or mirrors a frame. Rotations by 90° and the diagonal flips swap width and height.
 * Every format is supported, plane by plane; on I420 and NV12 the chroma planes turn with the
 * luma, so with an odd width (or height) a mirror shifts colours by one pixel, as the last chroma
 * column (row) covers a single pixel. `none` returns the frame as it is; otherwise the result is
 * a new, tightly packed frame with the input's format, timing and colour space, and the input is
 * not modified. Throws `SL_PARAM_INVALID` for an unknown method.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flipFrame } from "@streamlib/video";
 * import { createVideoFrame } from "@streamlib/core";
 * const frame = createVideoFrame({ format: "RGBA", codedWidth: 640, codedHeight: 480 });
 * const turned = flipFrame(frame, "clockwise");
 * assert.ok(turned.codedWidth === 480 && turned.codedHeight === 640);
 * ```
 *
 * @param frame The frame.
 * @param method How to turn it.
 * @returns The turned frame (or `frame` itself for `none`).
 */
export function flipFrame(frame: VideoFrame, method: FlipMethod): VideoFrame {
  if (!_METHODS.includes(method)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Unknown flip method "${method as string}"; use one of ${_METHODS.join(", ")}`,
    );
  }
  if (method === "none") return frame;
  const swap = _TRANSPOSING.has(method);
  const { codedWidth: w, codedHeight: h } = frame;
  const out = _derivedFrame(frame, frame.format, swap ? h : w, swap ? w : h);
  const dst = _framePlanes(out);
  _framePlanes(frame).forEach((src, i) => _flipPlane(frame.data, src, out.data, dst[i]!, method));
  return out;
}

/**
 * Writes one plane: output sample (x, y) comes from source byte `base + x·dx + y·dy`.
 */
function _flipPlane(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  method: Exclude<FlipMethod, "none">,
): void {
  const { offset, stride, width, height, channels: ch } = src;
  const right = (width - 1) * ch;
  const bottom = (height - 1) * stride;
  const [base, dx, dy] = {
    "clockwise": [offset + bottom, -stride, ch],
    "counterclockwise": [offset + right, stride, -ch],
    "rotate-180": [offset + bottom + right, -ch, -stride],
    "horizontal-flip": [offset + right, -ch, stride],
    "vertical-flip": [offset + bottom, ch, -stride],
    "upper-left-diagonal": [offset, stride, ch],
    "upper-right-diagonal": [offset + bottom + right, -stride, -ch],
  }[method] as [number, number, number];
  const ow = dst.width;
  const oh = dst.height;
  if (dx === ch) {
    for (let y = 0; y < oh; y++) {
      const s = base + y * dy;
      out.set(data.subarray(s, s + ow * ch), dst.offset + y * dst.stride);
    }
    return;
  }
  const aligned = ch === 4 && (data.byteOffset + offset) % 4 === 0 && stride % 4 === 0 &&
    out.byteOffset % 4 === 0;
  if (aligned) {
    // Whole pixels as 32-bit words (every pixel address is a multiple of 4).
    const src32 = new Uint32Array(data.buffer, 0, data.buffer.byteLength >> 2);
    const out32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
    const dx4 = dx / 4, dy4 = dy / 4, base4 = (data.byteOffset + base) / 4;
    let o = dst.offset / 4;
    for (let y = 0; y < oh; y++) {
      let p = base4 + y * dy4;
      for (let x = 0; x < ow; x++, p += dx4) out32[o++] = src32[p]!;
    }
    return;
  }
  let o = dst.offset;
  for (let y = 0; y < oh; y++) {
    let p = base + y * dy;
    for (let x = 0; x < ow; x++, p += dx) {
      for (let c = 0; c < ch; c++) out[o++] = data[p + c]!;
    }
  }
}

/**
 * The contract of {@linkcode VideoFlip}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoFlipContract } from "@streamlib/video";
 * assert.ok(videoFlipContract.params.method.default === "none");
 * ```
 */
export const videoFlipContract = {
  type: "videoflip",
  description: "Rotates the picture by 90° or 180°, or mirrors it",
  classification: "Filter/Effect/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The turned video, in the input's format",
    },
  },
  params: {
    method: {
      type: "string",
      enum: _METHODS,
      default: "none",
      description: "clockwise, counterclockwise or rotate-180 rotate; horizontal-flip, " +
        "vertical-flip and the diagonals mirror; none passes through",
    },
  },
} as const satisfies Contract;

/**
 * Rotates or mirrors video frames, like GStreamer's `videoflip`, with {@linkcode flipFrame}:
 * `clockwise`, `counterclockwise`, `rotate-180`, `horizontal-flip`, `vertical-flip`,
 * `upper-left-diagonal`, `upper-right-diagonal`, or `none` to pass frames through. Quarter
 * turns swap the width and height. The method may change while running.
 *
 * ```text
 * videotestsrc pattern=ball ! videoflip method=horizontal-flip ! display
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VideoFlip } from "@streamlib/video";
 * const flip = new VideoFlip({ method: "rotate-180" });
 * assert.ok(flip.params.method === "rotate-180");
 * ```
 */
export class VideoFlip extends Actor<typeof videoFlipContract> {
  /** Ports and parameters. */
  static override contract: typeof videoFlipContract = videoFlipContract;

  /**
   * Turns one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.outputs.out.write(flipFrame(frame, this.params.method));
  }
}
