/**
 * Helpers for the display's tests: a live pipeline feeding a display, bounded waits, and the
 * page's figures and canvas pixels.
 *
 * @module
 */

import { type Actor, Pipeline } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import type { Page } from "puppeteer-core";
import { Display } from "./display.ts";

/** The page's `window.__streamlib`, as far as tests read it. */
export interface PageFigures {
  connected: boolean;
  error: string;
  codec: string;
  width: number;
  height: number;
  viewers: number;
  received: number;
  frames: number;
  decodeErrors: number;
  latencies: number[];
  avOffsets: number[];
  audio: { buffers: number; scheduled: number; underruns: number; state: string };
}

/** 75% SMPTE bars, left to right, as 8-bit RGB. */
export const SMPTE_TOP_BARS: readonly (readonly [number, number, number])[] = [
  [191, 191, 191],
  [191, 191, 0],
  [0, 191, 191],
  [0, 191, 0],
  [191, 0, 191],
  [191, 0, 0],
  [0, 0, 191],
];

/** A running live pipeline: `videotestsrc` (and any extra actors) into a display. */
export interface LiveDisplay {
  readonly pipeline: Pipeline;
  readonly display: Display;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts `videotestsrc pattern=smpte 640×360 30 fps ! display port=0 …` live.
 *
 * @param params The display's parameters (port 0 unless given).
 * @param wire Connects more actors, e.g. an audio source or event sinks.
 * @param source The video source (SMPTE bars by default).
 */
export async function liveDisplay(
  params: ConstructorParameters<typeof Display>[0] = {},
  wire: (pipeline: Pipeline, display: Display) => void = () => {},
  source: Actor = new TestPattern({ pattern: "smpte", width: 640, height: 360, fps: 30 }),
): Promise<LiveDisplay> {
  const pipeline = new Pipeline();
  const display = new Display({ port: 0, ...params });
  pipeline.pipe(source, display);
  wire(pipeline, display);
  await pipeline.start();
  let stopped: Promise<unknown> | undefined;
  return {
    pipeline,
    display,
    [Symbol.asyncDispose]: async () => {
      await (stopped ??= pipeline.stop());
    },
  };
}

/** Polls `condition` every 10 ms; fails after `ms` with `what`. */
export async function until(
  condition: () => boolean,
  what: string,
  ms = 5000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the page has painted `frames` frames. */
export async function waitForFrames(page: Page, frames: number, ms = 8000): Promise<void> {
  await page.waitForFunction(
    (n: number) =>
      ((globalThis as { __streamlib?: { frames: number } }).__streamlib?.frames ?? 0) >= n,
    { timeout: ms, polling: 20 },
    frames,
  );
}

/** The page's figures now. */
export function figures(page: Page): Promise<PageFigures> {
  return page.evaluate(() =>
    JSON.parse(JSON.stringify((globalThis as { __streamlib?: PageFigures }).__streamlib))
  );
}

/** RGB of the canvas pixels at the given video coordinates. */
export function canvasPixels(
  page: Page,
  points: readonly (readonly [number, number])[],
): Promise<[number, number, number][]> {
  return page.evaluate((points: [number, number][]) => {
    // No DOM types here: the little of the canvas API used, typed by hand.
    type Canvas = {
      getContext(kind: "2d"): { getImageData(...xywh: number[]): { data: Uint8ClampedArray } };
    };
    const page = globalThis as unknown as { document: { getElementById(id: string): Canvas } };
    const context = page.document.getElementById("video").getContext("2d");
    return points.map(([x, y]) => {
      const [r, g, b] = context.getImageData(x, y, 1, 1).data;
      return [r!, g!, b!] as [number, number, number];
    });
  }, points as [number, number][]);
}

/** Checks the canvas shows the 75% bars of a `width`×`height` SMPTE picture, within `tolerance`. */
export async function assertBars(
  page: Page,
  width: number,
  height: number,
  tolerance: number,
): Promise<void> {
  const y = Math.floor(height * 0.3);
  const points = SMPTE_TOP_BARS.map((_, i) => [Math.floor((i + 0.5) * width / 7), y] as const);
  const seen = await canvasPixels(page, points);
  seen.forEach((rgb, i) => {
    const expected = SMPTE_TOP_BARS[i]!;
    const off = Math.max(...rgb.map((v, c) => Math.abs(v - expected[c]!)));
    if (off > tolerance) {
      throw new Error(
        `bar ${i} at (${points[i]}) is ${rgb.join(",")}, expected ${expected.join(",")} ` +
          `± ${tolerance}`,
      );
    }
  });
}

/** Whether a process is running (and not a zombie), by `ps`. */
export function running(pid: number): boolean {
  const { stdout } = new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const stat = new TextDecoder().decode(stdout).trim();
  return stat !== "" && !stat.startsWith("Z");
}
