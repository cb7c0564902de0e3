import assert from "node:assert/strict";
import { Collect, createVideoFrame, Pipeline, type VideoFrame } from "@streamlib/core";
import { _Blender, type _BlendLayer } from "./_blend.ts";
import { _SplitBlender } from "./_blend_split.ts";
import { Compositor, type CompositorLayer } from "./compositor.ts";
import { Replay } from "./_testing.ts";

/** Seeded LCG, so a failing trial can be repeated. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor(s / 4294967296 * n);
  };
}

function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

/** Waits until the helper thread takes work, at most `ms`. */
async function ready(split: _SplitBlender, ms = 20_000): Promise<void> {
  const until = performance.now() + ms;
  while (!split.ready) {
    if (performance.now() > until) assert.fail("the helper thread did not start");
    await new Promise((done) => setTimeout(done, 5));
  }
}

function assertNear(got: Uint8Array, want: Uint8Array, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    if (Math.abs(got[i]! - want[i]!) > 1) {
      assert.fail(`${what}: byte ${i} (pixel ${i >> 2}) is ${got[i]}, one thread gave ${want[i]}`);
    }
  }
}

Deno.test("a blend split across two threads equals the one-thread blend for random layers", async () => {
  const int = random(2024);
  using split = new _SplitBlender(new _Blender());
  assert.equal(split.wants(1 << 20), true);
  await ready(split);
  const one = new _Blender();
  const trials = 6;
  for (let trial = 0; trial < trials; trial++) {
    // Odd sizes of at least a megabyte, so that the frame is split.
    const width = 601 + 2 * int(50);
    const height = 451 + 2 * int(40);
    const layers: _BlendLayer[] = [];
    for (let i = 0, count = 1 + int(5); i < count; i++) {
      const w = 1 + int(width + 40);
      const h = 1 + int(height + 40);
      const pad = int(3) * 4; // rows wider than the layer
      const offset = int(2) * 4;
      const data = sharedBytes(offset + h * (w * 4 + pad));
      for (let k = 0; k < data.length; k++) data[k] = int(256);
      if (int(3) === 0) { for (let k = offset + 3; k < data.length; k += 4) data[k] = 255; }
      layers.push({
        data,
        offset,
        stride: w * 4 + pad,
        width: w,
        height: h,
        x: int(width + 40) - 40 - (i === 0 ? 0 : int(w)),
        y: int(height + 40) - 40 - (i === 0 ? 0 : int(h)),
        opacity: int(4) === 0 ? 1 : int(1001) / 1000,
        swap: int(2) === 0,
      });
    }
    const background: [number, number, number, number] = [
      [0, 0, 0, 255],
      [0x33, 0x66, 0x99, 255],
      [0, 0, 0, 0],
      [255, 0, 0, 128],
    ][trial % 4] as [number, number, number, number];
    const want = new Uint8Array(width * height * 4);
    one.blend(want, width, height, background, layers);
    const got = new Uint8Array(width * height * 4);
    got.fill(7); // every byte must be written
    split.blend(got, width, height, background, layers);
    assertNear(got, want, `trial ${trial} (${width}×${height}, ${layers.length} layers)`);
  }
  assert.equal(split.split, trials, "every frame was split");
});

Deno.test("a blend of layers not in shared memory, or a small one, stays on this thread", async () => {
  using split = new _SplitBlender(new _Blender());
  split.wants(1 << 20);
  await ready(split);
  const layer = (data: Uint8Array, width: number, height: number): _BlendLayer => ({
    data,
    offset: 0,
    stride: width * 4,
    width,
    height,
    x: 0,
    y: 0,
    opacity: 0.5,
    swap: false,
  });
  const plain = new Uint8Array(640 * 480 * 4).fill(200);
  const out = new Uint8Array(640 * 480 * 4);
  split.blend(out, 640, 480, [0, 0, 0, 255], [layer(plain, 640, 480)]);
  assert.deepEqual([...out.subarray(0, 4)], [78, 78, 78, 255]); // α = 200 / 255 × 0.5
  const small = sharedBytes(64 * 48 * 4).fill(200);
  split.blend(new Uint8Array(64 * 48 * 4), 64, 48, [0, 0, 0, 255], [layer(small, 64, 48)]);
  assert.equal(split.split, 0);
  assert.equal(split.wants(1000), false, "small frames are not worth a second thread");
});

