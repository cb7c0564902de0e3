import {
  Actor,
  type Contract,
  type ContractParams,
  type GpuVideoFrame,
  type Input,
  StreamlibError,
  type TimedTick,
  timingOf,
} from "@streamlib/core";
import { type Gpu, requestGpu } from "./device.ts";
import { createGpuFrame, frameTexture } from "./gpu_frame.ts";
import { gpuScaleFrame } from "./scale.ts";
import { _block, _dispatch, _scratch, _submit, _uniform } from "./_kernel.ts";
import { _FILL, _OVER, _STORE } from "./_composite_wgsl.ts";
import { _parseColor, type _Rgba } from "./_color.ts";
import { _stale } from "./_frames.ts";
import "./transfers.ts";

/**
 * The contract of {@linkcode GpuCompositor}: the CPU `compositor`'s ports and parameters (layers
 * on request ports `layer_%u`, each placed by its own parameters), on GPU frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuCompositorContract } from "@streamlib/gpu";
 * assert.ok(gpuCompositorContract.inputs["layer_%u"].params.opacity.default === 1);
 * ```
 */
export const gpuCompositorContract = {
  type: "gpucompositor",
  description: "Composites video layers on the GPU over a background at a fixed frame rate and " +
    "size",
  classification: "Filter/Editor/Video/Compositor",
  inputs: {
    "layer_%u": {
      kind: "video",
      formats: ["RGBA", "BGRA"],
      capabilities: ["gpu"],
      presence: "request",
      description: "One layer a port, requested on demand; placed by its parameters",
      params: {
        x: {
          type: "integer",
          default: 0,
          unit: "px",
          description: "Left edge in output pixels; may be negative",
        },
        y: {
          type: "integer",
          default: 0,
          unit: "px",
          description: "Top edge in output pixels; may be negative",
        },
        width: {
          type: "integer",
          default: 0,
          minimum: 0,
          maximum: 16_384,
          unit: "px",
          description: "Drawn width, the frame scaled to it; 0 for the frame's own",
        },
        height: {
          type: "integer",
          default: 0,
          minimum: 0,
          maximum: 16_384,
          unit: "px",
          description: "Drawn height, the frame scaled to it; 0 for the frame's own",
        },
        opacity: {
          type: "number",
          default: 1,
          minimum: 0,
          maximum: 1,
          description: "0 (invisible) to 1; multiplies the frame's own alpha",
        },
        zorder: {
          type: "integer",
          description: "Higher is drawn later, on top; ties go by input index. Default: the " +
            "input's index",
        },
        visible: {
          type: "boolean",
          default: true,
          description: "false hides the layer (its frames are still consumed)",
        },
        repeatAfterEos: {
          type: "boolean",
          default: false,
          description: "Keep drawing the last frame after the input ends (GStreamer does not)",
        },
      },
    },
  },
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA"],
      capabilities: ["gpu"],
      description: "The composite, width × height in format, fps frames a second, in GPU memory",
      formatParam: "format",
    },
  },
  params: {
    width: {
      type: "integer",
      default: 1280,
      minimum: 1,
      maximum: 16_384,
      unit: "px",
      description: "Output width",
    },
    height: {
      type: "integer",
      default: 720,
      minimum: 1,
      maximum: 16_384,
      unit: "px",
      description: "Output height",
    },
    fps: {
      type: "number",
      default: 30,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Output frame rate (fixed once the compositor is in a pipeline)",
      fixed: true,
    },
    format: {
      type: "string",
      enum: ["RGBA", "BGRA"],
      default: "RGBA",
      description: "Output pixel format",
    },
    background: {
      type: "string",
      default: "black",
      description: 'Colour under the layers: "#rrggbb[aa]", a name, or "transparent"',
    },
    layers: {
      type: "object",
      default: {},
      additionalProperties: true,
      pads: "layer_%u",
      description: "The layers' parameters by input name, all at once: { layer_1: { x, y, " +
        "width, height, opacity, zorder, visible, repeatAfterEos } }; a layer left out gets " +
        "its defaults",
    },
  },
  schedule: "tick",
} as const satisfies Contract;

/**
 * Where and how one layer is drawn: a `layer_%u` port's parameters (all optional), as the CPU
 * compositor's `CompositorLayer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuCompositorLayer } from "@streamlib/gpu";
 * const pip: GpuCompositorLayer = { x: 1260, y: 20, width: 640, height: 360, opacity: 0.9 };
 * assert.ok(pip.zorder === undefined);
 * ```
 */
