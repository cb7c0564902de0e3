import { Actor, type Contract, StreamlibError, type TimedTick } from "@streamlib/core";
import { FileMuxer } from "@streamlib/ffmpeg";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { join } from "node:path";
import { _serve, type _Server, _tokenFor, _tokenGuard } from "./_server.ts";
import { _hlsPage } from "./_hls_page.ts";
import { serveFolder } from "./serve_folder.ts";

/**
 * The contract of {@linkcode HlsSink}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hlsSinkContract } from "@streamlib/net";
 * assert.ok(hlsSinkContract.type === "hlssink");
 * ```
 */
export const hlsSinkContract = {
  type: "hlssink",
  description: "Serves live HLS (H.264, with AAC when audio is connected) over HTTP, with an " +
    "hls.js player page",
  classification: "Sink/Network/Video",
  inputs: {
    in: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      policy: "queue:16:block",
      description: "Frames to stream; their timestamps become the stream's",
    },
    audio: {
      kind: "audio",
      formats: ["f32-planar"],
      policy: "queue:16:block",
      description: "Audio to stream with the video as AAC (optional), in sync by its timestamps",
    },
  },
  params: {
    host: {
      type: "string",
      default: "127.0.0.1",
      description: "Address to listen on; any but loopback needs an access token",
    },
    port: {
      type: "integer",
      default: 8081,
      minimum: 0,
      maximum: 65535,
      description: "TCP port; 0 picks a free one",
    },
    token: {
      type: "string",
      default: "",
      description: "Access token (?token=…); empty: none on loopback, a random one elsewhere",
    },
    serve: {
      type: "boolean",
      default: true,
      description: "Serve the page, playlist and segments; false only writes the files",
    },
    location: {
      type: "string",
      default: "",
      description: "Folder for index.m3u8 and the segments, created if missing and kept; " +
        "empty: a fresh temporary folder, removed at stop",
    },
    playlist: {
      type: "string",
      enum: ["auto", "live", "event", "vod"],
      default: "auto",
      description: "live: a rolling window, old segments deleted; event: every segment kept, " +
        "the playlist grows; vod: every segment kept, the playlist written at the end; auto: " +
        "vod in offline pipelines, else live",
    },
    segmentDuration: {
      type: "number",
      default: 2,
      minimum: 0.1,
      maximum: 60,
      unit: "s",
      description: "Segment length; a keyframe starts every segment",
    },
    playlistLength: {
      type: "integer",
      default: 6,
      minimum: 1,
      description: "Segments in a live playlist's window",
    },
    crf: {
      type: "integer",
      default: -1,
      minimum: -1,
      maximum: 51,
      description: "Constant quality (lower is better; x264 default 23); -1 for the default",
    },
    bitrate: {
      type: "string",
      default: "",
      description: 'Target video bitrate as ffmpeg writes it ("2M", "800k"); empty for none',
    },
    preset: {
      type: "string",
      default: "veryfast",
      description: "x264 speed/size trade-off (ultrafast … veryslow)",
    },
    audioBitrate: {
      type: "string",
      default: "",
      description: 'AAC bitrate as ffmpeg writes it ("128k"); empty for the default',
    },
  },
  permissions: {
    net: {
      reason: "serves the player page, playlist and segments over HTTP on host:port",
      params: ["host"],
    },
    read: {
      reason: "serves the playlist and segments from location (or the temporary folder)",
    },
    write: {
      reason:
        "creates location (or a temporary folder), removes an earlier run's playlist and segments there; ffmpeg writes the new ones",
    },
    run: {
      reason: "runs ffmpeg (STREAMLIB_FFMPEG, ffmpeg on PATH, or the npm @ffmpeg-installer binary)",
      values: ["ffmpeg"],
    },
    env: {
      reason: "reads STREAMLIB_FFMPEG to find ffmpeg",
      values: ["STREAMLIB_FFMPEG"],
    },
  },
} as const satisfies Contract;

/** The playlist's file name in the folder. */
const _PLAYLIST = "index.m3u8";
/** The files the server hands out: the playlist and the segments, nothing else in the folder. */
const _SERVED = /^\/(?:index\.m3u8|seg_\d+\.ts)$/;
/** Files of an earlier run in a kept folder (ffmpeg's temporary ones included). */
const _OWN_FILES = /^(?:index\.m3u8|seg_\d+\.ts)(?:\.tmp)?$/;

