import assert from "node:assert/strict";
import { Collect, type KeyEvent, type MouseEvent } from "@streamlib/core";
import { AudioTestSource } from "@streamlib/audio";
import { launchBrowser, needsChromium } from "./_browser_testing.ts";
import { assertBars, figures, liveDisplay, until, waitForFrames } from "./_display_testing.ts";

Deno.test(needsChromium({
  name: "A key pressed and a click made in the page arrive as events with the key and the " +
    "video coordinates, through the window's scaling and letterbox",
  fn: async () => {
    const keys = new Collect<KeyEvent>();
    const mice = new Collect<MouseEvent>();
    await using live = await liveDisplay({ codec: "jpeg" }, (pipeline, display) => {
      pipeline.add(keys);
      pipeline.add(mice);
      pipeline.connect(display.outputs.keyboard, keys.inputs.in);
      pipeline.connect(display.outputs.mouse, mice.inputs.in);
    });
    await using chrome = await launchBrowser();
    const page = await chrome.open(live.display.url);
    // 640×360 video in an 800×600 window: scale 1.25, 75 px bars above and below.
    await page.setViewport({ width: 800, height: 600 });
    await waitForFrames(page, 2);
    await page.keyboard.press("KeyA");
    await page.keyboard.down("Shift");
    await page.keyboard.press("KeyB");
    await page.keyboard.up("Shift");
    // Video pixel (100, 50) spans window x 125–126.25, y 137.5–138.75.
    await page.mouse.click(125.6, 138, { button: "left" });
    // In the letterbox: not over the video, so nothing is sent.
    await page.mouse.click(400, 30);
    // Bottom-right pixel (639, 359): window (798.75–800, 523.75–525).
    await page.mouse.click(799.5, 524.5, { button: "right" });
    // Moves come too, as many as the browser makes: wait for the five presses and clicks.
    const presses = (): number => mice.messages.filter((e) => e.type !== "mousemove").length;
    await until(() => keys.messages.length >= 6 && presses() >= 5, "the events");
    const pressed = keys.messages.map((e) => [e.type, e.key, e.code, e.shiftKey]);
    assert.deepEqual(pressed, [
      ["keydown", "a", "KeyA", false],
      ["keyup", "a", "KeyA", false],
      ["keydown", "Shift", "ShiftLeft", true],
      ["keydown", "B", "KeyB", true],
      ["keyup", "B", "KeyB", true],
      ["keyup", "Shift", "ShiftLeft", false],
    ]);
    const clicks = mice.messages.filter((e) => e.type !== "mousemove")
      .map((e) => [e.type, e.x, e.y, e.button]);
    assert.deepEqual(clicks, [
      ["mousedown", 100, 50, 0],
      ["mouseup", 100, 50, 0],
      ["click", 100, 50, 0],
      ["mousedown", 639, 359, 2],
      ["mouseup", 639, 359, 2],
    ]);
    const all = [...keys.messages, ...mice.messages];
    assert.ok(all.every((e) => e.clockId === live.pipeline.clock.id && e.timestamp > 0));
    assert.deepEqual(keys.messages.map((e) => e.position), [0, 1, 2, 3, 4, 5]);
    assert.equal(live.display.stats.badMessages, 0);
  },
}));

Deno.test(needsChromium({
  name: "Two pages watch at once: both get frames and count two viewers",
  fn: async () => {
    await using live = await liveDisplay({ codec: "h264" });
    await using chrome = await launchBrowser();
    const first = await chrome.open(live.display.url);
    await waitForFrames(first, 2);
    // A window of its own: a background tab would not paint.
    const second = await chrome.browser.newPage({ type: "window" });
    await second.goto(live.display.url, { waitUntil: "load" });
    const before = (await figures(first)).frames;
    await waitForFrames(second, 3);
    await first.waitForFunction(
      (n: number) => (globalThis as { __streamlib?: { frames: number } }).__streamlib!.frames > n,
      { timeout: 5000 },
      before + 3,
    );
    assert.equal(live.display.viewers, 2);
    for (const page of [first, second]) {
      await page.waitForFunction(
        () => (globalThis as { __streamlib?: { viewers: number } }).__streamlib!.viewers === 2,
        { timeout: 5000 },
      );
      assert.equal((await figures(page)).decodeErrors, 0);
      await assertBars(page, 640, 360, 8);
    }
    await second.close();
    await until(() => live.display.viewers === 1, "the second page to leave");
  },
}));

Deno.test(needsChromium({
  name: "A browser without WebCodecs is sent JPEG by an H.264 display",
  fn: async () => {
    await using live = await liveDisplay({ codec: "h264" });
    await using chrome = await launchBrowser();
    const page = await chrome.browser.newPage();
    await page.evaluateOnNewDocument(() => {
      delete (globalThis as { VideoDecoder?: unknown }).VideoDecoder;
    });
    await page.goto(live.display.url, { waitUntil: "load" });
    await waitForFrames(page, 2);
    assert.equal((await figures(page)).codec, "jpeg");
    await assertBars(page, 640, 360, 8);
  },
}));

Deno.test(needsChromium({
  name: "With audio connected the page plays it through WebAudio and paints frames in sync",
  fn: async () => {
    await using live = await liveDisplay({ codec: "jpeg" }, (pipeline, display) => {
      const tone = pipeline.add(new AudioTestSource({ samplesPerBuffer: 960 }));
      pipeline.connect(tone.outputs.out, display.inputs.audio);
    });
    await using chrome = await launchBrowser();
    const page = await chrome.open(live.display.url);
    await page.waitForFunction(
      () => {
        const s = (globalThis as { __streamlib?: { avOffsets: number[] } }).__streamlib!;
        return s.avOffsets.length >= 20;
      },
      { timeout: 8000, polling: 50 },
    );
    const seen = await figures(page);
    assert.equal(seen.audio.state, "running");
    assert.ok(seen.audio.scheduled >= 20, `${seen.audio.scheduled} buffers scheduled`);
    // A frame is painted once the audio reaches its timestamp: at most a frame period and an
    // animation frame later (33 + 17 ms), with some slack for a busy machine.
    const offsets = seen.avOffsets.slice(-20).sort((a, b) => a - b);
    const median = offsets[10]!;
    assert.ok(median <= 5 && median > -60, `median audio/video offset ${median.toFixed(1)} ms`);
    assert.ok(offsets[1]! > -150 && offsets[18]! < 20, `offsets ${offsets.map(Math.round)}`);
  },
}));
