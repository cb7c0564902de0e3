import {
  Actor,
  Collect,
  type Contract,
  createVideoFrame,
  Pipeline,
  type TimedTick,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";

const _framesContract = {
  type: "test-frames",
  description: "Test source: writes the frames it was given, one a tick",
  outputs: { out: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
} as const satisfies Contract;

/** Writes `frames[n]` on tick `n` (after `before(n)`), then ends. */
class _Frames extends Actor<typeof _framesContract> {
  static override contract: typeof _framesContract = _framesContract;
  constructor(readonly frames: readonly VideoFrame[], readonly before: (n: number) => void) {
    super();
  }
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    if (n >= this.frames.length) return this.end();
    this.before(n);
    this.outputs.out.write(this.frames[n]!);
  }
}

/**
 * Runs `frames` through `actor` in an offline pipeline and returns what comes out.
 *
 * @param actor The filter under test.
 * @param frames The frames to feed it, one a tick.
 * @param before Called before frame `n` is written (to change parameters while running).
 * @returns The frames the filter wrote.
 */
export async function _runFilter(
  actor: Actor,
  frames: readonly VideoFrame[],
  before: (n: number) => void = () => {},
): Promise<VideoFrame[]> {
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(new _Frames(frames, before), actor, sink).run();
  return sink.messages;
}

/**
 * A deterministic pseudo-random generator of bytes (a 32-bit LCG), for test pictures.
 *
 * @param seed The seed.
 * @returns A function giving the next byte, 0–255.
 */
export function _bytes(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  };
}

/**
 * A frame of random bytes with timing `{ timestamp: 1000, duration: 40, position: 7 }`.
 *
 * @param format The pixel format.
 * @param width The width.
 * @param height The height.
 * @param seed The random seed.
 * @returns The frame, tightly packed.
 */
export function _randomFrame(
  format: VideoPixelFormat,
  width: number,
  height: number,
  seed = 1,
): VideoFrame {
  const next = _bytes(seed);
  const frame = createVideoFrame({
    format,
    codedWidth: width,
    codedHeight: height,
    timestamp: 1000,
    duration: 40,
    position: 7,
    clockId: "test",
  });
  for (let i = 0; i < frame.data.length; i++) frame.data[i] = next();
  return frame;
}

/**
 * The same picture as `frame` in a padded layout: `pad` spare bytes after each row, the planes in
 * reverse order after a `pad`-byte gap, and garbage in the spare bytes.
 *
 * @param frame A tightly packed frame.
 * @param pad Bytes of padding.
 * @returns The strided frame, with the same timing.
 */
export function _strided(frame: VideoFrame, pad = 13): VideoFrame {
  const w = frame.codedWidth, h = frame.codedHeight;
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const rows: Array<[bytes: number, count: number]> =
    frame.format === "RGBA" || frame.format === "BGRA"
      ? [[w * 4, h]]
      : frame.format === "I420"
      ? [[w, h], [cw, ch], [cw, ch]]
      : [[w, h], [cw * 2, ch]];
  const size = rows.reduce((n, [bytes, count]) => n + (bytes + pad) * count + pad, pad);
  const data = new Uint8Array(size).fill(0xa5);
  const layout: Array<{ offset: number; stride: number }> = rows.map(() => ({
    offset: 0,
    stride: 0,
  }));
  let at = pad;
  for (let i = rows.length - 1; i >= 0; i--) {
    const [bytes, count] = rows[i]!;
    const stride = bytes + pad;
    layout[i] = { offset: at, stride };
    const src = frame.layout[i]!;
    for (let r = 0; r < count; r++) {
      const s = src.offset + r * src.stride;
      data.set(frame.data.subarray(s, s + bytes), at + r * stride);
    }
    at += stride * count + pad;
  }
  return createVideoFrame({
    format: frame.format,
    codedWidth: w,
    codedHeight: h,
    data,
    layout,
    timestamp: frame.timestamp,
    duration: frame.duration,
    position: frame.position,
    clockId: frame.clockId,
    ...(frame.colorSpace ? { colorSpace: frame.colorSpace } : {}),
  });
}

/**
 * The samples of each plane of a frame, row after row without padding.
 *
 * @param frame The frame.
 * @returns One array per plane.
 */
export function _planeBytes(frame: VideoFrame): Uint8Array[] {
  const w = frame.codedWidth, h = frame.codedHeight;
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const rows: Array<[bytes: number, count: number]> =
    frame.format === "RGBA" || frame.format === "BGRA"
      ? [[w * 4, h]]
      : frame.format === "I420"
      ? [[w, h], [cw, ch], [cw, ch]]
      : [[w, h], [cw * 2, ch]];
  return rows.map(([bytes, count], i) => {
    const { offset, stride } = frame.layout[i]!;
    const out = new Uint8Array(bytes * count);
    for (let r = 0; r < count; r++) {
      out.set(frame.data.subarray(offset + r * stride, offset + r * stride + bytes), r * bytes);
    }
    return out;
  });
}

/**
 * Checks that `frame` is tightly packed and carries `source`'s timing.
 *
 * @param frame The output frame.
 * @param source The input frame.
 * @returns A problem, or `undefined`.
 */
export function _packedWithTiming(frame: VideoFrame, source: VideoFrame): string | undefined {
  const packed = createVideoFrame({
    format: frame.format,
    codedWidth: frame.codedWidth,
    codedHeight: frame.codedHeight,
  });
  if (JSON.stringify(frame.layout) !== JSON.stringify(packed.layout)) return "not packed";
  if (frame.data.length !== packed.data.length) return "wrong size";
  for (const key of ["timestamp", "duration", "position", "clockId"] as const) {
    if (frame[key] !== source[key]) return `${key} differs`;
  }
  return undefined;
}
