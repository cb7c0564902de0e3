import assert from "node:assert/strict";
import {
  type AudioBuffer,
  Collect,
  ManualClock,
  Pipeline,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { FileReader } from "./file_reader.ts";
import { FileWriter } from "./file_writer.ts";
import { frameError, Frames } from "../video/_testing.ts";
import { Clicks, ffmpegChildren } from "./_testing.ts";

const dir = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

/** A second at 30 fps, a second at 15, a second at 30: a camera that slowed down in the dark. */
const vfrTimes = [
  ...Array.from({ length: 30 }, (_, n) => Math.round(n * 1e6 / 30)),
  ...Array.from({ length: 15 }, (_, n) => 1e6 + Math.round(n * 1e6 / 15)),
  ...Array.from({ length: 30 }, (_, n) => 2e6 + Math.round(n * 1e6 / 30)),
];
const vfr = `${dir}/vfr.mp4`;
await new Pipeline({ mode: "offline" })
  .pipe(
    new Frames({ count: vfrTimes.length, width: 64, height: 48, timestamps: vfrTimes }),
    new FileWriter({ location: vfr, crf: 4, preset: "ultrafast", pixelFormat: "yuv444p" }),
  )
  .run();

async function read(
  params: ConstructorParameters<typeof FileReader>[0],
): Promise<{ frames: VideoFrame[]; reader: FileReader }> {
  const reader = new FileReader({ location: vfr, ...params });
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(reader, sink).run();
  return { frames: sink.messages, reader };
}

Deno.test("FileReader delivers a variable-rate file at its own timestamps, each frame lasting to the next", async () => {
  const { frames, reader } = await read({});
  assert.deepEqual(frames.map((f) => f.timestamp), vfrTimes);
  frames.forEach((frame, n) => {
    assert.equal(frame.position, n);
    const next = vfrTimes[n + 1] ?? vfrTimes[n]! + 33_333;
    assert.ok(Math.abs(frame.duration - (next - vfrTimes[n]!)) <= 1, `frame ${n}`);
    assert.ok(frameError(frame, n) < 3, `frame ${n} is the file's frame ${n}`);
  });
  assert.equal(reader.info?.video?.fps, 25, "the average rate");
  assert.equal(reader.fps, 30, "ticks at the rate every frame falls on");
  assert.deepEqual(reader.progress(), { done: 75, total: 75 });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader resamples a variable-rate file to a constant rate when fps is set", async () => {
  const { frames } = await read({ fps: 30 });
  assert.equal(frames.length, 90);
  assert.deepEqual(frames.map((f) => f.timestamp), frames.map((_, n) => Math.round(n * 1e6 / 30)));
  // In the slow second each frame of the file is sent twice.
  assert.ok(frameError(frames[32]!, 31) < 3 && frameError(frames[33]!, 31) < 3);
  assert.ok(frameError(frames[60]!, 45) < 3, "3 s in: the file's frame 45");
});

Deno.test("FileReader paces a live pipeline by the file's own timestamps", async () => {
  const clock = new ManualClock();
  const sink = new Collect<VideoFrame>();
  const pipeline = new Pipeline({ clock }).pipe(new FileReader({ location: vfr }), sink);
  await pipeline.start();
  await pipeline.idle();
  assert.equal(sink.messages.length, 1, "frame 0 is due at once");
  // To 1 s, a frame every 1/30 s; then every 1/15 s.
  for (let n = 1; n <= 33; n++) {
    await clock.advance(Math.round(n * 1e6 / 30) - clock.now());
    await pipeline.idle();
    const expected = n <= 30 ? n + 1 : 31 + Math.floor((n - 30) / 2);
    assert.equal(sink.messages.length, expected, `at ${Math.round(n * 1e6 / 30)} µs`);
  }
  assert.deepEqual(sink.messages.map((f) => f.timestamp), vfrTimes.slice(0, 32));
  await pipeline.stop({ mode: "abort" });
  assert.deepEqual(ffmpegChildren(), []);
});

/** A clock that jumps: every sleep that a jump passes wakes at once, at the new time. */
class JumpClock {
  readonly id = "jump";
  #now = 0;
  #sleepers: Array<{ time: number; wake: () => void }> = [];
  now(): number {
    return this.#now;
  }
  sleepUntil(time: number): Promise<void> {
    if (time <= this.#now) return Promise.resolve();
    return new Promise((wake) => this.#sleepers.push({ time, wake }));
  }
  jump(to: number): void {
    this.#now = to;
    for (const sleeper of this.#sleepers.filter((s) => s.time <= to)) sleeper.wake();
    this.#sleepers = this.#sleepers.filter((s) => s.time > to);
  }
}

Deno.test("FileReader skips frames that are past when a live pipeline falls behind", async () => {
  const clock = new JumpClock();
  const sink = new Collect<VideoFrame>();
  const pipeline = new Pipeline({ clock }).pipe(new FileReader({ location: vfr }), sink);
  await pipeline.start();
  await pipeline.idle();
  clock.jump(500_000); // frames 1 to 15 are all due: only the newest is sent
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((f) => f.timestamp), [0, 500_000]);
  assert.deepEqual(sink.messages.map((f) => f.position), [0, 15], "the file's frame numbers");
  await pipeline.stop({ mode: "abort" });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader sends a frame that falls between two ticks at its own time", async () => {
  // Matroska keeps milliseconds: at 30 fps the frames are at 0, 33, 67 ms; ticks at 0, 33.3…
  const location = `${dir}/ms.mkv`;
  await new Pipeline({ mode: "offline" })
    .pipe(new Frames({ count: 5, width: 32, height: 16, fps: 30 }), new FileWriter({ location }))
    .run();
  const clock = new ManualClock();
  const sink = new Collect<VideoFrame>();
  const pipeline = new Pipeline({ clock }).pipe(new FileReader({ location }), sink);
  await pipeline.start();
  // Frame 0 goes at once; the reader then waits for 33 ms within the first tick.
  for (let i = 0; sink.messages.length === 0 && i < 10_000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await clock.advance(32_999);
  assert.equal(sink.messages.length, 1);
  await clock.advance(1);
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((f) => f.timestamp), [0, 33_000]);
  await clock.advance(34_000);
  await pipeline.idle();
  assert.deepEqual(sink.messages.map((f) => f.timestamp), [0, 33_000, 67_000]);
  await pipeline.stop({ mode: "abort" });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader reports frames sent of the file's while it reads", async () => {
  const reader = new FileReader({ location: vfr });
  const seen: Array<{ done: number; total: number | undefined }> = [];
  const sink = new Collect<VideoFrame>();
  const process = sink.process.bind(sink);
  sink.process = (tick: TimedTick) => {
    process(tick);
    if (sink.messages.length === 10) seen.push(reader.progress());
  };
  await new Pipeline({ mode: "offline" }).pipe(reader, sink).run();
  assert.ok(seen[0]!.done >= 10 && seen[0]!.done < 75, JSON.stringify(seen));
  assert.equal(seen[0]!.total, 75);
  assert.deepEqual(reader.progress(), { done: 75, total: 75 });
});

Deno.test("FileReader with only its audio connected decodes no video and counts audio buffers", async () => {
  const path = `${dir}/av.mkv`;
  const writing = new Pipeline({ mode: "offline" });
  const sink = writing.add(
    new FileWriter({ location: path, preset: "ultrafast", audioCodec: "pcm_f32le" }),
  );
  writing.connect(
    writing.add(new Frames({ count: 50, width: 32, height: 16 })).outputs.out,
    sink.inputs.in,
  );
  writing.connect(writing.add(new Clicks({ seconds: 2 })).outputs.out, sink.inputs.audio);
  await writing.run();
  const reader = new FileReader({ location: path, samplesPerBuffer: 4800 });
  const audio = new Collect<AudioBuffer>();
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(reader);
  pipeline.connect(reader.outputs.audio, pipeline.add(audio).inputs.in);
  await pipeline.run();
  assert.equal(audio.messages.length, 20);
  assert.deepEqual(reader.progress(), { done: 20, total: 20 });
  assert.deepEqual(ffmpegChildren(), []);
});
