import assert from "node:assert/strict";
import {
  Actor,
  Catalogue,
  Collect,
  type Contract,
  createVideoFrame,
  type DataMessage,
  NullSink,
  Pipeline,
  type TimedTick,
  timingOf,
  type VideoPixelFormat,
} from "@streamlib/core";
import { MotionDetector, type MotionEvent } from "./motion.ts";

const squaresContract = {
  type: "squares",
  description: "Test frames: a bright square on black that moves during some frames",
  outputs: { out: { kind: "video", formats: ["RGBA", "I420"] } },
  params: {
    format: { type: "string", enum: ["RGBA", "I420"], default: "RGBA" },
    count: { type: "integer", default: 20 },
    moveFrom: { type: "integer", default: 5 },
    moveTo: { type: "integer", default: 10 },
    x: { type: "integer", default: 0 },
  },
} as const satisfies Contract;

/** 64×48 frames; the 16×16 square moves 4 px right on each frame in [moveFrom, moveTo). */
class Squares extends Actor<typeof squaresContract> {
  static override contract = squaresContract;
  process(tick: TimedTick): void {
    const { count, moveFrom, moveTo, format } = this.params;
    if (tick.frameNumber >= count) return this.end();
    const n = tick.frameNumber;
    const x = this.params.x + 4 * Math.max(0, Math.min(n, moveTo) - moveFrom);
    const frame = createVideoFrame({
      format: format as VideoPixelFormat,
      codedWidth: 64,
      codedHeight: 48,
      ...timingOf(tick),
    });
    const { stride } = frame.layout[0]!;
    const bytes = format === "RGBA" ? 4 : 1;
    for (let row = 8; row < 24; row++) {
      for (let col = x; col < x + 16 && col < 64; col++) {
        for (let b = 0; b < bytes; b++) frame.data[row * stride + col * bytes + b] = 255;
      }
    }
    this.outputs.out.write(frame);
  }
}

async function events(
  params: ConstructorParameters<typeof MotionDetector>[0],
  source: Squares = new Squares(),
): Promise<Array<[number, boolean, number]>> {
  const pipeline = new Pipeline({ mode: "offline" });
  const detector = pipeline.add(new MotionDetector(params), { name: "m" });
  const log = pipeline.add(new Collect<DataMessage<MotionEvent>>());
  pipeline.pipe(source, detector, new NullSink());
  pipeline.connect("m.motion", log.inputs.in);
  await pipeline.run();
  return log.messages.map((m): [number, boolean, number] => [
    m.position,
    m.value.motion,
    Number(m.value.score.toFixed(3)),
  ]);
}

Deno.test("MotionDetector reports when a moving square starts and stops changing the picture", async () => {
  // The square moves 4 px on frames 6..10: two 4×16 strips change, 128 of 3072 pixels.
  assert.deepEqual(await events({ step: 1 }), [[6, true, 0.042], [11, false, 0]]);
});

Deno.test("MotionDetector ignores changes outside its region", async () => {
  assert.deepEqual(await events({ step: 1, region: [0, 30, 64, 18] }), []);
  // 128 of the 1024 pixels of a 32×32 region.
  assert.deepEqual(
    await events({ step: 1, region: [0, 0, 32, 32] }),
    [[6, true, 0.125], [11, false, 0]],
  );
});

Deno.test("MotionDetector reads brightness from the Y plane of I420 frames", async () => {
  assert.deepEqual(
    await events({ step: 1 }, new Squares({ format: "I420" })),
    [[6, true, 0.042], [11, false, 0]],
  );
});

Deno.test("MotionDetector with every=true scores every frame after the first", async () => {
  const all = await events({ step: 2, every: true });
  assert.equal(all.length, 19);
  assert.ok(all.every(([, motion, score]) => motion === (score as number) >= 0.02));
});

Deno.test("MotionDetector passes the video through unchanged", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const out = new Collect();
  const src = new Squares({ count: 3 });
  pipeline.pipe(src, new MotionDetector(), out);
  await pipeline.run();
  assert.equal(out.messages.length, 3);
  assert.equal(out.messages[0]!.kind, "video");
});

Deno.test("The catalogue finds the motion plugin by its manifest, verifies it and builds with it", async () => {
  const catalogue = Catalogue.withCore();
  await catalogue.load(new URL("./manifest.json", import.meta.url));
  const entry = catalogue.describe("motion");
  assert.equal(entry.package, "@streamlib/plugin-motion");
  assert.equal(entry.actor.classification, "Analyzer/Video");
  await catalogue.verify("motion");
  // A test source of our own, registered like any plugin's actor.
  catalogue.add(
    {
      name: "test-squares",
      version: "1.0.0",
      streamlib: "*",
      actors: [{
        ...squaresContract,
        classification: "Source/Video",
        module: "./motion_test.ts",
        export: "Squares",
      }],
    },
    import.meta.url,
    { Squares },
  );
  const pipeline = await catalogue.build(
    "squares count=12 ! motion name=m step=1 sensitivity=0.03 ! nullsink\nm.motion ! collect name=events",
    { mode: "offline" },
  );
  await pipeline.run();
  const log = pipeline.actor("events") as Collect<DataMessage<MotionEvent>>;
  assert.deepEqual(log.messages.map((m) => [m.position, m.value.motion]), [[6, true], [11, false]]);
});
