import { _BLEND_WASM, _BLEND_WASM_RELAXED } from "./_blend_wasm.ts";

/**
 * One layer to blend: `width` × `height` straight-alpha RGBA or BGRA pixels at `stride` bytes a
 * row from `offset` in `data`, placed with its top-left corner at (`x`, `y`) of the output
 * (negative or partly outside is fine: it is clipped).
 */
export interface _BlendLayer {
  readonly data: Uint8Array;
  readonly offset: number;
  readonly stride: number;
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
  /** 0 to 1; the layer's alpha is multiplied by it. */
  readonly opacity: number;
  /** The layer's byte order differs from the output's (RGBA onto BGRA or the reverse). */
  readonly swap: boolean;
}

interface _Kernels {
  readonly memory: WebAssembly.Memory;
  over(
    src: number,
    srcStride: number,
    dst: number,
    dstStride: number,
    w: number,
    h: number,
    opacity: number,
  ): void;
  over_general(
    src: number,
    srcStride: number,
    dst: number,
    dstStride: number,
    w: number,
    h: number,
    opacity: number,
  ): void;
  under(
    dst: number,
    dstStride: number,
    w: number,
    h: number,
    value: number,
    opacity: number,
  ): void;
  fill(dst: number, dstStride: number, w: number, h: number, value: number): void;
  swap_rb(dst: number, dstStride: number, w: number, h: number): void;
}

/** Bytes of output one band holds: with a layer's rows beside it, it stays in the L2 cache. */
const _BAND_BYTES = 128 * 1024;

/** Copy a layer's band row by row when its visible part is less than this share of a row. */
const _ROWWISE_BELOW = 0.5;

let _shared: _Blender | undefined;

/**
 * The compositor's pixel work, done by the WebAssembly SIMD kernels of `_blend.wat` (see there
 * for the exact arithmetic). The output is built one band of rows at a time in wasm memory: the
 * background, then each layer's rows copied in and blended, then the band copied out, so that
 * every pass but the copies in and out runs in cache.
 */
export class _Blender {
  /** Which module runs: relaxed SIMD where the runtime has it, else standard SIMD. */
  readonly variant: "relaxed" | "standard";
  #kernels: _Kernels;
  #bytes: Uint8Array;

  /**
   * Instantiates the kernels.
   *
   * @param variant The module to use; the fastest the runtime accepts when absent.
   */
  constructor(variant?: "relaxed" | "standard") {
    const relaxed = _decode(_BLEND_WASM_RELAXED);
    this.variant = variant ?? (WebAssembly.validate(relaxed) ? "relaxed" : "standard");
    const module = new WebAssembly.Module(
      this.variant === "relaxed" ? relaxed : _decode(_BLEND_WASM),
    );
    this.#kernels = new WebAssembly.Instance(module).exports as unknown as _Kernels;
    this.#bytes = new Uint8Array(this.#kernels.memory.buffer);
  }

  /**
   * The instance shared by every compositor of this thread (blending is synchronous, so they
   * never use it at the same time).
   *
   * @returns The blender.
   */
  static shared(): _Blender {
    return _shared ??= new _Blender();
  }

