import type { VideoColorSpace } from "@streamlib/core";

/**
 * What {@linkcode probeMedia} learns about a file's first video and audio streams.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MediaInfo } from "@streamlib/ffmpeg";
 * const info: MediaInfo = { duration: 10, video: undefined, audio: undefined };
 * assert.ok(info.duration === 10);
 * ```
 */
export interface MediaInfo {
  /** Length in seconds, or `undefined` when unknown (live streams, some raw formats). */
  readonly duration: number | undefined;
  /** The first video stream. */
  readonly video:
    | {
      readonly codec: string;
      /** The picture's width as a player shows it, once turned by `rotation`. */
      readonly width: number;
      /** The picture's height as a player shows it. */
      readonly height: number;
      /**
       * Degrees clockwise (0, 90, 180 or 270) that players turn the coded picture to show it:
       * what a phone records in portrait as a display matrix (ffprobe's `rotation=-90` is 90
       * here; the older `rotate` tag says the same). The coded picture is `height`×`width`
       * for 90 and 270.
       */
      readonly rotation: 0 | 90 | 180 | 270;
      /**
       * Frames a second, on average for a variable-rate file (NTSC rates as exact fractions:
       * 29.97 is 30000/1001).
       */
      readonly fps: number;
      /**
       * `round(duration × fps)`: exact for constant-rate files, close for variable-rate ones
       * (whose `fps` is the average).
       */
      readonly frames: number | undefined;
      /** The pixel format ffmpeg decodes to, e.g. `yuv420p`. */
      readonly pixelFormat: string;
      /** The colour matrix and range the file declares, when it declares them. */
      readonly colorSpace: VideoColorSpace | undefined;
    }
    | undefined;
  /** The first audio stream. */
  readonly audio:
    | { readonly codec: string; readonly sampleRate: number; readonly channels: number }
    | undefined;
}
