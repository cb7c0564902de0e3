import assert from "node:assert/strict";
import {
  Actor,
  type AudioBuffer,
  Collect,
  type Contract,
  type DataMessage,
  isStreamlibError,
  ManualClock,
  Pipeline,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { FileReader } from "./file_reader.ts";
import { FileWriter } from "./file_writer.ts";
import type { MediaInfo } from "./media_info.ts";
import { frameError, Frames } from "../video/_testing.ts";
import { Clicks, ffmpegChildren, Flashes } from "./_testing.ts";

const dir = await Deno.makeTempDir();
const clip = `${dir}/clip.mkv`;
// 50 frames at 25 fps, nearly lossless so that pixels can be checked.
await new Pipeline({ mode: "offline" })
  .pipe(
    new Frames({ count: 50, width: 80, height: 60, fps: 25 }),
    new FileWriter({ location: clip, crf: 4, preset: "ultrafast", pixelFormat: "yuv444p" }),
  )
  .run();

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

async function read(
  params: ConstructorParameters<typeof FileReader>[0],
  limit = Infinity,
): Promise<{ frames: VideoFrame[]; info: DataMessage[]; reader: FileReader }> {
  const reader = new FileReader({ location: clip, ...params });
  const sink = new Collect<VideoFrame>();
  const infoSink = new Collect<DataMessage>();
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(reader);
  pipeline.link(reader, limit === Infinity ? pipeline.add(sink) : chain(pipeline, sink, limit));
  // A limited run ends at the head; an info sink would keep the reader going.
  if (limit === Infinity) pipeline.connect(reader.outputs.info, pipeline.add(infoSink).inputs.in);
  await pipeline.run();
  return { frames: sink.messages, info: infoSink.messages, reader };
}

const headContract = {
  type: "head",
  inputs: { in: { kind: "video" } },
  outputs: { out: { kind: "video" } },
  params: { count: { type: "integer", default: 1 } },
} as const satisfies Contract;

/** Passes the first `count` frames, then ends. */
class Head extends Actor<typeof headContract> {
  static override contract = headContract;
  #seen = 0;
  process(_tick: TimedTick): void | Promise<void> {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.outputs.out.write(frame);
    if (++this.#seen >= this.params.count) this.end();
  }
}

function chain(pipeline: Pipeline, sink: Collect<VideoFrame>, count: number): Head {
  const head = pipeline.add(new Head({ count }));
  pipeline.link(head, pipeline.add(sink));
  return head;
}

Deno.test("FileReader reports duration, fps and frame count before the first frame", async () => {
  const { frames, info, reader } = await read({});
  assert.equal(frames.length, 50);
  assert.equal(info.length, 1);
  assert.equal(info[0]!.topic, "info");
  const value = info[0]!.value as MediaInfo;
  assert.equal(value.duration, 2);
  assert.equal(value.video?.fps, 25);
  assert.equal(value.video?.frames, 50);
  assert.equal(value.video?.width, 80);
  assert.equal(reader.fps, 25);
  assert.deepEqual(reader.progress(), { done: 50, total: 50 });
});

Deno.test("FileReader delivers every frame in order with timestamps from the frame rate", async () => {
  const { frames } = await read({});
  frames.forEach((frame, n) => {
    assert.equal(frame.timestamp, n * 40_000);
    assert.equal(frame.duration, 40_000);
    assert.equal(frame.position, n);
    assert.ok(frameError(frame, n) < 3, `frame ${n}: mean error ${frameError(frame, n)}`);
  });
});

Deno.test("FileReader converts to the requested format and size", async () => {
  const { frames } = await read({ format: "I420", width: 41, height: 0 }, 2);
  assert.equal(frames.length, 2);
  const frame = frames[0]!;
  assert.equal(frame.format, "I420");
  assert.equal(frame.codedWidth, 41);
  assert.equal(frame.codedHeight, 31); // 60 × 41/80 = 30.75
  assert.equal(frame.data.length, 41 * 31 + 2 * 21 * 16);
  assert.equal(frame.colorSpace?.fullRange, false);
  const nv12 = await read({ format: "NV12" }, 1);
  assert.equal(nv12.frames[0]!.layout.length, 2);
  const bgra = await read({ format: "BGRA" }, 1);
  const rgba = await read({ format: "RGBA" }, 1);
  const [b, r] = [bgra.frames[0]!.data, rgba.frames[0]!.data];
  assert.deepEqual([b[0], b[1], b[2], b[3]], [r[2], r[1], r[0], r[3]]);
});

Deno.test("FileReader seeks to start and changes the frame rate with fps", async () => {
  const seeked = await read({ start: 1 });
  assert.equal(seeked.frames.length, 25);
  assert.equal(seeked.frames[0]!.timestamp, 0);
  assert.ok(frameError(seeked.frames[0]!, 25) < 3, "the first frame is the one at 1 s");
  assert.deepEqual(seeked.reader.progress(), { done: 25, total: 25 });
  const slower = await read({ fps: 12.5 });
  assert.equal(slower.frames.length, 25);
  assert.equal(slower.frames[1]!.timestamp, 80_000);
  assert.ok(frameError(slower.frames[1]!, 2) < 3, "every other frame");
});

Deno.test("FileReader delivers a 12.5 fps file at its own timestamps, to its last frame", async () => {
  const location = `${dir}/slow.mkv`;
  await new Pipeline({ mode: "offline" })
    .pipe(
      new Frames({ count: 10, width: 32, height: 16, fps: 12.5 }),
      new FileWriter({ location, crf: 4, preset: "ultrafast", pixelFormat: "yuv444p" }),
    )
    .run();
  const { frames, reader } = await read({ location });
  assert.equal(reader.info?.video?.fps, 12.5);
  assert.equal(frames.length, 10);
  assert.deepEqual(frames.map((f) => f.timestamp), frames.map((_, i) => i * 80_000));
  assert.ok(frameError(frames[9]!, 9) < 3, "the last frame is the file's last");
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader stopped while it starts leaves no ffmpeg running", async () => {
  for (const wait of [false, true]) {
    const reader = new FileReader({ location: clip });
    const starting = reader.start();
    // Either at once, or once its ffmpeg runs (bounded: it starts within the test's time).
    for (let i = 0; wait && ffmpegChildren().length === 0 && i < 10_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await reader.stop();
    await starting;
    assert.deepEqual(ffmpegChildren(), []);
  }
});

Deno.test("FileReader loops forever with loop=true", async () => {
  const { frames, reader } = await read({ loop: true }, 120);
  assert.equal(frames.length, 120);
  assert.equal(frames[119]!.timestamp, 119 * 40_000);
  assert.ok(frameError(frames[60]!, 10) < 3, "frame 60 is the file's frame 10 again");
  assert.equal(reader.progress().total, undefined);
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader fails with SL_FILE_NOT_FOUND for a missing file", async () => {
  await assert.rejects(read({ location: `${dir}/missing.mp4` }), (e) => {
    assert.ok(isStreamlibError((e as Error).cause, "SL_FILE_NOT_FOUND"), String(e));
    assert.match(((e as Error).cause as Error).message, /missing\.mp4/);
    return true;
  });
});

Deno.test("FileReader fails with SL_FILE_INVALID for a file that is not media", async () => {
  const path = `${dir}/corrupt.mp4`;
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 255;
  await Deno.writeFile(path, bytes);
  await assert.rejects(read({ location: path }), (e) => {
    const cause = (e as Error).cause as Error;
    assert.ok(isStreamlibError(cause, "SL_FILE_INVALID"), String(e));
    assert.match(cause.message, /corrupt\.mp4.*: .*Invalid data/s);
    return true;
  });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader reads what it can of a truncated file, then ends without hanging", async () => {
  const path = `${dir}/truncated.mkv`;
  const whole = await Deno.readFile(clip);
  await Deno.writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
  const result = await read({ location: path }).then(
    ({ frames }) => frames.length,
    (e) => (isStreamlibError((e as Error).cause, "SL_FFMPEG_EXITED") ? -1 : Promise.reject(e)),
  );
  assert.ok(result === -1 || (result > 0 && result < 50), `read ${result} frames`);
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader fails with SL_FFMPEG_EXITED when ffmpeg is killed mid-run", async () => {
  const reader = new FileReader({ location: clip, loop: true });
  const pipeline = new Pipeline({ mode: "offline" });
  let n = 0;
  const killer = new Collect<VideoFrame>();
  const process = killer.process.bind(killer);
  killer.process = (tick) => {
    process(tick);
    if (++n === 5) { for (const pid of ffmpegChildren()) Deno.kill(pid, "SIGKILL"); }
  };
  pipeline.pipe(reader, killer);
  await assert.rejects(pipeline.run(), (e) => {
    const cause = (e as Error).cause as Error;
    assert.ok(isStreamlibError(cause, "SL_FFMPEG_EXITED"), String(e));
    assert.match(cause.message, /SIGKILL/);
    return true;
  });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader leaves no ffmpeg running when the pipeline is aborted", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = new Collect<VideoFrame>();
  let n = 0;
  const started = new Promise<void>((resolve) => {
    const process = sink.process.bind(sink);
    sink.process = (tick) => {
      process(tick);
      if (++n === 3) resolve();
    };
  });
  pipeline.pipe(new FileReader({ location: clip, loop: true }), sink);
  const run = pipeline.run();
  await started;
  assert.equal(ffmpegChildren().length, 1);
  await pipeline.stop({ mode: "abort" });
  await run.catch(() => {});
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader paces a live pipeline at the file's rate on the pipeline clock", async () => {
  const clock = new ManualClock();
  const sink = new Collect<VideoFrame>();
  const pipeline = new Pipeline({ clock }).pipe(new FileReader({ location: clip }), sink);
  await pipeline.start();
  await pipeline.idle();
  assert.equal(sink.messages.length, 1, "frame 0 is due at once");
  for (let n = 1; n <= 4; n++) {
    await clock.advance(40_000);
    await pipeline.idle();
    assert.equal(sink.messages.length, n + 1, `after ${n * 40} ms`);
  }
  await clock.advance(39_000);
  await pipeline.idle();
  assert.equal(sink.messages.length, 5, "frame 5 is not due before 200 ms");
  assert.deepEqual(sink.messages.map((f) => f.timestamp), [0, 40_000, 80_000, 120_000, 160_000]);
  await pipeline.stop({ mode: "abort" });
  assert.deepEqual(ffmpegChildren(), []);
});

Deno.test("FileReader reads a URL, here from a server on 127.0.0.1", async () => {
  const bytes = await Deno.readFile(clip);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(bytes, { headers: { "content-type": "video/x-matroska" } }),
  );
  try {
    const { frames, reader } = await read({
      location: `http://127.0.0.1:${server.addr.port}/clip.mkv`,
    });
    assert.equal(frames.length, 50);
    assert.equal(reader.info?.video?.fps, 25);
    assert.ok(frameError(frames[49]!, 49) < 3);
  } finally {
    await server.shutdown();
  }
});

/** Writes 2 s of flashes and clicks (lossless PCM audio) into `location`. */
async function writeAv(location: string, video = true): Promise<void> {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(
    new FileWriter({ location, preset: "ultrafast", audioCodec: video ? "pcm_f32le" : "auto" }),
  );
  if (video) {
    pipeline.connect(pipeline.add(new Flashes({ seconds: 2 })).outputs.out, sink.inputs.in);
  }
  pipeline.connect(pipeline.add(new Clicks({ seconds: 2 })).outputs.out, sink.inputs.audio);
  await pipeline.run();
}

async function readAv(
  params: ConstructorParameters<typeof FileReader>[0],
  video = true,
): Promise<{ frames: VideoFrame[]; audio: AudioBuffer[] }> {
  const reader = new FileReader(params);
  const frames = new Collect<VideoFrame>();
  const audio = new Collect<AudioBuffer>();
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(reader);
  if (video) pipeline.connect(reader.outputs.out, pipeline.add(frames).inputs.in);
  pipeline.connect(reader.outputs.audio, pipeline.add(audio).inputs.in);
  await pipeline.run();
  return { frames: frames.messages, audio: audio.messages };
}

/** Positions (sample index) where each click of the left channel starts. */
function clicksIn(buffers: AudioBuffer[]): number[] {
  const out: number[] = [];
  let previous = 0;
  for (const b of buffers) {
    for (let i = 0; i < b.numberOfFrames; i++) {
      const v = b.data[i]!;
      if (v > 0.5 && previous < 0.25) out.push(b.position + i);
      previous = v;
    }
  }
  return out;
}

Deno.test("FileReader sends a file's audio in step with its video, one buffer a frame", async () => {
  const path = `${dir}/av.mkv`;
  await writeAv(path);
  const { frames, audio } = await readAv({ location: path, format: "I420" });
  assert.equal(frames.length, 60);
  assert.equal(audio.reduce((n, b) => n + b.numberOfFrames, 0), 96_000);
  // Matroska keeps milliseconds: the frames are at 0, 33, 67, 100 ms…, and each buffer covers
  // its frame's time, about 48000 / 30 samples.
  audio.forEach((b, i) => {
    assert.equal(b.numberOfChannels, 2);
    assert.equal(b.sampleRate, 48_000);
    assert.equal(frames[i]!.timestamp, Math.round(i * 1000 / 30) * 1000);
    assert.equal(b.position, Math.round(frames[i]!.timestamp * 48_000 / 1e6));
    assert.ok(Math.abs(b.timestamp - frames[i]!.timestamp) < 21, `buffer ${i}`);
  });
  assert.deepEqual(clicksIn(audio), [0, 48_000]);
});

Deno.test("FileReader reads audio alone, resampled when asked, in buffers of samplesPerBuffer", async () => {
  const path = `${dir}/clicks.wav`;
  await writeAv(path, false);
  const { audio } = await readAv({ location: path, samplesPerBuffer: 4800 }, false);
  assert.equal(audio.length, 20);
  assert.ok(audio.every((b) => b.numberOfFrames === 4800));
  assert.equal(audio[19]!.timestamp, 1_900_000);
  assert.deepEqual(clicksIn(audio), [0, 48_000]);
  const resampled = await readAv({ location: path, sampleRate: 44_100, channels: 1 }, false);
  const total = resampled.audio.reduce((n, b) => n + b.numberOfFrames, 0);
  assert.ok(Math.abs(total - 88_200) <= 64, `${total} samples`);
  assert.equal(resampled.audio[0]!.numberOfChannels, 1);
  await assert.rejects(read({ location: path }), (e) => {
    const cause = (e as Error).cause as Error;
    assert.ok(isStreamlibError(cause, "SL_FILE_INVALID"));
    assert.match(cause.message, /no video stream \(it has audio: connect the audio output\)/);
    return true;
  });
});

Deno.test("FileReader reads back the image sequence FileWriter writes (a %d pattern)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await new Pipeline({ mode: "offline" })
      .pipe(
        new Frames({ count: 4, width: 33, height: 17 }),
        new FileWriter({ location: `${dir}/img-%03d.png` }),
      )
      .run();
    const got = new Collect<VideoFrame>();
    await new Pipeline({ mode: "offline" })
      .pipe(new FileReader({ location: `${dir}/img-%03d.png` }), got)
      .run();
    assert.deepEqual(got.messages.map((f) => [f.codedWidth, f.codedHeight]), [
      [33, 17],
      [33, 17],
      [33, 17],
      [33, 17],
    ]);
    assert.deepEqual(ffmpegChildren(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("An offline transcode of a file whose audio outlasts its video, or the other way, ends with both whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [video, audio] of [[1, 3], [3, 1]] as const) {
      const source = `${dir}/v${video}a${audio}.mkv`;
      const made = await new Deno.Command("ffmpeg", {
        args: [
          "-v",
          "error",
          "-f",
          "lavfi",
          "-i",
          `testsrc=size=64x48:rate=25:duration=${video}`,
          "-f",
          "lavfi",
          "-i",
          `sine=duration=${audio}`,
          "-c:v",
          "ffv1",
          "-c:a",
          "flac",
          source,
        ],
      }).output();
      assert.ok(made.success);
      const pipeline = new Pipeline({ mode: "offline" });
      const reader = pipeline.add(new FileReader({ location: source }), { name: "s" });
      const writer = pipeline.add(new FileWriter({ location: `${dir}/out.mkv` }), { name: "o" });
      pipeline.connect("s.out", "o.in");
      pipeline.connect("s.audio", "o.audio");
      // Before, the writer waited for the stream that had ended while the other filled up.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"hung">((resolve) => timer = setTimeout(resolve, 60_000, "hung"));
      const ended = await Promise.race([pipeline.run(), late]);
      clearTimeout(timer);
      if (ended === "hung") {
        await pipeline.stop({ mode: "abort" });
        assert.fail(`v${video}a${audio}: the transcode did not end`);
      }
      void reader;
      void writer;
      const { stdout } = await new Deno.Command("ffprobe", {
        args: [
          "-v",
          "error",
          "-show_entries",
          "format=duration",
          "-of",
          "csv=p=0",
          `${dir}/out.mkv`,
        ],
        stdout: "piped",
      }).output();
      const seconds = Number(new TextDecoder().decode(stdout));
      assert.ok(
        Math.abs(seconds - Math.max(video, audio)) < 0.1,
        `v${video}a${audio}: ${seconds} s`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
