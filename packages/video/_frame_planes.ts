import {
  createVideoFrame,
  type Timing,
  type VideoColorSpace,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";

/**
 * One plane of a frame as the filters see it: `width` × `height` elements of `channels` bytes,
 * rows `stride` bytes apart from `offset`.
 */
export interface _Plane {
  readonly offset: number;
  readonly stride: number;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * The planes of a `format` frame of `width` × `height` pixels, with the given layout.
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param layout Offset and stride of each plane.
 * @returns The planes: 1 of 4 channels (RGBA, BGRA), Y U V (I420) or Y and UV of 2 (NV12).
 */
export function _planes(
  format: VideoPixelFormat,
  width: number,
  height: number,
  layout: readonly { readonly offset: number; readonly stride: number }[],
): _Plane[] {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const at = (i: number, w: number, h: number, channels: number): _Plane => ({
    offset: layout[i]!.offset,
    stride: layout[i]!.stride,
    width: w,
    height: h,
    channels,
  });
  switch (format) {
    case "RGBA":
    case "BGRA":
      return [at(0, width, height, 4)];
    case "I420":
      return [at(0, width, height, 1), at(1, cw, ch, 1), at(2, cw, ch, 1)];
    case "NV12":
      return [at(0, width, height, 1), at(1, cw, ch, 2)];
  }
}

/**
 * The planes of a frame.
 *
 * @param frame The frame.
 * @returns Its planes, as {@linkcode _planes}.
 */
export function _framePlanes(frame: VideoFrame): _Plane[] {
  return _planes(frame.format, frame.codedWidth, frame.codedHeight, frame.layout);
}

/**
 * The timing fields of a frame, to copy onto a frame derived from it.
 *
 * @param frame The source frame.
 * @returns `timestamp`, `duration`, `position` and `clockId`.
 */
export function _timing(frame: VideoFrame): Timing {
  return {
    timestamp: frame.timestamp,
    duration: frame.duration,
    position: frame.position,
    clockId: frame.clockId,
  };
}

/**
 * A new tightly packed frame derived from `source`: its timing, and its colour space unless
 * another is given (YUV formats only).
 *
 * @param source The frame whose timing to copy.
 * @param format The new frame's format.
 * @param width Its width.
 * @param height Its height.
 * @param colorSpace Its colour space; default the source's when both are YUV.
 * @returns A zeroed frame.
 */
export function _derivedFrame(
  source: VideoFrame,
  format: VideoPixelFormat,
  width: number,
  height: number,
  colorSpace?: VideoColorSpace,
): VideoFrame {
  const yuv = format === "I420" || format === "NV12";
  const space = yuv ? colorSpace ?? source.colorSpace : undefined;
  return createVideoFrame({
    format,
    codedWidth: width,
    codedHeight: height,
    ..._timing(source),
    ...(space === undefined ? {} : { colorSpace: space }),
  });
}

/**
 * Whether a frame's planes are tightly packed one after the other from offset 0.
 *
 * @param frame The frame.
 * @returns `true` when its layout is the packed layout of its format and size.
 */
export function _isPacked(frame: VideoFrame): boolean {
  let end = 0;
  for (const plane of _framePlanes(frame)) {
    if (plane.offset !== end || plane.stride !== plane.width * plane.channels) return false;
    end += plane.stride * plane.height;
  }
  return true;
}

/**
 * Copies a `width` × `rows` block of `rowBytes` bytes a row between two buffers with strides.
 *
 * @param src Source bytes.
 * @param srcOffset Offset of the block's first row in `src`.
 * @param srcStride Bytes between source rows.
 * @param dst Destination bytes.
 * @param dstOffset Offset of the first row in `dst`.
 * @param dstStride Bytes between destination rows.
 * @param rowBytes Bytes to copy from each row.
 * @param rows Number of rows.
 */
export function _copyRows(
  src: Uint8Array,
  srcOffset: number,
  srcStride: number,
  dst: Uint8Array,
  dstOffset: number,
  dstStride: number,
  rowBytes: number,
  rows: number,
): void {
  if (srcStride === rowBytes && dstStride === rowBytes) {
    dst.set(src.subarray(srcOffset, srcOffset + rowBytes * rows), dstOffset);
    return;
  }
  for (let y = 0; y < rows; y++) {
    const s = srcOffset + y * srcStride;
    dst.set(src.subarray(s, s + rowBytes), dstOffset + y * dstStride);
  }
}

/**
 * A packed copy of a frame (same format, size, timing and colour space).
 *
 * @param frame The frame.
 * @returns A new frame with its own, tightly packed buffer.
 */
export function _packedCopy(frame: VideoFrame): VideoFrame {
  const out = _derivedFrame(frame, frame.format, frame.codedWidth, frame.codedHeight);
  const dst = _framePlanes(out);
  _framePlanes(frame).forEach((p, i) => {
    const d = dst[i]!;
    _copyRows(frame.data, p.offset, p.stride, out.data, d.offset, d.stride, d.stride, p.height);
  });
  return out;
}
