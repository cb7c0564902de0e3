/**
 * The player page of the HLS sink: a `<video>` element playing the playlist with hls.js (served
 * beside it as `hls.min.js`), or natively where the browser plays HLS itself (Safari). Plain
 * browser JavaScript, no build step.
 *
 * @module
 */

import { _escapeHtml } from "./_server.ts";

/** What the page needs to know. */
export interface _HlsPageOptions {
  /** Shown as the page title. */
  readonly title: string;
  /** The playlist's address, relative to the page (`index.m3u8`). */
  readonly playlist: string;
}

/**
 * hls.js settings of the page: start two segments behind the live edge (hls.js's default is
 * three) and catch up by playing up to 10% faster when playback falls behind, so a viewer stays
 * near the edge without stalling on 1–2 s segments.
 */
const _HLS_CONFIG = {
  liveSyncDurationCount: 2,
  liveMaxLatencyDurationCount: 6,
  maxLiveSyncPlaybackRate: 1.1,
  backBufferLength: 30,
};

/**
 * The page's HTML. It waits for the playlist to exist (the first segment takes a segment's
 * duration), then plays it muted (so autoplay is allowed; unmute with the controls), and starts
 * over after a fatal error. `window.hls` is the player, for tests and measurements.
 */
export function _hlsPage(options: _HlsPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${_escapeHtml(options.title)}</title>
<style>
  html, body { margin: 0; height: 100%; background: #000; }
  video { display: block; width: 100%; height: 100%; object-fit: contain; }
  #status { position: fixed; left: 8px; top: 8px; color: #ccc; font: 14px sans-serif; }
</style>
</head>
<body>
<video id="video" controls autoplay muted playsinline></video>
<div id="status">waiting for the stream…</div>
<script src="hls.min.js"></script>
<script>
"use strict";
const video = document.getElementById("video");
const label = document.getElementById("status");
const source = ${JSON.stringify(options.playlist)};
const config = ${JSON.stringify(_HLS_CONFIG)};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
video.addEventListener("playing", () => { label.textContent = ""; });
video.addEventListener("ended", () => { label.textContent = "the stream has ended"; });

async function waitForPlaylist() {
  for (;;) {
    try {
      const response = await fetch(source, { method: "HEAD", cache: "no-store" });
      if (response.ok) return;
    } catch {
      // the server is not there yet, or is gone
    }
    await sleep(250);
  }
}

async function play() {
  await waitForPlaylist();
  if (window.Hls && Hls.isSupported()) {
    const hls = new Hls(config);
    window.hls = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      label.textContent = "reconnecting…";
      hls.destroy();
      sleep(1000).then(play);
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = source;
    video.play().catch(() => {});
  } else {
    label.textContent = "this browser cannot play HLS";
  }
}
play();
</script>
</body>
</html>
`;
}
