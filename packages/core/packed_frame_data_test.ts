import assert from "node:assert/strict";
import { createVideoFrame, videoFrameLayout, type VideoPixelFormat } from "./messages.ts";
import { packedFrameData } from "./packed_frame_data.ts";

/** Plane i of a w×h frame: its row bytes and rows, as the packed layout has them. */
function planes(format: VideoPixelFormat, w: number, h: number): [number, number][] {
  const { layout } = videoFrameLayout(format, w, h);
  return layout.map((p, i) => [p.stride, i === 0 ? h : Math.ceil(h / 2)]);
}

Deno.test("packedFrameData hands out a packed frame's own bytes, uncopied", () => {
  const frame = createVideoFrame({ format: "I420", codedWidth: 6, codedHeight: 4 });
  const data = packedFrameData(frame);
  assert.equal(data.buffer, frame.data.buffer);
  assert.equal(data.length, 6 * 4 + 2 * 3 * 2);
});

Deno.test("packedFrameData packs the rows of padded planes, in every format", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const [w, h] = [5, 3]; // odd sizes: chroma planes round up
    const rows = planes(format, w, h);
    // Each row padded by 3 bytes, planes apart by 7, filled with 255 where nothing belongs.
    const layout: { offset: number; stride: number }[] = [];
    let end = 7;
    for (const [bytes, count] of rows) {
      layout.push({ offset: end, stride: bytes + 3 });
      end += (bytes + 3) * count + 7;
    }
    const data = new Uint8Array(end).fill(255);
    const expected: number[] = [];
    rows.forEach(([bytes, count], i) => {
      for (let y = 0; y < count; y++) {
        for (let x = 0; x < bytes; x++) {
          const value = (i * 50 + y * 10 + x) & 127;
          data[layout[i]!.offset + y * layout[i]!.stride + x] = value;
          expected.push(value);
        }
      }
    });
    const frame = createVideoFrame({ format, codedWidth: w, codedHeight: h, data, layout });
    assert.deepEqual([...packedFrameData(frame)], expected, format);
  }
});
