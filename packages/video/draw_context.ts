/**
 * A gradient from {@linkcode DrawContext.createLinearGradient} and its siblings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawGradient } from "@streamlib/video";
 * const stops = (g: DrawGradient): void => {
 *   g.addColorStop(0, "black");
 *   g.addColorStop(1, "white");
 * };
 * assert.ok(typeof stops === "function");
 * ```
 */
export interface DrawGradient {
  /** Adds a colour stop at `offset` (0 to 1). */
  addColorStop(offset: number, color: string): void;
}

/**
 * A pattern, as `fillStyle` or `strokeStyle` may hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawPattern } from "@streamlib/video";
 * const reset = (p: DrawPattern): void => p.setTransform();
 * assert.ok(typeof reset === "function");
 * ```
 */
export interface DrawPattern {
  /** Sets the pattern's transform (identity when absent). */
  setTransform(transform?: DrawMatrix): void;
}

/**
 * A 2D affine matrix as the Canvas API takes it (`DOMMatrix2DInit`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawMatrix } from "@streamlib/video";
 * const identity: DrawMatrix = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
 * assert.ok(identity.a === 1);
 * ```
 */
export interface DrawMatrix {
  /** Scale x. */
  a?: number;
  /** Skew y. */
  b?: number;
  /** Skew x. */
  c?: number;
  /** Scale y. */
  d?: number;
  /** Translate x. */
  e?: number;
  /** Translate y. */
  f?: number;
}

/**
 * Pixels read with {@linkcode DrawContext.getImageData}: straight-alpha RGBA rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawImageData } from "@streamlib/video";
 * const alphaAt = (img: DrawImageData, x: number, y: number): number =>
 *   img.data[(y * img.width + x) * 4 + 3]!;
 * assert.ok(typeof alphaAt === "function");
 * ```
 */
export interface DrawImageData {
  /** RGBA bytes, `width × height × 4`. */
  readonly data: Uint8ClampedArray;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * What {@linkcode DrawContext.measureText} tells about a text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawTextMetrics } from "@streamlib/video";
 * const height = (m: DrawTextMetrics): number =>
 *   m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
 * assert.ok(typeof height === "function");
 * ```
 */
export interface DrawTextMetrics {
  /** Advance width in pixels. */
  readonly width: number;
  /** Distance from the baseline to the top of the drawn glyphs. */
  readonly actualBoundingBoxAscent: number;
  /** Distance from the baseline to the bottom of the drawn glyphs. */
  readonly actualBoundingBoxDescent: number;
  /** Distance from the alignment point to the left of the drawn glyphs. */
  readonly actualBoundingBoxLeft: number;
  /** Distance from the alignment point to the right of the drawn glyphs. */
  readonly actualBoundingBoxRight: number;
}

/**
 * The Canvas 2D context a draw function gets: the web's `CanvasRenderingContext2D` (drawn by Skia
 * through `@napi-rs/canvas`). This interface lists the standard members for paths, shapes, text,
 * styles, transforms, compositing and pixels; the object is `@napi-rs/canvas`'s `SKRSContext2D`,
 * so anything else it has (`drawImage`, `Path2D` arguments) is there too — cast to that type
 * from `npm:@napi-rs/canvas` to use it with types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrawContext } from "@streamlib/video";
 * function badge(ctx: DrawContext, text: string): void {
 *   ctx.fillStyle = "rgba(0, 0, 0, 0.6)";
 *   ctx.beginPath();
 *   ctx.roundRect(10, 10, 200, 48, 8);
 *   ctx.fill();
 *   ctx.fillStyle = "white";
 *   ctx.font = "24px sans-serif";
 *   ctx.fillText(text, 24, 42);
 * }
 * assert.ok(typeof badge === "function");
 * ```
 */
