import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Collect,
  type DataMessage,
  isStreamlibError,
  ManualClock,
  Pipeline,
  type VideoFrame,
} from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { Draw, type DrawErrorEvent, type DrawFunction } from "./draw.ts";

const SKIA_FLAGS = "--allow-ffi --allow-env=NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI," +
  "DISABLE_SYSTEM_FONTS_LOAD --allow-sys=homedir --allow-read=/usr/bin/ldd";

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** Skia (a native library) loads only with these permissions. */
const skia = needs(
  "the permissions that load Skia",
  granted({ name: "ffi" }) && granted({ name: "sys", kind: "homedir" }) &&
    granted({ name: "read", path: "/usr/bin/ldd" }) &&
    ["NAPI_RS_NATIVE_LIBRARY_PATH", "NAPI_RS_FORCE_WASI", "DISABLE_SYSTEM_FONTS_LOAD"]
      .every((variable) => granted({ name: "env", variable })),
  `deno test ${SKIA_FLAGS} …`,
);

const testdata = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);

/** 1-based line and column of the first occurrence of `text` in a file. */
async function locate(url: URL, text: string): Promise<{ line: number; column: number }> {
  const lines = (await Deno.readTextFile(url)).split("\n");
  const line = lines.findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} not found in ${url}`);
  return { line: line + 1, column: lines[line]!.indexOf(text) + 1 };
}

/** Runs `draw` offline; returns its frames and its error events. */
async function run(
  draw: Draw,
  also: (pipeline: Pipeline) => void = () => {},
): Promise<{ frames: VideoFrame[]; errors: DrawErrorEvent[] }> {
  const pipeline = new Pipeline({ mode: "offline" });
  also(pipeline);
  pipeline.add(draw, { name: "d" });
  const frames = pipeline.add(new Collect<VideoFrame>());
  const errors = pipeline.add(new Collect<DataMessage<DrawErrorEvent>>());
  pipeline.connect("d.out", frames.inputs.in);
  pipeline.connect("d.errors", errors.inputs.in);
  const result = await pipeline.run();
  assert.equal(result.status, "eos");
  return { frames: frames.messages, errors: errors.messages.map((m) => m.value) };
}

function pixel(frame: VideoFrame, x: number, y: number): number[] {
  const at = frame.layout[0]!.offset + y * frame.layout[0]!.stride + x * 4;
  return [...frame.data.subarray(at, at + 4)];
}

const RED = [255, 0, 0, 255];
const CLEAR = [0, 0, 0, 0];
const WHITE = [255, 255, 255, 255];

Deno.test(skia({
  name: "Draw outputs what a draw module draws, placed by vars and time",
  fn: async () => {
    // A relative path (from the working directory) and a URL name the same module.
    for (
      const module of [
        relative(Deno.cwd(), fileURLToPath(testdata("rect.ts"))),
        testdata("rect.ts").href,
      ]
    ) {
      const draw = new Draw({
        width: 16,
        height: 12,
        fps: 10,
        frames: 3,
        module,
        vars: { x: 2, y: 3, size: 4, speed: 10 },
      });
      const { frames, errors } = await run(draw);
      assert.equal(errors.length, 0);
      assert.deepEqual(frames.map((f) => f.timestamp), [0, 100_000, 200_000]);
      assert.deepEqual(frames.map((f) => f.position), [0, 1, 2]);
      frames.forEach((frame, n) => {
        assert.equal(frame.format, "RGBA");
        assert.equal(frame.codedWidth, 16);
        assert.equal(frame.codedHeight, 12);
        assert.equal(frame.data.length, 16 * 12 * 4);
        const x = 2 + n; // moves 10 px/s: 1 px a frame
        assert.deepEqual(pixel(frame, x, 3), RED, `frame ${n}`);
        assert.deepEqual(pixel(frame, x + 3, 6), RED);
        assert.deepEqual(pixel(frame, x - 1, 3), CLEAR);
        assert.deepEqual(pixel(frame, x + 4, 3), CLEAR);
        assert.deepEqual(pixel(frame, x, 7), CLEAR);
      });
      assert.notEqual(frames[0]!.data.buffer, frames[1]!.data.buffer);
      assert.deepEqual(draw.progress(), { done: 3, total: 3 });
    }
  },
}));

Deno.test(skia({
  name: "Draw applies vars and a new size changed with setParams() while running",
  fn: async () => {
    const clock = new ManualClock();
    const pipeline = new Pipeline({ clock });
    const draw = pipeline.add(
      new Draw({
        width: 8,
        height: 8,
        fps: 10,
        module: testdata("rect.ts").href,
        vars: { x: 1, size: 2 },
      }),
      { name: "d" },
    );
    const sink = pipeline.add(new Collect<VideoFrame>());
    pipeline.connect("d.out", sink.inputs.in);
    await pipeline.start();
    await clock.advance(150_000); // frames 0 and 1
    draw.setParams({ vars: { x: 4, size: 2, color: "#00ff00" } });
    await clock.advance(100_000); // frame 2
    draw.setParams({ width: 10 });
    await clock.advance(100_000); // frame 3
    await pipeline.stop();
    const frames = sink.messages;
    assert.equal(frames.length, 4);
    for (const frame of frames.slice(0, 2)) {
      assert.deepEqual(pixel(frame, 1, 0), RED);
      assert.deepEqual(pixel(frame, 4, 0), CLEAR);
    }
    for (const frame of frames.slice(2)) {
      assert.deepEqual(pixel(frame, 1, 0), CLEAR);
      assert.deepEqual(pixel(frame, 4, 0), [0, 255, 0, 255]);
    }
    assert.deepEqual(frames.map((f) => f.codedWidth), [8, 8, 8, 10]);
  },
}));

Deno.test(skia({
  name: "Draw takes a draw function given in code, sync or async, with frame info",
  fn: async () => {
    const seen: string[] = [];
    const sync: DrawFunction = (ctx, info) => {
      seen.push(
        `${info.frame} ${info.time} ${info.timestamp} ${info.width}×${info.height}@${info.fps}`,
      );
      ctx.fillStyle = "rgba(0, 0, 255, 0.5)"; // straight alpha survives the read-back
      ctx.fillRect(0, 0, 1, 1);
    };
    const { frames } = await run(
      new Draw({ width: 4, height: 2, fps: 25, frames: 2 }, { draw: sync }),
    );
    assert.deepEqual(seen, ["0 0 0 4×2@25", "1 0.04 40000 4×2@25"]);
    const [r, g, b, a] = pixel(frames[1]!, 0, 0);
    assert.deepEqual([r, g, b], [0, 0, 255]);
    assert.ok(Math.abs(a! - 128) <= 1, `alpha ${a}`);

    const later: DrawFunction = async (ctx, info) => {
      await Promise.resolve();
      ctx.fillStyle = "white";
      ctx.fillRect(info.frame, 0, 1, 1);
    };
    const drawn = await run(new Draw({ width: 4, height: 2, frames: 3 }, { draw: later }));
    assert.deepEqual(drawn.frames.map((f) => pixel(f, f.position, 0)), [WHITE, WHITE, WHITE]);
  },
}));

Deno.test(skia({
  name: "Draw ends after duration seconds or frames, whichever comes first",
  fn: async () => {
    const draw: DrawFunction = () => {};
    const count = async (params: ConstructorParameters<typeof Draw>[0]) =>
      (await run(new Draw({ width: 2, height: 2, fps: 10, ...params }, { draw }))).frames.length;
    assert.equal(await count({ duration: 0.25 }), 3);
    assert.equal(await count({ duration: 0.3 }), 3);
    assert.equal(await count({ duration: 1, frames: 4 }), 4);
    assert.equal(await count({ duration: 0.2, frames: 4 }), 2);
  },
}));

Deno.test(skia({
  name: "A draw module that throws yields transparent frames and errors with its line, and goes on",
  fn: async () => {
    const url = testdata("throws.ts");
    const where = await locate(url, "new RangeError");
    const draw = new Draw({
      width: 4,
      height: 4,
      frames: 5,
      module: url.href,
      vars: { fail: [1, 3] },
    });
    const logs: string[] = [];
    const { frames, errors } = await run(
      draw,
      (pipeline) => pipeline.bus.on("log", (event) => logs.push(event.text)),
    );
    // The log (which streamlib run prints) has the first, where it was thrown.
    assert.deepEqual(logs, [
      `the draw function threw on frame 1 at ${url.href}:${where.line}:${where.column}: ` +
      "frame 1 is cursed (a transparent frame went out; errors go out on the errors output)",
    ]);
    assert.equal(frames.length, 5);
    frames.forEach((frame, n) => {
      const expected = n === 1 || n === 3 ? CLEAR : WHITE;
      for (const [x, y] of [[0, 0], [3, 3], [1, 2]] as const) {
        assert.deepEqual(pixel(frame, x, y), expected, `frame ${n}`);
      }
    });
    assert.deepEqual(
      errors,
      [1, 3].map((frame) => ({
        message: `frame ${frame} is cursed`,
        file: url.href,
        ...where,
        frame,
      })),
    );
  },
}));

Deno.test(skia({
  name: "A draw function in code that throws or rejects yields transparent frames and its line",
  fn: async () => {
    const draw: DrawFunction = async (ctx, { frame }) => {
      ctx.fillStyle = "white";
      ctx.fillRect(0, 0, 2, 2);
      if (frame === 0) throw new Error("inline sync boom");
      await Promise.resolve();
      if (frame === 2) throw new Error("inline async boom");
    };
    const { frames, errors } = await run(new Draw({ width: 2, height: 2, frames: 4 }, { draw }));
    assert.deepEqual(frames.map((f) => pixel(f, 1, 1)), [CLEAR, WHITE, CLEAR, WHITE]);
    const here = new URL(import.meta.url);
    assert.deepEqual(errors, [
      {
        message: "inline sync boom",
        file: here.href,
        ...await locate(here, 'new Error("inline sync'),
        frame: 0,
      },
      {
        message: "inline async boom",
        file: here.href,
        ...await locate(here, 'new Error("inline async'),
        frame: 2,
      },
    ]);
    const strings = await run(
      new Draw({ width: 2, height: 2, frames: 1 }, {
        // A rejected promise with no Error in it (what a `throw "…"` gives, too).
        draw: () => Promise.reject("not an Error"),
      }),
    );
    assert.deepEqual(strings.errors, [
      { message: "not an Error", file: undefined, line: undefined, column: undefined, frame: 0 },
    ]);
  },
}));

Deno.test(skia({
  name: "Draw fails to start with SL_DRAW_MODULE when the module is missing or exports no function",
  fn: async () => {
    await assert.rejects(
      new Draw({ module: "testdata/nowhere.js" }).start(),
      (e) => isStreamlibError(e, "SL_DRAW_MODULE") && /"testdata\/nowhere\.js"/.test(e.message),
    );
    await assert.rejects(
      new Draw({ module: testdata("no_draw.js").href }).start(),
      (e) => isStreamlibError(e, "SL_DRAW_MODULE") && /exports: width\)/.test(e.message),
    );
    // In a pipeline, start() and done reject with the failure as the cause.
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.add(new Draw({ module: "testdata/nowhere.js" }), { name: "d" });
    pipeline.connect("d.out", pipeline.add(new Collect()).inputs.in);
    await assert.rejects(
      pipeline.start(),
      (e) => isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_DRAW_MODULE"),
    );
  },
}));

Deno.test("Draw without a module or a draw function, or with both, fails to start with SL_PARAM_INVALID", async () => {
  await assert.rejects(new Draw().start(), (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  await assert.rejects(
    new Draw({ module: "scene.js" }, { draw: () => {} }).start(),
    /give one of them/,
  );
  assert.throws(
    () => new Draw({}, { draw: "fillRect" as unknown as DrawFunction }),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});

Deno.test("Draw starts with exactly the permissions its manifest entry lists, and says which without", async () => {
  const script = fileURLToPath(testdata("start_without_skia.ts"));
  const startWith = async (flags: string[]): Promise<string> => {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, script],
      cwd: fileURLToPath(new URL("../../", import.meta.url)),
      stderr: "inherit",
    }).output();
    return new TextDecoder().decode(stdout);
  };
  assert.equal(await startWith(SKIA_FLAGS.split(" ")), "started");
  const without = await startWith([]);
  assert.match(without, /^SL_DRAW_CANVAS: Could not load Skia/);
  assert.ok(without.includes(SKIA_FLAGS), without);
});