Deno.test("Compositor threads=2 draws the same with layers in shared memory (z-order, hidden layers, offsets) and ends its helper", async () => {
  const int = random(77);
  const made: Array<{ worker: Worker; name: string | undefined }> = [];
  const terminated = new Set<Worker>();
  const Real = globalThis.Worker;
  globalThis.Worker = class extends Real {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      made.push({ worker: this, name: options?.name });
    }
    override terminate(): void {
      terminated.add(this);
      super.terminate();
    }
  };
  try {
    const width = 641;
    const height = 479;
    const sizes = [[641, 479], [333, 211], [517, 401], [97, 55]] as const;
    const contents = sizes.map(([w, h]) => {
      const bytes = new Uint8Array(w * h * 4);
      for (let k = 0; k < bytes.length; k++) bytes[k] = int(256);
      return bytes;
    });
    const layers: Record<string, CompositorLayer> = {
      layer_0: { zorder: 0 },
      layer_1: { x: -31, y: 250, opacity: 0.7, zorder: 3 },
      layer_2: { x: 200, y: -17, opacity: 0.45, zorder: 2 },
      layer_3: { x: 600, y: 440, visible: false },
    };
    const run = async (shared: boolean, threads: number): Promise<VideoFrame[]> => {
      const pipeline = new Pipeline({ mode: "offline" });
      const mix = pipeline.add(new Compositor({ width, height, fps: 25, layers, threads }), {
        name: "mix",
      });
      const sink = pipeline.add(new Collect<VideoFrame>());
      sizes.forEach(([w, h], i) => {
        const frames = [0, 1, 2, 3, 4, 5].map((n) => {
          const data = shared ? sharedBytes(w * h * 4) : new Uint8Array(w * h * 4);
          data.set(contents[i]!);
          return createVideoFrame({
            format: i === 2 ? "BGRA" : "RGBA",
            codedWidth: w,
            codedHeight: h,
            data,
            timestamp: n * 40_000,
            duration: 40_000,
            position: n,
          });
        });
        pipeline.add(new Replay(frames), { name: `src${i}` });
        pipeline.connect(`src${i}.out`, `mix.layer_${i}`);
      });
      pipeline.connect(mix.outputs.out, sink.inputs.in);
      await pipeline.run();
      return sink.messages;
    };
    const alone = await run(false, 2);
    const shared = await run(true, 2);
    const sharedOneThread = await run(true, 1);
    assert.equal(shared.length, alone.length);
    assert.equal(sharedOneThread.length, alone.length);
    sharedOneThread.forEach((frame, i) => assertNear(frame.data, alone[i]!.data, `frame ${i}`));
    shared.forEach((frame, i) => assertNear(frame.data, alone[i]!.data, `frame ${i}`));
  } finally {
    globalThis.Worker = Real;
  }
  const helpers = made.filter((made) => made.name === "streamlib-compositor-helper");
  assert.equal(helpers.length, 1, "a helper thread was started for shared layers and threads=2");
  assert.ok(made.every(({ worker }) => terminated.has(worker)), "every thread it started ended");
});

Deno.test("Without read access to its code (as under streamlib run), the helper is not started and says why", async () => {
  const module = JSON.stringify(import.meta.resolve("./_blend_split.ts"));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--no-prompt", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(
    `import { _SplitBlender } from ${module};
const split = new _SplitBlender();
console.log(split.wants(1 << 21), split.ready, split.unavailable);`,
  ));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  assert.match(
    new TextDecoder().decode(stdout),
    /^false false the helper Worker needs read access to .*_blend_split_worker\.ts\n$/,
  );
  assert.doesNotMatch(err, /Uncaught/);
});
