/**
 * The display's page: HTML with plain browser JavaScript, no build step. It connects to `/ws`
 * (carrying the page's `?token=`), decodes what comes (JPEG/WebP with `createImageBitmap`, H.264
 * with WebCodecs' `VideoDecoder`), paints the newest picture at the next animation frame on a
 * canvas scaled to the window (letterboxed), and acknowledges each decoded frame. With audio it
 * schedules the buffers on an `AudioContext` a little ahead (jitter buffer) and paints each
 * frame when the audio clock reaches its timestamp. Keys and mouse actions over the picture go
 * back as JSON, in video pixels.
 *
 * `window.__streamlib` holds the page's figures for tests and benchmarks: frames painted,
 * latencies (ms, frame made → paint), audio/video offsets at paint, audio buffers scheduled.
 *
 * @module
 */

import { _escapeHtml } from "./_server.ts";

/** Seconds of audio scheduled ahead: absorbs network and event-loop jitter. */
const _JITTER_SECONDS = 0.1;

/** The page for a display titled `title`. */
export function _displayPage(options: { readonly title: string }): string {
  const config = JSON.stringify({ title: options.title, jitter: _JITTER_SECONDS })
    .replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${_escapeHtml(options.title)}</title>
<style>
  html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
  #video { position: fixed; inset: 0; width: 100vw; height: 100vh; object-fit: contain;
    display: block; cursor: crosshair; }
  #hud { position: fixed; top: 6px; left: 6px; padding: 2px 6px; border-radius: 3px;
    font: 12px/1.4 ui-monospace, monospace; color: #eee; background: rgba(0, 0, 0, 0.55);
    pointer-events: none; white-space: pre; }