  /**
   * Composites `layers`, first at the bottom, over a `background` colour into `out`.
   *
   * @param out The output pixels, `width` × `height`, tightly packed; every byte is written.
   * @param width Output width in pixels.
   * @param height Output height in pixels.
   * @param background The background as the four bytes of a pixel in the output's order.
   * @param layers The layers, bottom first.
   */
  blend(
    out: Uint8Array,
    width: number,
    height: number,
    background: readonly [number, number, number, number],
    layers: readonly _BlendLayer[],
  ): void {
    const rowBytes = width * 4;
    const bandRows = Math.max(1, Math.min(height, Math.floor(_BAND_BYTES / rowBytes)));
    const opaque = background[3] === 255;
    const fillValue = (background[0] | (background[1] << 8) | (background[2] << 16) |
      (background[3] << 24)) >>> 0;
    // Clip every layer once; the staging area fits the widest band of source rows.
    const visible: _Visible[] = [];
    let staging = 0;
    for (const layer of layers) {
      const x0 = Math.max(0, layer.x);
      const x1 = Math.min(width, layer.x + layer.width);
      const y0 = Math.max(0, layer.y);
      const y1 = Math.min(height, layer.y + layer.height);
      const opacity = Math.round(Math.min(1, Math.max(0, layer.opacity)) * 32767);
      if (x0 >= x1 || y0 >= y1 || opacity === 0) continue;
      const span = (x1 - x0) * 4;
      const rowwise = span < layer.stride * _ROWWISE_BELOW;
      staging = Math.max(staging, rowwise ? bandRows * span : bandRows * layer.stride);
      visible.push({ layer, x0, x1, y0, y1, span, rowwise, opacity });
    }
    const bandBytes = bandRows * rowBytes;
    this.#reserve(bandBytes + staging);
    const k = this.#kernels;
    const mem = this.#bytes;
    const over = opaque ? k.over : k.over_general;
    for (let top = 0; top < height; top += bandRows) {
      const rows = Math.min(bandRows, height - top);
      const bottom = top + rows;
      let first = 0;
      while (
        first < visible.length && (visible[first]!.y1 <= top || visible[first]!.y0 >= bottom)
      ) {
        first++;
      }
      const base = visible[first];
      if (
        base !== undefined && base.x0 === 0 && base.x1 === width && base.y0 <= top &&
        base.y1 >= bottom && (opaque || (background[3] === 0 && base.opacity === 32767))
      ) {
        // The bottom layer covers the band: its rows go straight into the band, and the
        // background under them (over a transparent one at opacity 1, they are the result).
        const { layer } = base;
        const from = layer.offset + (top - layer.y) * layer.stride - layer.x * 4;
        if (layer.stride === rowBytes) {
          mem.set(layer.data.subarray(from, from + rows * rowBytes), 0);
        } else {
          for (let r = 0; r < rows; r++) {
            const at = from + r * layer.stride;
            mem.set(layer.data.subarray(at, at + rowBytes), r * rowBytes);
          }
        }
        if (layer.swap) k.swap_rb(0, rowBytes, width, rows);
        if (opaque) k.under(0, rowBytes, width, rows, fillValue, base.opacity);
        first++;
      } else {
        k.fill(0, rowBytes, width, rows, fillValue);
        first = 0;
      }
      for (let i = first; i < visible.length; i++) {
        const v = visible[i]!;
        const r0 = Math.max(top, v.y0);
        const r1 = Math.min(bottom, v.y1);
        if (r0 >= r1) continue;
        const { layer } = v;
        const first = layer.offset + (r0 - layer.y) * layer.stride + (v.x0 - layer.x) * 4;
        let stride: number;
        if (v.rowwise) {
          stride = v.span;
          for (let r = 0; r < r1 - r0; r++) {
            const from = first + r * layer.stride;
            mem.set(layer.data.subarray(from, from + v.span), bandBytes + r * v.span);
          }
        } else {
          stride = layer.stride;
          mem.set(
            layer.data.subarray(first, first + (r1 - r0 - 1) * layer.stride + v.span),
            bandBytes,
          );
        }
        if (layer.swap) k.swap_rb(bandBytes, stride, v.x1 - v.x0, r1 - r0);
        over(
          bandBytes,
          stride,
          (r0 - top) * rowBytes + v.x0 * 4,
          rowBytes,
          v.x1 - v.x0,
          r1 - r0,
          v.opacity,
        );
      }
      out.set(mem.subarray(0, rows * rowBytes), top * rowBytes);
    }
  }

  /** Grows the wasm memory to at least `bytes`. */
  #reserve(bytes: number): void {
    const memory = this.#kernels.memory;
    if (memory.buffer.byteLength >= bytes) return;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    this.#bytes = new Uint8Array(memory.buffer);
  }
}

interface _Visible {
  readonly layer: _BlendLayer;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  /** Bytes of a visible row. */
  readonly span: number;
  /** Copy the band row by row (the visible part is a small share of each row). */
  readonly rowwise: boolean;
  /** Q15. */
  readonly opacity: number;
}

function _decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
