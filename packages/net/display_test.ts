import assert from "node:assert/strict";
import {
  Collect,
  createKeyEvent,
  isStreamlibError,
  type KeyEvent,
  Pipeline,
} from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { ffmpegChildren } from "../ffmpeg/_testing.ts";
import { launchBrowser, needsChromium } from "./_browser_testing.ts";
import {
  assertBars,
  figures,
  liveDisplay,
  running,
  until,
  waitForFrames,
} from "./_display_testing.ts";
import { Display } from "./display.ts";

Deno.test(needsChromium({
  name: "Display shows the SMPTE bars in the page as JPEG, sampled from the canvas",
  fn: async () => {
    await using live = await liveDisplay({ codec: "jpeg" });
    await using chrome = await launchBrowser();
    const page = await chrome.open(live.display.url);
    await waitForFrames(page, 3);
    const seen = await figures(page);
    assert.equal(seen.codec, "jpeg");
    assert.equal(seen.width, 640);
    assert.equal(seen.height, 360);
    assert.equal(seen.decodeErrors, 0);
    await assertBars(page, 640, 360, 8);
  },
}));

Deno.test(needsChromium({
  name: "Display with codec=h264 and a token shows the bars, decoded by WebCodecs in the page",
  fn: async () => {
    await using live = await liveDisplay({ codec: "h264", token: "s3cret" });
    assert.match(live.display.url, /\?token=s3cret$/);
    await using chrome = await launchBrowser();
    const page = await chrome.open(live.display.url);
    await waitForFrames(page, 3);
    const seen = await figures(page);
    assert.equal(seen.codec, "h264");
    assert.equal(seen.decodeErrors, 0);
    await assertBars(page, 640, 360, 8);
    assert.equal(live.display.viewers, 1);
    assert.equal(ffmpegChildren().length, 1);
  },
}));

Deno.test(needsChromium({
  name: "Display.stop() closes the pages' sockets and the server and leaves no ffmpeg or browser",
  fn: async () => {
    const live = await liveDisplay({ codec: "h264" });
    const url = live.display.url;
    const chrome = await launchBrowser();
    try {
      const page = await chrome.open(url);
      await waitForFrames(page, 2);
      assert.equal(ffmpegChildren().length, 1);
      await live.pipeline.stop();
      assert.deepEqual(ffmpegChildren(), []);
      await page.waitForFunction(
        () => !(globalThis as { __streamlib?: { connected: boolean } }).__streamlib!.connected,
        { timeout: 5000 },
      );
      await assert.rejects(fetch(url), TypeError);
      assert.throws(() => live.display.url, (e) => isStreamlibError(e) && e.code === "SL_STATE");
    } finally {
      await chrome.close();
      await live.pipeline.stop();
    }
    assert.ok(chrome.pid !== undefined && !running(chrome.pid), "Chromium has exited");
  },
}));

Deno.test("Display refuses the page and the WebSocket without its token (401)", async () => {
  await using live = await liveDisplay({ codec: "jpeg", token: "k3y" });
  const origin = new URL(live.display.url).origin;
  const refused = await fetch(`${origin}/`);
  assert.equal(refused.status, 401);
  await refused.body?.cancel();
  const upgrade = await fetch(`${origin}/ws`, {
    headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" },
  });
  assert.equal(upgrade.status, 401);
  await upgrade.body?.cancel();
  const wrong = await fetch(`${origin}/?token=nope`);
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  const page = await fetch(`${origin}/?token=k3y`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<canvas id="video"/);
  // A real WebSocket: refused without the token, opened with it.
  const outcome = (url: string): Promise<string> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        ws.onclose = () => resolve("opened");
        ws.close();
      };
      ws.onerror = () => resolve("refused");
    });
  const ws = origin.replace("http", "ws") + "/ws";
  assert.equal(await outcome(ws), "refused");
  assert.equal(await outcome(`${ws}?token=k3y`), "opened");
});

