import assert from "node:assert/strict";
import { isStreamlibError } from "../errors.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { createAudioBuffer, createVideoFrame } from "../messages.ts";
import { createDataMessage, createKeyEvent, createMouseEvent } from "../create_messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { DataSource } from "./data_source.ts";
import { describeMessage, Logger } from "./logger.ts";

Deno.test("describeMessage describes a video frame: format and size", () => {
  const frame = createVideoFrame({
    format: "NV12",
    codedWidth: 640,
    codedHeight: 360,
    timestamp: 2_000_000,
    position: 60,
  });
  assert.equal(describeMessage(frame), "t=2.000000s #60 video NV12 640×360");
});

Deno.test("describeMessage describes an audio buffer: channels, rate and samples", () => {
  const audio = createAudioBuffer({
    sampleRate: 48_000,
    numberOfChannels: 2,
    numberOfFrames: 480,
    position: 48_000,
  });
  assert.equal(describeMessage(audio), "t=1.000000s #48000 audio 2ch 48000Hz 480 samples");
});

Deno.test("describeMessage describes key events by type and key", () => {
  const down = createKeyEvent({ type: "keydown", key: "Enter", timestamp: 1, position: 3 });
  const up = createKeyEvent({ type: "keyup", key: "a", code: "KeyA", shiftKey: true });
  assert.equal(describeMessage(down), "t=0.000001s #3 keydown Enter");
  assert.equal(describeMessage(up), "t=0.000000s #0 keyup a");
});

Deno.test("describeMessage describes mouse events by type and position", () => {
  const click = createMouseEvent({ type: "click", x: 10, y: 20, timestamp: 1_234_567 });
  const wheel = createMouseEvent({ type: "wheel", x: -1.5, y: 0, deltaY: -120, position: 9 });
  assert.equal(describeMessage(click), "t=1.234567s #0 click (10, 20)");
  assert.equal(describeMessage(wheel), "t=0.000000s #9 wheel (-1.5, 0)");
});

Deno.test("describeMessage describes data as its topic and JSON value", () => {
  const at = { timestamp: 1_500_000, position: 4 };
  assert.equal(describeMessage(createDataMessage(42, at)), "t=1.500000s #4 data 42");
  assert.equal(
    describeMessage(createDataMessage(42, { ...at, topic: "answer" })),
    "t=1.500000s #4 data answer 42",
  );
  assert.equal(describeMessage(createDataMessage("hi", at)), 't=1.500000s #4 data "hi"');
  assert.equal(
    describeMessage(createDataMessage({ a: [1, 2], b: null }, at)),
    't=1.500000s #4 data {"a":[1,2],"b":null}',
  );
  assert.equal(describeMessage(createDataMessage(null, at)), "t=1.500000s #4 data null");
});

Deno.test("describeMessage falls back to String() for values JSON cannot show", () => {
  const line = (value: unknown): string => describeMessage(createDataMessage(value));
  assert.equal(line(undefined), "t=0.000000s #0 data undefined");
  assert.equal(line(Symbol("s")), "t=0.000000s #0 data Symbol(s)");
  assert.equal(line(12345678901234567890n), "t=0.000000s #0 data 12345678901234567890");
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  assert.equal(line(cyclic), "t=0.000000s #0 data [object Object]");
  const array: unknown[] = [1];
  array.push(array);
  assert.equal(line(array), "t=0.000000s #0 data 1,");
});

Deno.test("describeMessage cuts data values longer than 120 characters with ...", () => {
  const line = (value: unknown): string => describeMessage(createDataMessage(value));
  const head = "t=0.000000s #0 data ";
  // 118 characters and two quotes: 120 in all, kept whole.
  assert.equal(line("x".repeat(118)), `${head}"${"x".repeat(118)}"`);
  // One more: cut to 117 characters and "...", 120 in all.
  const cut = line("x".repeat(119));
  assert.equal(cut, `${head}"${"x".repeat(116)}...`);
  assert.equal(cut.length - head.length, 120);
  const long = line(Array.from({ length: 100 }, (_, i) => i));
  assert.equal(long.length - head.length, 120);
  assert.ok(long.startsWith(`${head}[0,1,2,3,`));
  assert.ok(long.endsWith("..."));
  // The String() fallback is cut the same way.
  const big = line(10n ** 150n);
  assert.equal(big, `${head}1${"0".repeat(116)}...`);
});

Deno.test("describeMessage shows timestamps in seconds with 6 decimals", () => {
  const line = (timestamp: number): string =>
    describeMessage(createDataMessage(0, { timestamp })).split(" ")[0]!;
  assert.equal(line(0), "t=0.000000s");
  assert.equal(line(33_333), "t=0.033333s");
  assert.equal(line(3_600_000_000), "t=3600.000000s");
});

