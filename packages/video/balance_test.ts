import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { balanceFrame, type BalanceOptions, VideoBalance } from "./balance.ts";
import {
  _packedWithTiming,
  _planeBytes,
  _randomFrame,
  _runFilter,
  _strided,
} from "./_filters_testing.ts";

const clamp = (x: number) => Math.min(255, Math.max(0, Math.round(x)));

/** Reference videobalance on one Y, U, V triple (GStreamer's equations). */
function refYuv(y: number, u: number, v: number, o: Required<BalanceOptions>): number[] {
  const c = Math.cos(Math.PI * o.hue), s = Math.sin(Math.PI * o.hue);
  const i = u - 128, j = v - 128;
  return [
    clamp(16 + (y - 16) * o.contrast + o.brightness * 255),
    clamp(128 + (i * c + j * s) * o.saturation),
    clamp(128 + (-i * s + j * c) * o.saturation),
  ];
}

/** Reference for RGB: to BT.601 limited YUV (8-bit), balance, back to RGB (8-bit). */
function refRgb(r: number, g: number, b: number, o: Required<BalanceOptions>): number[] {
  const y = 16 + (219 * (0.299 * r + 0.587 * g + 0.114 * b)) / 255;
  const u = 128 + (224 * (b - (0.299 * r + 0.587 * g + 0.114 * b))) / (255 * 1.772);
  const v = 128 + (224 * (r - (0.299 * r + 0.587 * g + 0.114 * b))) / (255 * 1.402);
  const [Y, U, V] = refYuv(Math.round(y), Math.round(u), Math.round(v), o) as number[];
  const ny = (Y! - 16) / 219, pb = (U! - 128) / 224, pr = (V! - 128) / 224;
  const R = ny + 1.402 * pr, B = ny + 1.772 * pb;
  const G = (ny - 0.299 * R - 0.114 * B) / 0.587;
  return [R, G, B].map((x) => Math.min(255, Math.max(0, x * 255)));
}

const SETTINGS: Required<BalanceOptions>[] = [
  { brightness: 0.2, contrast: 1.3, saturation: 0.5, hue: 0 },
  { brightness: -0.4, contrast: 0.7, saturation: 2, hue: 0.25 },
  { brightness: 0, contrast: 1, saturation: 1, hue: -0.6 },
  { brightness: 1, contrast: 2, saturation: 0, hue: 1 },
];

Deno.test("balanceFrame() follows videobalance's equations on every I420 and NV12 sample", () => {
  for (const o of SETTINGS) {
    const i420 = _randomFrame("I420", 9, 7, 3);
    const [Y, U, V] = _planeBytes(i420) as [Uint8Array, Uint8Array, Uint8Array];
    const [y2, u2, v2] = _planeBytes(balanceFrame(i420, o)) as [Uint8Array, Uint8Array, Uint8Array];
    Y.forEach((y, k) => assert.equal(y2[k], refYuv(y, 128, 128, o)[0]));
    U.forEach((u, k) => {
      const [, eu, ev] = refYuv(16, u, V[k]!, o);
      assert.deepEqual([u2[k], v2[k]], [eu, ev], JSON.stringify(o));
    });
    const nv12 = _randomFrame("NV12", 9, 7, 4);
    const [, uv] = _planeBytes(nv12) as [Uint8Array, Uint8Array];
    const [, uvOut] = _planeBytes(balanceFrame(nv12, o)) as [Uint8Array, Uint8Array];
    for (let k = 0; k < uv.length; k += 2) {
      assert.deepEqual([uvOut[k], uvOut[k + 1]], refYuv(16, uv[k]!, uv[k + 1]!, o).slice(1));
    }
  }
});

Deno.test("balanceFrame() adjusts RGBA and BGRA through BT.601 YUV within 1 of the reference", () => {
  for (const o of SETTINGS) {
    for (const format of ["RGBA", "BGRA"] as const) {
      const frame = _randomFrame(format, 11, 5, 8);
      const out = balanceFrame(frame, o);
      assert.equal(_packedWithTiming(out, frame), undefined);
      const [ri, bi] = format === "RGBA" ? [0, 2] : [2, 0];
      for (let p = 0; p < frame.data.length; p += 4) {
        const d = frame.data;
        const expected = refRgb(d[p + ri]!, d[p + 1]!, d[p + bi]!, o);
        const got = [out.data[p + ri]!, out.data[p + 1]!, out.data[p + bi]!];
        got.forEach((g, k) => assert.ok(Math.abs(g - expected[k]!) <= 1, `${got} ${expected}`));
        assert.equal(out.data[p + 3], d[p + 3], "alpha is kept");
      }
    }
  }
});

Deno.test("balanceFrame() with saturation 0 makes greys, and brightness 1 makes white", () => {
  const rgba = _randomFrame("RGBA", 8, 8, 5);
  const grey = balanceFrame(rgba, { saturation: 0 });
  for (let p = 0; p < grey.data.length; p += 4) {
    assert.ok(Math.abs(grey.data[p]! - grey.data[p + 1]!) <= 1);
    assert.ok(Math.abs(grey.data[p + 2]! - grey.data[p + 1]!) <= 1);
  }
  const yuv = balanceFrame(_randomFrame("I420", 8, 8), { saturation: 0, brightness: 1 });
  const [y, u, v] = _planeBytes(yuv);
  assert.ok(y!.every((s) => s === 255) && u!.every((s) => s === 128) && v!.every((s) => s === 128));
});

Deno.test("balanceFrame() returns the frame itself at the defaults and never modifies its input", () => {
  const frame = _randomFrame("NV12", 6, 4);
  assert.equal(balanceFrame(frame, {}), frame);
  assert.equal(balanceFrame(frame, { brightness: 0, contrast: 1, saturation: 1, hue: 0 }), frame);
  const before = frame.data.slice();
  balanceFrame(frame, { contrast: 2 });
  assert.deepEqual(frame.data, before);
});

Deno.test("balanceFrame() reads strided layouts and rejects values out of range", () => {
  for (const format of ["RGBA", "I420", "NV12"] as const) {
    const packed = _randomFrame(format, 7, 5, 6);
    const o = { brightness: 0.1, saturation: 1.5, hue: 0.3 };
    assert.deepEqual(balanceFrame(_strided(packed), o).data, balanceFrame(packed, o).data);
  }
  const frame = _randomFrame("RGBA", 2, 2);
  for (const o of [{ brightness: 1.5 }, { contrast: -0.1 }, { saturation: NaN }, { hue: 2 }]) {
    assert.throws(() => balanceFrame(frame, o), (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  }
});

Deno.test("VideoBalance applies parameters changed while it runs from the next frame on", async () => {
  const frames = [0, 1, 2].map(() => _randomFrame("I420", 4, 4, 9));
  const balance = new VideoBalance();
  const out = await _runFilter(balance, frames, (n) => {
    if (n === 1) balance.setParams({ contrast: 0.5 });
    if (n === 2) balance.setParams({ contrast: 1, saturation: 0 });
  });
  assert.equal(out[0], frames[0]);
  assert.deepEqual(out[1]!.data, balanceFrame(frames[1]!, { contrast: 0.5 }).data);
  assert.deepEqual(out[2]!.data, balanceFrame(frames[2]!, { saturation: 0 }).data);
});
