/**
 * What every compute kernel of the package does around its dispatches: scratch buffers shared by
 * all work on a device, uniform blocks, bind groups, one command encoder and compute pass per
 * call, and error scopes whose errors surface at the caller's next `Gpu.check`. All work goes
 * through the device's one queue in the order it is submitted, so a scratch buffer written and
 * read within one submission can serve the next submission too, whoever makes it. Internal.
 *
 * @module
 */

import { _report } from "./_gpu_state.ts";
import type { Gpu } from "./device.ts";

/** Bytes between uniform blocks (WebGPU's minimum uniform buffer offset alignment). */
const _SLOT = 256;
/** Threads of a workgroup along x and y (every kernel of the package uses 8 × 8). */
export const _GROUP = 8;

interface _State {
  readonly scratch: Map<string, GPUBuffer>;
  uniforms: GPUBuffer | undefined;
  /** Uniform blocks written since the last submission. */
  slot: number;
}

const _states = new WeakMap<Gpu, _State>();

function _state(gpu: Gpu): _State {
  let state = _states.get(gpu);
  if (state === undefined) {
    state = { scratch: new Map(), uniforms: undefined, slot: 0 };
    _states.set(gpu, state);
  }
  return state;
}

/**
 * A storage buffer of at least `bytes` named `name`, shared by all work on `gpu` (see the
 * module's note: safe to reuse from one submission to the next).
 */
export function _scratch(gpu: Gpu, name: string, bytes: number): GPUBuffer {
  const { scratch } = _state(gpu);
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  let buffer = scratch.get(name);
  if (buffer === undefined || buffer.size < size) {
    buffer?.destroy(); // work already submitted still completes with it
    buffer = gpu.device.createBuffer({
      label: name,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    scratch.set(name, buffer);
  }
  return buffer;
}

/** Writes `data` into a scratch buffer `name` (grown as needed) and returns the buffer. */
export function _storage(gpu: Gpu, name: string, data: ArrayBufferView): GPUBuffer {
  const buffer = _scratch(gpu, name, data.byteLength);
  gpu.device.queue.writeBuffer(buffer, 0, data as BufferSource);
  return buffer;
}

/**
 * Writes a uniform block (at most 256 bytes) for the next submission and returns its binding.
 * Each block of a submission gets a slot of its own.
 */
export function _uniform(gpu: Gpu, data: ArrayBufferView): GPUBufferBinding {
  const state = _state(gpu);
  const slot = state.slot++;
  const needed = (slot + 1) * _SLOT;
  if (state.uniforms === undefined || state.uniforms.size < needed) {
    // Blocks written before in this round keep the old buffer (their bindings hold it).
    state.uniforms = gpu.device.createBuffer({
      label: "uniforms",
      size: Math.max(needed * 2, 16 * _SLOT),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }
  gpu.device.queue.writeBuffer(state.uniforms, slot * _SLOT, data as BufferSource);
  return {
    buffer: state.uniforms,
    offset: slot * _SLOT,
    size: Math.ceil(data.byteLength / 16) * 16,
  };
}

/** Packs numbers as a uniform block: `u32` fields first, then `f32` ones, each padded to 16. */
export function _block(u32: readonly number[], f32: readonly number[] = []): Uint32Array {
  const words = Math.ceil((u32.length + f32.length) / 4) * 4 || 4;
  const block = new Uint32Array(words);
  block.set(u32);
  new Float32Array(block.buffer).set(f32, u32.length);
  return block;
}

/**
 * Encodes one compute pass with what `encode` dispatches and submits it inside validation and
 * out-of-memory error scopes: an error is reported to `gpu` for `who`.
 */
export function _submit(
  gpu: Gpu,
  who: string,
  encode: (pass: GPUComputePassEncoder, encoder: GPUCommandEncoder) => void,
): void {
  const device = gpu.device;
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  try {
    const encoder = device.createCommandEncoder({ label: who });
    const pass = encoder.beginComputePass({ label: who });
    encode(pass, encoder);
    pass.end();
    device.queue.submit([encoder.finish()]);
  } finally {
    _state(gpu).slot = 0;
    for (let i = 0; i < 2; i++) {
      device.popErrorScope().then(
        (error) => error && _report(gpu, who, error.message),
        () => {},
      );
    }
  }
}

/**
 * Binds `resources` (binding i gets resource i) to group 0 of `pipeline` and dispatches enough
 * 8 × 8 workgroups to cover `width` × `height` threads.
 */
export function _dispatch(
  gpu: Gpu,
  pass: GPUComputePassEncoder,
  pipeline: GPUComputePipeline,
  resources: readonly GPUBindingResource[],
  width: number,
  height: number,
): void {
  const group = gpu.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((resource, binding) => ({ binding, resource })),
  });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.ceil(width / _GROUP), Math.ceil(height / _GROUP));
}