</style>
</head>
<body>
<canvas id="video" width="0" height="0" tabindex="0"></canvas>
<div id="hud">connecting…</div>
<script id="config" type="application/json">${config}</script>
<script>
${_PAGE_SCRIPT}
</script>
</body>
</html>
`;
}

const _PAGE_SCRIPT = String.raw`"use strict";
(() => {
  const config = JSON.parse(document.getElementById("config").textContent);
  const canvas = document.getElementById("video");
  const hudElement = document.getElementById("hud");
  const draw = canvas.getContext("2d", { alpha: false });
  const now = () => performance.timeOrigin + performance.now();
  const KEEP = 600;
  const S = window.__streamlib = {
    connected: false, error: "", codec: "", width: 0, height: 0, viewers: 0,
    received: 0, frames: 0, skipped: 0, decodeErrors: 0,
    latencies: [], avOffsets: [], paints: [],
    audio: { buffers: 0, scheduled: 0, underruns: 0, state: "none" },
  };
  const remember = (list, value) => { list.push(value); if (list.length > KEEP) list.shift(); };

  // ---- Socket ------------------------------------------------------------------------------
  /** What this browser decodes: H.264 where WebCodecs is (secure contexts), always images. */
  const decodable = (async () => {
    const codecs = ["jpeg", "webp"];
    try {
      if (typeof VideoDecoder !== "undefined" &&
          (await VideoDecoder.isConfigSupported({ codec: "avc1.42E01F" })).supported) {
        codecs.unshift("h264");
      }
    } catch {
      // No H.264 here.
    }
    return codecs;
  })();
  let socket = null;
  let retry = 500;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(scheme + "//" + location.host + "/ws" + location.search);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      socket = ws;
      S.connected = true;
      S.error = "";
      retry = 500;
      hud();
      decodable.then((codecs) => { if (socket === ws) send({ type: "hello", codecs }); });
    };
    ws.onmessage = (e) => {
      if (typeof e.data === "string") onText(e.data); else onBinary(e.data);
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      S.connected = false;
      resetVideo();
      hud();
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }
  function send(message) {
    if (socket !== null && socket.readyState === 1) socket.send(JSON.stringify(message));
  }
  const ack = () => send({ type: "ack" });
  function onText(text) {
    let message;
    try { message = JSON.parse(text); } catch { return; }
    if (message.type === "status") S.viewers = message.viewers;
    if (message.type === "error") S.error = String(message.message);
    hud();
  }
  function onBinary(buffer) {
    if (buffer.byteLength < 32) return;
    const view = new DataView(buffer);
    const type = view.getUint8(0);
    if (type === 2) return onAudio(view, buffer);
    if (type !== 1) return;
    const codec = view.getUint8(1);
    const meta = {
      key: (view.getUint8(2) & 1) === 1,
      width: view.getUint32(4, true),
      height: view.getUint32(8, true),
      timestamp: view.getFloat64(16, true),
      created: view.getFloat64(24, true),
    };
    const descriptionBytes = view.getUint32(12, true);
    S.received++;
    if (codec === 3) {
      S.codec = "h264";
      decodeH264(buffer, descriptionBytes, meta);
    } else {
      S.codec = codec === 1 ? "jpeg" : "webp";
      decodeImage(buffer, codec === 1 ? "image/jpeg" : "image/webp", meta);
    }
  }

  // ---- Decoding ----------------------------------------------------------------------------
  function decodeImage(buffer, type, meta) {
    if (document.hidden) { ack(); return; } // not painted anyway
    const blob = new Blob([new Uint8Array(buffer, 32)], { type });
    createImageBitmap(blob).then((bitmap) => { ack(); present(bitmap, meta); }, () => {
      ack();
      S.decodeErrors++;
    });
  }

  let decoder = null;
  let decoderDescription = "";
  let needKey = true;
  const decoding = new Map();
  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function closeDecoder() {
    if (decoder !== null && decoder.state !== "closed") decoder.close();
    decoder = null;
    for (let i = 0; i < decoding.size; i++) ack();
    decoding.clear();
    needKey = true;
  }
  function configure(description, text) {
    closeDecoder();
    const current = new VideoDecoder({
      output: (frame) => {
        const meta = decoding.get(frame.timestamp);
        decoding.delete(frame.timestamp);
        ack();
        if (meta === undefined || decoder !== current) frame.close();
        else present(frame, meta);
      },
      error: () => {
        S.decodeErrors++;
        if (decoder === current) closeDecoder();
      },
    });
    current.configure({
      codec: "avc1." + text.slice(2, 8),
      description,
      optimizeForLatency: true,
    });
    decoder = current;
    decoderDescription = text;
  }
  function decodeH264(buffer, descriptionBytes, meta) {
    if (typeof VideoDecoder === "undefined") {
      S.decodeErrors++;
      ack();
      return;
    }
    if (descriptionBytes > 0) {
      const description = new Uint8Array(buffer, 32, descriptionBytes).slice();
      const text = hex(description);
      if (decoder === null || text !== decoderDescription) {
        try { configure(description, text); } catch { S.decodeErrors++; }
      }
    }
    if (decoder === null || decoder.state !== "configured" || (needKey && !meta.key)) {
      ack();
      return;
    }
    needKey = false;
    decoding.set(meta.timestamp, meta);
    try {
      decoder.decode(new EncodedVideoChunk({
        type: meta.key ? "key" : "delta",
        timestamp: meta.timestamp,
        data: new Uint8Array(buffer, 32 + descriptionBytes),
      }));
    } catch {
      S.decodeErrors++;
      closeDecoder();
    }
  }

  // ---- Presenting --------------------------------------------------------------------------
  const queue = [];
  let framePending = false;
  let shown = -Infinity;
  function present(image, meta) {
    const last = queue.length ? queue[queue.length - 1].meta.timestamp : shown;
    // Older than what is queued or shown (decodes may finish out of order): drop it, unless
    // time went far back (a new stream).
    if (meta.timestamp <= last && meta.timestamp > last - 5e6) {
      image.close();
      S.skipped++;
      return;
    }
    queue.push({ image, meta });
    // Only audio sync needs frames ahead (up to a second of them); else the newest will do.
    const keep = audioSynced() ? 30 : 1;
    while (queue.length > keep) { queue.shift().image.close(); S.skipped++; }
    requestPaint();
  }
  function requestPaint() {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(paint);
  }
  function resetVideo() {
    while (queue.length) queue.shift().image.close();
    closeDecoder();
    decoderDescription = "";
    shown = -Infinity;
  }
  function paint() {
    framePending = false;
    let audioTime = audioSynced() ? audioStreamTime() : undefined;
    // Video far from the audio (another time base): show it as it comes.
    if (audioTime !== undefined && queue.length &&
        Math.abs(queue[0].meta.timestamp / 1e6 - audioTime) > 2) audioTime = undefined;
    let chosen;
    while (queue.length && (audioTime === undefined || queue[0].meta.timestamp / 1e6 <= audioTime)) {
      if (chosen !== undefined) { chosen.image.close(); S.skipped++; }
      chosen = queue.shift();
    }
    if (queue.length) requestPaint();
    if (chosen === undefined) return;
    const { image, meta } = chosen;
    shown = meta.timestamp;
    if (canvas.width !== meta.width || canvas.height !== meta.height) {
      canvas.width = meta.width;
      canvas.height = meta.height;
    }
    S.width = meta.width;
    S.height = meta.height;
    draw.drawImage(image, 0, 0, meta.width, meta.height, 0, 0, meta.width, meta.height);
    image.close();
    const t = now();
    S.frames++;
    remember(S.latencies, t - meta.created);
    remember(S.paints, t);
    if (audioTime !== undefined) remember(S.avOffsets, meta.timestamp / 1e3 - audioTime * 1e3);
  }

  // ---- Audio -------------------------------------------------------------------------------
  const audio = { context: null, offset: undefined, lastReceived: -Infinity };
  function onAudio(view, buffer) {
    const channels = view.getUint8(1);
    const sampleRate = view.getUint32(4, true);
    const frames = view.getUint32(8, true);
    const timestamp = view.getFloat64(16, true) / 1e6;
    if (channels === 0 || frames === 0 || buffer.byteLength < 32 + channels * frames * 4) return;
    S.audio.buffers++;
    try {
      if (audio.context === null) {
        audio.context = new AudioContext({ latencyHint: "interactive" });
        audio.context.onstatechange = () => { S.audio.state = audio.context.state; hud(); };
      }
      const context = audio.context;
      S.audio.state = context.state;
      if (context.state === "suspended") { context.resume().catch(() => {}); return; }
      const samples = new Float32Array(buffer, 32, channels * frames);
      const out = context.createBuffer(channels, frames, sampleRate);
      const plane = new Float32Array(frames);
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < frames; i++) plane[i] = samples[i * channels + c];
        out.copyToChannel(plane, c);
      }
      const current = context.currentTime;
      // Re-anchor when the first buffer comes, when one comes too late to play in full, and
      // when the stream jumped far ahead.
      if (audio.offset === undefined || timestamp + audio.offset < current + 0.005 ||
          timestamp + audio.offset > current + 2) {
        if (audio.offset !== undefined) S.audio.underruns++;
        audio.offset = current + config.jitter - timestamp;
      }
      const source = context.createBufferSource();
      source.buffer = out;
      source.connect(context.destination);
      source.start(timestamp + audio.offset);
      S.audio.scheduled++;
      audio.lastReceived = performance.now();
    } catch {
      S.decodeErrors++;
    }
  }
  function audioSynced() {
    return audio.context !== null && audio.context.state === "running" &&
      audio.offset !== undefined && performance.now() - audio.lastReceived < 1000;
  }
  /** The stream time (s) of the sound coming out of the speakers now. */
  function audioStreamTime() {
    const context = audio.context;
    let time = context.currentTime - (context.outputLatency || context.baseLatency || 0);
    const stamp = context.getOutputTimestamp ? context.getOutputTimestamp() : undefined;
    if (stamp !== undefined && stamp.contextTime > 0) {
      time = stamp.contextTime + (performance.now() - stamp.performanceTime) / 1000;
    }
    return time - audio.offset;
  }
  const resumeAudio = () => {
    if (audio.context !== null && audio.context.state === "suspended") {
      audio.context.resume().catch(() => {});
    }
  };

  // ---- Input -------------------------------------------------------------------------------
  function modifiers(e) {
    return { altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey };
  }
  function onKey(e) {
    resumeAudio();
    if (!e.key) return;
    send({ type: e.type, key: e.key, code: e.code, repeat: e.repeat, ...modifiers(e) });
  }
  /** The event's position in video pixels, or null when it is outside the picture. */
  function videoPoint(e, clamp) {
    const width = S.width, height = S.height;
    if (!width || !height) return null;
    const rect = canvas.getBoundingClientRect();
    const scale = Math.min(rect.width / width, rect.height / height);
    const left = rect.left + (rect.width - width * scale) / 2;
    const top = rect.top + (rect.height - height * scale) / 2;
    let x = Math.floor((e.clientX - left) / scale);
    let y = Math.floor((e.clientY - top) / scale);
    const inside = x >= 0 && y >= 0 && x < width && y < height;
    if (!inside && !clamp) return null;
    x = Math.min(Math.max(x, 0), width - 1);
    y = Math.min(Math.max(y, 0), height - 1);
    return { x, y };
  }
  function mouseMessage(e, point, type) {
    return {
      type, x: point.x, y: point.y, button: e.button, buttons: e.buttons,
      deltaX: 0, deltaY: 0, ...modifiers(e),
    };
  }
  /** Buttons pressed over the video: their release counts wherever it happens. */
  const pressed = new Set();
  function onMouse(e) {
    if (e.type === "mousedown") { resumeAudio(); canvas.focus(); }
    const release = e.type === "mouseup" && pressed.has(e.button);
    const point = videoPoint(e, release);
    if (point === null) return;
    if (e.type === "mousedown") pressed.add(e.button);
    if (e.type === "mouseup") pressed.delete(e.button);
    send(mouseMessage(e, point, e.type));
  }
  let move = null;
  function onMove(e) {
    const point = videoPoint(e, false);
    if (point === null) return;
    const first = move === null;
    move = mouseMessage(e, point, "mousemove");
    // At most one move an animation frame.
    if (first) requestAnimationFrame(() => { send(move); move = null; });
  }
  function onWheel(e) {
    e.preventDefault();
    const point = videoPoint(e, false);
    if (point === null) return;
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? window.innerHeight : 1;
    send({ ...mouseMessage(e, point, "wheel"), deltaX: e.deltaX * unit, deltaY: e.deltaY * unit });
  }
  addEventListener("keydown", onKey);
  addEventListener("keyup", onKey);
  canvas.addEventListener("mousedown", onMouse);
  addEventListener("mouseup", onMouse);
  canvas.addEventListener("click", onMouse);
  canvas.addEventListener("mousemove", onMove);
  canvas.addEventListener("wheel", onWheel, { passive: false });
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());

  // ---- Overlay -----------------------------------------------------------------------------
  function hud() {
    if (S.error) {
      hudElement.textContent = S.error;
      return;
    }
    if (!S.connected) {
      hudElement.textContent = "disconnected, reconnecting…";
      return;
    }
    const t = now();
    const fps = S.paints.filter((p) => t - p < 1000).length;
    const recent = S.latencies.slice(-30);
    const latency = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
    const size = S.width ? "  " + S.width + "×" + S.height : "";
    const sound = S.audio.state === "suspended" ? "  click for sound" : "";
    hudElement.textContent = fps + " fps  " + latency.toFixed(0) + " ms  " + (S.codec || "…") +
      size + "  " + S.viewers + (S.viewers === 1 ? " viewer" : " viewers") + sound;
  }
  setInterval(hud, 500);
  document.title = config.title;
  connect();
})();
`;
