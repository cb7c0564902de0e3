import {
  Actor,
  type Contract,
  createKeyEvent,
  createMouseEvent,
  type StreamEvent,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { findFfmpeg } from "@streamlib/ffmpeg";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { _serve, type _Server, _tokenFor, _tokenGuard } from "./_server.ts";
import { _displayPage } from "./_display_page.ts";
import type { _EncoderSink, _FrameEncoder } from "./_display_encoder.ts";
import { _parseViewerMessage } from "./_display_events.ts";
import { _H264Encoder } from "./_display_h264_encoder.ts";
import { _ImageEncoder, _loadSkia } from "./_display_image_encoder.ts";
import { type _Viewer, _Viewers, type _ViewerSocket } from "./_display_viewers.ts";
import { _audioMessage, type _DisplayCodec, type _EncodedFrame } from "./_display_wire.ts";

/**
 * The contract of {@linkcode Display}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayContract } from "@streamlib/net";
 * assert.ok(displayContract.type === "display");
 * assert.ok(displayContract.params.host.default === "127.0.0.1");
 * ```
 */
export const displayContract = {
  type: "display",
  description: "Shows live video (and plays its audio) in web browsers, with low latency; " +
    "keyboard and mouse in the page come back as events",
  classification: "Sink/Network/Video",
  inputs: {
    in: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The video to show; frames are dropped, never queued, when viewers or the " +
        "encoder are busy",
    },
    audio: {
      kind: "audio",
      formats: ["f32-planar"],
      description: "Audio to play in the page through WebAudio, in sync with the video " +
        "(optional)",
    },
  },
  outputs: {
    keyboard: {
      kind: "event",
      description: "KeyEvents (keydown, keyup) pressed in a page",
    },
    mouse: {
      kind: "event",
      description: "MouseEvents (mousedown, mouseup, mousemove, click, wheel) made over the " +
        "video, in video pixels",
    },
  },
  params: {
    host: {
      type: "string",
      default: "127.0.0.1",
      minLength: 1,
      description: "Address to listen on; any but loopback needs an access token",
    },
    port: {
      type: "integer",
      default: 8080,
      minimum: 0,
      maximum: 65535,
      description: "TCP port; 0 picks a free one (read it from url)",
    },
    token: {
      type: "string",
      default: "",
      description: "Access token the page and its WebSocket require (?token=); empty: none on " +
        "loopback, a random one elsewhere",
    },
    codec: {
      type: "string",
      enum: ["h264", "jpeg", "webp"],
      default: "h264",
      description: "h264: lowest latency, CPU and bandwidth (measured), decoded with WebCodecs; " +
        "pages without it get jpeg; jpeg: any browser; webp: smaller, slow to encode",
    },
    quality: {
      type: "integer",
      default: 75,
      minimum: 1,
      maximum: 100,
      description: "Picture quality 1–100 (JPEG/WebP quality; H.264: 75 is crf 23)",
    },
    title: {
      type: "string",
      default: "",
      description: "Page title; empty for the actor's name",
    },
  },
  permissions: {
    read: {
      reason: "@napi-rs/canvas reads /usr/bin/ldd to tell glibc from musl",
      values: ["/usr/bin/ldd"],
    },
    net: {
      reason: "Listens on host:port for the page and its WebSocket",
      params: ["host"],
    },
    env: {
      reason: "Reads STREAMLIB_FFMPEG to find ffmpeg; @napi-rs/canvas (JPEG and WebP) reads " +
        "the others to find its native library and to decide whether to load system fonts",
      values: [
        "STREAMLIB_FFMPEG",
        "NAPI_RS_NATIVE_LIBRARY_PATH",
        "NAPI_RS_FORCE_WASI",
        "DISABLE_SYSTEM_FONTS_LOAD",
      ],
    },
    run: {
      reason: "Runs ffmpeg to encode H.264 (STREAMLIB_FFMPEG, ffmpeg on PATH, or the npm " +
        "@ffmpeg-installer binary)",
      values: ["ffmpeg"],
    },
    ffi: {
      reason: "Loads Skia, the native library behind @napi-rs/canvas, to encode JPEG and WebP",
    },
    sys: {
      reason: "@napi-rs/canvas looks for fonts in the home directory",
      values: ["homedir"],
    },
  },
} as const satisfies Contract;

/**
 * What a {@linkcode Display} has done so far.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DisplayStats } from "@streamlib/net";
 * const idle: DisplayStats = {
 *   viewers: 0, encoded: 0, sent: 0, bytes: 0, dropped: 0, events: 0, badMessages: 0,
 * };
 * assert.ok(idle.viewers === 0);
 * ```
 */
