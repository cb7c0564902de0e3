import assert from "node:assert/strict";
import { isStreamlibError, type VideoFrame } from "@streamlib/core";
import { cropFrame, VideoCrop } from "./crop.ts";
import {
  _packedWithTiming,
  _planeBytes,
  _randomFrame,
  _runFilter,
  _strided,
} from "./_filters_testing.ts";

/** Reference crop of one plane of `channels`-byte samples, sample by sample. */
function refCrop(
  plane: Uint8Array,
  width: number,
  channels: number,
  x: number,
  y: number,
  w: number,
  h: number,
): number[] {
  const out: number[] = [];
  for (let row = y; row < y + h; row++) {
    for (let col = x; col < x + w; col++) {
      for (let c = 0; c < channels; c++) out.push(plane[(row * width + col) * channels + c]!);
    }
  }
  return out;
}

function expectCrop(frame: VideoFrame, l: number, r: number, t: number, b: number): void {
  const out = cropFrame(frame, { left: l, right: r, top: t, bottom: b });
  const W = frame.codedWidth, H = frame.codedHeight;
  const w = W - l - r, h = H - t - b;
  assert.equal(out.codedWidth, w);
  assert.equal(out.codedHeight, h);
  assert.equal(_packedWithTiming(out, frame), undefined);
  const src = _planeBytes(frame);
  const got = _planeBytes(out).map((p) => [...p]);
  const cw = Math.ceil(W / 2), ocw = Math.ceil(w / 2), och = Math.ceil(h / 2);
  const what = `${frame.format} ${W}×${H} crop ${l},${r},${t},${b}`;
  if (frame.format === "RGBA" || frame.format === "BGRA") {
    assert.deepEqual(got[0], refCrop(src[0]!, W, 4, l, t, w, h), what);
    return;
  }
  assert.deepEqual(got[0], refCrop(src[0]!, W, 1, l, t, w, h), what);
  const [cx, cy] = [Math.floor(l / 2), Math.floor(t / 2)];
  if (frame.format === "I420") {
    assert.deepEqual(got[1], refCrop(src[1]!, cw, 1, cx, cy, ocw, och), what);
    assert.deepEqual(got[2], refCrop(src[2]!, cw, 1, cx, cy, ocw, och), what);
  } else {
    assert.deepEqual(got[1], refCrop(src[1]!, cw, 2, cx, cy, ocw, och), what);
  }
}

Deno.test("cropFrame() removes pixels from each side in every format, odd sizes and offsets too", () => {
  const crops = [[1, 0, 0, 0], [0, 3, 2, 0], [2, 2, 2, 2], [3, 1, 1, 3], [0, 0, 0, 8], [
    10,
    0,
    8,
    0,
  ]];
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    for (const [w, h] of [[12, 10], [13, 9]] as const) {
      const frame = _randomFrame(format, w, h, w + h);
      for (const [l, r, t, b] of crops) expectCrop(frame, l!, r!, t!, b!);
    }
  }
});

Deno.test("cropFrame() crops I420 chroma exactly at even offsets", () => {
  const frame = _randomFrame("I420", 8, 8);
  const out = cropFrame(frame, { left: 2, top: 4, right: 2 });
  // Chroma 4×4 → 2×2 starting at (1, 2).
  const u = _planeBytes(frame)[1]!;
  assert.deepEqual([..._planeBytes(out)[1]!], [u[9], u[10], u[13], u[14]]);
});

Deno.test("cropFrame() reads strided layouts and returns an uncropped frame as it is", () => {
  for (const format of ["RGBA", "I420", "NV12"] as const) {
    const packed = _randomFrame(format, 9, 7);
    const sides = { left: 1, right: 2, top: 3, bottom: 1 };
    assert.deepEqual(cropFrame(_strided(packed), sides).data, cropFrame(packed, sides).data);
    assert.equal(cropFrame(packed, {}), packed);
  }
});

Deno.test("cropFrame() rejects a crop that leaves nothing, and negative or fractional sides", () => {
  const frame = _randomFrame("RGBA", 10, 6);
  for (
    const sides of [{ left: 10 }, { left: 6, right: 4 }, { top: 3, bottom: 3 }, { left: -1 }, {
      top: 1.5,
    }]
  ) {
    assert.throws(
      () => cropFrame(frame, sides),
      (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
      JSON.stringify(sides),
    );
  }
  assert.throws(() => cropFrame(frame, { left: 6, right: 4 }), /10×6 frame leaves nothing/);
  assert.equal(cropFrame(frame, { left: 9, bottom: 5 }).data.length, 4);
});

Deno.test("VideoCrop crops each frame and fails the pipeline when the crop leaves nothing", async () => {
  const frames = [_randomFrame("RGBA", 16, 12), _randomFrame("NV12", 10, 10)];
  const out = await _runFilter(new VideoCrop({ left: 4, top: 2, bottom: 2 }), frames);
  assert.deepEqual(out.map((f) => `${f.format} ${f.codedWidth}×${f.codedHeight}`), [
    "RGBA 12×8",
    "NV12 6×6",
  ]);
  assert.deepEqual(out[0]!.data, cropFrame(frames[0]!, { left: 4, top: 2, bottom: 2 }).data);
  await assert.rejects(
    _runFilter(new VideoCrop({ left: 8, right: 8 }), frames),
    (e) => isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_PARAM_INVALID"),
  );
});
