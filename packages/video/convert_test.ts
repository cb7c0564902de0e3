import assert from "node:assert/strict";
import { createVideoFrame, isStreamlibError, type VideoFrame } from "@streamlib/core";
import { convertFrame, VideoConvert } from "./convert.ts";
import {
  _bytes,
  _packedWithTiming,
  _planeBytes,
  _randomFrame,
  _runFilter,
  _strided,
} from "./_filters_testing.ts";

type Matrix = "bt601" | "bt709";

/** A frame of one colour. */
function solid(
  rgb: readonly number[],
  width = 2,
  height = 2,
  format: "RGBA" | "BGRA" = "RGBA",
): VideoFrame {
  const frame = createVideoFrame({ format, codedWidth: width, codedHeight: height });
  const px = format === "RGBA"
    ? [rgb[0]!, rgb[1]!, rgb[2]!, 255]
    : [rgb[2]!, rgb[1]!, rgb[0]!, 255];
  for (let i = 0; i < width * height; i++) frame.data.set(px, i * 4);
  return frame;
}

/** Y, U, V of the top-left pixel of an I420 frame. */
function yuvAt0(frame: VideoFrame): number[] {
  return [0, 1, 2].map((p) => frame.data[frame.layout[p]!.offset]!);
}

/** RGBA whose 2×2 blocks are each one random colour: chroma subsampling loses nothing. */
function blocky(width: number, height: number, seed: number): VideoFrame {
  const next = _bytes(seed);
  const frame = createVideoFrame({ format: "RGBA", codedWidth: width, codedHeight: height });
  const cw = Math.ceil(width / 2);
  const colours = Array.from(
    { length: cw * Math.ceil(height / 2) },
    () => [next(), next(), next()],
  );
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      frame.data.set([...colours[(y >> 1) * cw + (x >> 1)]!, 255], (y * width + x) * 4);
    }
  }
  return frame;
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const KR_KB: Record<Matrix, [number, number]> = { bt601: [0.299, 0.114], bt709: [0.2126, 0.0722] };

/** Reference RGB → Y, U, V in floating point, straight from the standards' equations. */
function refYuv(r: number, g: number, b: number, matrix: Matrix, full: boolean): number[] {
  const [kr, kb] = KR_KB[matrix];
  const y = (kr * r + (1 - kr - kb) * g + kb * b) / 255;
  const pb = (b / 255 - y) / (2 * (1 - kb));
  const pr = (r / 255 - y) / (2 * (1 - kr));
  return full
    ? [255 * y, 128 + 255 * pb, 128 + 255 * pr].map((v) => Math.min(255, v))
    : [16 + 219 * y, 128 + 224 * pb, 128 + 224 * pr];
}

/** Reference Y, U, V → R, G, B in floating point, clamped to 0–255. */
function refRgb(Y: number, U: number, V: number, matrix: Matrix, full: boolean): number[] {
  const [kr, kb] = KR_KB[matrix];
  const y = full ? Y / 255 : (Y - 16) / 219;
  const pb = full ? (U - 128) / 255 : (U - 128) / 224;
  const pr = full ? (V - 128) / 255 : (V - 128) / 224;
  const r = y + 2 * (1 - kr) * pr;
  const b = y + 2 * (1 - kb) * pb;
  const g = (y - kr * r - kb * b) / (1 - kr - kb);
  return [r, g, b].map((v) => Math.min(255, Math.max(0, v * 255)));
}

Deno.test("convertFrame() gives BT.709 limited-range white, black and red their standard values", () => {
  const at = (rgb: number[]) => yuvAt0(convertFrame(solid(rgb), "I420", { matrix: "bt709" }));
  assert.deepEqual(at([255, 255, 255]), [235, 128, 128]);
  assert.deepEqual(at([0, 0, 0]), [16, 128, 128]);
  const red = at([255, 0, 0]);
  [63, 102, 240].forEach((v, i) => assert.ok(Math.abs(red[i]! - v) <= 1, `red ${red}`));
});

Deno.test("convertFrame() gives BT.601 red Y 81, Cb 90, Cr 240 and full-range white 255, 128, 128", () => {
  assert.deepEqual(yuvAt0(convertFrame(solid([255, 0, 0]), "I420", { matrix: "bt601" })), [
    81,
    90,
    240,
  ]);
  assert.deepEqual(
    yuvAt0(convertFrame(solid([255, 255, 255]), "I420", { fullRange: true })),
    [255, 128, 128],
  );
  assert.deepEqual(
    yuvAt0(convertFrame(solid([0, 0, 0]), "I420", { fullRange: true })),
    [0, 128, 128],
  );
});

