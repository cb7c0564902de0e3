/**
 * What the display's encoders share: one frame in at a time when `ready`, encoded pictures out
 * through callbacks, so that encoding never holds the pipeline back.
 *
 * @module
 */

import type { VideoFrame } from "@streamlib/core";
import type { _EncodedFrame } from "./_display_wire.ts";

/** Where an encoder sends what it makes. */
export interface _EncoderSink {
  /** An encoded picture. */
  onFrame(frame: _EncodedFrame): void;
  /** The encoder can take another frame. */
  onReady(): void;
  /** Encoding failed; the encoder takes no more frames. */
  onError(error: unknown): void;
}

/** A JPEG, WebP or H.264 encoder. */
export interface _FrameEncoder {
  /** Whether `submit` may be called now. */
  readonly ready: boolean;
  /**
   * Starts encoding `frame`; the picture comes out through the sink.
   *
   * @param frame The frame, not changed afterwards (frames are immutable once sent).
   * @param created Wall time in ms at which the frame was made.
   */
  submit(frame: VideoFrame, created: number): void;
  /** Stops encoding and releases what the encoder holds (child processes included). */
  close(): Promise<void>;
}