export interface GpuCompositorLayer {
  /** Left edge in output pixels; may be negative (default 0). */
  readonly x?: number;
  /** Top edge in output pixels; may be negative (default 0). */
  readonly y?: number;
  /** Drawn width; the frame is scaled to it. 0 or absent: the frame's own width. */
  readonly width?: number;
  /** Drawn height; the frame is scaled to it. 0 or absent: the frame's own height. */
  readonly height?: number;
  /** 0 (invisible) to 1 (default); multiplies the frame's own alpha. */
  readonly opacity?: number;
  /** Higher is drawn later, on top; ties go by input index. Default: the input's index. */
  readonly zorder?: number;
  /** `false` hides the layer (its frames are still consumed). Default `true`. */
  readonly visible?: boolean;
  /** Keep drawing the last frame after the input ends (default `false`). */
  readonly repeatAfterEos?: boolean;
}

type _Placement =
  & Required<Omit<GpuCompositorLayer, "zorder">>
  & Pick<GpuCompositorLayer, "zorder">;

interface _LayerState {
  frame: GpuVideoFrame | undefined;
  scaled: GpuVideoFrame | undefined;
  scaledFrom: GpuVideoFrame | undefined;
}

interface _Drawn {
  readonly z: number;
  readonly index: number;
  readonly frame: GpuVideoFrame;
  readonly place: _Placement;
}

/**
 * Composites video layers over a background colour on the GPU: the CPU `compositor` with its
 * frames in GPU memory. The same request ports (`layer_0`, `layer_1`…) with the same per-port
 * parameters — position `x`, `y`, size `width`, `height` (scaled as `gpuscale` does, area
 * averaging when shrinking), `opacity`, `zorder`, `visible`, `repeatAfterEos` — changeable
 * while running with `setPadParams`, `setLayer` or the `layers` parameter, or in pipeline text
 * as `layer_1::x=20`. The same timing: it ticks at `fps`, shows each layer's newest frame not
 * after the tick, drops a layer whose input ended once its last frame is over (unless
 * `repeatAfterEos`), and ends when every layer has ended.
 *
 * The blend is the CPU compositor's arithmetic: onto opaque pixels (an opaque background) the
 * same Q15 fixed point, so the bytes are the same; onto translucent ones Porter-Duff "over" in
 * `f32`, within ±1. Where the result is fully transparent its colour bytes may differ from the
 * CPU's (which keeps a bottom layer's own there). Layers of the other byte order are swapped on
 * the way. One pass per layer covers only the layer's visible rectangle.
 *
 * ```text
 * gpucompositor name=mix width=1920 height=1080 layer_1::x=1260 layer_1::y=20 layer_1::width=640 layer_1::height=360 ! filesink location=pip.mp4
 * videotestsrc pattern=smpte width=1920 height=1080 ! mix.layer_0
 * videotestsrc pattern=ball ! mix.layer_1
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuCompositor } from "@streamlib/gpu";
 * const mix = new GpuCompositor({ width: 640, height: 360, layers: { layer_1: { opacity: 0.8 } } });
 * mix.setLayer("layer_1", { x: 40 });
 * assert.ok(mix.padParams("layer_1").x === 40 && mix.padParams("layer_1").opacity === 0.8);
 * ```
 */
export class GpuCompositor extends Actor<typeof gpuCompositorContract> {
  /** Ports and parameters. */
  static override contract: typeof gpuCompositorContract = gpuCompositorContract;
  #layers = new Map<string, _LayerState>();
  #background: _Rgba;
  #gpu: Gpu | undefined;

  /**
   * Creates a compositor; `SL_PARAM_INVALID` for a bad background colour or layer entry.
   *
   * @param params Parameter values; the rest take their defaults.
   */
  constructor(params: Partial<ContractParams<typeof gpuCompositorContract>> = {}) {
    super(params);
    this.#background = _parseColor(this.params.background);
  }

  /**
   * Changes parameters, checked as at construction; `layers` replaces every layer's placement.
   *
   * @param changes The parameters to change.
   */
  override setParams(changes: Partial<ContractParams<typeof gpuCompositorContract>>): void {
    const background = changes.background === undefined
      ? this.#background
      : _parseColor(changes.background);
    super.setParams(changes);
    this.#background = background;
  }

  /**
   * Changes some of one layer's placement, keeping the rest.
   *
   * @param name The layer's input, e.g. `"layer_1"`.
   * @param props The fields to change.
   */
  setLayer(name: string, props: GpuCompositorLayer): void {
    const layers = this.params.layers as Record<string, GpuCompositorLayer>;
    this.setParams({ layers: { ...layers, [name]: { ...layers[name], ...props } } });
  }

  /** Gets the shared GPU and forgets the frames on show. */
  override async start(): Promise<void> {
    this.#layers.clear();
    this.#gpu = await requestGpu();
  }

  /** A released layer's state goes with it. */
  override inputReleased(input: string): void {
    this.#layers.delete(input);
  }

  /** Lets go of the frames on show. */
  override stop(): void {
    this.#layers.clear();
  }

