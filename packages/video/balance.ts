import {
  Actor,
  type Contract,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { _derivedFrame, _framePlanes, type _Plane } from "./_frame_planes.ts";
import { _coefficients } from "./_yuv_coefficients.ts";

/**
 * The settings of {@linkcode balanceFrame}, as GStreamer's `videobalance` properties.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BalanceOptions } from "@streamlib/video";
 * const grey: BalanceOptions = { saturation: 0 };
 * assert.ok(grey.brightness === undefined);
 * ```
 */
export interface BalanceOptions {
  /** Added to luma, as a share of 255: −1 to 1 (default 0). */
  brightness?: number;
  /** Luma gain around 16 (black): 0 to 2 (default 1). */
  contrast?: number;
  /** Chroma gain around 128 (grey): 0 (greyscale) to 2 (default 1). */
  saturation?: number;
  /** Chroma rotation in half turns: −1 to 1 (default 0). */
  hue?: number;
}

const _RANGES = {
  brightness: [-1, 1, 0],
  contrast: [0, 2, 1],
  saturation: [0, 2, 1],
  hue: [-1, 1, 0],
} as const;

/** The lookup tables of one setting: Y → Y, and (U << 8 | V) → U and → V. */
interface _Tables {
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
}

const _tableCache = new Map<string, _Tables>();
const _TABLE_CACHE_SIZE = 16;

/**
 * Adjusts brightness, contrast, saturation and hue like GStreamer's `videobalance`, through
 * lookup tables built once per setting:
 *
 * - Y′ = 16 + (Y − 16) × contrast + brightness × 255, clamped to 0–255;
 * - (U′, V′) = 128 + saturation × the (U − 128, V − 128) vector turned by hue × 180°, clamped.
 *
 * I420 and NV12 are adjusted sample by sample. RGBA and BGRA pixels go to BT.601 limited-range
 * YUV, through the same tables, and back (alpha untouched), as GStreamer does for packed RGB.
 * At the defaults (0, 1, 1, 0) the frame comes back as it is; otherwise the result is a new,
 * tightly packed frame with the input's format, timing and colour space, and the input is not
 * modified. Throws `SL_PARAM_INVALID` for a value outside its range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { balanceFrame } from "@streamlib/video";
 * import { createVideoFrame } from "@streamlib/core";
 * const frame = createVideoFrame({ format: "RGBA", codedWidth: 1, codedHeight: 1 });
 * frame.data.set([255, 0, 0, 255]);
 * const grey = balanceFrame(frame, { saturation: 0 });
 * assert.ok(grey.data[0] === grey.data[1] && grey.data[1] === grey.data[2]);
 * ```
 *
 * @param frame The frame.
 * @param options Brightness, contrast, saturation and hue.
 * @returns The adjusted frame (or `frame` itself at the defaults).
 */
export function balanceFrame(frame: VideoFrame, options: BalanceOptions): VideoFrame {
  const values = { brightness: 0, contrast: 1, saturation: 1, hue: 0 };
  for (const name of Object.keys(_RANGES) as (keyof typeof _RANGES)[]) {
    const value = options[name] ?? _RANGES[name][2];
    const [min, max] = _RANGES[name];
    if (typeof value !== "number" || !(value >= min && value <= max)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `${name} ${JSON.stringify(value)} is out of range: give a number from ${min} to ${max}`,
      );
    }
    values[name] = value;
  }
  const { brightness, contrast, saturation, hue } = values;
  if (brightness === 0 && contrast === 1 && saturation === 1 && hue === 0) return frame;
  const tables = _tables(brightness, contrast, saturation, hue);
  const out = _derivedFrame(frame, frame.format, frame.codedWidth, frame.codedHeight);
  const src = _framePlanes(frame);
  const dst = _framePlanes(out);
  switch (frame.format) {
    case "RGBA":
    case "BGRA":
      _balanceRgb(frame.data, src[0]!, out.data, dst[0]!, frame.format === "RGBA" ? 0 : 2, tables);
      break;
    case "I420":
      _lookupPlane(frame.data, src[0]!, out.data, dst[0]!, tables.y);
      _balanceChroma(frame.data, src[1]!, src[2]!, 1, out.data, dst[1]!, dst[2]!, tables);
      break;
    case "NV12": {
      _lookupPlane(frame.data, src[0]!, out.data, dst[0]!, tables.y);
      const [uv, to] = [src[1]!, dst[1]!];
      const v = { ...uv, offset: uv.offset + 1 };
      _balanceChroma(frame.data, uv, v, 2, out.data, to, { ...to, offset: to.offset + 1 }, tables);
      break;
    }
  }
  return out;
}

function _tables(brightness: number, contrast: number, saturation: number, hue: number): _Tables {
  const key = `${brightness} ${contrast} ${saturation} ${hue}`;
  const cached = _tableCache.get(key);
  if (cached !== undefined) return cached;
  const clamp = (x: number): number => Math.min(255, Math.max(0, Math.round(x)));
  const y = new Uint8Array(256);
  for (let i = 0; i < 256; i++) y[i] = clamp(16 + (i - 16) * contrast + brightness * 255);
  const u = new Uint8Array(65536);
  const v = new Uint8Array(65536);
  const cos = Math.cos(Math.PI * hue) * saturation;
  const sin = Math.sin(Math.PI * hue) * saturation;
  for (let i = -128; i < 128; i++) {
    for (let j = -128; j < 128; j++) {
      const k = ((i + 128) << 8) | (j + 128);
      u[k] = clamp(128 + i * cos + j * sin);
      v[k] = clamp(128 - i * sin + j * cos);
    }
  }
  const tables = { y, u, v };
  if (_tableCache.size >= _TABLE_CACHE_SIZE) _tableCache.delete(_tableCache.keys().next().value!);
  _tableCache.set(key, tables);
  return tables;
}

