import {
  Actor,
  type Contract,
  type ContractParams,
  createDataMessage,
  createVideoFrame,
  StreamlibError,
  type TimedTick,
  type Timing,
  timingOf,
} from "@streamlib/core";
import type { Canvas, SKRSContext2D } from "@napi-rs/canvas";
import type { DrawContext } from "./draw_context.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The contract of {@linkcode Draw}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawContract } from "@streamlib/video";
 * assert.ok(drawContract.type === "draw");
 * ```
 */
export const drawContract = {
  type: "draw",
  description: "Draws every frame with a Canvas 2D function from a module or from code",
  classification: "Source/Video",
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA"],
      description: "The drawn frames, straight (not premultiplied) alpha, transparent background",
    },
    errors: {
      kind: "data",
      formats: ["error"],
      description: "{ message, file, line, column, frame } when the draw function throws",
    },
  },
  params: {
    width: {
      type: "integer",
      default: 1280,
      minimum: 1,
      maximum: 16_384,
      unit: "px",
      description: "Frame width",
    },
    height: {
      type: "integer",
      default: 720,
      minimum: 1,
      maximum: 16_384,
      unit: "px",
      description: "Frame height",
    },
    fps: {
      type: "number",
      default: 30,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Frames a second",
    },
    frames: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Frames to draw before end-of-stream; 0 for endless",
    },
    duration: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "s",
      description: "Seconds to draw before end-of-stream; 0 for endless",
    },
    module: {
      type: "string",
      default: "",
      description:
        "Path (from the working directory) or URL of an ES module whose default export or " +
        "`draw` export is the draw function (ctx, info); imported at start",
    },
    vars: {
      type: "object",
      default: {},
      additionalProperties: true,
      description: "Custom variables passed to the draw function as info.vars; changeable live",
    },
  },
  permissions: {
    read: {
      reason: "Imports the draw module; @napi-rs/canvas reads /usr/bin/ldd to tell glibc " +
        "from musl",
      values: ["/usr/bin/ldd"],
      params: ["module"],
    },
    env: {
      reason: "@napi-rs/canvas reads these to find its native library and to decide whether " +
        "to load system fonts",
      values: ["NAPI_RS_NATIVE_LIBRARY_PATH", "NAPI_RS_FORCE_WASI", "DISABLE_SYSTEM_FONTS_LOAD"],
    },
    ffi: {
      reason: "Loads Skia, the native library behind @napi-rs/canvas",
    },
    sys: {
      reason: "@napi-rs/canvas looks for fonts in the home directory",
      values: ["homedir"],
    },
  },
} as const satisfies Contract;

/**
 * What a {@linkcode DrawFunction} gets besides the context, fresh for every frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawInfo } from "@streamlib/video";
 * const info: DrawInfo = {
 *   time: 0.5, timestamp: 500_000, frame: 15, width: 320, height: 240, fps: 30, vars: {},
 * };
 * assert.ok(info.time * 1e6 === info.timestamp);
 * ```
 */
export interface DrawInfo {
  /** Presentation time of the frame in seconds (the tick's timestamp). */
  readonly time: number;
  /** Presentation time of the frame in µs. */
  readonly timestamp: number;
  /** Frame number, from 0. */
  readonly frame: number;
  /** Canvas width in pixels. */
  readonly width: number;
  /** Canvas height in pixels. */
  readonly height: number;
  /** Frames a second. */
  readonly fps: number;
  /** The `vars` parameter: custom variables, which `setParams({ vars })` changes while running. */
  readonly vars: Readonly<Record<string, unknown>>;
}

/**
 * A function that draws one frame on a {@linkcode DrawContext} (Canvas 2D, Skia). The
 * context comes cleared to transparent and reset (identity transform, default styles, no clip)
 * for every frame. It may be async; the frame is taken when its promise settles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawFunction } from "@streamlib/video";
 * const spin: DrawFunction = (ctx, { width, height, time }) => {
 *   ctx.translate(width / 2, height / 2);
 *   ctx.rotate(time * Math.PI);
 *   ctx.fillStyle = "orange";
 *   ctx.fillRect(-20, -20, 40, 40);
 * };
 * assert.ok(typeof spin === "function");
 * ```
 */
export type DrawFunction = (ctx: DrawContext, info: DrawInfo) => void | Promise<void>;