export interface DisplayStats {
  /** Pages connected now. */
  readonly viewers: number;
  /** Frames encoded. */
  readonly encoded: number;
  /** Frames sent, counted once for each page. */
  readonly sent: number;
  /** Bytes of those frames, headers included. */
  readonly bytes: number;
  /** Frames dropped: replaced while the encoder was busy, or skipped for a busy page (per page). */
  readonly dropped: number;
  /** Keyboard and mouse events written to the outputs. */
  readonly events: number;
  /** Messages from pages that were not valid, ignored. */
  readonly badMessages: number;
}

/** Events waiting for a slow downstream at most; the oldest go first. */
const _MAX_EVENTS = 256;

/** Frames a page may have unacknowledged: JPEG/WebP, H.264 (whose skips cost a keyframe wait). */
const _IN_FLIGHT = { jpeg: 2, webp: 2, h264: 4 } as const;

/** Wall time in ms, for the page's latency figure (the pipeline's time stays on its clock). */
const _wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * Shows its input in web browsers: it serves a page (hono on `Deno.serve`) at
 * {@linkcode Display.url} that draws the live video scaled to the window, with frame rate and
 * latency in a corner, for as many viewers as connect. Frames go over a WebSocket as H.264
 * (default) that the page decodes with WebCodecs' `VideoDecoder`, or as JPEG or WebP pictures.
 * H.264 measured best at 1280×720 30 fps on loopback, frame timestamp to paint in headless
 * Chromium: p50 18 ms (p99 46 ms) against JPEG's 24 ms and WebP's 77 ms, with the least CPU
 * and a tenth of JPEG's bytes (`bench/display_latency.ts`). A browser that cannot decode H.264 (WebCodecs
 * needs https or localhost) is sent JPEG instead. H.264 comes from ffmpeg (libx264
 * `ultrafast`, `zerolatency`), with a keyframe every second and whenever a page joins; JPEG
 * and WebP from Skia (`@napi-rs/canvas`).
 *
 * The display never holds the pipeline back: with nobody watching it encodes nothing; while
 * an encoder is busy only the newest frame waits; a page that has not yet decoded the frames
 * it was sent, or whose socket is full, skips frames (an H.264 page then waits for the next
 * keyframe). Offline it runs as fast as frames come.
 *
 * Keys pressed and mouse actions over the video come out of `keyboard` and `mouse` as
 * `KeyEvent`s and `MouseEvent`s stamped with the pipeline's running time, with coordinates in
 * video pixels whatever the window's size. With `audio` connected, the page plays it with
 * WebAudio, a tenth of a second buffered against jitter, and paints each frame when the sound
 * reaching the speakers gets to its timestamp, so sound and picture stay in sync (the picture
 * is then as late as the sound).
 *
 * It listens on 127.0.0.1 by default. Any other address requires an access token — `token`,
 * or a random one when empty — which the page and the WebSocket check (401 without it); `url`
 * includes it. The server starts with the actor and closes when it stops.
 *
 * ```text
 * videotestsrc pattern=ball ! display name=screen port=8080
 * screen.keyboard ! log
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Display } from "@streamlib/net";
 * const display = new Display({ port: 0 });
 * await display.start();
 * assert.ok(display.url.startsWith("http://127.0.0.1:"));
 * await display.stop();
 * ```
 */
export class Display extends Actor<typeof displayContract> {
  /** Ports and parameters. */
  static override contract: typeof displayContract = displayContract;
  #server: _Server | undefined;
  #viewers = new _Viewers(_IN_FLIGHT);
  /** Encoders running, one for each codec pages are sent. */
  #encoders = new Map<_DisplayCodec, _FrameEncoder>();
  /** Encoders the display can start: its codec's, and JPEG for pages that cannot decode it. */
  #factories: Partial<Record<_DisplayCodec, (sink: _EncoderSink) => _FrameEncoder>> = {};
  #closing = new Set<Promise<void>>();
  /** The newest frame waiting for a busy encoder, by codec. */
  #waiting = new Map<_DisplayCodec, { frame: VideoFrame; created: number }>();
  #error: unknown;
  #stopped = false;
  /** clock.now() at running time 0. */
  #base = 0;
  #width = 0;
  #height = 0;
  #encoded = 0;
  #dropped = 0;
  #events: { port: "keyboard" | "mouse"; event: StreamEvent }[] = [];
  #pumping = false;
  #written = 0;
  #positions = { keyboard: 0, mouse: 0 };
  #badMessages = 0;

  /**
   * The page's address, with `?token=` when a token is needed.
   *
   * @returns The URL; `SL_STATE` while the display is not running.
   */
  get url(): string {
    if (this.#server === undefined) {
      throw new StreamlibError(
        "SL_STATE",
        `Display "${this.name}" has no address until it starts (and none after it stops)`,
      );
    }
    return this.#server.url;
  }