function _lookupPlane(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  table: Uint8Array,
): void {
  for (let row = 0; row < src.height; row++) {
    const s = src.offset + row * src.stride;
    const d = dst.offset + row * dst.stride;
    for (let x = 0; x < src.width; x++) out[d + x] = table[data[s + x]!]!;
  }
}

/** Adjusts chroma samples; U and V planes may interleave (`step` 2, NV12). */
function _balanceChroma(
  data: Uint8Array,
  u: _Plane,
  v: _Plane,
  step: number,
  out: Uint8Array,
  du: _Plane,
  dv: _Plane,
  tables: _Tables,
): void {
  for (let row = 0; row < u.height; row++) {
    let su = u.offset + row * u.stride;
    let sv = v.offset + row * v.stride;
    let ou = du.offset + row * du.stride;
    let ov = dv.offset + row * dv.stride;
    for (let x = 0; x < u.width; x++) {
      const k = (data[su]! << 8) | data[sv]!;
      out[ou] = tables.u[k]!;
      out[ov] = tables.v[k]!;
      su += step;
      sv += step;
      ou += step;
      ov += step;
    }
  }
}

/** RGB → BT.601 limited YUV → tables → RGB, pixel by pixel; alpha copied. */
function _balanceRgb(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  ri: number,
  tables: _Tables,
): void {
  const { yr, yg, yb, yBias, ur, ug, ub, vr, vg, vb, yTab, rV, gU, gV, bU } = _coefficients(
    "bt601",
    false,
  );
  const cBias = (128 << 16) + (1 << 15);
  const bi = 2 - ri;
  const clamped = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  for (let row = 0; row < src.height; row++) {
    let s = src.offset + row * src.stride;
    let d = dst.offset + row * dst.stride;
    for (let x = 0; x < src.width; x++, s += 4, d += 4) {
      const r = data[s + ri]!, g = data[s + 1]!, b = data[s + bi]!;
      const y = tables.y[(yr * r + yg * g + yb * b + yBias) >> 16]!;
      const k = (((ur * r + ug * g + ub * b + cBias) >> 16) << 8) |
        ((vr * r + vg * g + vb * b + cBias) >> 16);
      const U = tables.u[k]!, V = tables.v[k]!;
      const Y = yTab[y]!;
      clamped[d + ri] = (Y + rV[V]!) >> 16;
      clamped[d + 1] = (Y + gU[U]! + gV[V]!) >> 16;
      clamped[d + bi] = (Y + bU[U]!) >> 16;
      out[d + 3] = data[s + 3]!;
    }
  }
}

/**
 * The contract of {@linkcode VideoBalance}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoBalanceContract } from "@streamlib/video";
 * assert.ok(videoBalanceContract.params.contrast.default === 1);
 * ```
 */
export const videoBalanceContract = {
  type: "videobalance",
  description: "Adjusts the brightness, contrast, saturation and hue of the picture",
  classification: "Filter/Effect/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The adjusted video, in the input's format",
    },
  },
  params: {
    brightness: {
      type: "number",
      default: 0,
      minimum: -1,
      maximum: 1,
      description: "Added to the luma, as a share of full scale (0 leaves it)",
    },
    contrast: {
      type: "number",
      default: 1,
      minimum: 0,
      maximum: 2,
      description: "Luma gain around black (1 leaves it)",
    },
    saturation: {
      type: "number",
      default: 1,
      minimum: 0,
      maximum: 2,
      description: "Colour gain: 0 for greyscale, 1 leaves it, 2 doubles it",
    },
    hue: {
      type: "number",
      default: 0,
      minimum: -1,
      maximum: 1,
      description: "Hue rotation in half turns (±1 is 180°; 0 leaves it)",
    },
  },
} as const satisfies Contract;

/**
 * Adjusts brightness, contrast, saturation and hue, like GStreamer's `videobalance`, with
 * {@linkcode balanceFrame}: on I420 and NV12 directly (brightness and contrast on luma,
 * saturation and hue on chroma around 128), on RGBA and BGRA through BT.601 YUV. The parameters
 * are read for every frame, so they may change while running (the lookup tables of recent
 * settings are cached). At the defaults frames pass through untouched.
 *
 * ```text
 * videotestsrc pattern=ball ! videobalance saturation=0 contrast=1.2 ! display
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VideoBalance } from "@streamlib/video";
 * const balance = new VideoBalance({ saturation: 0 });
 * assert.ok(balance.params.brightness === 0 && balance.params.hue === 0);
 * ```
 */
export class VideoBalance extends Actor<typeof videoBalanceContract> {
  /** Ports and parameters. */
  static override contract: typeof videoBalanceContract = videoBalanceContract;

  /**
   * Adjusts one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.outputs.out.write(balanceFrame(frame, this.params));
  }
}
