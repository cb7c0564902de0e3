import assert from "node:assert/strict";
import { createVideoFrame, isStreamlibError, type VideoFrame } from "@streamlib/core";
import { flipFrame, type FlipMethod, VideoFlip } from "./flip.ts";
import {
  _packedWithTiming,
  _planeBytes,
  _randomFrame,
  _runFilter,
  _strided,
} from "./_filters_testing.ts";

const METHODS: readonly FlipMethod[] = [
  "none",
  "clockwise",
  "rotate-180",
  "counterclockwise",
  "horizontal-flip",
  "vertical-flip",
  "upper-left-diagonal",
  "upper-right-diagonal",
];

/** Where output (x, y) of a W×H source comes from, straight from each method's definition. */
function source(method: FlipMethod, x: number, y: number, W: number, H: number): [number, number] {
  switch (method) {
    case "none":
      return [x, y];
    case "clockwise": // the bottom-left corner goes to the top-left
      return [y, H - 1 - x];
    case "counterclockwise": // the top-right corner goes to the top-left
      return [W - 1 - y, x];
    case "rotate-180":
      return [W - 1 - x, H - 1 - y];
    case "horizontal-flip":
      return [W - 1 - x, y];
    case "vertical-flip":
      return [x, H - 1 - y];
    case "upper-left-diagonal":
      return [y, x];
    case "upper-right-diagonal":
      return [W - 1 - y, H - 1 - x];
  }
}

/** Reference: each plane resampled sample by sample through `source`. */
function refFlip(frame: VideoFrame, method: FlipMethod): number[][] {
  const W = frame.codedWidth, H = frame.codedHeight;
  const cw = Math.ceil(W / 2), ch = Math.ceil(H / 2);
  const shapes = frame.format === "RGBA" || frame.format === "BGRA"
    ? [[W, H, 4]]
    : frame.format === "I420"
    ? [[W, H, 1], [cw, ch, 1], [cw, ch, 1]]
    : [[W, H, 1], [cw, ch, 2]];
  const swap = !["none", "rotate-180", "horizontal-flip", "vertical-flip"].includes(method);
  return _planeBytes(frame).map((plane, i) => {
    const [pw, ph, channels] = shapes[i] as [number, number, number];
    const [ow, oh] = swap ? [ph, pw] : [pw, ph];
    const out: number[] = [];
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const [sx, sy] = source(method, x, y, pw, ph);
        for (let c = 0; c < channels; c++) out.push(plane[(sy * pw + sx) * channels + c]!);
      }
    }
    return out;
  });
}

Deno.test("flipFrame() turns every plane of every format as each method says, odd sizes too", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    for (const [w, h] of [[6, 4], [7, 5], [1, 3]] as const) {
      const frame = _randomFrame(format, w, h, w * h);
      for (const method of METHODS) {
        const out = flipFrame(frame, method);
        assert.deepEqual(_planeBytes(out).map((p) => [...p]), refFlip(frame, method), method);
        if (method !== "none") assert.equal(_packedWithTiming(out, frame), undefined);
      }
    }
  }
});

Deno.test("flipFrame() swaps width and height for quarter turns and diagonals only", () => {
  const frame = _randomFrame("NV12", 8, 6);
  const sizes = METHODS.map((m) => {
    const f = flipFrame(frame, m);
    return `${f.codedWidth}×${f.codedHeight}`;
  });
  assert.deepEqual(sizes, ["8×6", "6×8", "8×6", "6×8", "8×6", "8×6", "6×8", "6×8"]);
});

Deno.test("flipFrame() composes like rotations: two clockwise turns make rotate-180", () => {
  const frame = _randomFrame("RGBA", 9, 5);
  const twice = flipFrame(flipFrame(frame, "clockwise"), "clockwise");
  assert.deepEqual(twice.data, flipFrame(frame, "rotate-180").data);
  const back = flipFrame(flipFrame(frame, "clockwise"), "counterclockwise");
  assert.deepEqual(back.data, frame.data);
  const mirrored = flipFrame(flipFrame(frame, "horizontal-flip"), "vertical-flip");
  assert.deepEqual(mirrored.data, flipFrame(frame, "rotate-180").data);
});

Deno.test("flipFrame() reads strided and unaligned layouts the same as packed ones", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const packed = _randomFrame(format, 7, 5, 11);
    for (const pad of [13, 16]) {
      const strided = _strided(packed, pad);
      for (const method of METHODS) {
        if (method === "none") continue;
        assert.deepEqual(flipFrame(strided, method).data, flipFrame(packed, method).data);
      }
    }
  }
  // RGBA in a buffer whose view starts at an odd byte: the 32-bit path must not be taken wrongly.
  const packed = _randomFrame("RGBA", 5, 3, 2);
  const buffer = new Uint8Array(packed.data.length + 8);
  const view = buffer.subarray(1);
  view.set(packed.data, 3);
  const odd = createVideoFrame({
    format: "RGBA",
    codedWidth: 5,
    codedHeight: 3,
    data: view,
    layout: [{ offset: 3, stride: 20 }],
  });
  for (const method of METHODS.slice(1)) {
    assert.deepEqual(flipFrame(odd, method).data, flipFrame(packed, method).data, method);
  }
});

Deno.test("flipFrame() returns the frame itself for none, never modifies its input, keeps colour space", () => {
  const frame = createVideoFrame({
    format: "I420",
    codedWidth: 4,
    codedHeight: 4,
    colorSpace: { matrix: "bt709", fullRange: false },
  });
  frame.data.set(_randomFrame("I420", 4, 4).data);
  const before = frame.data.slice();
  assert.equal(flipFrame(frame, "none"), frame);
  for (const method of METHODS) flipFrame(frame, method);
  assert.deepEqual(frame.data, before);
  assert.deepEqual(flipFrame(frame, "clockwise").colorSpace, frame.colorSpace);
  assert.throws(
    () => flipFrame(frame, "sideways" as FlipMethod),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID") && /"sideways"/.test(e.message),
  );
});

Deno.test("VideoFlip turns each frame with the method it has when the frame arrives", async () => {
  const frames = [
    _randomFrame("RGBA", 4, 2),
    _randomFrame("I420", 6, 4),
    _randomFrame("RGBA", 2, 2),
  ];
  const flip = new VideoFlip({ method: "clockwise" });
  const out = await _runFilter(flip, frames, (n) => {
    if (n === 2) flip.setParams({ method: "none" });
  });
  assert.deepEqual(out.map((f) => `${f.codedWidth}×${f.codedHeight}`), ["2×4", "4×6", "2×2"]);
  assert.deepEqual(out[0]!.data, flipFrame(frames[0]!, "clockwise").data);
  assert.equal(out[2], frames[2]);
});
