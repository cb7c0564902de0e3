import { _attachState, _takeError } from "./_gpu_state.ts";
import { StreamlibError } from "@streamlib/core";
import { _Pools } from "./_pool.ts";

/**
 * How the shared GPU device is made: the adapter options WebGPU's `requestAdapter` takes, and,
 * for tests or an adapter picked by hand, the function that asks for the adapter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuOptions } from "@streamlib/gpu";
 * const options: GpuOptions = { powerPreference: "high-performance" };
 * assert.ok(options.forceFallbackAdapter === undefined);
 * ```
 */
export interface GpuOptions {
  /** `low-power` or `high-performance`: which GPU to prefer where there are several. */
  readonly powerPreference?: GPUPowerPreference;
  /** Ask for the fallback (software) adapter. */
  readonly forceFallbackAdapter?: boolean;
  /**
   * Asks for an adapter; default `navigator.gpu.requestAdapter`. A test injects one that
   * resolves `null` to see what happens on a machine without a GPU.
   */
  readonly requestAdapter?: (options: GPURequestAdapterOptions) => Promise<GPUAdapter | null>;
}

/**
 * The GPU a process shares: one WebGPU `GPUDevice`, the adapter it came from, and the pools its
 * frames' textures and buffers come from. Get it with {@linkcode requestGpu}.
 *
 * When the device is lost (destroyed, a driver reset), `lost` becomes `true`: {@linkcode
 * Gpu.check} then throws `SL_GPU_DEVICE_LOST`, which fails the actors using it, and the next
 * {@linkcode requestGpu} makes a new device (so supervision's `restart` gets one).
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { requestGpu } from "@streamlib/gpu";
 * const gpu = await requestGpu();
 * console.log(gpu.adapter); // e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (software)"
 * assert.ok(!gpu.lost);
 * ```
 */
export class Gpu {
  /** The WebGPU device. */
  readonly device: GPUDevice;
  /** The adapter in words: its description, and `(software)` for a fallback adapter. */
  readonly adapter: string;
  /** The adapter is a software (fallback) one: correct, not fast. */
  readonly software: boolean;
  /** Resolves when the device is lost, with WebGPU's reason and message. */
  readonly whenLost: Promise<GPUDeviceLostInfo>;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  #lost: GPUDeviceLostInfo | undefined;

  /**
   * Wraps a device; {@linkcode requestGpu} makes the shared one.
   *
   * @param device The device.
   * @param info The adapter's info.
   */
  constructor(device: GPUDevice, info: GPUAdapterInfo) {
    this.device = device;
    this.software = info.isFallbackAdapter;
    const name = info.description || [info.vendor, info.architecture, info.device]
      .filter(Boolean).join(" ") ||
      "unknown adapter";
    this.adapter = this.software ? `${name} (software)` : name;
    const pools = new _Pools(device);
    _attachState(this, pools);
    this.whenLost = device.lost.then((info) => {
      this.#lost = info;
      this.#pipelines.clear();
      pools.close();
      return info;
    });
  }

