import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { isStreamlibError } from "../errors.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { createVideoFrame } from "../messages.ts";
import { createKeyEvent } from "../create_messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { DataSource } from "./data_source.ts";
import { NullSink } from "./null_sink.ts";

const videoContract = {
  type: "vsrc",
  outputs: { out: { kind: "video", formats: ["RGBA"] } },
  params: { count: { type: "integer", default: 1 } },
} as const satisfies Contract;

/** Writes `count` tiny RGBA frames, one a tick. */
class VideoSource extends Actor<typeof videoContract> {
  static override contract: typeof videoContract = videoContract;
  process(tick: TimedTick): void {
    this.outputs.out.write(createVideoFrame({
      format: "RGBA",
      codedWidth: 2,
      codedHeight: 2,
      timestamp: tick.timestamp,
      position: tick.frameNumber,
    }));
    if (tick.frameNumber + 1 >= this.params.count) this.end();
  }
}

const keyContract = {
  type: "keys",
  outputs: { out: { kind: "event" } },
  params: { count: { type: "integer", default: 1 } },
} as const satisfies Contract;

/** Writes `count` key events, one a tick. */
class KeySource extends Actor<typeof keyContract> {
  static override contract: typeof keyContract = keyContract;
  process(tick: TimedTick): void {
    this.outputs.out.write(
      createKeyEvent({ type: "keydown", key: "a", timestamp: tick.timestamp }),
    );
    if (tick.frameNumber + 1 >= this.params.count) this.end();
  }
}

Deno.test("NullSink counts every message it receives", async () => {
  const sink = new NullSink();
  const result = await new Pipeline({ mode: "offline" })
    .pipe(new DataSource({ count: 1000 }), sink)
    .run();
  assert.equal(result.status, "eos");
  assert.equal(sink.received, 1000);
  const stats = result.stats.actors.find((a) => a.type === "nullsink")!;
  assert.equal(stats.inputs.in!.received, 1000);
  assert.equal(stats.dropped, 0);
});

Deno.test("NullSink starts at 0 and counts nothing from an empty stream", async () => {
  const sink = new NullSink();
  assert.equal(sink.received, 0);
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 1 }));
  pipeline.connect(src.outputs.out, pipeline.add(sink).inputs.in);
  src.end(); // ends before its first tick
  await pipeline.run();
  assert.equal(sink.received, 0);
});

Deno.test("NullSink counts as messages arrive on a live clock", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const sink = new NullSink();
  pipeline.pipe(new DataSource({ fps: 100 }), sink);
  await pipeline.start();
  await pipeline.idle();
  assert.equal(sink.received, 1);
  await clock.advance(90_000);
  await pipeline.idle();
  assert.equal(sink.received, 10);
  await pipeline.stop();
  assert.equal(sink.received, 10);
});

Deno.test("NullSink accepts any kind: video, data and events", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const video = pipeline.add(new VideoSource({ count: 4 }));
  const data = pipeline.add(new DataSource({ count: 6 }));
  const keys = pipeline.add(new KeySource({ count: 3 }));
  const videoSink = pipeline.add(new NullSink());
  const dataSink = pipeline.add(new NullSink());
  const keySink = pipeline.add(new NullSink());
  const links = [
    pipeline.connect(video.outputs.out, videoSink.inputs.in),
    pipeline.connect(data.outputs.out, dataSink.inputs.in),
    pipeline.connect(keys.outputs.out, keySink.inputs.in),
  ];
  assert.deepEqual(links.map((l) => l.formats), [["RGBA"], ["number"], "any"]);
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  assert.deepEqual([videoSink.received, dataSink.received, keySink.received], [4, 6, 3]);
});

Deno.test({
  name: "One NullSink input takes a video source and a data source in either order",
  fn: async () => {
    const outcomes: string[] = [];
    for (const videoFirst of [true, false]) {
      const pipeline = new Pipeline({ mode: "offline" });
      const sink = pipeline.add(new NullSink());
      const video = pipeline.add(new VideoSource({ count: 5 }));
      const data = pipeline.add(new DataSource({ count: 7 }));
      const sources = videoFirst ? [video, data] : [data, video];
      try {
        for (const source of sources) pipeline.connect(source.outputs.out, sink.inputs.in);
        await pipeline.run();
        outcomes.push(`received ${sink.received}`);
      } catch (error) {
        outcomes.push(isStreamlibError(error) ? error.code : String(error));
        await pipeline.stop();
      }
    }
    // Whatever the rule, the order of connect() calls should not change it.
    assert.equal(outcomes[1], outcomes[0]);
  },
});

Deno.test("pipe() connects anything to a NullSink", async () => {
  const sink = new NullSink();
  await new Pipeline({ mode: "offline" }).pipe(new VideoSource({ count: 2 }), sink).run();
  assert.equal(sink.received, 2);
});
