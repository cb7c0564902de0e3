import {
  Actor,
  type Contract,
  type ContractParams,
  createVideoFrame,
  type Input,
  StreamlibError,
  type TimedTick,
  timingOf,
  type VideoFrame,
} from "@streamlib/core";
import { _Blender, type _BlendLayer } from "./_blend.ts";
import { _SplitBlender } from "./_blend_split.ts";
import { parseColor, type Rgba } from "./color.ts";
import { _PrefaultedBuffers } from "./_prefaulted_buffers.ts";
import { scaleFrame } from "./scale.ts";

/**
 * The contract of {@linkcode Compositor}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compositorContract } from "@streamlib/video";
 * assert.ok(compositorContract.inputs["layer_%u"].presence === "request");
 * ```
 */
export const compositorContract = {
  type: "compositor",
  description: "Composites video layers over a background at a fixed frame rate and size",
  classification: "Filter/Editor/Video/Compositor",
  inputs: {
    "layer_%u": {
      kind: "video",
      formats: ["RGBA", "BGRA"],
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
      description: "The composite, width × height in format, fps frames a second",
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
    threads: {
      type: "integer",
      default: 1,
      minimum: 1,
      maximum: 2,
      description: "Threads that blend a frame: 2 lets a helper Worker blend the lower rows of " +
        "frames of 1 MB or more whose layers are all in shared memory (frames from Worker actors)",
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
 * Where and how one layer is drawn: the parameters of a `layer_%u` input (its `params`), every
 * field optional. An entry of the compositor's `layers` parameter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CompositorLayer } from "@streamlib/video";
 * const pip: CompositorLayer = { x: 1260, y: 20, width: 640, height: 360, opacity: 0.9 };
 * assert.ok(pip.opacity === 0.9);
 * ```
 */
export interface CompositorLayer {
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
  /** Keep drawing the last frame after the input ends (default `false`, as GStreamer). */
  readonly repeatAfterEos?: boolean;
}

/** A layer's parameters, defaults filled in (`zorder` has none: the input's index). */
type _Placement = Required<Omit<CompositorLayer, "zorder">> & Pick<CompositorLayer, "zorder">;

/** What the compositor keeps for one layer input. */
interface _LayerState {
  /** The frame on show. */
  frame: VideoFrame | undefined;
  /** The last frame scaled to the layer's size, and the frame it came from. */
  scaled: VideoFrame | undefined;
  scaledFrom: VideoFrame | undefined;
}

/**
 * Composites any number of video layers over a background colour: GStreamer's `compositor`.
 * Request one input per layer (`layer_0`, `layer_1`…, created by `connect`/`pipe` or
 * {@linkcode Actor.requestInput}); each is placed by its port's parameters (GStreamer's pad
 * properties, see {@linkcode CompositorLayer}): position `x`, `y` (may be partly or wholly
 * outside the picture), size `width`, `height` (the frame is scaled with
 * {@linkcode scaleFrame}), `opacity`, `zorder`, `visible` and `repeatAfterEos`. They can change
 * while running: one port's with {@linkcode Actor.setPadParams} (or the input's `setParams`),
 * one layer's with {@linkcode Compositor.setLayer}, all at once with the `layers` parameter
 * (`setParams({ layers })`, which gives the layers it leaves out their defaults). In pipeline
 * text they are `layer_1::x=20`, or `layers={"layer_1":{"x":20}}`.
 *
 * It runs on its own clock at `fps` and writes a `width` × `height` frame in `format` on every
 * tick. For each layer it shows the newest frame whose timestamp is not after the tick's, and
 * keeps showing it until a newer one is due (slower inputs repeat, faster ones skip). A layer
 * whose input ended leaves the picture once its last frame's duration is over, unless
 * `repeatAfterEos`; the output ends when every layer input has ended. In an offline pipeline
 * the compositor ticks as its inputs' timestamps advance, so the output is the same on every
 * run, however much faster than `fps` a layer is. In a live pipeline, layers default to the
 * `latest` delivery policy.
 *
 * Alpha is straight (not premultiplied), as in every RGBA/BGRA frame. A layer pixel weighs
 * α = alpha / 255 × opacity. Over an opaque background the picture stays opaque and each
 * channel is `dst + (src − dst) × α`; over a translucent or `transparent` background it is
 * Porter-Duff "over" of straight colours: outα = α + dstα × (1 − α) and
 * out = (src × α + dst × dstα × (1 − α)) / outα. Results are within ±1 of that arithmetic done
 * exactly and rounded after each layer (over a translucent background, rarely 2 where a low
 * alpha rounds the other way). Layers of the other byte order (RGBA into BGRA) are
 * swapped on the way. The blending runs in WebAssembly SIMD, one band of rows at a time: a 1080p
 * composite of an opaque base and three full-frame translucent layers takes about 8 ms on a
 * 2-core x86 server (`deno task bench:compositor`). Output buffers are fresh for every frame
 * (downstream may keep them); a worker thread allocates and maps them ahead of time. With
 * `threads=2`, when every layer of a frame of 1 MB or more is in shared memory (as frames from
 * Worker actors are), a helper Worker blends the lower rows at the same time. It pays where a
 * core is free: on a 2-core server the blend alone ran 1.3–1.6× as fast and a live pipeline's
 * compositor took 12–16 ms a frame instead of 16–17, but an offline pipeline, whose buffer thread
 * already keeps the second core busy, ran 0.8–1.04× as fast; hence the default of 1.
 *
 * ```text
 * compositor name=mix width=1920 height=1080 layer_1::x=1260 layer_1::y=20 layer_1::width=640 layer_1::height=360 ! display
 * videotestsrc pattern=smpte width=1920 height=1080 ! mix.layer_0
 * videotestsrc pattern=ball ! mix.layer_1
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Compositor, type CompositorLayer } from "@streamlib/video";
 * const mix = new Compositor({
 *   width: 640,
 *   height: 360,
 *   layers: { layer_1: { x: 20, y: 20, width: 160, height: 90, opacity: 0.8 } },
 * });
 * mix.setLayer("layer_1", { x: 40 });
 * const pip = mix.params.layers.layer_1 as CompositorLayer;
 * assert.ok(pip.x === 40 && pip.width === 160);
 * mix.setPadParams("layer_1", { opacity: 0.5 });
 * assert.ok(mix.padParams("layer_1").opacity === 0.5 && mix.padParams("layer_0").x === 0);
 * ```
 */
export class Compositor extends Actor<typeof compositorContract> {
  /** Ports and parameters. */
  static override contract: typeof compositorContract = compositorContract;
  #layers = new Map<string, _LayerState>();
  #background: Rgba;
  #blender: _SplitBlender | undefined;
  #buffers: _PrefaultedBuffers | undefined;
  /** Whether the log says why `threads=2` blends on one thread. */
  #toldUnavailable = false;

  /**
   * Creates a compositor; `SL_PARAM_INVALID` for a bad background colour or layer entry.
   *
   * @param params Parameter values; the rest take their defaults.
   */
  constructor(params: Partial<ContractParams<typeof compositorContract>> = {}) {
    super(params);
    this.#background = parseColor(this.params.background);
  }

  /**
   * Changes parameters, checked as at construction; `layers` replaces the whole placement
   * object (see {@linkcode Compositor.setLayer} to change one layer).
   *
   * @param changes The parameters to change.
   */
  override setParams(changes: Partial<ContractParams<typeof compositorContract>>): void {
    const background = changes.background === undefined
      ? this.#background
      : parseColor(changes.background);
    super.setParams(changes);
    this.#background = background;
  }

  /**
   * Changes some of one layer's placement, keeping the rest: merges `props` into its entry of
   * the `layers` parameter through {@linkcode Actor.setParams}.
   *
   * @param name The layer's input, e.g. `"layer_1"`.
   * @param props The fields to change.
   */
  setLayer(name: string, props: CompositorLayer): void {
    const layers = this.params.layers as Record<string, CompositorLayer>;
    this.setParams({ layers: { ...layers, [name]: { ...layers[name], ...props } } });
  }

  /** Forgets the frames on show. */
  override start(): void {
    this.#layers.clear();
    this.#blender?.close();
    this.#blender = new _SplitBlender();
    this.#buffers?.close();
    this.#buffers = new _PrefaultedBuffers();
  }

  /** A released layer's state goes with it. */
  override inputReleased(input: string): void {
    this.#layers.delete(input);
  }

  /** Stops the threads that prepare output buffers and blend half of large frames. */
  override stop(): void {
    this.#buffers?.close();
    this.#buffers = undefined;
    this.#blender?.close();
    this.#blender = undefined;
  }

  /**
   * Picks each layer's frame for this tick and writes the composite.
   *
   * @param tick The output tick: its time picks the frames and stamps the output.
   */
  process(tick: TimedTick): void {
    const { width, height, format } = this.params;
    const drawn: Array<{ z: number; index: number; layer: _BlendLayer }> = [];
    for (const input of Object.values(this.inputs) as Input<VideoFrame>[]) {
      const name = input.name;
      let state = this.#layers.get(name);
      if (state === undefined) {
        state = { frame: undefined, scaled: undefined, scaledFrom: undefined };
        this.#layers.set(name, state);
      }
      while ((input.peek()?.timestamp ?? Infinity) <= tick.timestamp) state.frame = input.read();
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
            `RGBA or BGRA: put a convert before it`,
        );
      }
      const shown = this.#sized(
        state,
        frame,
        place.width || frame.codedWidth,
        place.height || frame.codedHeight,
      );
      const index = Number(name.slice(name.lastIndexOf("_") + 1));
      drawn.push({
        z: place.zorder ?? index,
        index,
        layer: {
          data: shown.data,
          offset: shown.layout[0]!.offset,
          stride: shown.layout[0]!.stride,
          width: shown.codedWidth,
          height: shown.codedHeight,
          x: place.x,
          y: place.y,
          opacity: place.opacity,
          swap: shown.format !== format,
        },
      });
    }
    const inputs = Object.values(this.inputs) as Input<VideoFrame>[];
    if (
      drawn.length === 0 && inputs.some((input) => input.connected) &&
      inputs.every((input) => input.ended)
    ) {
      // Every layer has ended and left the picture: nothing more to show.
      this.end();
      return;
    }
    drawn.sort((a, b) => a.z - b.z || a.index - b.index);
    const out = createVideoFrame({
      format,
      codedWidth: width,
      codedHeight: height,
      data: new Uint8Array(this.#buffers!.take(width * height * 4)),
      ...timingOf(tick),
    });
    const [r, g, b, a] = this.#background;
    const split = this.params.threads === 2 ? this.#blender! : undefined;
    (split ?? _Blender.shared()).blend(
      out.data,
      width,
      height,
      format === "RGBA" ? [r, g, b, a] : [b, g, r, a],
      drawn.map((d) => d.layer),
    );
    if (split?.unavailable !== undefined && !this.#toldUnavailable) {
      this.#toldUnavailable = true;
      this.log(`threads=2: ${split.unavailable}; blending on one thread`);
    }
    this.outputs.out.write(out);
  }

  /** `frame` at `width` × `height`, scaled once per frame and size. */
  #sized(state: _LayerState, frame: VideoFrame, width: number, height: number): VideoFrame {
    if (frame.codedWidth === width && frame.codedHeight === height) return frame;
    const cached = state.scaled;
    if (
      cached !== undefined && state.scaledFrom === frame && cached.codedWidth === width &&
      cached.codedHeight === height
    ) {
      return cached;
    }
    state.scaledFrom = frame;
    return state.scaled = scaleFrame(frame, width, height);
  }
}