export interface DrawContext {
  /** Colour, gradient or pattern of fills. */
  fillStyle: string | DrawGradient | DrawPattern;
  /** Colour, gradient or pattern of strokes. */
  strokeStyle: string | DrawGradient | DrawPattern;
  /** Line width in pixels. */
  lineWidth: number;
  /** Line ends. */
  lineCap: "butt" | "round" | "square";
  /** Line corners. */
  lineJoin: "bevel" | "miter" | "round";
  /** Limit of mitred corners. */
  miterLimit: number;
  /** Offset into the dash pattern. */
  lineDashOffset: number;
  /** CSS font, e.g. `"bold 48px sans-serif"`. */
  font: string;
  /** Horizontal text alignment. */
  textAlign: "center" | "end" | "left" | "right" | "start";
  /** Vertical text alignment. */
  textBaseline: "alphabetic" | "bottom" | "hanging" | "ideographic" | "middle" | "top";
  /** Opacity of everything drawn, 0 to 1. */
  globalAlpha: number;
  /** How drawing combines with what is there (`"source-over"`, `"multiply"`, `"lighter"`…). */
  globalCompositeOperation: string;
  /** Blur of shadows in pixels. */
  shadowBlur: number;
  /** Colour of shadows. */
  shadowColor: string;
  /** Horizontal shadow offset. */
  shadowOffsetX: number;
  /** Vertical shadow offset. */
  shadowOffsetY: number;
  /** CSS filter, e.g. `"blur(4px)"`. */
  filter: string;
  /** Whether scaled images are smoothed. */
  imageSmoothingEnabled: boolean;

  /** Clears a rectangle to transparent. */
  clearRect(x: number, y: number, w: number, h: number): void;
  /** Fills a rectangle. */
  fillRect(x: number, y: number, w: number, h: number): void;
  /** Outlines a rectangle. */
  strokeRect(x: number, y: number, w: number, h: number): void;
  /** Starts a new path. */
  beginPath(): void;
  /** Closes the current sub-path. */
  closePath(): void;
  /** Starts a sub-path at a point. */
  moveTo(x: number, y: number): void;
  /** Adds a straight line. */
  lineTo(x: number, y: number): void;
  /** Adds a circular arc. */
  arc(
    x: number,
    y: number,
    radius: number,
    startAngle: number,
    endAngle: number,
    counterclockwise?: boolean,
  ): void;
  /** Adds an arc joining two tangents. */
  arcTo(x1: number, y1: number, x2: number, y2: number, radius: number): void;
  /** Adds an elliptical arc. */
  ellipse(
    x: number,
    y: number,
    radiusX: number,
    radiusY: number,
    rotation: number,
    startAngle: number,
    endAngle: number,
    counterclockwise?: boolean,
  ): void;
  /** Adds a rectangle. */
  rect(x: number, y: number, w: number, h: number): void;
  /** Adds a rectangle with rounded corners. */
  roundRect(x: number, y: number, w: number, h: number, radii?: number | number[]): void;
  /** Adds a quadratic Bézier curve. */
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  /** Adds a cubic Bézier curve. */
  bezierCurveTo(cp1x: number, cp1y: number, cp2x: number, cp2y: number, x: number, y: number): void;
  /** Fills the current path. */
  fill(fillRule?: "evenodd" | "nonzero"): void;
  /** Outlines the current path. */
  stroke(): void;
  /** Restricts drawing to the current path. */
  clip(fillRule?: "evenodd" | "nonzero"): void;
  /** Sets the dash pattern of lines. */
  setLineDash(segments: number[]): void;
  /** Draws filled text. */
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
  /** Draws outlined text. */
  strokeText(text: string, x: number, y: number, maxWidth?: number): void;
  /** Measures text in the current font. */
  measureText(text: string): DrawTextMetrics;
  /** Pushes the drawing state (styles, transform, clip). */
  save(): void;
  /** Pops the drawing state. */
  restore(): void;
  /** Moves the origin. */
  translate(x: number, y: number): void;
  /** Rotates by `angle` radians. */
  rotate(angle: number): void;
  /** Scales. */
  scale(x: number, y: number): void;
  /** Multiplies the transform. */
  transform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  /** Replaces the transform. */
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  /** Resets the transform to identity. */
  resetTransform(): void;
  /** A linear gradient between two points. */
  createLinearGradient(x0: number, y0: number, x1: number, y1: number): DrawGradient;
  /** A radial gradient between two circles. */
  createRadialGradient(
    x0: number,
    y0: number,
    r0: number,
    x1: number,
    y1: number,
    r1: number,
  ): DrawGradient;
  /** A conic gradient around a point. */
  createConicGradient(startAngle: number, x: number, y: number): DrawGradient;
  /** Reads pixels (straight-alpha RGBA). */
  getImageData(sx: number, sy: number, sw: number, sh: number): DrawImageData;
  /** Writes pixels. */
  putImageData(imagedata: DrawImageData, dx: number, dy: number): void;
}