Deno.test("Logger writes one line a message, prefixed with the actor's name", async () => {
  const lines: string[] = [];
  await new Pipeline({ mode: "offline" })
    .pipe(new DataSource({ count: 3, fps: 10 }), new Logger({}, (line) => lines.push(line)))
    .run();
  assert.deepEqual(lines, [
    "log0: t=0.000000s #0 data 0",
    "log0: t=0.100000s #1 data 1",
    "log0: t=0.200000s #2 data 2",
  ]);
});

Deno.test("Logger uses the name given to Pipeline.add", async () => {
  const lines: string[] = [];
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 1 }));
  const logger = pipeline.add(new Logger({}, (line) => lines.push(line)), { name: "audit" });
  pipeline.connect(src.outputs.out, logger.inputs.in);
  await pipeline.run();
  assert.deepEqual(lines, ["audit: t=0.000000s #0 data 0"]);
});

Deno.test("Logger's prefix replaces the actor name", async () => {
  const lines: string[] = [];
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 2, topic: "temp" }));
  const logger = pipeline.add(new Logger({ prefix: "[sensor]" }, (line) => lines.push(line)), {
    name: "audit",
  });
  pipeline.connect(src.outputs.out, logger.inputs.in);
  await pipeline.run();
  assert.deepEqual(lines, [
    "[sensor]: t=0.000000s #0 data temp 0",
    "[sensor]: t=0.033333s #1 data temp 1",
  ]);
});

Deno.test("Logger with every: N writes the first message and one in N after it", async () => {
  const lines: string[] = [];
  await new Pipeline({ mode: "offline" })
    .pipe(new DataSource({ count: 10 }), new Logger({ every: 3 }, (line) => lines.push(line)))
    .run();
  assert.deepEqual(lines.map((l) => l.split(" ").at(-1)), ["0", "3", "6", "9"]);
});

Deno.test("Logger counts one in N across process calls, not within each call", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const lines: string[] = [];
  pipeline.pipe(new DataSource({ fps: 10 }), new Logger({ every: 2 }, (line) => lines.push(line)));
  await pipeline.start();
  await clock.advance(500_000);
  await pipeline.idle();
  await pipeline.stop();
  assert.deepEqual(lines.map((l) => l.split(" ").at(-1)), ["0", "2", "4"]);
});

Deno.test("Logger's every must be a positive integer", () => {
  const write = (): void => {};
  assert.equal(new Logger({}, write).params.every, 1);
  assert.equal(new Logger({}, write).params.prefix, "");
  assert.throws(
    () => new Logger({ every: 0 }, write),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
  assert.throws(
    () => new Logger({ every: 2.5 }, write),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});

Deno.test("Logger describes every kind it receives through the injected writer", async () => {
  const lines: string[] = [];
  const logger = new Logger({ prefix: "p" }, (line) => lines.push(line));
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(logger);
  const writer = pipeline.writable(logger.inputs.in).getWriter();
  await pipeline.start();
  await writer.write(createVideoFrame({ format: "RGBA", codedWidth: 2, codedHeight: 1 }));
  await writer.write(
    createAudioBuffer({ sampleRate: 8000, numberOfChannels: 1, numberOfFrames: 8 }),
  );
  await writer.write(createKeyEvent({ type: "keydown", key: "q" }));
  await writer.write(createMouseEvent({ type: "mousemove", x: 3, y: 4 }));
  await writer.write(createDataMessage(true, { topic: "flag" }));
  await writer.close();
  await pipeline.done;
  assert.deepEqual(lines, [
    "p: t=0.000000s #0 video RGBA 2×1",
    "p: t=0.000000s #0 audio 1ch 8000Hz 8 samples",
    "p: t=0.000000s #0 keydown q",
    "p: t=0.000000s #0 mousemove (3, 4)",
    "p: t=0.000000s #0 data flag true",
  ]);
});

Deno.test("Logger logs each line it prints on the pipeline's bus too", async () => {
  const printed: string[] = [];
  const logged: string[] = [];
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.bus.on("log", (event) => logged.push(`${event.actor} ${event.text}`));
  pipeline.pipe(
    new DataSource({ count: 3 }),
    new Logger({ every: 2 }, (line) => printed.push(line)),
  );
  await pipeline.run();
  assert.deepEqual(printed, ["log0: t=0.000000s #0 data 0", "log0: t=0.066667s #2 data 2"]);
  assert.deepEqual(logged, printed.map((line) => `actor://local/log/log0 ${line}`));
});

Deno.test("Logger in a Worker logs its lines on the main thread's bus", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const logged: string[] = [];
  pipeline.bus.on("log", (event) => logged.push(`${event.actor} ${event.text}`));
  const logger = pipeline.add(new Logger({}, () => {}), {
    name: "w",
    dispatch: "worker",
    module: new URL("../mod.ts", import.meta.url).href,
  });
  pipeline.pipe(pipeline.add(new DataSource({ count: 2 })), logger);
  await pipeline.run();
  assert.deepEqual(logged, [
    "actor://local/log/w w: t=0.000000s #0 data 0",
    "actor://local/log/w w: t=0.033333s #1 data 1",
  ]);
});
