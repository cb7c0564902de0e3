/**
 * A video frame's bytes with its planes packed tightly, as files, pipes, wire formats and GPU
 * buffers want them.
 *
 * @module
 */

import { type VideoFrame, videoFrameLayout } from "./messages.ts";

/**
 * The bytes of `frame` with its planes packed tightly ({@linkcode videoFrameLayout}): a view of
 * the frame's own data when it already is, else a packed copy made row by row (the first plane
 * has every row, the chroma planes of I420 and NV12 one row in two).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame, packedFrameData } from "@streamlib/core";
 *
 * // 2×2 RGBA with rows 12 bytes apart: 8 bytes of pixels, 4 of padding a row.
 * const data = new Uint8Array(24).map((_, i) => i);
 * const frame = createVideoFrame({
 *   format: "RGBA", codedWidth: 2, codedHeight: 2, timestamp: 0, data,
 *   layout: [{ offset: 0, stride: 12 }],
 * });
 * assert.deepEqual([...packedFrameData(frame)], [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]);
 * ```
 *
 * @param frame The frame.
 * @returns Its bytes, `videoFrameLayout(format, codedWidth, codedHeight).byteLength` of them.
 */
export function packedFrameData(frame: VideoFrame): Uint8Array {
  const { codedWidth: width, codedHeight: height } = frame;
  const packed = videoFrameLayout(frame.format, width, height);
  const planes = frame.layout;
  if (
    packed.layout.every((p, i) => p.offset === planes[i]!.offset && p.stride === planes[i]!.stride)
  ) {
    return frame.data.subarray(0, packed.byteLength);
  }
  const out = new Uint8Array(packed.byteLength);
  packed.layout.forEach((to, i) => {
    const from = planes[i]!;
    const rows = i === 0 ? height : Math.ceil(height / 2);
    for (let y = 0; y < rows; y++) {
      const start = from.offset + y * from.stride;
      out.set(frame.data.subarray(start, start + to.stride), to.offset + y * to.stride);
    }
  });
  return out;
}