Deno.test("Display ignores and counts bad messages from a page and still takes good ones", async () => {
  const keys = new Collect<KeyEvent>();
  await using live = await liveDisplay(
    { codec: "jpeg" },
    (pipeline, display) => {
      pipeline.add(keys);
      pipeline.connect(display.outputs.keyboard, keys.inputs.in);
    },
  );
  const ws = new WebSocket(live.display.url.replace("http", "ws") + "ws");
  await new Promise((resolve) => ws.onopen = resolve);
  const bad = [
    new Uint8Array([1, 2, 3]),
    "not json",
    "[]",
    "null",
    JSON.stringify({ type: "keydown" }),
    JSON.stringify({ type: "keydown", key: 7 }),
    JSON.stringify({ type: "keydown", key: "a", shiftKey: "yes" }),
    JSON.stringify({ type: "mousedown", x: -1, y: 5 }),
    JSON.stringify({ type: "mousedown", x: 1e9, y: 5 }),
    JSON.stringify({ type: "wheel", x: 1, y: 1, deltaY: "NaN" }),
    JSON.stringify({ type: "launch", x: 1, y: 1 }),
    JSON.stringify({ type: "keyup", key: "a".repeat(2000) }),
  ];
  for (const message of bad) ws.send(message);
  ws.send(JSON.stringify({ type: "keydown", key: "q", code: "KeyQ", ctrlKey: true }));
  await until(() => keys.messages.length === 1, "the good key event");
  assert.equal(live.display.stats.badMessages, bad.length);
  const closed = new Promise((resolve) => ws.onclose = resolve);
  ws.close();
  await closed;
  const event = keys.messages[0]!;
  assert.deepEqual(
    { ...event, timestamp: 0, clockId: "" },
    createKeyEvent({ type: "keydown", key: "q", code: "KeyQ", ctrlKey: true }),
  );
  assert.equal(event.clockId, live.pipeline.clock.id);
});

Deno.test("Display sends a page that never acknowledges only two frames and drops the rest", async () => {
  await using live = await liveDisplay({ codec: "jpeg" });
  const ws = new WebSocket(live.display.url.replace("http", "ws") + "ws");
  ws.binaryType = "arraybuffer";
  let frames = 0;
  ws.onmessage = (e) => {
    if (e.data instanceof ArrayBuffer && new Uint8Array(e.data)[0] === 1) frames++;
  };
  await new Promise((resolve) => ws.onopen = resolve);
  ws.send(JSON.stringify({ type: "hello", codecs: ["jpeg"] }));
  await until(() => live.display.stats.dropped >= 10, "ten dropped frames");
  assert.equal(live.display.stats.sent, 2);
  assert.equal(frames, 2);
  assert.equal(live.display.viewers, 1);
  const closed = new Promise((resolve) => ws.onclose = resolve);
  ws.close();
  await closed;
  await until(() => live.display.viewers === 0, "the viewer to leave");
});

Deno.test("Display encodes nothing while nobody watches, and an offline run goes as fast as frames come", async () => {
  const display = new Display({ port: 0, codec: "jpeg" });
  const t0 = performance.now();
  await new Pipeline({ mode: "offline" })
    .pipe(new TestPattern({ width: 1280, height: 720, frames: 300 }), display)
    .run();
  assert.ok(performance.now() - t0 < 5000, "300 frames take well under their 10 s");
  assert.equal(display.stats.encoded, 0);
  assert.equal(display.stats.dropped, 0);
});

Deno.test("Display reports its address only while running, and a port in use as SL_NET_ADDRESS_IN_USE", async () => {
  const first = new Display({ port: 0, codec: "jpeg" });
  assert.throws(() => first.url, (e) => isStreamlibError(e) && e.code === "SL_STATE");
  await first.start();
  try {
    const port = Number(new URL(first.url).port);
    assert.ok(port > 0);
    assert.equal(first.url, `http://127.0.0.1:${port}/`);
    const second = new Display({ port, codec: "jpeg" });
    await assert.rejects(
      second.start(),
      (e) => isStreamlibError(e) && e.code === "SL_NET_ADDRESS_IN_USE",
    );
  } finally {
    await first.stop();
  }
  assert.throws(() => first.url, (e) => isStreamlibError(e) && e.code === "SL_STATE");
});

Deno.test("Display checks its parameters against the contract", () => {
  assert.throws(
    () => new Display({ codec: "vp9" as "h264" }),
    (e) => isStreamlibError(e) && e.code === "SL_PARAM_INVALID",
  );
  assert.throws(
    () => new Display({ port: 70000 }),
    (e) => isStreamlibError(e) && e.code === "SL_PARAM_INVALID",
  );
  assert.equal(new Display().params.codec, "h264");
  assert.equal(new Display().params.host, "127.0.0.1");
});