/**
 * Options of {@linkcode Draw} that are code rather than parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawOptions } from "@streamlib/video";
 * const options: DrawOptions = { draw: (ctx) => ctx.fillRect(0, 0, 10, 10) };
 * assert.ok(options.draw !== undefined);
 * ```
 */
export interface DrawOptions {
  /** The draw function, instead of the `module` parameter. */
  readonly draw?: DrawFunction;
}

/**
 * What the `errors` output carries (topic `"error"`) when the draw function throws or rejects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawErrorEvent } from "@streamlib/video";
 * const event: DrawErrorEvent = {
 *   message: "x is not defined", file: "file:///tmp/scene.js", line: 4, column: 3, frame: 12,
 * };
 * assert.ok(event.line === 4);
 * ```
 */
export interface DrawErrorEvent {
  /** The error's message. */
  readonly message: string;
  /**
   * The URL of the file where it was thrown: the module's own file when the stack passes through
   * it, else the innermost stack frame outside the runtime, this actor and `@napi-rs/canvas`;
   * `undefined` when the stack says nothing.
   */
  readonly file: string | undefined;
  /** 1-based line in `file`. */
  readonly line: number | undefined;
  /** 1-based column in `file`. */
  readonly column: number | undefined;
  /** The frame number being drawn. */
  readonly frame: number;
}

/**
 * A video source that draws each frame with Canvas 2D (Skia through `@napi-rs/canvas`): on
 * every tick it clears the canvas to transparent, resets the context, calls the draw function
 * `(ctx, info)` and outputs the canvas as an RGBA frame with straight (not premultiplied)
 * alpha — `getImageData` un-premultiplies Skia's pixels, so semi-transparent colours come out
 * within ±1 of what was drawn. Every frame gets a fresh buffer; one canvas is kept and replaced
 * only when `width` or `height` change.
 *
 * The draw function comes from the `module` parameter (a path, from the working directory, or a
 * URL of an ES module exporting it as default or as `draw`; imported in `start()`) or from code,
 * as the constructor's second argument: `new Draw({ width: 320 }, { draw: (ctx, info) => … })`.
 * `info.vars` is the `vars` parameter, so `setParams({ vars: { x: 10 } })` reaches the next
 * frames.
 *
 * When the draw function throws (or its promise rejects), that frame is fully transparent and a
 * {@linkcode DrawErrorEvent} with the line and column in the user's file goes out on `errors`;
 * the pipeline keeps running. A module that cannot be imported or exports no function fails
 * `start()` with `SL_DRAW_MODULE`.
 *
 * Ends after `frames` frames or `duration` seconds, whichever comes first (0: endless).
 *
 * Permissions (Deno): Skia is a native library loaded on first start, which needs `--allow-ffi
 * --allow-env=NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD
 * --allow-sys=homedir --allow-read=/usr/bin/ldd`, plus read access to a `module` file.
 * Importing this module alone needs none of them. Reading a 1280×720 canvas back costs about
 * 12 ms a frame on one core.
 *
 * ```text
 * draw module=scene.js width=640 height=360 vars={"title":"Hello"} ! display
 * ```
 *
 * @example A source drawn from code
 * ```ts
 * import assert from "node:assert/strict";
 * import { Draw } from "@streamlib/video";
 * const draw = new Draw({ width: 320, height: 180, frames: 30 }, {
 *   draw: (ctx, { width, height, time }) => {
 *     ctx.fillStyle = "#204080";
 *     ctx.fillRect(0, 0, width, height);
 *     ctx.fillStyle = "white";
 *     ctx.fillRect(time * 100, height / 2 - 10, 20, 20);
 *   },
 * });
 * assert.ok(draw.params.fps === 30 && draw.progress().total === 30);
 * ```
 */
export class Draw extends Actor<typeof drawContract> {
  /** Ports and parameters. */
  static override contract: typeof drawContract = drawContract;
  readonly #inline: DrawFunction | undefined;
  #draw: DrawFunction | undefined;
  #moduleUrl: string | undefined;
  #canvas: Canvas | undefined;
  #context: SKRSContext2D | undefined;
  /** Errors thrown by the draw function this run, for the log (the first, then every 100th). */
  #errorCount = 0;

