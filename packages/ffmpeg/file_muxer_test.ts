import assert from "node:assert/strict";
import { Actor, defineContract, isStreamlibError, Pipeline, type TimedTick } from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { FileMuxer, fileWriterContract } from "./file_writer.ts";
import { Frames, makeFrame, Replay, timing } from "../video/_testing.ts";
import { ffmpegChildren, ffprobe, hasFfprobe } from "./_testing.ts";

const probe = needs("ffprobe", hasFfprobe(), "apt-get install ffmpeg");

const titledContract = defineContract({
  type: "titledsink",
  inputs: fileWriterContract.inputs,
  params: {
    location: { type: "string", default: "" },
    title: { type: "string", default: "" },
  },
});

/** An actor of its own that writes through a muxer, with a title in the file's metadata. */
class TitledSink extends Actor<typeof titledContract> {
  static override contract = titledContract;
  #muxer: FileMuxer | undefined;
  override async start(): Promise<void> {
    this.#muxer = new FileMuxer({
      name: this.name,
      inputs: this.inputs,
      params: { location: this.params.location, preset: "ultrafast" },
      outputArgs: ["-metadata", `title=${this.params.title}`],
    });
    await this.#muxer.start();
  }
  async process(_tick: TimedTick): Promise<void> {
    await this.#muxer!.process();
  }
  override async flush(): Promise<void> {
    await this.#muxer!.flush();
  }
  override async stop(): Promise<void> {
    await this.#muxer?.stop();
  }
}

Deno.test(probe({
  name: "FileMuxer writes another actor's input with that actor's extra output options",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const location = `${dir}/titled.mkv`;
      await new Pipeline({ mode: "offline" })
        .pipe(new Frames({ count: 12 }), new TitledSink({ location, title: "Bars" }))
        .run();
      const info = await ffprobe(location);
      assert.equal(info.streams[0]!.nb_read_frames, "12");
      const tags = info.format.tags as unknown as Record<string, string>;
      assert.equal(tags.title ?? tags.TITLE, "Bars");
      assert.deepEqual(ffmpegChildren(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test("FileMuxer's errors name the actor that drives it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frames = [
      makeFrame("RGBA", 32, 32, 0, timing(0)),
      makeFrame("RGBA", 16, 16, 1, timing(1)),
    ];
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.pipe(new Replay(frames), new TitledSink({ location: `${dir}/x.mkv` }));
    await assert.rejects(pipeline.run(), (e) => {
      const cause = (e as Error).cause as Error;
      assert.ok(isStreamlibError(cause, "SL_CAPS_MISMATCH"), String(cause));
      assert.match(cause.message, /^"titledsink0" was writing RGBA 32×32 frames/);
      return true;
    });
    assert.deepEqual(ffmpegChildren(), []);
    await assert.rejects(
      new Pipeline({ mode: "offline" }).pipe(new Frames({ count: 1 }), new TitledSink()).run(),
      (e) => {
        const cause = (e as Error).cause as Error;
        assert.ok(isStreamlibError(cause, "SL_PARAM_INVALID"), String(cause));
        assert.match(cause.message, /^"titledsink0" needs a location to write/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileMuxer takes filesink's parameters, fills in their defaults and reads them late", () => {
  const host = new TitledSink();
  const params: Partial<FileMuxer["params"]> = { crf: 20 };
  const muxer = new FileMuxer({ name: "host", inputs: host.inputs, params });
  assert.equal(muxer.params.crf, 20);
  assert.equal(muxer.params.codec, "auto");
  assert.equal(muxer.params.location, "");
  params.location = "late.mp4"; // the object is kept: an actor's live params stay in effect
  assert.equal(muxer.params.location, "late.mp4");
  assert.throws(
    () => new FileMuxer({ name: "host", inputs: host.inputs, params: { size: 1 } as never }),
    (e) => isStreamlibError(e, "SL_PARAM_UNKNOWN") && /"filesink"/.test(e.message),
  );
  assert.throws(
    () => new FileMuxer({ name: "host", inputs: host.inputs, params: { crf: 99 } }),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});