Deno.test("convertFrame() matches the floating-point equations within 1 in both directions", () => {
  for (const matrix of ["bt601", "bt709"] as const) {
    for (const full of [false, true]) {
      const rgba = _randomFrame("RGBA", 37, 23, full ? 5 : 6);
      const yuv = convertFrame(rgba, "I420", { matrix, fullRange: full });
      const [Y, U, V] = _planeBytes(yuv) as [Uint8Array, Uint8Array, Uint8Array];
      const px = (x: number, y: number) => {
        const i = (Math.min(y, 22) * 37 + Math.min(x, 36)) * 4;
        return [rgba.data[i]!, rgba.data[i + 1]!, rgba.data[i + 2]!];
      };
      const back = convertFrame(yuv, "RGBA");
      for (let y = 0; y < 23; y++) {
        for (let x = 0; x < 37; x++) {
          const [r, g, b] = px(x, y) as [number, number, number];
          assert.ok(Math.abs(Y[y * 37 + x]! - refYuv(r, g, b, matrix, full)[0]!) <= 1);
          const c = (y >> 1) * 19 + (x >> 1);
          const expected = refRgb(Y[y * 37 + x]!, U[c]!, V[c]!, matrix, full);
          for (let k = 0; k < 3; k++) {
            assert.ok(Math.abs(back.data[(y * 37 + x) * 4 + k]! - expected[k]!) <= 1);
          }
        }
      }
      // Chroma: the equations applied to the average colour of each 2×2 block (edges clamped).
      for (let cy = 0; cy < 12; cy++) {
        for (let cx = 0; cx < 19; cx++) {
          const block = [px(2 * cx, 2 * cy), px(2 * cx + 1, 2 * cy), px(2 * cx, 2 * cy + 1)];
          block.push(px(2 * cx + 1, 2 * cy + 1));
          const mean = [0, 1, 2].map((k) => block.reduce((s, p) => s + p[k]!, 0) / 4);
          const [, u, v] = refYuv(mean[0]!, mean[1]!, mean[2]!, matrix, full);
          assert.ok(Math.abs(U[cy * 19 + cx]! - u!) <= 1, `U at ${cx},${cy}`);
          assert.ok(Math.abs(V[cy * 19 + cx]! - v!) <= 1, `V at ${cx},${cy}`);
        }
      }
    }
  }
});

Deno.test("RGBA → I420 → RGBA comes back within 2 (limited) and 1 (full range), odd sizes too", () => {
  const sizes = [[64, 48], [641, 479], [1, 1], [3, 5], [17, 2]] as const;
  sizes.forEach(([w, h], n) => {
    const rgba = blocky(w, h, n + 1);
    for (const format of ["I420", "NV12"] as const) {
      for (const matrix of ["bt601", "bt709"] as const) {
        for (const fullRange of [false, true]) {
          const yuv = convertFrame(rgba, format, { matrix, fullRange });
          const back = convertFrame(yuv, "RGBA");
          assert.equal(back.codedWidth, w);
          assert.ok(maxDifference(back.data, rgba.data) <= (fullRange ? 1 : 2), `${w}×${h}`);
        }
      }
    }
  });
});

Deno.test("convertFrame() gives I420 and NV12 the same samples, and converts between them losslessly", () => {
  const rgba = _randomFrame("RGBA", 31, 17, 3);
  const i420 = convertFrame(rgba, "I420");
  const nv12 = convertFrame(rgba, "NV12");
  const [y1, u, v] = _planeBytes(i420) as [Uint8Array, Uint8Array, Uint8Array];
  const [y2, uv] = _planeBytes(nv12) as [Uint8Array, Uint8Array];
  assert.deepEqual(y2, y1);
  assert.deepEqual(uv.filter((_, i) => i % 2 === 0), u);
  assert.deepEqual(uv.filter((_, i) => i % 2 === 1), v);
  assert.deepEqual(convertFrame(i420, "NV12").data, nv12.data);
  assert.deepEqual(convertFrame(nv12, "I420").data, i420.data);
  assert.deepEqual(convertFrame(nv12, "RGBA").data, convertFrame(i420, "RGBA").data);
  assert.deepEqual(convertFrame(nv12, "BGRA").data, convertFrame(i420, "BGRA").data);
});

Deno.test("convertFrame() swaps red and blue between RGBA and BGRA, and reads BGRA right", () => {
  const rgba = _randomFrame("RGBA", 5, 3, 9);
  const bgra = convertFrame(rgba, "BGRA");
  for (let i = 0; i < rgba.data.length; i += 4) {
    assert.deepEqual(
      [...bgra.data.subarray(i, i + 4)],
      [rgba.data[i + 2], rgba.data[i + 1], rgba.data[i], rgba.data[i + 3]],
    );
  }
  assert.deepEqual(convertFrame(bgra, "RGBA").data, rgba.data);
  assert.deepEqual(convertFrame(bgra, "I420").data, convertFrame(rgba, "I420").data);
  const red = convertFrame(solid([255, 0, 0], 2, 2, "BGRA"), "I420", { matrix: "bt601" });
  assert.deepEqual(yuvAt0(red), [81, 90, 240]);
  const yuv = convertFrame(rgba, "NV12");
  assert.deepEqual(
    convertFrame(yuv, "BGRA").data,
    convertFrame(convertFrame(yuv, "RGBA"), "BGRA").data,
  );
});