  /**
   * Creates the source.
   *
   * @param params Parameters; the rest take their defaults.
   * @param options The draw function, when it is given in code rather than by `module`.
   */
  constructor(
    params: Partial<ContractParams<typeof drawContract>> = {},
    options: DrawOptions = {},
  ) {
    super(params);
    if (options.draw !== undefined && typeof options.draw !== "function") {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `The draw option of "draw" must be a function (ctx, info), got ${typeof options.draw}`,
      );
    }
    this.#inline = options.draw;
  }

  /**
   * Frames drawn, of `frames` / `duration` (unknown when endless).
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    return { done: this.outputs.out.written, total: this.#total(this.fps) };
  }

  /** Loads Skia and the draw function (importing `module`). */
  override async start(): Promise<void> {
    this.#errorCount = 0;
    const spec = this.params.module;
    if (spec !== "" && this.#inline !== undefined) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"${this.name}" has both module=${
          JSON.stringify(spec)
        } and a draw function given in code: give one of them`,
      );
    }
    if (spec === "" && this.#inline === undefined) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"${this.name}" has nothing to draw: set module= to an ES module exporting a draw ` +
          `function, or pass one in code: new Draw(params, { draw: (ctx, info) => … })`,
      );
    }
    await _skia();
    this.#moduleUrl = spec === "" ? undefined : _moduleUrl(spec);
    this.#draw = this.#moduleUrl === undefined
      ? this.#inline
      : await _importDraw(this.#moduleUrl, spec);
  }

  /** Releases the canvas. */
  override stop(): void {
    this.#canvas = undefined;
    this.#context = undefined;
  }

  /**
   * Draws and writes one frame, or ends after `frames` / `duration`.
   *
   * @param tick The tick.
   * @returns A promise when the draw function returned one.
   */
  process(tick: TimedTick): void | Promise<void> {
    if (this.#over(tick.frameNumber, tick.fps)) return this.end();
    const { width, height, vars } = this.params;
    const ctx = this.#contextFor(width, height);
    ctx.reset();
    const info: DrawInfo = {
      time: tick.timestamp / 1e6,
      timestamp: tick.timestamp,
      frame: tick.frameNumber,
      width,
      height,
      fps: tick.fps,
      vars,
    };
    // Taken now: the tick object may be reused once an async draw function has settled.
    const timing = timingOf(tick);
    const fps = tick.fps;
    let result: void | Promise<void>;
    try {
      result = this.#draw!(ctx, info);
    } catch (error) {
      return this.#write(timing, width, height, undefined, error, fps);
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      return Promise.resolve(result).then(
        () => this.#write(timing, width, height, ctx, undefined, fps),
        (error) => this.#write(timing, width, height, undefined, error, fps),
      );
    }
    this.#write(timing, width, height, ctx, undefined, fps);
  }

  /** Writes the canvas (or, after an error, a transparent frame and the error). */
  #write(
    timing: Timing,
    width: number,
    height: number,
    ctx: SKRSContext2D | undefined,
    error: unknown,
    fps: number,
  ): void {
    let data: Uint8Array | undefined;
    if (ctx !== undefined) {
      const pixels = ctx.getImageData(0, 0, width, height).data;
      data = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    } else {
      const event: DrawErrorEvent = {
        message: error instanceof Error ? error.message : String(error),
        ..._locate(error, this.#moduleUrl),
        frame: timing.position,
      };
      this.outputs.errors.write(createDataMessage(event, { topic: "error", ...timing }));
      // Also in the log (streamlib run prints it), which nobody has to link: once, then one in a
      // hundred with the count.
      this.#errorCount++;
      if (this.#errorCount === 1 || this.#errorCount % 100 === 0) {
        const where = event.file === undefined
          ? ""
          : ` at ${event.file}${event.line === undefined ? "" : `:${event.line}:${event.column}`}`;
        this.log(
          `the draw function threw on frame ${event.frame}${where}: ${event.message}` +
            (this.#errorCount === 1
              ? " (a transparent frame went out; errors go out on the errors output)"
              : ` (${this.#errorCount} frames so far)`),
        );
      }
    }
    const frame = createVideoFrame({
      format: "RGBA",
      codedWidth: width,
      codedHeight: height,
      ...(data === undefined ? {} : { data }),
      ...timing,
    });
    this.outputs.out.write(frame);
    if (this.#over(timing.position + 1, fps)) this.end();
  }

  /** The canvas context for this size: the current one, or a new canvas. */
  #contextFor(width: number, height: number): SKRSContext2D {
    const canvas = this.#canvas;
    if (canvas !== undefined && canvas.width === width && canvas.height === height) {
      return this.#context!;
    }
    const created = _createCanvas!(width, height);
    this.#canvas = created;
    this.#context = created.getContext("2d");
    return this.#context;
  }

  /**
   * Whether the limits are reached before tick `next`: `frames` frames sent (a live source that
   * fell behind skips ticks, not frames), or the first tick at or after `duration`.
   */
  #over(next: number, fps: number): boolean {
    const { frames, duration } = this.params;
    if (frames !== 0 && this.outputs.out.written >= frames) return true;
    const byDuration = duration > 0 ? Math.ceil(Math.round(duration * fps * 1e6) / 1e6) : 0;
    return byDuration !== 0 && next >= byDuration;
  }

  /** Frames to draw: the smaller of `frames` and `duration` × fps; `undefined` when endless. */
  #total(fps: number): number | undefined {
    const { frames, duration } = this.params;
    // Frames whose timestamp lies before `duration` (rounded to µs, as timestamps are).
    const byDuration = duration > 0 ? Math.ceil(Math.round(duration * fps * 1e6) / 1e6) : 0;
    if (frames === 0) return byDuration || undefined;
    return byDuration === 0 ? frames : Math.min(frames, byDuration);
  }
}

