import {
  Actor,
  type Contract,
  createDataMessage,
  type GpuVideoFrame,
  isStreamlibError,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { type Gpu, requestGpu } from "./device.ts";
import { createGpuFrame, frameTexture } from "./gpu_frame.ts";
import { _block, _dispatch, _submit, _uniform } from "./_kernel.ts";
import {
  _compileError,
  type _Layout,
  _layout,
  _sameLayout,
  _SIGNATURE,
  _values,
  _wrap,
} from "./_shader_source.ts";
import { _stale, _timing } from "./_frames.ts";
import "./transfers.ts";

/**
 * The contract of {@linkcode Shader}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shaderContract } from "@streamlib/gpu";
 * assert.ok(shaderContract.params.code.default === "");
 * ```
 */
export const shaderContract = {
  type: "shader",
  description: "Runs your WGSL function on every pixel, on the GPU: fn effect(color, at, size, " +
    "time) -> vec4f",
  classification: "Filter/Effect/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA"], capabilities: ["gpu"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA"],
      capabilities: ["gpu"],
      description: "What effect() returns for each pixel, in the input's format, in GPU memory",
    },
    errors: {
      kind: "data",
      formats: ["error"],
      description: "{ code, message, line, column } when a shader changed while running does " +
        "not compile (the last good one keeps running)",
    },
  },
  params: {
    code: {
      type: "string",
      default: "",
      description: `WGSL defining ${_SIGNATURE}; color and the result are RGBA in 0…1`,
    },
    location: {
      type: "string",
      default: "",
      description: "A .wgsl file to read the code from, instead of code",
    },
    uniforms: {
      type: "object",
      default: {},
      additionalProperties: true,
      description: "Values the code reads as params.<name>: a number (f32) or 2 to 4 numbers " +
        "(vec2f to vec4f); change them while running",
    },
  },
  permissions: {
    read: { reason: "Reads the WGSL file that location names", params: ["location"] },
  },
} as const satisfies Contract;

/** A compiled shader and the uniform layout it was compiled for. */
interface _Program {
  readonly pipeline: GPUComputePipeline;
  readonly layout: _Layout;
}

/**
 * Runs a user's WGSL function on every pixel, as a compute pass on the GPU:
 *
 * ```wgsl
 * fn effect(color: vec4f, at: vec2i, size: vec2i, time: f32) -> vec4f
 * ```
 *
 * `color` is the input pixel at `at` as RGBA in 0…1 (straight alpha; BGRA frames are swapped
 * on the way in and out), `size` the picture's, `time` the frame's timestamp in seconds; the
 * result is clamped to 0…1 and rounded to bytes. The code may define helpers, read any input
 * pixel with `pixel(at: vec2i) -> vec4f` (clamped at the edges) and read `params.<name>`, the
 * `uniforms` parameter (`{"strength": 0.5, "tint": [1, 0.8, 0.6]}`: numbers as `f32`, arrays of
 * 2 to 4 as `vec2f` to `vec4f`). Names starting with `sl_`, `SlFrame`, `Params`, `params` and
 * `pixel` are taken.
 *
 * The code comes from `code`, or from the file `location` (read with `--allow-read` of that
 * file alone). A shader that does not compile fails `start()` with `SL_SHADER_COMPILE`, pointing
 * at the line and column of the user's code with the line and a caret; one without a fitting
 * `effect` with `SL_SHADER_ENTRY`. Changing `code`, `location` or the uniforms' names or types
 * while running compiles the new shader in the background: once it compiles it replaces the old
 * one; if it does not, the old one keeps running, the error goes out on the `errors` output (and
 * in the actor's log), and {@linkcode Shader.compiled} rejects with it. Uniform values change
 * from the next frame, without compiling.
 *
 * ```text
 * videotestsrc ! shader location=vignette.wgsl uniforms={"strength":0.6} ! filesink location=out.mp4
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Shader } from "@streamlib/gpu";
 * const invert = new Shader({
 *   code: "fn effect(color: vec4f, at: vec2i, size: vec2i, time: f32) -> vec4f {\n" +
 *     "  return vec4f(1.0 - color.rgb * params.amount, color.a);\n}",
 *   uniforms: { amount: 1 },
 * });
 * assert.ok(invert.params.uniforms.amount === 1);
 * ```
 */
export class Shader extends Actor<typeof shaderContract> {
  /** Ports and parameters. */
  static override contract: typeof shaderContract = shaderContract;
  #gpu: Gpu | undefined;
  #program: _Program | undefined;
  /** The latest compile asked for (settles when it is done). */
  #compiling: Promise<void> = Promise.resolve();
  /** Counts compiles: a compiled shader replaces the running one only if asked for later. */
  #generation = 0;
  /** The generation of the running shader. */
  #running = 0;
  /** When the last frame was: stamps error messages. */
  #lastTimestamp = 0;

  /** Gets the shared GPU, reads `location` when set, and compiles (throws what fails). */
  override async start(): Promise<void> {
    this.#gpu = await requestGpu();
    this.#program = undefined;
    const generation = ++this.#generation;
    this.#program = await this.#compile(generation);
    this.#running = generation;
    this.#compiling = Promise.resolve();
  }