Deno.test("convertFrame() reads strided layouts and writes packed frames with the input's timing", () => {
  for (const from of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const packed = _randomFrame(from, 9, 7, 4);
    const strided = _strided(packed);
    for (const to of ["RGBA", "BGRA", "I420", "NV12"] as const) {
      if (to === from) continue;
      const expected = convertFrame(packed, to);
      const got = convertFrame(strided, to);
      assert.deepEqual(got.data, expected.data, `${from} → ${to}`);
      assert.equal(_packedWithTiming(got, strided), undefined);
    }
  }
});

Deno.test("convertFrame() returns a frame already in the format as it is, and never touches its input", () => {
  const frame = _randomFrame("I420", 8, 8);
  assert.equal(convertFrame(frame, "I420"), frame);
  const copy = frame.data.slice();
  convertFrame(frame, "RGBA");
  convertFrame(frame, "NV12");
  assert.deepEqual(frame.data, copy);
});

Deno.test("convertFrame() picks BT.601 below 720 lines, BT.709 from 720, and tags YUV outputs", () => {
  const sd = convertFrame(solid([255, 0, 0], 4, 480), "NV12");
  assert.deepEqual(sd.colorSpace, { matrix: "smpte170m", fullRange: false });
  assert.equal(sd.data[0], 81);
  const hd = convertFrame(solid([255, 0, 0], 4, 720), "I420");
  assert.deepEqual(hd.colorSpace, { matrix: "bt709", fullRange: false });
  assert.equal(hd.data[0], 63);
  const full = convertFrame(solid([0, 0, 0]), "I420", { matrix: "bt709", fullRange: true });
  assert.deepEqual(full.colorSpace, { matrix: "bt709", fullRange: true });
});

Deno.test("convertFrame() decodes YUV with the frame's colour space unless options override it", () => {
  // BT.709 limited red, tagged: decodes to red on a small frame that would default to BT.601.
  const yuv = createVideoFrame({
    format: "I420",
    codedWidth: 2,
    codedHeight: 2,
    data: Uint8Array.of(63, 63, 63, 63, 102, 240),
    colorSpace: { matrix: "bt709", fullRange: false },
  });
  const red = convertFrame(yuv, "RGBA");
  assert.ok(maxDifference(red.data.subarray(0, 4), Uint8Array.of(255, 0, 0, 255)) <= 2);
  assert.equal(red.colorSpace, undefined);
  const as601 = convertFrame(yuv, "RGBA", { matrix: "bt601" });
  // BT.601 reads the same samples as a darker red (R ≈ 233).
  assert.ok(Math.abs(as601.data[0]! - 233) <= 2, `R ${as601.data[0]}`);
  const untagged = createVideoFrame({ ...yuv, colorSpace: undefined, data: yuv.data });
  assert.deepEqual(convertFrame(untagged, "RGBA").data, as601.data);
  // Between YUV formats the samples and their colour space are kept…
  const nv12 = convertFrame(yuv, "NV12");
  assert.deepEqual(nv12.colorSpace, { matrix: "bt709", fullRange: false });
  assert.deepEqual([...nv12.data], [63, 63, 63, 63, 102, 240]);
  // …unless another colour space is asked for: BT.601 full-range red is 76, 85, 255.
  const full601 = convertFrame(yuv, "NV12", { matrix: "bt601", fullRange: true });
  assert.deepEqual(full601.colorSpace, { matrix: "smpte170m", fullRange: true });
  assert.ok(maxDifference(full601.data, Uint8Array.of(76, 76, 76, 76, 85, 255)) <= 1);
});

Deno.test("convertFrame() makes RGB from YUV opaque and rejects unknown formats", () => {
  const rgba = convertFrame(_randomFrame("NV12", 3, 3), "RGBA");
  for (let i = 3; i < rgba.data.length; i += 4) assert.equal(rgba.data[i], 255);
  assert.throws(
    () => convertFrame(rgba, "YUY2" as "RGBA"),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID") && /"YUY2"/.test(e.message),
  );
});

Deno.test("VideoConvert converts every frame to its format with the chosen matrix and range", async () => {
  const frames = [solid([255, 0, 0]), solid([255, 255, 255], 2, 2, "BGRA")];
  const out = await _runFilter(new VideoConvert({ format: "NV12", matrix: "bt709" }), frames);
  assert.deepEqual(out.map((f) => [f.format, ...f.data]), [
    ["NV12", 63, 63, 63, 63, 102, 240],
    ["NV12", 235, 235, 235, 235, 128, 128],
  ]);
  const full = await _runFilter(new VideoConvert({ range: "full" }), [solid([0, 0, 0])]);
  assert.deepEqual(full[0]!.colorSpace, { matrix: "smpte170m", fullRange: true });
  assert.equal(full[0]!.format, "I420");
  const back = await _runFilter(new VideoConvert({ format: "RGBA" }), out);
  assert.ok(maxDifference(back[0]!.data, solid([255, 0, 0]).data) <= 2);
});