let _createCanvas: ((width: number, height: number) => Canvas) | undefined;

/** Loads `@napi-rs/canvas` once (its native library needs ffi, env, sys and read). */
async function _skia(): Promise<void> {
  if (_createCanvas !== undefined) return;
  try {
    _createCanvas = (await import("@napi-rs/canvas")).createCanvas;
  } catch (error) {
    throw new StreamlibError(
      "SL_DRAW_CANVAS",
      `Could not load Skia (@napi-rs/canvas): ${(error as Error).message}. It needs --allow-ffi ` +
        "--allow-env=NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD " +
        "--allow-sys=homedir --allow-read=/usr/bin/ldd",
      { cause: error },
    );
  }
}

/** A URL for `spec`: kept when it is one, else a path resolved from the working directory. */
function _moduleUrl(spec: string): string {
  // Two letters or more before ":" so that a Windows drive ("C:\…") reads as a path.
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(spec)) return spec;
  return pathToFileURL(resolve(spec)).href;
}

/** Imports a module and finds its draw function. */
async function _importDraw(url: string, spec: string): Promise<DrawFunction> {
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    throw new StreamlibError(
      "SL_DRAW_MODULE",
      `Cannot import the draw module ${JSON.stringify(spec)} (${url}): ${
        (error as Error).message.replace(/\.$/, "")
      }. A relative path starts from the working directory.`,
      { cause: error, details: { module: spec, url } },
    );
  }
  const found = typeof module.default === "function"
    ? module.default
    : typeof module.draw === "function"
    ? module.draw
    : undefined;
  if (found === undefined) {
    throw new StreamlibError(
      "SL_DRAW_MODULE",
      `The draw module ${
        JSON.stringify(spec)
      } exports no draw function: export one as default or as "draw" ` +
        `(exports: ${Object.keys(module).join(", ") || "none"})`,
      { details: { module: spec, url } },
    );
  }
  return found as DrawFunction;
}

const _FRAME = /((?:file|https?|data|blob):[^\s()]*?):(\d+):(\d+)\)?\s*$/;
const _SELF = import.meta.url;

/** Where `error` was thrown: in `moduleUrl` when its stack passes there, else in user code. */
function _locate(
  error: unknown,
  moduleUrl: string | undefined,
): Pick<DrawErrorEvent, "file" | "line" | "column"> {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  const frames = stack.split("\n").flatMap((text) => {
    const match = _FRAME.exec(text);
    return match ? [{ file: match[1]!, line: Number(match[2]), column: Number(match[3]) }] : [];
  });
  const found = (moduleUrl === undefined ? undefined : frames.find((f) => f.file === moduleUrl)) ??
    frames.find((f) => f.file !== _SELF && !f.file.includes("/@napi-rs/canvas/"));
  return found ?? { file: undefined, line: undefined, column: undefined };
}