  /**
   * Pages watching now.
   *
   * @returns The count.
   */
  get viewers(): number {
    return this.#viewers.count;
  }

  /**
   * Counts of frames, events and bad messages since the display started.
   *
   * @returns The figures.
   */
  get stats(): DisplayStats {
    return {
      viewers: this.#viewers.count,
      encoded: this.#encoded,
      sent: this.#viewers.sent,
      bytes: this.#viewers.bytes,
      dropped: this.#dropped + this.#viewers.dropped,
      events: this.#written,
      badMessages: this.#badMessages,
    };
  }

  /**
   * Finds ffmpeg (H.264) and loads Skia (JPEG, WebP, and H.264's fallback), then serves the
   * page.
   */
  override async start(): Promise<void> {
    const { host, port, codec, quality } = this.params;
    this.#stopped = false;
    this.#error = undefined;
    this.#waiting.clear();
    this.#encoders.clear();
    this.#viewers = new _Viewers(_IN_FLIGHT);
    this.#encoded = 0;
    this.#dropped = 0;
    this.#written = 0;
    this.#badMessages = 0;
    this.#events = [];
    this.#positions = { keyboard: 0, mouse: 0 };
    this.#width = this.#height = 0;
    this.#base = this._clock === undefined ? 0 : this.clock.now();
    this.#factories = {};
    if (codec === "h264") {
      const ffmpeg = (await findFfmpeg()).path;
      this.#factories.h264 = (sink) => new _H264Encoder(ffmpeg, quality, sink);
    }
    // Skia is needed for JPEG and WebP; with H.264 only for pages that cannot decode it, so
    // then only where its permission is granted (no prompt) and it loads.
    const skia = codec !== "h264"
      ? await _loadSkia()
      : Deno.permissions.querySync({ name: "ffi" }).state === "granted"
      ? await _loadSkia().catch(() => undefined)
      : undefined;
    if (skia !== undefined) {
      this.#factories.jpeg = (sink) => new _ImageEncoder(skia, "jpeg", quality, sink);
      if (codec === "webp") {
        this.#factories.webp = (sink) => new _ImageEncoder(skia, "webp", quality, sink);
      }
    }
    const token = _tokenFor(host, this.params.token);
    this.#server = _serve(this.#app(token), {
      host,
      port,
      token: token ?? "",
      name: this.name,
    });
  }

  /**
   * Sends what arrived: audio buffers as they are, the newest video frame to the encoder.
   *
   * @param tick Its timestamp is the running time now.
   */
  process(tick: TimedTick): void {
    if (this.#error !== undefined) throw this.#error;
    if (this._clock !== undefined) this.#base = this.clock.now() - tick.timestamp;
    const wall = _wallNow();
    const { in: video, audio } = this.inputs;
    for (let buffer = audio.read(); buffer !== undefined; buffer = audio.read()) {
      if (this.#viewers.count === 0) continue;
      const age = Math.max(0, tick.timestamp - buffer.timestamp) / 1000;
      this.#viewers.sendAudio(_audioMessage(buffer, wall - age));
    }
    let frame = video.read();
    for (let next = video.read(); next !== undefined; next = video.read()) {
      if (this.#viewers.count !== 0) this.#dropped++;
      frame = next;
    }
    if (frame === undefined) return;
    this.#width = frame.codedWidth;
    this.#height = frame.codedHeight;
    if (this.#viewers.count === 0) return;
    // The frame was made when the running time was its timestamp: that long ago.
    const created = wall - Math.max(0, tick.timestamp - frame.timestamp) / 1000;
    for (const codec of this.#viewers.codecs()) {
      const encoder = this.#encoder(codec);
      if (encoder.ready) encoder.submit(frame, created);
      else {
        if (this.#waiting.has(codec)) this.#dropped++;
        this.#waiting.set(codec, { frame, created });
      }
    }
  }

  /** Closes the pages' sockets, stops the encoders and the server. */
  override async stop(): Promise<void> {
    this.#stopped = true;
    const server = this.#server;
    this.#server = undefined;
    for (const codec of [...this.#encoders.keys()]) this.#closeEncoder(codec);
    this.#viewers.closeAll(1001, "the display stopped");
    await Promise.all(this.#closing);
    await server?.close();
  }

  /** The running encoder for `codec`, started if need be. */
  #encoder(codec: _DisplayCodec): _FrameEncoder {
    const running = this.#encoders.get(codec);
    if (running !== undefined) return running;
    const encoder: _FrameEncoder = this.#factories[codec]!({
      onFrame: (frame: _EncodedFrame): void => {
        if (encoder !== this.#encoders.get(codec)) return;
        this.#encoded++;
        this.#viewers.sendFrame(frame);
      },
      onReady: (): void => {
        const waiting = this.#waiting.get(codec);
        if (encoder !== this.#encoders.get(codec) || waiting === undefined || !encoder.ready) {
          return;
        }
        this.#waiting.delete(codec);
        encoder.submit(waiting.frame, waiting.created);
      },
      onError: (error: unknown): void => {
        if (encoder !== this.#encoders.get(codec)) return;
        this.#error ??= error;
        this.#closeEncoder(codec);
      },
    });
    this.#encoders.set(codec, encoder);
    return encoder;
  }

  /** Stops an encoder (nobody watches in its codec, or the display stops). */
  #closeEncoder(codec: _DisplayCodec): void {
    const encoder = this.#encoders.get(codec);
    this.#encoders.delete(codec);
    this.#waiting.delete(codec);
    if (encoder === undefined) return;
    const closing = encoder.close().catch(() => {}).finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  /** A page said what it decodes: it gets the display's codec, or else JPEG. */
  #hello(viewer: _Viewer, codecs: readonly _DisplayCodec[]): void {
    if (viewer.codec !== undefined) return;
    const wanted = this.params.codec;
    const codec = codecs.includes(wanted) ? wanted : "jpeg";
    if (this.#factories[codec] === undefined) {
      viewer.send(JSON.stringify({
        type: "error",
        message: `This browser cannot decode ${wanted} here (WebCodecs needs https or ` +
          `localhost) and the display cannot make JPEG: Skia did not load`,
      }));
      return;
    }
    viewer.codec = codec;
    // A new H.264 stream starts with a keyframe, so the new page shows a picture at once.
    if (codec === "h264") this.#closeEncoder(codec);
  }

  /** Stops the encoders nobody watches any more. */
  #closeUnwatched(): void {
    const codecs = this.#viewers.codecs();
    for (const codec of [...this.#encoders.keys()]) {
      if (!codecs.has(codec)) this.#closeEncoder(codec);
    }
  }

  #app(token: string | undefined): Hono {
    const title = this.params.title || this.name;
    const page = _displayPage({ title });
    const app = new Hono();
    app.use("*", _tokenGuard(token));
    app.get("/", (c) => {
      c.header("cache-control", "no-store");
      return c.html(page);
    });
    app.get("/favicon.ico", (c) => c.body(null, 204));
    app.get(
      "/ws",
      upgradeWebSocket(() => {
        let viewer: _Viewer | undefined;
        return {
          onOpen: (_event, ws): void => {
            const socket = ws.raw as unknown as _ViewerSocket | undefined;
            if (socket === undefined || this.#stopped) {
              ws.close(1001, "the display stopped");
              return;
            }
            viewer = this.#viewers.add(socket);
            this.#sendStatus();
          },
          onMessage: (event, _ws): void => {
            if (viewer === undefined) return;
            const message = _parseViewerMessage(event.data, this.#width, this.#height);
            if (message === undefined) this.#badMessages++;
            else if (message.kind === "ack") this.#viewers.ack(viewer);
            else if (message.kind === "hello") this.#hello(viewer, message.codecs);
            else if (message.kind === "key") {
              this.#emit("keyboard", createKeyEvent({ ...message.event, ...this.#timing() }));
            } else {
              this.#emit("mouse", createMouseEvent({ ...message.event, ...this.#timing() }));
            }
          },
          onClose: (): void => {
            if (viewer === undefined || !this.#viewers.remove(viewer)) return;
            viewer = undefined;
            this.#closeUnwatched();
            this.#sendStatus();
          },
        };
      }),
    );
    return app;
  }

  #sendStatus(): void {
    this.#viewers.sendText(JSON.stringify({ type: "status", viewers: this.#viewers.count }));
  }

  #timing(): { timestamp: number; duration: number; clockId: string } {
    const clock = this._clock;
    return {
      timestamp: clock === undefined ? 0 : Math.max(0, clock.now() - this.#base),
      duration: 0,
      clockId: clock?.id ?? "",
    };
  }

  /** Queues an event for its output; writes are serialised, and wait for a full downstream. */
  #emit(port: "keyboard" | "mouse", event: StreamEvent): void {
    if (this.#stopped) return;
    const stamped = { ...event, position: this.#positions[port]++ };
    if (this.#events.length >= _MAX_EVENTS) this.#events.shift();
    this.#events.push({ port, event: stamped });
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      for (let next = this.#events.shift(); next !== undefined; next = this.#events.shift()) {
        const output = this.outputs[next.port];
        if (output.ended || this.#stopped) continue;
        const written = output.write(next.event);
        this.#written++;
        if (written !== undefined) await written;
      }
    } catch {
      // The output ended while an event waited: nothing more can go out.
      this.#events = [];
    } finally {
      this.#pumping = false;
    }
  }
}
