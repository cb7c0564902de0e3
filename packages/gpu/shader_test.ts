import assert from "node:assert/strict";
import {
  type DataMessage,
  type GpuVideoFrame,
  isStreamlibError,
  Pipeline,
  type StreamlibError,
  type VideoFrame,
} from "@streamlib/core";
import { Shader } from "./shader.ts";
import { downloadFrame, uploadFrame } from "./transfer_frames.ts";
import type { Gpu } from "./device.ts";
import { gpuTest, randomFrame } from "./_testing.ts";

const SIGNATURE = "fn effect(color: vec4f, at: vec2i, size: vec2i, time: f32) -> vec4f";

/** A shader running in a pipeline, fed and read by hand. */
interface Running {
  readonly pipeline: Pipeline;
  readonly errors: ReadableStreamDefaultReader<DataMessage>;
  frame(cpu: VideoFrame): Promise<VideoFrame>;
  end(): Promise<void>;
}

/** A shader in a live pipeline fed and read through Web Streams, frames by hand. */
async function running(gpu: Gpu, shader: Shader): Promise<Running> {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(shader, { name: "fx" });
  const writer = pipeline.writable<GpuVideoFrame>("fx.in").getWriter();
  const reader = pipeline.readable<GpuVideoFrame>("fx.out").getReader();
  const errors = pipeline.readable<DataMessage>("fx.errors").getReader();
  await pipeline.start();
  return {
    pipeline,
    errors,
    async frame(cpu: VideoFrame): Promise<VideoFrame> {
      await writer.write(uploadFrame(gpu, cpu));
      const { value } = await reader.read();
      return await downloadFrame(gpu, value!);
    },
    async end(): Promise<void> {
      await writer.close();
      await pipeline.done;
    },
  };
}

gpuTest(
  "shader runs the user's effect on every pixel with its uniforms, in RGBA order for BGRA frames too",
  async (gpu) => {
    const code = `${SIGNATURE} {\n  return vec4f(1.0 - color.rgb * params.amount, color.a);\n}`;
    const run = await running(gpu, new Shader({ code, uniforms: { amount: 1 } }));
    for (const format of ["RGBA", "BGRA"] as const) {
      const input = randomFrame(format, 33, 17, 1);
      const out = await run.frame(input);
      const alpha = (i: number): boolean => i % 4 === 3;
      assert.ok(out.data.every((v, i) => v === (alpha(i) ? input.data[i]! : 255 - input.data[i]!)));
    }
    await run.end();
  },
);

gpuTest(
  "shader gives effect() the position, size and time, and pixel() reads the input anywhere",
  async (gpu) => {
    const code = `${SIGNATURE} {
  let left = pixel(at - vec2i(1, 0));
  return vec4f(f32(at.x) / 255.0, f32(size.y) / 255.0, time, left.r);
}`;
    const run = await running(gpu, new Shader({ code }));
    const input = randomFrame("RGBA", 9, 7, 2); // timestamp 80 ms
    const out = await run.frame({ ...input, timestamp: 200_000 });
    for (const [x, y] of [[0, 0], [5, 3], [8, 6]] as const) {
      const at = (y * 9 + x) * 4;
      const left = (y * 9 + Math.max(0, x - 1)) * 4;
      assert.deepEqual([...out.data.subarray(at, at + 4)], [x, 7, 51, input.data[left]]);
    }
    await run.end();
  },
);

gpuTest(
  "A shader that does not compile fails start() with SL_SHADER_COMPILE at the user's line and column",
  async () => {
    const code = `// brighten\n${SIGNATURE} {\n  return color * 1.5 +;\n}`;
    const pipeline = new Pipeline({ mode: "offline" });
    pipeline.add(new Shader({ code }), { name: "fx" });
    const error = await pipeline.start().then(() => undefined, (e: unknown) => e);
    const cause = (error as { cause?: unknown }).cause;
    assert.ok(isStreamlibError(cause, "SL_SHADER_COMPILE"), String(error));
    assert.equal(cause.details.line, 3);
    assert.equal(cause.details.column, 23);
    assert.match(cause.message, /line 3, column 23: .*\n {2} {2}return color \* 1\.5 \+;\n {24}\^/);
  },
);

/** The coded cause of a pipeline whose only actor is a shader with `code`, failing start(). */
async function startError(code: string): Promise<StreamlibError> {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new Shader({ code }), { name: "fx" });
  const error = await pipeline.start().then(() => undefined, (e: unknown) => e);
  const cause = (error as { cause?: unknown }).cause;
  assert.ok(isStreamlibError(cause), String(error));
  return cause;
}

gpuTest(
  "A shader that ends before its last brace is SL_SHADER_COMPILE at the end of the user's code, not SL_SHADER_ENTRY",
  async () => {
    const error = await startError(`${SIGNATURE} {\n  let c = color * 0.5;\n  return c;\n`);
    assert.equal(error.code, "SL_SHADER_COMPILE", error.message);
    assert.equal(error.details.line, 3);
    assert.match(error.message, /line 3, column 12: .*"\}"/);
    assert.doesNotMatch(error.message, /sl_main|@compute|diagnostic/); // nothing of the wrapper
  },
);

