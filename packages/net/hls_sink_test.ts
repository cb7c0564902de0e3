import assert from "node:assert/strict";
import { isStreamlibError, Pipeline } from "@streamlib/core";
import { AudioTestSource } from "@streamlib/audio";
import { TestPattern } from "@streamlib/video";
import { needs } from "../../tests/_needs.ts";
import { ffmpegChildren, ffprobe, hasFfprobe } from "../ffmpeg/_testing.ts";
import { launchBrowser, needsChromium } from "./_browser_testing.ts";
import { HlsSink } from "./hls_sink.ts";

const probe = needs("ffprobe", hasFfprobe(), "apt-get install ffmpeg");

/** A live pipeline of 320×240 bars at 30 fps (and a tone when `audio`) into `sink`. */
function live(sink: HlsSink, audio: boolean): Pipeline {
  const pipeline = new Pipeline();
  pipeline.add(sink);
  const video = pipeline.add(new TestPattern({ width: 320, height: 240, format: "I420" }));
  pipeline.connect(video.outputs.out, sink.inputs.in);
  if (audio) pipeline.connect(pipeline.add(new AudioTestSource()).outputs.out, sink.inputs.audio);
  return pipeline;
}

/** Waits (bounded) until `path` exists. */
async function appears(path: string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 20; i++) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${path} did not appear within ${seconds} s`);
}

/** The segment names a playlist lists. */
function segments(playlist: string): string[] {
  return playlist.split("\n").filter((line) => line.endsWith(".ts"));
}

/** Whether process `pid` is running (by `ps`: Deno guards /proc). */
function running(pid: number): boolean {
  const { stdout } = new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)] })
    .outputSync();
  const stat = new TextDecoder().decode(stdout).trim();
  return stat !== "" && !stat.startsWith("Z");
}

/** Segment files in `dir`. */
function segmentFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".ts")).sort();
}

/** Streams and codecs ffprobe sees at `url`, reading no more than it needs to tell. */
async function streamsAt(url: string): Promise<string[]> {
  const { success, stdout, stderr } = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json", url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`ffprobe ${url}: ${new TextDecoder().decode(stderr)}`);
  const info = JSON.parse(new TextDecoder().decode(stdout));
  return info.streams.map((s: Record<string, string>) => `${s.codec_type}:${s.codec_name}`).sort();
}

Deno.test(probe({
  name: "HlsSink run offline leaves a complete VOD playlist: every segment, H.264 and AAC, " +
    "#EXT-X-ENDLIST",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const pipeline = new Pipeline({ mode: "offline" });
      const sink = pipeline.add(
        new HlsSink({ location: `${dir}/out`, segmentDuration: 1, port: 0, preset: "ultrafast" }),
      );
      const video = new TestPattern({ width: 320, height: 240, frames: 150 });
      pipeline.connect(pipeline.add(video).outputs.out, sink.inputs.in);
      const audio = new AudioTestSource({ duration: 5 });
      pipeline.connect(pipeline.add(audio).outputs.out, sink.inputs.audio);
      await pipeline.run();
      const playlist = await Deno.readTextFile(`${dir}/out/index.m3u8`);
      assert.match(playlist, /#EXT-X-PLAYLIST-TYPE:VOD/);
      assert.match(playlist, /#EXT-X-ENDLIST\n$/);
      assert.deepEqual(segments(playlist), [0, 1, 2, 3, 4].map((n) => `seg_0000${n}.ts`));
      assert.deepEqual(segmentFiles(`${dir}/out`), segments(playlist));
      assert.deepEqual(playlist.match(/#EXTINF:[\d.]+/g), Array(5).fill("#EXTINF:1.000000"));
      const info = await ffprobe(`${dir}/out/index.m3u8`);
      const kinds = info.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
      assert.deepEqual(kinds, ["audio:aac", "video:h264"]);
      const frames = info.streams.find((s) => s.codec_type === "video")!.nb_read_frames;
      assert.equal(frames, "150");
      assert.ok(Math.abs(Number(info.format.duration) - 5) < 0.1, String(info.format.duration));
      assert.deepEqual(ffmpegChildren(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test({
  name: "HlsSink with a live playlist keeps a window of segments and deletes older ones",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const sink = new HlsSink({
        location: dir,
        playlist: "live",
        segmentDuration: 0.5,
        playlistLength: 3,
        serve: false,
        preset: "ultrafast",
      });
      await new Pipeline({ mode: "offline" })
        .pipe(new TestPattern({ width: 160, height: 120, frames: 300 }), sink)
        .run();
      const playlist = await Deno.readTextFile(`${dir}/index.m3u8`);
      assert.match(playlist, /#EXT-X-MEDIA-SEQUENCE:17\n/);
      assert.deepEqual(segments(playlist), ["seg_00017.ts", "seg_00018.ts", "seg_00019.ts"]);
      assert.match(playlist, /#EXT-X-ENDLIST\n$/);
      // The 20 segments written: the window, and the 4 (one window + 1) that left it last.
      const files = segmentFiles(dir);
      assert.deepEqual(files, [13, 14, 15, 16, 17, 18, 19].map((n) => `seg_000${n}.ts`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test(needsChromium(probe({
  name: "HlsSink's page (opened with its token) plays the live stream in hls.js past 2 s, " +
    "ffprobe reads its playlist, " +
    "and stopping ends ffmpeg and removes the temporary folder",
  fn: async () => {
    // With a token: the page's hls.js fetches the playlist and segments on the page's cookie.
    const sink = new HlsSink({ port: 0, segmentDuration: 1, preset: "ultrafast", token: "t0k" });
    const pipeline = live(sink, true);
    await pipeline.start();
    try {
      await using chrome = await launchBrowser();
      assert.match(sink.url, /\/\?token=t0k$/);
      const page = await chrome.open(sink.url);
      // Page code as text: this file is type-checked without the DOM library.
      await page.waitForFunction(
        'document.querySelector("video").currentTime > 2 && !document.querySelector("video").paused',
        { timeout: 15_000, polling: 100 },
      );
      const state = await page.evaluate(
        "(({ videoWidth: width, videoHeight: height, muted }) => ({ width, height, muted }))" +
          '(document.querySelector("video"))',
      );
      assert.deepEqual(state, { width: 320, height: 240, muted: true });
      assert.deepEqual(await streamsAt(sink.playlistUrl), ["audio:aac", "video:h264"]);
      await chrome.close();
      assert.ok(chrome.pid !== undefined && !running(chrome.pid), "Chromium has exited");
    } finally {
      await pipeline.stop();
    }
    const folder = sink.folder;
    assert.throws(() => Deno.statSync(folder), Deno.errors.NotFound, "temporary folder removed");
    assert.deepEqual(ffmpegChildren(), []);
  },
})));

Deno.test(probe({
  name: "HlsSink serves the playlist and segments with MIME types, cache headers and CORS, " +
    "only with its token, and nothing else from its folder",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const sink = new HlsSink({
      location: dir,
      port: 0,
      token: "s3cret",
      segmentDuration: 0.5,
      preset: "ultrafast",
    });
    const pipeline = live(sink, false);
    await pipeline.start();
    let url = "";
    try {
      await Deno.writeTextFile(`${dir}/private.txt`, "private");
      await appears(`${dir}/index.m3u8`, 10);
      url = sink.url;
      const origin = new URL(url).origin;
      assert.equal(sink.url, `${origin}/?token=s3cret`);
      assert.equal(sink.playlistUrl, `${origin}/index.m3u8?token=s3cret`);
      const fetchText = async (path: string, init?: RequestInit) => {
        const response = await fetch(`${origin}${path}`, init);
        return { status: response.status, headers: response.headers, text: await response.text() };
      };
      for (const path of ["/", "/hls.min.js", "/index.m3u8", "/seg_00000.ts"]) {
        assert.equal((await fetchText(path)).status, 401, path);
        assert.equal((await fetchText(`${path}?token=wrong`)).status, 401, path);
      }
      const page = await fetchText("/?token=s3cret");
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type")!, /^text\/html/);
      assert.match(page.text, /<video/);
      const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
      const withCookie = { headers: { cookie } };
      const js = await fetchText("/hls.min.js", withCookie);
      assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
      assert.match(js.text, /Hls/);
      const playlist = await fetchText("/index.m3u8", withCookie);
      assert.equal(playlist.status, 200);
      assert.equal(playlist.headers.get("content-type"), "application/vnd.apple.mpegurl");
      assert.equal(playlist.headers.get("cache-control"), "no-cache");
      assert.equal(playlist.headers.get("access-control-allow-origin"), "*");
      assert.match(playlist.text, /^#EXTM3U/);
      const first = segments(playlist.text)[0]!;
      const segment = await fetch(`${origin}/${first}`, {
        headers: { authorization: "Bearer s3cret", origin: "http://example.com" },
      });
      assert.equal(segment.status, 200);
      assert.equal(segment.headers.get("content-type"), "video/mp2t");
      assert.equal(segment.headers.get("cache-control"), "public, max-age=4");
      assert.equal(segment.headers.get("access-control-allow-origin"), "*");
      assert.equal((await segment.bytes())[0], 0x47, "an MPEG-TS packet");
      const tokenized = await fetchText("/index.m3u8?token=s3cret");
      assert.equal(tokenized.headers.get("content-type"), "application/vnd.apple.mpegurl");
      assert.equal(tokenized.headers.get("cache-control"), "no-cache");
      assert.match(tokenized.text, /^seg_00000\.ts\?token=s3cret$/m, "segments carry the token");
      assert.deepEqual(await streamsAt(sink.playlistUrl), ["video:h264"]);
      const preflight = await fetchText("/index.m3u8", {
        method: "OPTIONS",
        headers: { origin: "http://example.com", "access-control-request-method": "GET" },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
      for (
        const path of [
          "/private.txt",
          "/%2e%2e/%2e%2e/etc/passwd",
          "/..%2f..%2fetc%2fpasswd",
          "/index.m3u8.tmp",
          `/${first}/..%2fprivate.txt`,
        ]
      ) {
        assert.equal((await fetchText(path, withCookie)).status, 404, path);
      }
    } finally {
      await pipeline.stop({ mode: "abort" });
    }
    try {
      const playlist = await Deno.readTextFile(`${dir}/index.m3u8`);
      assert.match(playlist, /#EXT-X-ENDLIST\n$/, "an aborted run finishes the playlist too");
      assert.ok(await Deno.readTextFile(`${dir}/private.txt`), "a given folder is kept");
      assert.deepEqual(ffmpegChildren(), []);
      await assert.rejects(fetch(url), TypeError, "the server is closed");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test("HlsSink refuses a location with % and clears an earlier run's files from its folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = new Pipeline({ mode: "offline" }).pipe(
      new TestPattern({ frames: 1 }),
      new HlsSink({ location: `${dir}/a%d`, serve: false }),
    );
    await assert.rejects(
      bad.run(),
      (e: unknown) => isStreamlibError((e as Error).cause, "SL_PARAM_INVALID"),
    );
    for (const name of ["seg_00007.ts", "seg_00001.ts.tmp", "index.m3u8", "notes.txt"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "old");
    }
    await new Pipeline({ mode: "offline" }).pipe(
      new TestPattern({ width: 64, height: 64, frames: 10 }),
      new HlsSink({ location: dir, serve: false, preset: "ultrafast" }),
    ).run();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["index.m3u8", "notes.txt", "seg_00000.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HlsSink gives its addresses only while serving, and reports a port in use", async () => {
  const sink = new HlsSink({ port: 0 });
  assert.throws(
    () => sink.url,
    (e: unknown) => isStreamlibError(e, "SL_STATE"),
  );
  const first = new Pipeline().pipe(new TestPattern({ width: 64, height: 64 }), sink);
  await first.start();
  try {
    const port = Number(new URL(sink.url).port);
    const other = new HlsSink({ port });
    const second = new Pipeline().pipe(new TestPattern({ width: 64, height: 64 }), other);
    await assert.rejects(
      second.start(),
      (e: unknown) => isStreamlibError((e as Error).cause, "SL_NET_ADDRESS_IN_USE"),
    );
    await assert.rejects(second.stop(), /port is in use/, "the run ends with the failure");
    assert.notEqual(other.folder, "");
    assert.throws(
      () => Deno.statSync(other.folder),
      Deno.errors.NotFound,
      "temporary folder removed",
    );
  } finally {
    await first.stop();
  }
  assert.throws(
    () => sink.url,
    (e: unknown) => isStreamlibError(e, "SL_STATE"),
  );
  assert.deepEqual(ffmpegChildren(), []);
});
