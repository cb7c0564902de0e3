import type { VideoColorSpace } from "@streamlib/core";

/**
 * What {@linkcode probeMedia} learns about a file's first video and audio streams.
 *
 * @example
 * ```ts
 * import type { MediaInfo } from "@streamlib/ffmpeg";
 * const info: MediaInfo = { duration: 10, video: undefined, audio: undefined };
 * console.assert(info.duration === 10);
 * ```
 */
export interface MediaInfo {
  /** Length in seconds, or `undefined` when unknown (live streams, some raw formats). */
  readonly duration: number | undefined;
  /** The first video stream. */
  readonly video:
    | {
      readonly codec: string;
      readonly width: number;
      readonly height: number;
      /** Frames a second (NTSC rates as exact fractions: 29.97 is 30000/1001). */
      readonly fps: number;
      /** `round(duration × fps)`: exact for constant-rate files. */
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
