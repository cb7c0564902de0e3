/**
 * The wire format's flag bits and value tables, shared by its encoder and decoder, and the
 * packing of a frame's planes. Internal to the link code.
 *
 * @module
 */

import { type VideoFrame, videoFrameLayout, type VideoPixelFormat } from "@streamlib/core";

/** Flag bit: a picture that decodes alone. */
export const _FLAG_KEY = 1;
/** Flag bit: a data message's value is raw bytes, not JSON. */
export const _FLAG_BYTES = 2;
/** Flag bit: a coded frame carries its codec's configuration before the payload. */
export const _FLAG_DESCRIPTION = 4;
/** Every flag bit defined in version 1. */
export const _FLAGS_KNOWN = _FLAG_KEY | _FLAG_BYTES | _FLAG_DESCRIPTION;

export const _FORMATS: readonly VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];
export const _MATRICES = [undefined, "bt709", "bt470bg", "smpte170m"] as const;
export const _KEY_TYPES = ["keydown", "keyup"] as const;
export const _MOUSE_TYPES = ["mousedown", "mouseup", "mousemove", "click", "wheel"] as const;
/** The frame's planes tightly packed: a view when they already are, else one copy. */
export function _packedPlanes(frame: VideoFrame): Uint8Array {
  const { format, codedWidth: width, codedHeight: height } = frame;
  const packed = videoFrameLayout(format, width, height);
  if (
    frame.layout.every((plane, i) =>
      plane.offset === packed.layout[i]!.offset && plane.stride === packed.layout[i]!.stride
    )
  ) {
    return frame.data.subarray(0, packed.byteLength);
  }
  const out = new Uint8Array(packed.byteLength);
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const rows = format === "RGBA" || format === "BGRA"
    ? [[width * 4, height]]
    : format === "I420"
    ? [[width, height], [cw, ch], [cw, ch]]
    : [[width, height], [cw * 2, ch]];
  rows.forEach(([bytes, count], i) => {
    const from = frame.layout[i]!;
    const to = packed.layout[i]!;
    for (let y = 0; y < count!; y++) {
      const start = from.offset + y * from.stride;
      out.set(frame.data.subarray(start, start + bytes!), to.offset + y * to.stride);
    }
  });
  return out;
}
