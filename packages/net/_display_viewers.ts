/**
 * The pages watching a display, and the rule that keeps each one current without letting any
 * hold the others (or the pipeline) back: a page acknowledges each frame once decoded; a page
 * with too many frames unacknowledged, or whose socket has too much unsent, skips frames
 * (counted). After a skip, an H.264 page waits for the next keyframe, since the pictures in
 * between refer to the one it missed. Nothing queues per page, so memory stays bounded.
 *
 * @module
 */

import { type _DisplayCodec, type _EncodedFrame, _videoMessage } from "./_display_wire.ts";

/** The side of a WebSocket the display uses (Deno's server-side `WebSocket`). */
export interface _ViewerSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
}

/** Unsent bytes above which a page skips frames and audio. */
const _MAX_BUFFERED = 4 * 1024 * 1024;

/** One page. */
export class _Viewer {
  readonly socket: _ViewerSocket;
  /** What the page is sent; none until it said what it decodes. */
  codec: _DisplayCodec | undefined;
  /** Frames sent and not yet acknowledged. */
  inFlight = 0;
  /** Skips frames until a keyframe. */
  needsKey = true;
  /** Frames sent. */
  sent = 0;
  /** Frames skipped. */
  dropped = 0;

  constructor(socket: _ViewerSocket) {
    this.socket = socket;
  }

  /** Sends, ignoring a socket that is closing (its close event removes the viewer). */
  send(data: Uint8Array | string): boolean {
    if (this.socket.readyState !== 1) return false;
    try {
      this.socket.send(data);
      return true;
    } catch {
      return false;
    }
  }
}

/** The pages watching one display. */
export class _Viewers {
  readonly #viewers = new Set<_Viewer>();
  readonly #maxInFlight: Readonly<Record<_DisplayCodec, number>>;
  /** Frames sent, counted once per page. */
  sent = 0;
  /** Frames skipped, counted once per page. */
  dropped = 0;
  /** Bytes of frames sent, all pages. */
  bytes = 0;
  /** Audio buffers not sent to a page whose socket was full. */
  droppedAudio = 0;

  /**
   * @param maxInFlight Frames a page may have unacknowledged before it skips frames, by codec.
   */
  constructor(maxInFlight: Readonly<Record<_DisplayCodec, number>>) {
    this.#maxInFlight = maxInFlight;
  }

  /** Pages connected. */
  get count(): number {
    return this.#viewers.size;
  }

  add(socket: _ViewerSocket): _Viewer {
    const viewer = new _Viewer(socket);
    this.#viewers.add(viewer);
    return viewer;
  }

  remove(viewer: _Viewer): boolean {
    return this.#viewers.delete(viewer);
  }

  /** The codecs pages are being sent. */
  codecs(): Set<_DisplayCodec> {
    const codecs = new Set<_DisplayCodec>();
    for (const viewer of this.#viewers) if (viewer.codec !== undefined) codecs.add(viewer.codec);
    return codecs;
  }

  /** Sends a picture to every page of its codec that can take it now. */
  sendFrame(frame: _EncodedFrame): void {
    let message: Uint8Array | undefined;
    for (const viewer of this.#viewers) {
      if (viewer.codec !== frame.codec) continue;
      if (
        viewer.inFlight >= this.#maxInFlight[frame.codec] ||
        viewer.socket.bufferedAmount > _MAX_BUFFERED ||
        (viewer.needsKey && !frame.key)
      ) {
        viewer.needsKey = true;
        viewer.dropped++;
        this.dropped++;
        continue;
      }
      message ??= _videoMessage(frame);
      if (!viewer.send(message)) continue;
      viewer.needsKey = false;
      viewer.inFlight++;
      viewer.sent++;
      this.sent++;
      this.bytes += message.length;
    }
  }

  /** A page decoded a frame. */
  ack(viewer: _Viewer): void {
    if (viewer.inFlight > 0) viewer.inFlight--;
  }

  /** Sends an audio message to every page (that said hello) whose socket is not full. */
  sendAudio(message: Uint8Array): void {
    for (const viewer of this.#viewers) {
      if (viewer.codec === undefined) continue;
      if (viewer.socket.bufferedAmount > _MAX_BUFFERED) this.droppedAudio++;
      else viewer.send(message);
    }
  }

  /** Sends a text message to every page. */
  sendText(text: string): void {
    for (const viewer of this.#viewers) viewer.send(text);
  }

  /** Closes every page's socket. */
  closeAll(code: number, reason: string): void {
    for (const viewer of this.#viewers) {
      try {
        viewer.socket.close(code, reason);
      } catch {
        // Already closed.
      }
    }
    this.#viewers.clear();
  }
}
