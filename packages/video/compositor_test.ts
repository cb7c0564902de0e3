import assert from "node:assert/strict";
import {
  Catalogue,
  Collect,
  createVideoFrame,
  type Input,
  isStreamlibError,
  ManualClock,
  Pipeline,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";
import { Compositor, type CompositorLayer } from "./compositor.ts";
import { scaleFrame } from "./scale.ts";
import { Replay } from "./_testing.ts";

type Pixel = [number, number, number, number];

/** A `width` × `height` frame of one colour (given as RGBA) at 25 fps frame `n`. */
function solid(
  width: number,
  height: number,
  rgba: Pixel,
  n = 0,
  format: VideoPixelFormat = "RGBA",
): VideoFrame {
  const frame = createVideoFrame({
    format,
    codedWidth: width,
    codedHeight: height,
    timestamp: n * 40_000,
    duration: 40_000,
    position: n,
  });
  const [r, g, b, a] = rgba;
  const bytes = format === "RGBA" ? [r, g, b, a] : [b, g, r, a];
  for (let i = 0; i < frame.data.length; i += 4) frame.data.set(bytes, i);
  return frame;
}

/** Runs `layers` (frames per input) through a compositor offline and returns its output. */
async function composite(
  params: ConstructorParameters<typeof Compositor>[0],
  layers: readonly (readonly VideoFrame[])[],
  setup?: (mix: Compositor, pipeline: Pipeline) => void,
): Promise<VideoFrame[]> {
  const pipeline = new Pipeline({ mode: "offline" });
  const mix = pipeline.add(new Compositor(params), { name: "mix" });
  const sink = pipeline.add(new Collect<VideoFrame>());
  layers.forEach((frames, i) => {
    pipeline.add(new Replay(frames), { name: `src${i}` });
    pipeline.connect(`src${i}.out`, `mix.layer_${i}`);
  });
  pipeline.connect(mix.outputs.out, sink.inputs.in);
  setup?.(mix, pipeline);
  await pipeline.run();
  return sink.messages;
}

function pixel(frame: VideoFrame, x: number, y: number): number[] {
  const at = y * frame.layout[0]!.stride + x * 4;
  return [...frame.data.subarray(at, at + 4)];
}

function near(actual: readonly number[], expected: readonly number[], what = ""): void {
  assert.ok(
    actual.length === expected.length && actual.every((v, i) => Math.abs(v - expected[i]!) <= 1),
    `${what} ${JSON.stringify(actual)} is not within ±1 of ${JSON.stringify(expected)}`,
  );
}

Deno.test("Compositor draws each layer at its position over the background, in z-order", async () => {
  const out = await composite(
    {
      width: 8,
      height: 6,
      fps: 25,
      background: "#102030",
      layers: { layer_1: { x: 2, y: 1 }, layer_2: { x: -2, y: 4, zorder: 0 } },
    },
    [
      [solid(3, 3, [255, 0, 0, 255])],
      [solid(4, 2, [0, 0, 255, 255])],
      [solid(4, 4, [0, 255, 0, 255])],
    ],
  );
  assert.equal(out.length, 1);
  const frame = out[0]!;
  assert.equal(frame.codedWidth, 8);
  assert.equal(frame.format, "RGBA");
  assert.deepEqual([frame.timestamp, frame.duration, frame.position], [0, 40_000, 0]);
  assert.deepEqual(pixel(frame, 0, 0), [255, 0, 0, 255]); // layer 0
  assert.deepEqual(pixel(frame, 2, 1), [0, 0, 255, 255]); // layer 1 on top of layer 0
  assert.deepEqual(pixel(frame, 5, 2), [0, 0, 255, 255]);
  assert.deepEqual(pixel(frame, 6, 1), [16, 32, 48, 255]); // background
  // Layer 2 has z-order 0: under layer 0 (index 0 breaks the tie), over the background.
  assert.deepEqual(pixel(frame, 0, 4), [0, 255, 0, 255]);
  assert.deepEqual(pixel(frame, 1, 5), [0, 255, 0, 255]);
  assert.deepEqual(pixel(frame, 2, 4), [16, 32, 48, 255]); // layer 2 is 2 px wide on screen
});

Deno.test("Compositor blends straight alpha times opacity, keeping an opaque background opaque", async () => {
  const [frame] = await composite(
    { width: 2, height: 1, fps: 25, layers: { layer_1: { opacity: 0.5 } } },
    [[solid(2, 1, [200, 100, 0, 255])], [solid(1, 1, [0, 0, 255, 128])]],
  );
  // α = 128 / 255 × 0.5: 200 + (0 − 200) × 0.251 = 149.8, 100 → 74.9, 0 → 64.0.
  near(pixel(frame!, 0, 0), [150, 75, 64, 255]);
  assert.deepEqual(pixel(frame!, 1, 0), [200, 100, 0, 255]);
});

Deno.test("Compositor composites over a transparent background with Porter-Duff over", async () => {
  const [frame] = await composite(
    { width: 2, height: 1, fps: 25, background: "transparent" },
    [[solid(1, 1, [255, 0, 0, 128])], [solid(1, 1, [0, 0, 255, 128])]],
  );
  near(pixel(frame!, 0, 0), [85, 0, 170, 192]);
  assert.deepEqual(pixel(frame!, 1, 0), [0, 0, 0, 0]);
});

Deno.test("Compositor writes BGRA and swaps RGBA layers into it", async () => {
  const [frame] = await composite(
    { width: 2, height: 1, fps: 25, format: "BGRA", background: "#0000ff" },
    [[solid(1, 1, [255, 128, 0, 255])], [
      { ...solid(1, 1, [10, 20, 30, 255], 0, "BGRA") },
    ]],
    (mix) => mix.setLayer("layer_1", { x: 1 }),
  );
  assert.equal(frame!.format, "BGRA");
  assert.deepEqual(pixel(frame!, 0, 0), [0, 128, 255, 255]);
  assert.deepEqual(pixel(frame!, 1, 0), [30, 20, 10, 255]);
});

Deno.test("Compositor scales a layer to its width and height", async () => {
  const source = createVideoFrame({ format: "RGBA", codedWidth: 4, codedHeight: 2 });
  for (let i = 0; i < source.data.length; i++) source.data[i] = (i * 37) & 255;
  for (let i = 3; i < source.data.length; i += 4) source.data[i] = 255;
  const [frame] = await composite(
    { width: 10, height: 10, fps: 25, layers: { layer_0: { x: 1, y: 2, width: 8, height: 6 } } },
    [[{ ...source, duration: 40_000 }]],
  );
  const scaled = scaleFrame(source, 8, 6);
  for (let y = 0; y < 6; y++) {
    for (let x = 0; x < 8; x++) assert.deepEqual(pixel(frame!, x + 1, y + 2), pixel(scaled, x, y));
  }
  assert.deepEqual(pixel(frame!, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(frame!, 9, 8), [0, 0, 0, 255]);
});

Deno.test("Compositor shows the newest frame due at each tick, repeating slower layers", async () => {
  // Output at 50 fps; layer 0 at 25 fps, layer 1 at 100 fps (four frames a 25 fps frame).
  const slow = [0, 1, 2].map((n) => solid(1, 1, [n * 10, 0, 0, 255], n));
  const fast = Array.from({ length: 12 }, (_, n) => ({
    ...solid(1, 1, [0, n * 10, 0, 255]),
    timestamp: n * 10_000,
    duration: 10_000,
    position: n,
  }));
  const out = await composite(
    { width: 2, height: 1, fps: 50, layers: { layer_1: { x: 1 } } },
    [slow, fast],
  );
  assert.deepEqual(out.map((f) => f.timestamp), [0, 20_000, 40_000, 60_000, 80_000, 100_000]);
  assert.deepEqual(out.map((f) => pixel(f, 0, 0)[0]), [0, 0, 10, 10, 20, 20]);
  assert.deepEqual(out.map((f) => pixel(f, 1, 0)[1]), [0, 20, 40, 60, 80, 100]);
});

Deno.test("Compositor drops an ended layer after its last frame and ends with its inputs", async () => {
  const long = [0, 1, 2, 3].map((n) => solid(1, 1, [0, 255, 0, 255], n));
  const short = [0].map((n) => solid(1, 1, [255, 0, 0, 255], n));
  const out = await composite({ width: 2, height: 1, fps: 25, layers: { layer_1: { x: 1 } } }, [
    long,
    short,
  ]);
  assert.equal(out.length, 4);
  assert.deepEqual(out.map((f) => pixel(f, 1, 0)[0]), [255, 0, 0, 0]);
  const kept = await composite(
    { width: 2, height: 1, fps: 25, layers: { layer_1: { x: 1, repeatAfterEos: true } } },
    [long, short],
  );
  assert.deepEqual(kept.map((f) => pixel(f, 1, 0)[0]), [255, 255, 255, 255]);
});

Deno.test("Compositor no longer lists a layer whose source was removed, and composites the rest", async () => {
  const green = [0, 1, 2].map((n) => solid(1, 1, [0, 255, 0, 255], n));
  const red = [0, 1, 2].map((n) => solid(1, 1, [255, 0, 0, 255], n));
  let mixer: Compositor | undefined;
  const out = await composite({ width: 2, height: 1, fps: 25, layers: { layer_1: { x: 1 } } }, [
    green,
    red,
  ], (mix, pipeline) => {
    mixer = mix;
    void pipeline.remove("src1");
  });
  assert.deepEqual(Object.keys(mixer!.inputs), ["layer_0"]);
  assert.equal(mixer!.padParams("layer_1").x, 1, "a released port's parameters stay");
  assert.equal(out.length, 3);
  assert.deepEqual(out.map((f) => pixel(f, 1, 0)), out.map(() => [0, 0, 0, 255]));
});

Deno.test("Compositor in a live pipeline ticks at its fps and shows the newest frames", async () => {
  // Sources at 30 fps, compositor at 8 fps: ticks at 0, 125, 250, 375 ms see frames 0, 3, 7, 11;
  // at 500 ms the last frame (466.7 to 500 ms) is over and every input has ended.
  const at30 = (n: number, rgba: Pixel): VideoFrame => ({
    ...solid(1, 1, rgba),
    timestamp: Math.round(n * 1e6 / 30),
    duration: Math.round((n + 1) * 1e6 / 30) - Math.round(n * 1e6 / 30),
    position: n,
  });
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const mix = pipeline.add(
    new Compositor({ width: 2, height: 1, fps: 8, layers: { layer_1: { x: 1 } } }),
    { name: "mix" },
  );
  const sink = pipeline.add(new Collect<VideoFrame>());
  pipeline.add(new Replay(Array.from({ length: 15 }, (_, n) => at30(n, [n, 0, 0, 255]))), {
    name: "long",
  });
  pipeline.add(new Replay([0, 1, 2, 3, 4].map((n) => at30(n, [0, 100 + n, 0, 255]))), {
    name: "short",
  });
  pipeline.connect("long.out", "mix.layer_0");
  pipeline.connect("short.out", "mix.layer_1");
  pipeline.connect(mix.outputs.out, sink.inputs.in);
  assert.equal((mix.inputs as Record<string, { policy: string }>).layer_0?.policy, "latest");
  await pipeline.start();
  await clock.advance(1_000_000);
  await pipeline.done;
  assert.deepEqual(sink.messages.map((f) => f.timestamp), [0, 125_000, 250_000, 375_000]);
  assert.deepEqual(sink.messages.map((f) => pixel(f, 0, 0)[0]), [0, 3, 7, 11]);
  // The short layer's last frame (4, until 166.7 ms) is gone by 250 ms. (At 0 ms, whether its
  // first frame is in yet depends on which actor the clock wakes first.)
  assert.deepEqual(sink.messages.slice(1).map((f) => pixel(f, 1, 0)[1]), [103, 0, 0]);
});

Deno.test("Compositor applies layer changes made while running", async () => {
  const base = [0, 1, 2, 3].map((n) => solid(4, 1, [0, 0, 0, 255], n));
  const dot = [0, 1, 2, 3].map((n) => solid(1, 1, [255, 255, 255, 255], n));
  const pipeline = new Pipeline({ mode: "offline" });
  const mix = pipeline.add(new Compositor({ width: 4, height: 1, fps: 25 }), { name: "mix" });
  const sink = pipeline.add(new Collect<VideoFrame>());
  pipeline.add(new Replay(base), { name: "base" });
  pipeline.add(new Replay(dot), { name: "dot" });
  pipeline.connect("base.out", "mix.layer_0");
  pipeline.connect("dot.out", "mix.layer_1");
  pipeline.connect(mix.outputs.out, sink.inputs.in);
  // Move the dot one pixel right after each output frame, hide it on the last.
  const write = mix.outputs.out.write.bind(mix.outputs.out);
  mix.outputs.out.write = (frame: VideoFrame) => {
    const result = write(frame);
    const x = frame.position + 1;
    mix.setLayer("layer_1", x === 3 ? { x, visible: false } : { x });
    return result;
  };
  await pipeline.run();
  const row = (f: VideoFrame): number[] => [0, 1, 2, 3].map((x) => pixel(f, x, 0)[0]!);
  assert.deepEqual(sink.messages.map(row), [
    [255, 0, 0, 0],
    [0, 255, 0, 0],
    [0, 0, 255, 0],
    [0, 0, 0, 0],
  ]);
});

Deno.test("Compositor matches a per-pixel reference within ±1 for random layers", async () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const int = (n: number): number => Math.floor(rand() * n);
  for (let trial = 0; trial < 8; trial++) {
    const width = 8 + int(40);
    const height = 6 + int(30);
    const count = 1 + int(4);
    const frames: VideoFrame[] = [];
    const layers: Record<string, CompositorLayer> = {};
    for (let i = 0; i < count; i++) {
      const w = 1 + int(30);
      const h = 1 + int(20);
      const frame = createVideoFrame({
        format: rand() < 0.5 ? "RGBA" : "BGRA",
        codedWidth: w,
        codedHeight: h,
        duration: 40_000,
      });
      for (let k = 0; k < frame.data.length; k++) frame.data[k] = int(256);
      if (rand() < 0.3) { for (let k = 3; k < frame.data.length; k += 4) frame.data[k] = 255; }
      frames.push(frame);
      layers[`layer_${i}`] = {
        x: int(width) - 10,
        y: int(height) - 8,
        width: rand() < 0.5 ? 0 : 1 + int(40),
        height: rand() < 0.5 ? 0 : 1 + int(30),
        opacity: rand() < 0.3 ? 1 : rand(),
        zorder: int(3),
      };
    }
    const background = ["black", "#336699", "transparent", "#ff000080"][trial % 4]!;
    const format = trial % 2 ? "BGRA" : "RGBA";
    const [frame] = await composite(
      { width, height, fps: 25, background, format, layers },
      frames.map((f) => [f]),
    );
    const expected = reference(width, height, format, background, frames, layers);
    for (let i = 0; i < expected.length; i += 4) {
      const got = [...frame!.data.subarray(i, i + 4)];
      const want = [...expected.subarray(i, i + 4)];
      if (got[3] === 0 && want[3] === 0) continue; // the colour of a transparent pixel is moot
      near(got, want, `trial ${trial}, pixel ${i / 4}:`);
    }
  }
});

/**
 * The compositor's arithmetic one pixel at a time in float64, rounded after each layer: layers
 * scaled with scaleFrame, sorted by z-order then index, α = alpha / 255 × opacity, then
 * dst + (src − dst) × α over an opaque background, else Porter-Duff over of straight colours.
 */
function reference(
  width: number,
  height: number,
  format: "RGBA" | "BGRA",
  background: string,
  frames: readonly VideoFrame[],
  layers: Readonly<Record<string, CompositorLayer>>,
): Uint8Array {
  const bg: Pixel = ({
    black: [0, 0, 0, 255],
    "#336699": [0x33, 0x66, 0x99, 255],
    transparent: [0, 0, 0, 0],
    "#ff000080": [255, 0, 0, 128],
  } as Record<string, Pixel>)[background]!;
  const order = frames.map((frame, i) => ({ frame, i, place: layers[`layer_${i}`]! }))
    .sort((a, b) => (a.place.zorder ?? a.i) - (b.place.zorder ?? b.i) || a.i - b.i)
    .map(({ frame, place }) => ({
      frame: scaleFrame(
        frame,
        place.width || frame.codedWidth,
        place.height || frame.codedHeight,
      ),
      place,
    }));
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = [...bg];
      for (const { frame, place } of order) {
        const lx = x - (place.x ?? 0);
        const ly = y - (place.y ?? 0);
        if (lx < 0 || ly < 0 || lx >= frame.codedWidth || ly >= frame.codedHeight) continue;
        const s = pixel(frame, lx, ly);
        if (frame.format === "BGRA") [s[0], s[2]] = [s[2]!, s[0]!];
        const a = s[3]! / 255 * (place.opacity ?? 1);
        if (bg[3] === 255) {
          for (let c = 0; c < 3; c++) d[c] = Math.round(d[c]! + (s[c]! - d[c]!) * a);
          continue;
        }
        const wd = d[3]! / 255 * (1 - a);
        const oa = a + wd;
        for (let c = 0; c < 3; c++) {
          d[c] = oa === 0 ? 0 : Math.round((s[c]! * a + d[c]! * wd) / oa);
        }
        d[3] = Math.round(oa * 255);
      }
      if (format === "BGRA") [d[0], d[2]] = [d[2]!, d[0]!];
      out.set(d, (y * width + x) * 4);
    }
  }
  return out;
}

