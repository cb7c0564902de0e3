import assert from "node:assert/strict";
import {
  Actor,
  Collect,
  type Contract,
  createDataMessage,
  createVideoFrame,
  type DataMessage,
  DataSource,
  isStreamlibError,
  ManualClock,
  Pipeline,
  type TimedTick,
  timingOf,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";
import { convertFrame } from "./convert.ts";
import { decodePng } from "./png.ts";
import { Snapshot, type SnapshotEvent } from "./snapshot.ts";

const framesContract = {
  type: "frames",
  outputs: { out: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  params: {
    format: { type: "string", enum: ["RGBA", "BGRA", "I420", "NV12"], default: "RGBA" },
    count: { type: "integer", default: 5 },
    fps: { type: "number", default: 10 },
  },
} as const satisfies Contract;

/** 7×5 frames of reproducible noise, different on every frame. */
class Frames extends Actor<typeof framesContract> {
  static override contract = framesContract;
  process(tick: TimedTick): void {
    const frame = createVideoFrame({
      format: this.params.format as VideoPixelFormat,
      codedWidth: 7,
      codedHeight: 5,
      ...timingOf(tick),
    });
    let state = tick.frameNumber + 1;
    for (let i = 0; i < frame.data.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      frame.data[i] = state >>> 24;
    }
    this.outputs.out.write(frame);
    if (tick.frameNumber + 1 >= this.params.count) this.end();
  }
}

/** The RGBA pixels a snapshot of `frame` must hold. */
function expectedPixels(frame: VideoFrame): Uint8Array {
  if (frame.format === "RGBA") return frame.data;
  if (frame.format === "BGRA") {
    const out = frame.data.slice();
    for (let i = 0; i < out.length; i += 4) [out[i], out[i + 2]] = [out[i + 2]!, out[i]!];
    return out;
  }
  return convertFrame(frame, "RGBA").data;
}

interface Run {
  frames: VideoFrame[];
  saved: SnapshotEvent[];
}

/** Runs frames → snapshot offline, in a temp dir that `check` can read before it is removed. */
async function withSnapshots(
  params: ConstructorParameters<typeof Snapshot>[0],
  source: Frames,
  check: (run: Run, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.add(source, { name: "src" });
    const location = `${dir}/${params?.location ?? "snap.png"}`;
    pipeline.add(new Snapshot({ ...params, location }), { name: "snap" });
    const frames = pipeline.add(new Collect<VideoFrame>());
    const saved = pipeline.add(new Collect<DataMessage<SnapshotEvent>>());
    pipeline.connect("src.out", "snap.in");
    pipeline.connect("snap.out", frames.inputs.in);
    pipeline.connect("snap.saved", saved.inputs.in);
    assert.equal((await pipeline.run()).status, "eos");
    await check({ frames: frames.messages, saved: saved.messages.map((m) => m.value) }, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("Snapshot saves the first frame by default, exactly, and passes the video on", async () => {
  const source = new Frames();
  await withSnapshots({}, source, async ({ frames, saved }, dir) => {
    assert.equal(frames.length, 5);
    assert.deepEqual(await files(dir), ["snap.png"]);
    assert.deepEqual(saved, [{ path: `${dir}/snap.png`, frame: 0, timestamp: 0 }]);
    const png = decodePng(await Deno.readFile(`${dir}/snap.png`));
    assert.equal(png.codedWidth, 7);
    assert.equal(png.codedHeight, 5);
    assert.deepEqual(png.data, frames[0]!.data);
  });
});

Deno.test("Snapshot with frame=3 saves the fourth frame", async () => {
  await withSnapshots({ frame: 3 }, new Frames(), async ({ frames, saved }, dir) => {
    assert.deepEqual(saved.map((s) => s.frame), [3]);
    assert.deepEqual(decodePng(await Deno.readFile(`${dir}/snap.png`)).data, frames[3]!.data);
  });
});

Deno.test("Snapshot in mode every fills a %03d pattern with the snapshot index", async () => {
  const params = { mode: "every", every: 2, location: "shot-%03d.png" } as const;
  await withSnapshots(params, new Frames({ count: 6 }), async ({ frames, saved }, dir) => {
    assert.deepEqual(await files(dir), ["shot-000.png", "shot-001.png", "shot-002.png"]);
    assert.deepEqual(
      saved,
      [0, 2, 4].map((frame, i) => ({
        path: `${dir}/shot-00${i}.png`,
        frame,
        timestamp: frame * 100_000,
      })),
    );
    for (const [i, frame] of [0, 2, 4].entries()) {
      const png = decodePng(await Deno.readFile(`${dir}/shot-00${i}.png`));
      assert.deepEqual(png.data, frames[frame]!.data);
    }
  });
});

Deno.test("Snapshot without %d in its location overwrites the file with each snapshot", async () => {
  const params = { mode: "every", every: 2, location: "latest-100%%.png" } as const;
  await withSnapshots(params, new Frames({ count: 5 }), async ({ frames, saved }, dir) => {
    assert.deepEqual(await files(dir), ["latest-100%.png"]);
    assert.equal(saved.length, 3);
    const png = decodePng(await Deno.readFile(`${dir}/latest-100%.png`));
    assert.deepEqual(png.data, frames[4]!.data);
  });
});

Deno.test("Snapshot saves BGRA, I420 and NV12 frames as the RGBA pixels they show", async () => {
  for (const format of ["BGRA", "I420", "NV12"] as const) {
    await withSnapshots({}, new Frames({ format, count: 2 }), async ({ frames }, dir) => {
      assert.equal(frames[0]!.format, format, "the video goes on in its own format");
      const png = decodePng(await Deno.readFile(`${dir}/snap.png`));
      assert.deepEqual(png.data, expectedPixels(frames[0]!), format);
    });
  }
});

Deno.test("Snapshot saves the frame after each trigger message, by time when they share a clock", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.add(new Frames({ count: 10, fps: 10 }), { name: "src" });
    // Triggers at 0.25 s and 0.5 s: frames 3 (0.3 s) and 5 (0.5 s) follow them.
    pipeline.add(new DataSource({ count: 3, fps: 4 }), { name: "triggers" });
    pipeline.add(new Snapshot({ mode: "trigger", location: `${dir}/t%d.png` }), { name: "snap" });
    const frames = pipeline.add(new Collect<VideoFrame>());
    const saved = pipeline.add(new Collect<DataMessage<SnapshotEvent>>());
    pipeline.connect("src.out", "snap.in");
    pipeline.connect("triggers.out", "snap.trigger");
    pipeline.connect("snap.out", frames.inputs.in);
    pipeline.connect("snap.saved", saved.inputs.in);
    await pipeline.run();
    assert.deepEqual(saved.messages.map((m) => m.value.frame), [0, 3, 5]);
    assert.deepEqual(await files(dir), ["t0.png", "t1.png", "t2.png"]);
    const png = decodePng(await Deno.readFile(`${dir}/t1.png`));
    assert.deepEqual(png.data, frames.messages[3]!.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Snapshot saves the next frame after a trigger from elsewhere, once for several", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new ManualClock();
    const pipeline = new Pipeline({ clock });
    pipeline.add(new Frames({ count: 100, fps: 10 }), { name: "src" });
    pipeline.add(new Snapshot({ mode: "trigger", location: `${dir}/t%d.png` }), { name: "snap" });
    const saved = pipeline.add(new Collect<DataMessage<SnapshotEvent>>());
    pipeline.connect("src.out", "snap.in");
    pipeline.connect("snap.saved", saved.inputs.in);
    const triggers = pipeline.writable("snap.trigger").getWriter();
    await pipeline.start();
    await clock.advance(250_000); // frames 0, 1, 2
    await triggers.write(createDataMessage("click")); // no clock: the next frame
    await triggers.write(createDataMessage("click"));
    await clock.advance(200_000); // frames 3, 4
    await triggers.write(createDataMessage("click"));
    await clock.advance(100_000); // frame 5
    await pipeline.stop();
    assert.deepEqual(saved.messages.map((m) => m.value.frame), [3, 5]);
    assert.deepEqual(await files(dir), ["t0.png", "t1.png"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Snapshot rejects a location with a stray % or two indices", () => {
  for (const location of ["a%s.png", "a%d-%d.png", "100%.png", "%x"]) {
    assert.throws(
      () => new Snapshot({ location }).start(),
      (e) => isStreamlibError(e, "SL_PARAM_INVALID") && e.message.includes(location),
      location,
    );
  }
  new Snapshot({ location: "a%5d-%%.png" }).start();
});

Deno.test("Snapshot fails with SL_FILE_WRITE when the file cannot be written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Its folder would be a file.
    await Deno.writeTextFile(`${dir}/file`, "");
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.pipe(new Frames(), new Snapshot({ location: `${dir}/file/x.png` }), new Collect());
    await assert.rejects(
      pipeline.run(),
      (e) => isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_FILE_WRITE"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Snapshot creates the missing folders of its location", async () => {
  const source = new Frames({ count: 3 });
  await withSnapshots({ location: "a/b/shot-%d.png", mode: "every" }, source, async (_, dir) => {
    assert.deepEqual(await files(`${dir}/a/b`), ["shot-0.png", "shot-1.png", "shot-2.png"]);
  });
});

Deno.test("Snapshot allowed to write its file alone names the missing folder it may not create", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const location = `${dir}/missing/thumb.png`;
    const script = new URL("./testdata/snapshot_narrow.ts", import.meta.url);
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-read",
        `--allow-write=${location}`,
        script.href,
        location,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.match(out, /^SL_FILE_WRITE /);
    assert.ok(out.includes(`the folder "${dir}/missing" does not exist`), out);
    assert.deepEqual(await files(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