  /** Drops the compiled shader. */
  override stop(): void {
    this.#program = undefined;
    this.#generation++;
  }

  /**
   * Compiles again when the code, its file or the uniforms' names and types changed.
   *
   * @param changed The parameters that changed.
   */
  override paramsChanged(changed: readonly string[]): void {
    if (this.#program === undefined) return;
    const relayout = changed.includes("uniforms") && !this.#sameUniforms();
    if (!changed.includes("code") && !changed.includes("location") && !relayout) return;
    const generation = ++this.#generation;
    this.#compiling = this.#compile(generation).then(
      (program) => {
        // The newest change that compiles runs: a later one that fails leaves it running.
        if (generation > this.#running && this.#program !== undefined) {
          this.#program = program;
          this.#running = generation;
        }
      },
      (error) => {
        if (generation !== this.#generation) return;
        this.#report(error);
        throw error;
      },
    );
    this.#compiling.catch(() => {});
  }

  /**
   * Settles when the latest change of the shader has been compiled: resolves once it runs,
   * rejects with its `SL_SHADER_COMPILE` (or `SL_SHADER_ENTRY`, `SL_PARAM_INVALID`,
   * `SL_FILE_NOT_FOUND`) error when it did not compile and the previous shader still runs.
   *
   * @returns A promise.
   */
  compiled(): Promise<void> {
    return this.#compiling;
  }

  /**
   * Runs the shader on one frame and writes the result.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const gpu = this.#gpu!;
    gpu.check(this.name);
    if (_stale(frame, gpu)) return;
    this.#lastTimestamp = frame.timestamp;
    this.outputs.out.write(this.#run(gpu, this.#program!, frame));
  }

  #run(gpu: Gpu, program: _Program, frame: GpuVideoFrame): GpuVideoFrame {
    const src = frameTexture(frame, gpu);
    const { codedWidth: width, codedHeight: height } = frame;
    const out = createGpuFrame(gpu, {
      format: frame.format,
      codedWidth: width,
      codedHeight: height,
      ..._timing(frame),
    });
    const frameBlock = _block([width, height], [frame.timestamp / 1e6, 0]);
    frameBlock[3] = frame.format === "BGRA" ? 1 : 0;
    _submit(gpu, this.name, (pass) => {
      const resources: GPUBindingResource[] = [
        _uniform(gpu, frameBlock),
        src.createView(),
        frameTexture(out).createView(),
      ];
      if (program.layout.fields.length !== 0) {
        resources.push(_uniform(gpu, _values(program.layout, this.params.uniforms)));
      }
      _dispatch(gpu, pass, program.pipeline, resources, width, height);
    });
    return out;
  }

  #sameUniforms(): boolean {
    try {
      return _sameLayout(_layout(this.params.uniforms), this.#program!.layout);
    } catch {
      return false; // a bad value: compiling says what is wrong
    }
  }

  /** Reads the code, wraps it, compiles it; throws a coded error. */
  async #compile(generation: number): Promise<_Program> {
    const { code, location } = this.params;
    if (code !== "" && location !== "") {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"${this.name}" has both code and location=${JSON.stringify(location)}: give one of them`,
      );
    }
    if (code === "" && location === "") {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"${this.name}" has no shader: set code= to WGSL defining ${_SIGNATURE}, or location= ` +
          `to a file with it`,
      );
    }
    const source = location === "" ? code : await _readShader(location);
    const layout = _layout(this.params.uniforms);
    const origin = location === "" ? `The shader of "${this.name}"` : `${location}`;
    const wrapped = _wrap(source, layout);
    const device = this.#gpu!.device;
    device.pushErrorScope("validation");
    const module = device.createShaderModule({ label: this.name, code: wrapped.source });
    const info = await module.getCompilationInfo();
    await device.popErrorScope();
    const first = info.messages.find((m) => m.type === "error");
    if (first !== undefined) throw _compileError(first, source, wrapped, origin);
    try {
      const pipeline = await device.createComputePipelineAsync({
        label: `${this.name} #${generation}`,
        layout: "auto",
        compute: { module, entryPoint: "sl_main" },
      });
      return { pipeline, layout };
    } catch (error) {
      throw new StreamlibError(
        "SL_SHADER_COMPILE",
        `${origin} does not compile: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** A live change that did not compile: on the `errors` output and in the log. */
  #report(error: unknown): void {
    const e = isStreamlibError(error)
      ? error
      : new StreamlibError("SL_SHADER_COMPILE", String(error), { cause: error });
    const { line, column } = e.details as { line?: number; column?: number };
    this.log(`${e.code}: ${e.message} (the previous shader keeps running)`);
    this.outputs.errors.write(
      createDataMessage(
        { code: e.code, message: e.message, line, column },
        { topic: "error", timestamp: this.#lastTimestamp },
      ),
    );
  }
}

/** The text of a shader file (`SL_FILE_NOT_FOUND` when there is none). */
async function _readShader(location: string): Promise<string> {
  try {
    return await Deno.readTextFile(location);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new StreamlibError(
        "SL_FILE_NOT_FOUND",
        `Shader file ${JSON.stringify(location)} does not exist`,
        { cause: error, details: { location } },
      );
    }
    throw error;
  }
}