Deno.test("Compositor applies port parameter changes made while running, through the port or the compositor", async () => {
  const base = [0, 1, 2, 3].map((n) => solid(4, 1, [0, 0, 0, 255], n));
  const dot = [0, 1, 2, 3].map((n) => solid(1, 1, [255, 255, 255, 255], n));
  const out = await composite({ width: 4, height: 1, fps: 25 }, [base, dot], (mix) => {
    const write = mix.outputs.out.write.bind(mix.outputs.out);
    mix.outputs.out.write = (frame: VideoFrame) => {
      const result = write(frame);
      const x = frame.position + 1;
      const layer = (mix.inputs as Record<string, Input>).layer_1!;
      if (x === 3) mix.setPadParams("layer_1", { visible: false });
      else layer.setParams({ x });
      return result;
    };
  });
  const row = (f: VideoFrame): number[] => [0, 1, 2, 3].map((x) => pixel(f, x, 0)[0]!);
  assert.deepEqual(out.map(row), [
    [255, 0, 0, 0],
    [0, 255, 0, 0],
    [0, 0, 255, 0],
    [0, 0, 0, 0],
  ]);
});

Deno.test("Compositor's layers parameter and its ports' parameters are the same placement", () => {
  const mix = new Compositor({ layers: { layer_1: { x: 20, opacity: 0.5 } } });
  assert.deepEqual(mix.padParams("layer_1"), {
    x: 20,
    y: 0,
    width: 0,
    height: 0,
    opacity: 0.5,
    zorder: undefined,
    visible: true,
    repeatAfterEos: false,
  });
  mix.setPadParams("layer_2", { zorder: -1 });
  assert.deepEqual(mix.params.layers, {
    layer_1: { x: 20, opacity: 0.5 },
    layer_2: { zorder: -1 },
  });
  mix.setParams({ layers: { layer_2: { x: 5 } } });
  assert.equal(mix.padParams("layer_1").x, 0);
  assert.equal(mix.padParams("layer_2").zorder, undefined);
  assert.throws(
    () => mix.setPadParams("layer_1", { alpha: 0.5 }),
    (e: unknown) =>
      isStreamlibError(e, "SL_PARAM_UNKNOWN") && /x \(integer \(default 0\)\), y/.test(e.message),
  );
  assert.throws(
    () => mix.setPadParams("layer_1", { width: -1 }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});

Deno.test("Compositor takes layer_N::param in pipeline text as it takes the layers parameter", async () => {
  const catalogue = await Catalogue.withCore().load(new URL("./manifest.json", import.meta.url));
  const byPads = await catalogue.build("compositor name=c layer_1::x=10 layer_1::opacity=0.5");
  const byLayers = await catalogue.build(
    'compositor name=c layers={"layer_1":{"x":10,"opacity":0.5}}',
  );
  const [a, b] = [byPads, byLayers].map((p) => p.actor("c") as Compositor);
  assert.deepEqual(a!.padParams("layer_1"), b!.padParams("layer_1"));
  assert.deepEqual(a!.params.layers, b!.params.layers);
  const cases: Array<[string, string, RegExp]> = [
    [
      "compositor layer_1::opacity=2",
      "1:12",
      /"opacity" of port "layer_1" of "compositor" must be ≤ 1/,
    ],
    ["compositor layer_1::xpos=2", "1:12", /Unknown parameter "xpos" of port "layer_1"/],
    ['compositor layers={"layer_1":{"opacity":2}}', "1:12", /"layer_1" property "opacity"/],
    ['compositor layers={"overlay":{}}', "1:12", /keys are input names such as "layer_0"/],
  ];
  for (const [text, at, message] of cases) {
    await assert.rejects(catalogue.build(text), (e: unknown) => {
      assert.ok(isStreamlibError(e), String(e));
      assert.equal(`${e.details.line}:${e.details.column}`, at, e.message);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("Compositor rejects bad layer entries and colours with SL_PARAM_INVALID", () => {
  const invalid = (e: unknown): boolean => isStreamlibError(e, "SL_PARAM_INVALID");
  assert.throws(() => new Compositor({ background: "mauve-ish" }), invalid);
  assert.throws(() => new Compositor({ layers: { layer_0: { opacity: 2 } } }), invalid);
  assert.throws(() => new Compositor({ layers: { overlay: { x: 1 } } }), /keys are input names/);
  const mix = new Compositor();
  assert.throws(() => mix.setLayer("layer_0", { size: 3 } as CompositorLayer), /unknown property/);
  assert.throws(() => mix.setParams({ background: "#12" }), invalid);
  assert.deepEqual(mix.params.layers, {});
  assert.equal(mix.params.background, "black");
  mix.setLayer("layer_2", { x: -5, zorder: 9 });
  mix.setLayer("layer_2", { opacity: 0.25 });
  assert.deepEqual(mix.params.layers, { layer_2: { x: -5, zorder: 9, opacity: 0.25 } });
});

Deno.test("Compositor fails with SL_CAPS_MISMATCH on a layer frame that is not RGBA or BGRA", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new Compositor({ width: 4, height: 4, fps: 25 }), { name: "mix" });
  const i420 = createVideoFrame({ format: "I420", codedWidth: 4, codedHeight: 4, duration: 1 });
  pipeline.add(new Replay([i420]), { name: "src" });
  pipeline.connect("src.out", "mix.layer_0");
  await assert.rejects(
    pipeline.run(),
    (e) => isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_CAPS_MISMATCH"),
  );
});

Deno.test("Compositor stops the thread that prepares its output buffers when the pipeline ends", async () => {
  const made: Worker[] = [];
  const terminated = new Set<Worker>();
  const Real = globalThis.Worker;
  globalThis.Worker = class extends Real {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      made.push(this);
    }
    override terminate(): void {
      terminated.add(this);
      super.terminate();
    }
  };
  try {
    // 640×480 RGBA is over a megabyte: large enough for prepared buffers.
    const frames = [0, 1, 2].map((n) => solid(640, 480, [10, 20, 30, 255], n));
    const out = await composite({ width: 640, height: 480, fps: 25 }, [frames]);
    assert.equal(out.length, 3);
    assert.deepEqual(pixel(out[2]!, 639, 479), [10, 20, 30, 255]);
    assert.equal(new Set(out.map((frame) => frame.data.buffer)).size, 3);
  } finally {
    globalThis.Worker = Real;
  }
  assert.equal(made.length, 1);
  assert.ok(made.every((worker) => terminated.has(worker)));
});