gpuTest(
  "A shader compile error quotes only the user's code, even when the parser quotes past its end",
  async () => {
    const error = await startError(`${SIGNATURE} {\n  /* return color;\n}`);
    assert.equal(error.code, "SL_SHADER_COMPILE", error.message);
    assert.equal(error.details.line, 2);
    assert.doesNotMatch(error.message, /sl_main|@compute|textureStore/);
  },
);

gpuTest("The caret under a compile error lines up under tab-indented code", async () => {
  const error = await startError(`${SIGNATURE} {\n\treturn vec4f(color.rgb k, 1.0);\n}`);
  assert.equal(error.details.column, 25);
  assert.match(error.message, /\n {2}\treturn vec4f\(color\.rgb k, 1\.0\);\n {2}\t {23}\^$/);
});

gpuTest(
  "A shader without a fitting effect() fails with SL_SHADER_ENTRY naming the signature",
  async (gpu) => {
    for (
      const code of [
        "fn other(c: vec4f) -> vec4f { return c; }",
        "fn effect(c: vec4f) -> vec4f { return c; }",
      ]
    ) {
      const shader = new Shader({ code });
      const pipeline = new Pipeline({ mode: "offline" });
      pipeline.add(shader);
      const error = await pipeline.start().then(() => undefined, (e: unknown) => e);
      const cause = (error as { cause?: unknown }).cause;
      assert.ok(isStreamlibError(cause, "SL_SHADER_ENTRY"), String(error));
      assert.ok(cause.message.includes(SIGNATURE));
      assert.doesNotMatch(cause.message, /Shader validation error|sl_main/); // the wrapper's
    }
    void gpu;
  },
);

gpuTest(
  "A shader changed live keeps running the last good one when the new one does not compile",
  async (gpu) => {
    const keep = `${SIGNATURE} { return vec4f(color.rgb, 1.0); }`;
    const shader = new Shader({ code: keep });
    const run = await running(gpu, shader);
    const input = randomFrame("RGBA", 8, 8, 3);
    assert.ok(
      (await run.frame(input)).data.every((v, i) => v === (i % 4 === 3 ? 255 : input.data[i])),
    );
    shader.setParams({ code: `${SIGNATURE} {\n  return vec4f(colour.rgb, 0.0);\n}` });
    await assert.rejects(shader.compiled(), { code: "SL_SHADER_COMPILE" });
    const { value: report } = await run.errors.read();
    assert.deepEqual([report!.topic, (report!.value as { line: number }).line], ["error", 2]);
    assert.ok(
      (await run.frame(input)).data.every((v, i) => v === (i % 4 === 3 ? 255 : input.data[i])),
    );
    shader.setParams({
      code: `${SIGNATURE} { return vec4f(0.0, 0.0, 0.0, params.a); }`,
      uniforms: { a: 0.5 },
    });
    await shader.compiled();
    assert.ok((await run.frame(input)).data.every((v, i) => v === (i % 4 === 3 ? 128 : 0)));
    shader.setParams({ uniforms: { a: 1 } }); // a value only: no compile
    assert.ok((await run.frame(input)).data.every((v, i) => v === (i % 4 === 3 ? 255 : 0)));
    await run.end();
  },
);

gpuTest(
  "Two live changes in a row, good then bad: the good one runs, as the last good shader",
  async (gpu) => {
    const shader = new Shader({ code: `${SIGNATURE} { return vec4f(color.rgb, 1.0); }` });
    const run = await running(gpu, shader);
    const input = randomFrame("RGBA", 8, 8, 5);
    shader.setParams({ code: `${SIGNATURE} { return vec4f(0.0, 1.0, 0.0, 1.0); }` }); // good
    const good = shader.compiled();
    shader.setParams({ code: `${SIGNATURE} {\n  return vec4f(colour.rgb, 0.0);\n}` }); // bad
    await good;
    await assert.rejects(shader.compiled(), { code: "SL_SHADER_COMPILE" });
    await run.errors.read();
    const out = await run.frame(input);
    assert.ok(out.data.every((v, i) => v === [0, 255, 0, 255][i % 4]), "the good change runs");
    await run.end();
  },
);

gpuTest(
  "shader reads its code from location, and a missing file is SL_FILE_NOT_FOUND",
  async (gpu) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/red.wgsl`,
        `${SIGNATURE} { return vec4f(1.0, 0.0, 0.0, 1.0); }\n`,
      );
      const run = await running(gpu, new Shader({ location: `${dir}/red.wgsl` }));
      const out = await run.frame(randomFrame("BGRA", 4, 4, 4));
      assert.ok(out.data.every((v, i) => v === [0, 0, 255, 255][i % 4])); // red, in BGRA
      await run.end();
      const pipeline = new Pipeline({ mode: "offline" });
      pipeline.add(new Shader({ location: `${dir}/none.wgsl` }));
      const error = await pipeline.start().then(() => undefined, (e: unknown) => e);
      assert.ok(isStreamlibError((error as { cause?: unknown }).cause, "SL_FILE_NOT_FOUND"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
