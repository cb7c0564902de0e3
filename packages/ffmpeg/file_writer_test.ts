import assert from "node:assert/strict";
import { Collect, isStreamlibError, Pipeline, type VideoFrame } from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { FileReader } from "./file_reader.ts";
import { FileWriter } from "./file_writer.ts";
import { frameError, Frames, makeFrame, Replay, timing } from "../video/_testing.ts";
import { ffmpegChildren, ffprobe, hasFfprobe } from "./_testing.ts";

const probe = needs("ffprobe", hasFfprobe(), "apt-get install ffmpeg");

async function write(
  location: string,
  frames: ConstructorParameters<typeof Frames>[0],
  writer: ConstructorParameters<typeof FileWriter>[0] = {},
): Promise<void> {
  await new Pipeline({ mode: "offline" })
    .pipe(new Frames(frames), new FileWriter({ location, preset: "ultrafast", ...writer }))
    .run();
}

async function read(
  location: string,
  params: ConstructorParameters<typeof FileReader>[0] = {},
): Promise<{ frames: VideoFrame[]; reader: FileReader }> {
  const reader = new FileReader({ location, ...params });
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(reader, sink).run();
  return { frames: sink.messages, reader };
}

Deno.test(probe({
  name: "FileWriter writes an H.264 MP4 that ffprobe reads with the right frames, size and length",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/out.mp4`;
      await write(path, { count: 30, width: 96, height: 64, fps: 30 });
      const info = await ffprobe(path);
      const video = info.streams.find((s) => s.codec_type === "video")!;
      assert.equal(video.codec_name, "h264");
      assert.equal(video.width, 96);
      assert.equal(video.height, 64);
      assert.equal(video.nb_read_frames, "30");
      assert.equal(video.pix_fmt, "yuv420p");
      assert.ok(Math.abs(Number(info.format.duration) - 1) < 0.002, String(info.format.duration));
      assert.deepEqual(ffmpegChildren(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(probe({
  name: "FileWriter and FileReader round-trip frames within codec tolerance",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/out.mp4`;
      await write(path, { count: 12, width: 80, height: 48, fps: 24 }, { crf: 12 });
      const { frames, reader } = await read(path);
      assert.equal(frames.length, 12);
      assert.equal(reader.info?.video?.frames, 12);
      assert.equal(reader.info?.video?.fps, 24);
      assert.deepEqual(reader.progress(), { done: 12, total: 12 });
      frames.forEach((frame, n) => {
        assert.equal(frame.format, "RGBA");
        assert.equal(frame.codedWidth, 80);
        assert.equal(frame.timestamp, Math.round(n * 1e6 / 24));
        assert.ok(frameError(frame, n) < 4, `frame ${n}: mean error ${frameError(frame, n)}`);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(probe({
  name: "FileWriter writes WebM/VP9, MOV and an image sequence",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await write(`${dir}/out.webm`, { count: 10, width: 64, height: 48 }, { crf: 40 });
      const webm = await ffprobe(`${dir}/out.webm`);
      assert.equal(webm.streams[0]!.codec_name, "vp9");
      assert.equal(webm.streams[0]!.nb_read_frames, "10");
      await write(`${dir}/out.mov`, { count: 6, width: 64, height: 48 });
      const mov = await ffprobe(`${dir}/out.mov`);
      assert.match(String(mov.format.format_name), /mov/);
      assert.equal(mov.streams[0]!.codec_name, "h264");
      assert.equal(mov.streams[0]!.nb_read_frames, "6");
      await write(`${dir}/frame-%03d.png`, { count: 4, width: 33, height: 17, format: "I420" });
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".png"));
      assert.deepEqual(names.sort(), [
        "frame-001.png",
        "frame-002.png",
        "frame-003.png",
        "frame-004.png",
      ]);
      const png = await ffprobe(`${dir}/frame-002.png`);
      assert.equal(png.streams[0]!.codec_name, "png");
      assert.equal(png.streams[0]!.width, 33);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(probe({
  name: "FileWriter keeps each frame's own timestamp (variable frame rate)",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/vfr.mkv`;
      const timestamps = [0, 40_000, 100_000, 1_000_000, 1_050_000];
      await write(path, { count: 5, timestamps, format: "I420" });
      const info = await ffprobe(path, true);
      const pts = info.frames!.map((f) => Math.round(Number(f.pts_time ?? f.pkt_pts_time) * 1e6));
      assert.deepEqual(pts, timestamps);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

/** An RGBA frame's pixel as [r, g, b]. */
function pixel(data: Uint8Array, width: number, x: number, y: number): number[] {
  const p = (y * width + x) * 4;
  return [data[p]!, data[p + 1]!, data[p + 2]!];
}

Deno.test(probe({
  name: "FileWriter pads an odd-sized picture to even for H.264, repeating its last column and row",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/odd.mp4`;
      await write(path, { count: 3, width: 641, height: 479 }, { crf: 4 });
      const video = (await ffprobe(path)).streams[0]!;
      assert.deepEqual([video.width, video.height, video.nb_read_frames], [642, 480, "3"]);
      const { stdout } = await new Deno.Command("ffmpeg", {
        args: [
          "-v",
          "error",
          "-i",
          path,
          "-frames:v",
          "1",
          "-f",
          "rawvideo",
          "-pix_fmt",
          "rgba",
          "-",
        ],
        stdout: "piped",
      }).output();
      // The added column and row look like their neighbours: no black edge.
      for (const y of [0, 200, 478]) {
        const [last, added] = [pixel(stdout, 642, 640, y), pixel(stdout, 642, 641, y)];
        assert.ok(last.every((v, i) => Math.abs(v - added[i]!) < 12), `row ${y}: ${last} ${added}`);
      }
      const [last, added] = [pixel(stdout, 642, 320, 478), pixel(stdout, 642, 320, 479)];
      assert.ok(last.every((v, i) => Math.abs(v - added[i]!) < 12), `${last} ${added}`);
      assert.deepEqual(ffmpegChildren(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(probe({
  name: "FileWriter keeps odd sizes where the codec takes them: VP9, and H.264 in 4:4:4",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const frames = { count: 2, width: 33, height: 17 };
      await write(`${dir}/odd.webm`, frames, { crf: 40 });
      await write(`${dir}/odd.mkv`, frames, { pixelFormat: "yuv444p" });
      for (const name of ["odd.webm", "odd.mkv"]) {
        const video = (await ffprobe(`${dir}/${name}`)).streams[0]!;
        assert.deepEqual([video.width, video.height], [33, 17], name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test("FileWriter fails with SL_FFMPEG_EXITED and ffmpeg's message for an unknown codec", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      write(`${dir}/out.mp4`, { count: 3 }, { codec: "no-such-codec" }),
      (e) => {
        assert.ok(isStreamlibError(e, "SL_ACTOR_FAILED"), String(e));
        const cause = (e as Error).cause;
        assert.ok(isStreamlibError(cause, "SL_FFMPEG_EXITED"), String(cause));
        assert.match((cause as Error).message, /exited with code \d+:[\s\S]*no-such-codec/i);
        return true;
      },
    );
    assert.deepEqual(ffmpegChildren(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileWriter rejects a frame of another size with SL_CAPS_MISMATCH", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frames = [
      makeFrame("RGBA", 32, 32, 0, timing(0)),
      makeFrame("RGBA", 16, 16, 1, timing(1)),
    ];
    const pipeline = new Pipeline({ mode: "offline" });
    const writer = new FileWriter({ location: `${dir}/x.mkv`, preset: "ultrafast" });
    pipeline.pipe(new Replay(frames), writer);
    await assert.rejects(pipeline.run(), (e) => {
      const cause = (e as Error).cause as Error;
      assert.ok(isStreamlibError(cause, "SL_CAPS_MISMATCH"), String(cause));
      assert.match(cause.message, /RGBA 32×32 frames and got a RGBA 16×16 frame/);
      return true;
    });
    assert.deepEqual(ffmpegChildren(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileWriter needs a location", async () => {
  await assert.rejects(
    new Pipeline({ mode: "offline" }).pipe(new Frames({ count: 1 }), new FileWriter()).run(),
    (e) => isStreamlibError((e as Error).cause, "SL_PARAM_INVALID"),
  );
});

Deno.test("FileWriter finishes the file when the pipeline is aborted, and leaves no ffmpeg", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/aborted.mkv`;
    const pipeline = new Pipeline({ mode: "offline" });
    const writer = new FileWriter({ location: path, preset: "ultrafast" });
    const seen = new Promise<void>((resolve) => {
      let n = 0;
      pipeline.bus.on("state", () => {});
      const original = writer.process.bind(writer);
      writer.process = async (tick) => {
        await original(tick);
        if (++n === 20) resolve();
      };
    });
    pipeline.pipe(new Frames({ count: 100_000 }), writer);
    const run = pipeline.run();
    await seen;
    await pipeline.stop({ mode: "abort" });
    await run.catch(() => {});
    assert.deepEqual(ffmpegChildren(), []);
    if (hasFfprobe()) {
      const info = await ffprobe(path);
      assert.ok(Number(info.streams[0]!.nb_read_frames) >= 20);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileWriter fails with SL_FFMPEG_EXITED when its ffmpeg is killed mid-run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = new FileWriter({ location: `${dir}/killed.mkv`, preset: "ultrafast" });
    const process = writer.process.bind(writer);
    let n = 0;
    writer.process = async (tick) => {
      await process(tick);
      if (++n === 5) { for (const pid of ffmpegChildren()) Deno.kill(pid, "SIGKILL"); }
    };
    const pipeline = new Pipeline({ mode: "offline" }).pipe(new Frames({ count: 10_000 }), writer);
    await assert.rejects(pipeline.run(), (e) => {
      const cause = (e as Error).cause as Error;
      assert.ok(isStreamlibError(cause, "SL_FFMPEG_EXITED"), String(e));
      assert.match(cause.message, /SIGKILL/);
      return true;
    });
    assert.deepEqual(ffmpegChildren(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(probe({
  name:
    "Full-range YUV keeps its colours: filesink tags it full range, and filesrc labels what ffmpeg made of a full-range file",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // Written: full-range I420 frames pass to ffmpeg as they are, so the file says pc.
      const full = [0, 1].map((n) => {
        const frame = makeFrame("I420", 64, 48, n, timing(n));
        return { ...frame, colorSpace: { matrix: "bt709" as const, fullRange: true } };
      });
      await new Pipeline({ mode: "offline" })
        .pipe(new Replay(full), new FileWriter({ location: `${dir}/full.mp4`, crf: 0 }))
        .run();
      assert.equal((await ffprobe(`${dir}/full.mp4`)).streams[0]!.color_range, "pc");
      const limited = [0, 1].map((n) => makeFrame("I420", 64, 48, n, timing(n)));
      await new Pipeline({ mode: "offline" })
        .pipe(new Replay(limited), new FileWriter({ location: `${dir}/tv.mp4`, crf: 0 }))
        .run();
      assert.equal((await ffprobe(`${dir}/tv.mp4`)).streams[0]!.color_range, "tv");
      // Read: ffmpeg turns a yuvj420p (full-range JPEG) picture into limited yuv420p, and the
      // frames say so.
      const made = await new Deno.Command("ffmpeg", {
        args: [
          "-v",
          "error",
          "-f",
          "lavfi",
          "-i",
          "smptebars=size=64x48:rate=25",
          "-frames:v",
          "1",
          "-c:v",
          "mjpeg",
          "-pix_fmt",
          "yuvj420p",
          `${dir}/j.avi`,
        ],
      }).output();
      assert.ok(made.success);
      const got = new Collect<VideoFrame>();
      await new Pipeline({ mode: "offline" })
        .pipe(new FileReader({ location: `${dir}/j.avi`, format: "I420" }), got)
        .run();
      assert.equal(got.messages[0]!.colorSpace?.fullRange, false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));