  /** Whether the device has been lost. */
  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /**
   * Throws `SL_GPU_DEVICE_LOST` when the device has been lost, and `SL_GPU_ERROR` when the
   * device refused work submitted earlier for `who`; actors call it before each piece of work.
   *
   * @param who Who wanted the device, for the message (`"blur0"`).
   */
  check(who: string): void {
    const error = this.#lost === undefined ? _takeError(this, who) : undefined;
    if (error !== undefined) {
      throw new StreamlibError(
        "SL_GPU_ERROR",
        `The GPU refused work of "${who}": ${error.trim()}`,
        { details: { adapter: this.adapter } },
      );
    }
    if (this.#lost === undefined) return;
    throw new StreamlibError(
      "SL_GPU_DEVICE_LOST",
      `The GPU device of "${who}" was lost (${this.#lost.reason}: ${
        this.#lost.message.trim() || "no message"
      }); restart the actor (supervision "restart") to get a new one`,
      { details: { reason: this.#lost.reason, adapter: this.adapter } },
    );
  }

  /**
   * A compute pipeline, compiled once per device and `key`.
   *
   * @param key What identifies the shader (its name and variant).
   * @param code The WGSL source, read only the first time.
   * @param entryPoint The compute entry point.
   * @returns The pipeline (with `layout: "auto"`).
   */
  pipeline(key: string, code: () => string, entryPoint = "main"): GPUComputePipeline {
    let pipeline = this.#pipelines.get(key);
    if (pipeline === undefined) {
      const module = this.device.createShaderModule({ label: key, code: code() });
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: "auto",
        compute: { module, entryPoint },
      });
      this.#pipelines.set(key, pipeline);
    }
    return pipeline;
  }
}

let _options: GpuOptions = {};
let _shared: Promise<Gpu> | undefined;
/** What `_shared` resolved to, to see at once that it was lost. */
let _sharedGpu: Gpu | undefined;

/**
 * Sets how the shared device is made (see {@linkcode GpuOptions}). The next
 * {@linkcode requestGpu} makes a new device with them; actors that hold the current one keep it
 * until they restart.
 *
 * @example
 * ```ts
 * import { configureGpu } from "@streamlib/gpu";
 * configureGpu({ powerPreference: "high-performance" });
 * configureGpu({}); // back to the defaults
 * ```
 *
 * @param options Adapter options, and how to ask for the adapter.
 */
export function configureGpu(options: GpuOptions): void {
  _options = { ...options };
  _shared = undefined;
  _sharedGpu = undefined;
}

/**
 * The process's shared GPU, made on the first call (an adapter with the options of
 * {@linkcode configureGpu}, then its device) and kept until its device is lost. Every GPU actor
 * gets its device here, so their frames can pass between them without copies.
 *
 * Rejects with `SL_GPU_UNAVAILABLE` when there is no WebGPU or no adapter, saying what to
 * install; never resolves to nothing. WebGPU needs no Deno permission.
 *
 * @example
 * ```ts ignore
 * import { requestGpu } from "@streamlib/gpu";
 * const gpu = await requestGpu();
 * const texture = gpu.device.createTexture({
 *   size: [16, 16], format: "rgba8uint", usage: GPUTextureUsage.COPY_DST,
 * });
 * texture.destroy();
 * ```
 *
 * @returns The GPU.
 */
export function requestGpu(): Promise<Gpu> {
  if (_sharedGpu?.lost) _shared = _sharedGpu = undefined;
  if (_shared !== undefined) return _shared;
  const made = _makeGpu(_options);
  _shared = made;
  made.then((gpu) => {
    if (_shared === made) _sharedGpu = gpu;
  }, () => {
    if (_shared === made) _shared = undefined;
  });
  return made;
}

const _INSTALL = "On a machine without a GPU, install Mesa's software Vulkan driver " +
  "(Debian, Ubuntu: apt-get install mesa-vulkan-drivers libvulkan1) and WebGPU runs on the " +
  "CPU; with a GPU, install its Vulkan driver";

async function _makeGpu(options: GpuOptions): Promise<Gpu> {
  const backend = _backendVariable();
  const limited = backend === undefined
    ? ""
    : `. DENO_WEBGPU_BACKEND=${backend} lets WebGPU try only that backend: unset it, or name ` +
      `one this machine has (vulkan, gl)`;
  const unavailable = (why: string, cause?: unknown): StreamlibError =>
    new StreamlibError("SL_GPU_UNAVAILABLE", `No WebGPU adapter: ${why}${limited}. ${_INSTALL}`, {
      ...(cause === undefined ? {} : { cause }),
      details: {
        install: ["mesa-vulkan-drivers", "libvulkan1"],
        ...(backend === undefined ? {} : { backend }),
      },
    });
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  const request = options.requestAdapter ??
    (gpu === undefined ? undefined : (o: GPURequestAdapterOptions) => gpu.requestAdapter(o));
  if (request === undefined) throw unavailable("this runtime has no WebGPU (navigator.gpu)");
  const adapterOptions: GPURequestAdapterOptions = {
    ...(options.powerPreference === undefined ? {} : { powerPreference: options.powerPreference }),
    ...(options.forceFallbackAdapter ? { forceFallbackAdapter: true } : {}),
  };
  let adapter: GPUAdapter | null;
  try {
    adapter = await request(adapterOptions);
  } catch (error) {
    throw unavailable(`asking for one failed (${(error as Error).message})`, error);
  }
  if (adapter === null) throw unavailable("no GPU or driver answered");
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice();
  } catch (error) {
    throw unavailable(`the adapter gave no device (${(error as Error).message})`, error);
  }
  return new Gpu(device, adapter.info);
}

/**
 * Deno's `DENO_WEBGPU_BACKEND`, which limits the backends WebGPU tries (so it can hide every
 * adapter), when set and readable: without `--allow-env` it is not read (and no permission
 * prompt is raised for it), and not named.
 */
function _backendVariable(): string | undefined {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  const variable = "DENO_WEBGPU_BACKEND";
  try {
    if (deno?.permissions.querySync({ name: "env", variable }).state !== "granted") {
      return undefined;
    }
    const value = deno.env.get(variable);
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  } catch {
    return undefined;
  }
}