  /**
   * Picks each layer's frame for this tick and writes the composite.
   *
   * @param tick The output tick: its time picks the frames and stamps the output.
   */
  process(tick: TimedTick): void {
    const gpu = this.#gpu!;
    gpu.check(this.name);
    const drawn: _Drawn[] = [];
    const inputs = Object.values(this.inputs) as Input<GpuVideoFrame>[];
    for (const input of inputs) {
      const name = input.name;
      let state = this.#layers.get(name);
      if (state === undefined) {
        state = { frame: undefined, scaled: undefined, scaledFrom: undefined };
        this.#layers.set(name, state);
      }
      while ((input.peek()?.timestamp ?? Infinity) <= tick.timestamp) state.frame = input.read();
      if (state.frame !== undefined && _stale(state.frame, gpu)) state.frame = undefined;
      const frame = state.frame;
      const place = input.params as _Placement;
      if (frame === undefined || place.visible === false) continue;
      if (
        input.ended && !place.repeatAfterEos &&
        tick.timestamp >= frame.timestamp + Math.max(frame.duration, 1)
      ) {
        continue;
      }
      if (frame.format !== "RGBA" && frame.format !== "BGRA") {
        throw new StreamlibError(
          "SL_CAPS_MISMATCH",
          `Compositor "${this.name}" got a ${frame.format} frame on "${name}"; layers must be ` +
            `RGBA or BGRA: put a gpuconvert before it`,
        );
      }
      const shown = this.#sized(
        state,
        frame,
        place.width || frame.codedWidth,
        place.height || frame.codedHeight,
      );
      const index = Number(name.slice(name.lastIndexOf("_") + 1));
      drawn.push({ z: place.zorder ?? index, index, frame: shown, place });
    }
    if (
      drawn.length === 0 && inputs.some((input) => input.connected) &&
      inputs.every((input) => input.ended)
    ) {
      // Every layer has ended and left the picture: nothing more to show.
      this.end();
      return;
    }
    drawn.sort((a, b) => a.z - b.z || a.index - b.index);
    this.outputs.out.write(this.#composite(gpu, drawn, tick));
  }

  /** Fills the background, blends each visible layer, stores the result in a new frame. */
  #composite(gpu: Gpu, drawn: readonly _Drawn[], tick: TimedTick): GpuVideoFrame {
    const { width, height, format } = this.params;
    const out = createGpuFrame(gpu, {
      format,
      codedWidth: width,
      codedHeight: height,
      ...timingOf(tick),
    });
    const [r, g, b, a] = this.#background;
    const [c0, c2] = format === "RGBA" ? [r, b] : [b, r];
    const fill = (c0 | (g << 8) | (c2 << 16) | (a << 24)) >>> 0;
    const work = { buffer: _scratch(gpu, "composite", width * height * 4) };
    _submit(gpu, this.name, (pass) => {
      const params = _uniform(gpu, _block([width, height, fill, 0]));
      _dispatch(
        gpu,
        pass,
        gpu.pipeline("composite fill", () => _FILL),
        [params, work],
        width,
        height,
      );
      const over = gpu.pipeline("composite over", () => _OVER);
      for (const { frame, place } of drawn) {
        const x0 = Math.max(0, place.x);
        const x1 = Math.min(width, place.x + frame.codedWidth);
        const y0 = Math.max(0, place.y);
        const y1 = Math.min(height, place.y + frame.codedHeight);
        const opacity = Math.round(Math.min(1, Math.max(0, place.opacity)) * 32767);
        if (x0 >= x1 || y0 >= y1 || opacity === 0) continue;
        const block = _block(
          [
            width,
            x0,
            y0,
            x1 - x0,
            y1 - y0,
            place.x,
            place.y,
            opacity,
            frame.format === format ? 0 : 1,
          ],
          [Math.fround(opacity) / 8355585],
        );
        const layer = frameTexture(frame, gpu).createView();
        _dispatch(gpu, pass, over, [_uniform(gpu, block), layer, work], x1 - x0, y1 - y0);
      }
      const store = gpu.pipeline("composite store", () => _STORE);
      _dispatch(gpu, pass, store, [params, work, frameTexture(out).createView()], width, height);
    });
    return out;
  }

  /** `frame` at `width` × `height`, scaled once per frame and size. */
  #sized(state: _LayerState, frame: GpuVideoFrame, width: number, height: number): GpuVideoFrame {
    if (frame.codedWidth === width && frame.codedHeight === height) return frame;
    const cached = state.scaled;
    if (
      cached !== undefined && state.scaledFrom === frame && cached.codedWidth === width &&
      cached.codedHeight === height
    ) {
      return cached;
    }
    state.scaledFrom = frame;
    return state.scaled = gpuScaleFrame(this.#gpu!, frame, width, height, "auto", this.name);
  }
}