/**
 * Streams its input as HLS: ffmpeg's HLS muxer cuts H.264 video (libx264, yuv420p; AAC audio
 * when the `audio` input is connected) into MPEG-TS segments of `segmentDuration` seconds, each
 * starting on a keyframe, listed in `index.m3u8`; a hono server gives out the playlist (not
 * cached), the segments (cached for as long as a live window lasts), CORS headers for players
 * on other origins, and at `/` a page that plays the stream with hls.js. Frames keep their own
 * timestamps; frames and audio go to ffmpeg through a {@linkcode FileMuxer}, as `filesink` writes
 * a file.
 *
 * Playlists (`playlist`): **live** keeps a window of `playlistLength` segments and deletes older
 * segments (a segment stays on disk for one more window after it leaves the playlist, as the HLS
 * specification asks, so a player still fetching it gets it); **event** keeps every segment and
 * grows the playlist; **vod** keeps every segment and writes the playlist once, at the end;
 * **auto** (default) is vod in an offline pipeline and live otherwise. When the input ends — and
 * when the pipeline stops, even by abort — ffmpeg finishes the playlist with `#EXT-X-ENDLIST`,
 * so a finite input run offline leaves a complete VOD playlist; ffmpeg never outlives the actor.
 * x264 runs with `tune=zerolatency` except for vod.
 *
 * The server listens on `127.0.0.1` by default. Any other address needs an access token (one is
 * made up when `token` is empty): {@linkcode HlsSink.url} carries it as `?token=`, and the page
 * then gets a cookie so that its player's requests pass; {@linkcode HlsSink.playlistUrl} carries
 * it too, and the playlist fetched that way names its segments with the token, so any player
 * given that address can play. Requests without it get 401; paths other than the page, the
 * playlist and the segments get 404 (the folder is served with {@linkcode serveFolder}). `location` empty writes into a temporary folder
 * removed at stop; a folder given is kept, and the playlist and segments of an earlier run in it
 * are removed at start.
 *
 * ```text
 * videotestsrc ! hlssink segmentDuration=1 port=8081
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pipeline } from "@streamlib/core";
 * import { TestPattern } from "@streamlib/video";
 * import { HlsSink } from "@streamlib/net";
 *
 * const dir = await Deno.makeTempDir();
 * const sink = new HlsSink({ location: dir, segmentDuration: 1, serve: false });
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new TestPattern({ width: 320, height: 240, frames: 60 }), sink)
 *   .run();
 * const playlist = await Deno.readTextFile(`${dir}/index.m3u8`);
 * assert.ok(playlist.includes("#EXT-X-ENDLIST"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class HlsSink extends Actor<typeof hlsSinkContract> {
  /** Ports and parameters. */
  static override contract: typeof hlsSinkContract = hlsSinkContract;
  #muxer: FileMuxer | undefined;
  #server: _Server | undefined;
  #folder = "";
  #temporary = false;
  #stopped: Promise<void> | undefined;

  /**
   * The player page's address, with `?token=` when one is needed.
   *
   * @returns The address; `SL_STATE` when the actor is not serving.
   */
  get url(): string {
    return this.#serving().url;
  }

  /**
   * The playlist's address (`…/index.m3u8`, with `?token=` when one is needed), for players
   * other than the page: VLC, ffplay, Safari, a `<video>` with hls.js elsewhere.
   *
   * @returns The address; `SL_STATE` when the actor is not serving.
   */
  get playlistUrl(): string {
    const server = this.#serving();
    const token = server.token === undefined ? "" : `?token=${encodeURIComponent(server.token)}`;
    return `${server.origin}/${_PLAYLIST}${token}`;
  }

  /**
   * The folder the playlist and segments are written to (the temporary one when `location` is
   * empty).
   *
   * @returns The folder's path; `""` before start.
   */
  get folder(): string {
    return this.#folder;
  }

  /** Prepares the folder, starts the server; ffmpeg starts with the first frame. */
  override async start(): Promise<void> {
    const { location, serve, playlist } = this.params;
    if (location.includes("%")) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"${this.name}" cannot write into ${JSON.stringify(location)}: ffmpeg reads "%" in ` +
          "segment names as a pattern; choose a folder without it",
      );
    }
    this.#stopped = undefined;
    this.#temporary = location === "";
    this.#folder = this.#temporary
      ? await Deno.makeTempDir({ prefix: "streamlib-hls-" })
      : await _ownFolder(location);
    try {
      const mode = playlist === "auto" ? (this.mode === "offline" ? "vod" : "live") : playlist;
      this.#muxer = new FileMuxer({
        name: this.name,
        inputs: this.inputs,
        params: {
          location: join(this.#folder, _PLAYLIST),
          codec: "libx264",
          pixelFormat: "yuv420p",
          audioCodec: "aac",
          crf: this.params.crf,
          bitrate: this.params.bitrate,
          preset: this.params.preset,
          audioBitrate: this.params.audioBitrate,
        },
        outputArgs: this.#hlsArgs(mode),
      });
      await this.#muxer.start();
      this.#server = serve ? await this.#listen() : undefined;
    } catch (error) {
      await this.#release();
      throw error;
    }
  }

  /**
   * Hands what has arrived to ffmpeg, in timestamp order across video and audio.
   *
   * @param _tick Unused.
   */
  async process(_tick: TimedTick): Promise<void> {
    await this.#muxer!.process();
  }

  /** Writes what is left; ffmpeg writes the last segment and `#EXT-X-ENDLIST`. */
  override async flush(): Promise<void> {
    await this.#muxer!.flush();
  }

  /** Finishes the playlist, stops ffmpeg and the server, removes a temporary folder. */
  override stop(): Promise<void> {
    this.#stopped ??= this.#release();
    return this.#stopped;
  }

  async #release(): Promise<void> {
    const muxer = this.#muxer;
    const server = this.#server;
    this.#muxer = undefined;
    this.#server = undefined;
    try {
      await muxer?.stop();
    } finally {
      await server?.close();
      if (this.#temporary) await Deno.remove(this.#folder, { recursive: true }).catch(() => {});
    }
  }

  #serving(): _Server {
    if (this.#server === undefined) {
      throw new StreamlibError(
        "SL_STATE",
        `"${this.name}" is not serving: ${
          this.params.serve ? "start its pipeline first" : "serve is false"
        }`,
      );
    }
    return this.#server;
  }

  /** ffmpeg's HLS output options: keyframes on segment boundaries, the muxer, the window. */
  #hlsArgs(mode: "live" | "event" | "vod"): string[] {
    const { segmentDuration: seconds, playlistLength: length } = this.params;
    const flags = ["independent_segments", "temp_file"];
    if (mode !== "vod") flags.push("program_date_time");
    if (mode === "live") flags.push("delete_segments");
    return [
      "-force_key_frames",
      `expr:gte(t,n_forced*${seconds})`,
      "-sc_threshold",
      "0",
      ...(mode === "vod" ? [] : ["-tune", "zerolatency"]),
      "-f",
      "hls",
      "-hls_time",
      String(seconds),
      "-hls_list_size",
      mode === "live" ? String(length) : "0",
      ...(mode === "live"
        ? ["-hls_delete_threshold", String(length + 1)]
        : ["-hls_playlist_type", mode]),
      "-hls_flags",
      flags.join("+"),
      "-hls_segment_filename",
      join(this.#folder, "seg_%05d.ts"),
    ];
  }

  /** The server: CORS, the token, the page, hls.js, the playlist and segments. */
  async #listen(): Promise<_Server> {
    const { host, port, token: given, segmentDuration, playlistLength } = this.params;
    const token = _tokenFor(host, given);
    const hlsJs = await _hlsJs();
    const page = _hlsPage({ title: `${this.name} (streamlib HLS)`, playlist: _PLAYLIST });
    // A segment is cached as long as a player may still ask for it (a live window); a restarted
    // stream reusing its name is not shown from a stale cache later than that.
    const segmentCache = `public, max-age=${Math.ceil(segmentDuration * (playlistLength + 1))}`;
    const app = new Hono();
    app.use(cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"], maxAge: 600 }));
    app.use(_tokenGuard(token));
    app.get("/", (c) => c.html(page, 200, { "cache-control": "no-cache" }));
    app.get("/hls.min.js", (c) =>
      c.body(hlsJs, 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=86400",
      }));
    app.use(async (c, next) => {
      if (!_SERVED.test(new URL(c.req.url).pathname)) return c.text("404 Not Found", 404);
      return await next();
    });
    if (token !== undefined) {
      // A player given the playlist's address with ?token= (VLC, ffplay, a page elsewhere) asks
      // for the segments by the names in the playlist: those get the token too.
      const playlistPath = join(this.#folder, _PLAYLIST);
      app.get(`/${_PLAYLIST}`, async (c, next) => {
        const given = c.req.query("token");
        if (given === undefined) return await next();
        let text: string;
        try {
          text = await Deno.readTextFile(playlistPath);
        } catch {
          return c.text("404 Not Found", 404);
        }
        const query = `?token=${encodeURIComponent(given)}`;
        const body = text.replace(/^(?!#)(\S.*)$/gm, `$1${query}`);
        return c.body(body, 200, {
          "content-type": "application/vnd.apple.mpegurl",
          "cache-control": "no-cache",
        });
      });
    }
    app.use(serveFolder(this.#folder, {
      cacheControl: (path) => path.endsWith(".m3u8") ? "no-cache" : segmentCache,
    }));
    return _serve(app, { host, port, token: token ?? "", name: this.name });
  }
}

/** Creates `folder` if missing and removes the playlist and segments of an earlier run. */
async function _ownFolder(folder: string): Promise<string> {
  await Deno.mkdir(folder, { recursive: true });
  for await (const entry of Deno.readDir(folder)) {
    if (entry.isFile && _OWN_FILES.test(entry.name)) await Deno.remove(join(folder, entry.name));
  }
  return folder;
}

let _hlsJsText: Promise<string> | undefined;

/** hls.js from its npm package, as text (loaded once). */
function _hlsJs(): Promise<string> {
  _hlsJsText ??= import("hls.js/dist/hls.min.js", { with: { type: "text" } })
    .then((module) => module.default as string);
  return _hlsJsText;
}
