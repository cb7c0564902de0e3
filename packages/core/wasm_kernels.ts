/**
 * Loading WebAssembly SIMD kernels, for the packages whose filters run in them (video's blur,
 * scale and conversion, audio's resampler and mixer): a module given as base64 (standard SIMD,
 * and optionally a relaxed-SIMD build), instantiated once a thread on first use, with a view of
 * its memory that grows on demand; and the one switch between the kernels and the plain
 * TypeScript code that runs where WebAssembly SIMD is missing.
 *
 * @module
 */

/**
 * Which kernels run: the fastest the runtime takes, standard SIMD only, or none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setSimdMode, type SimdMode } from "@streamlib/core";
 * const mode: SimdMode = "standard";
 * setSimdMode(mode);
 * setSimdMode("auto");
 * assert.ok(true);
 * ```
 */
export type SimdMode = "auto" | "standard" | "off";

let _mode: SimdMode = "auto";

/**
 * Which kernels to use: `auto` (the relaxed-SIMD modules where the runtime validates them,
 * else standard SIMD), `standard` (standard SIMD only) or `off` (the TypeScript code). Tests
 * switch it to run every path on the same inputs. The switch is one a thread, shared by every
 * package's kernels.
 *
 * @param mode The mode.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyWasmKernels, setSimdMode } from "@streamlib/core";
 * const kernels = lazyWasmKernels("AGFzbQEAAAAFAwEAAQcKAQZtZW1vcnkCAA==");
 * setSimdMode("off");
 * assert.equal(kernels(), undefined);
 * setSimdMode("auto");
 * ```
 */
export function setSimdMode(mode: SimdMode): void {
  _mode = mode;
}

/**
 * One instance of a kernel module and a view of its memory, which grows on demand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { instantiateWasmKernels } from "@streamlib/core";
 * const kernels = instantiateWasmKernels<{ memory: WebAssembly.Memory }>("AGFzbQEAAAAFAwEAAQcKAQZtZW1vcnkCAA==")!;
 * const bytes = kernels.reserve(100_000); // one 64 KiB page grows to two
 * assert.ok(bytes.byteLength >= 100_000);
 * ```

 * @typeParam T The module's exports.
 */
export class WasmKernels<T> {
  /** The module's exports. */
  readonly exports: T;
  /** Which module runs: relaxed SIMD where the runtime has it, else standard SIMD. */
  readonly variant: "relaxed" | "standard";
  readonly #memory: WebAssembly.Memory;
  #bytes: Uint8Array;

  /**
   * Wraps an instance's exports.
   *
   * @param exports The instance's exports, with its `memory`.
   * @param variant Which build they come from.
   */
  constructor(exports: T, variant: "relaxed" | "standard") {
    this.exports = exports;
    this.variant = variant;
    this.#memory = (exports as { memory: WebAssembly.Memory }).memory;
    this.#bytes = new Uint8Array(this.#memory.buffer);
  }

  /**
   * The memory's bytes, at least `size` of them.
   *
   * @param size Bytes needed.
   * @returns A view of the whole memory (valid until the next call).
   */
  reserve(size: number): Uint8Array {
    const have = this.#memory.buffer.byteLength;
    if (have < size) {
      this.#memory.grow(Math.ceil((size - have) / 65536));
      this.#bytes = new Uint8Array(this.#memory.buffer);
    } else if (this.#bytes.byteLength !== have) {
      this.#bytes = new Uint8Array(this.#memory.buffer);
    }
    return this.#bytes;
  }
}

/**
 * A lazily instantiated kernel module, shared by every caller on this thread (kernels run
 * synchronously, so callers never use it at the same time).
 *
 * @param standard The standard-SIMD module, base64.
 * @param relaxed The relaxed-SIMD module, base64, if any.
 * @returns A getter: the instance for the current mode, or `undefined` where WebAssembly SIMD
 *   is unavailable or the kernels are turned off.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyWasmKernels } from "@streamlib/core";
 * const kernels = lazyWasmKernels<{ memory: WebAssembly.Memory }>("AGFzbQEAAAAFAwEAAQcKAQZtZW1vcnkCAA==");
 * assert.equal(kernels(), kernels(), "made once, then shared");
 * ```
 */
export function lazyWasmKernels<T>(
  standard: string,
  relaxed?: string,
): () => WasmKernels<T> | undefined {
  let auto: WasmKernels<T> | null | undefined;
  let plain: WasmKernels<T> | null | undefined;
  return () => {
    if (_mode === "off") return undefined;
    if (_mode === "standard") return (plain ??= instantiateWasmKernels<T>(standard)) ?? undefined;
    return (auto ??= instantiateWasmKernels<T>(standard, relaxed)) ?? undefined;
  };
}

/**
 * Instantiates a kernel module: the relaxed one where the runtime validates it, else the
 * standard one; `null` where neither validates (no WebAssembly SIMD).
 *
 * @param standard The standard-SIMD module, base64.
 * @param relaxed The relaxed-SIMD module, base64, if any.
 * @param variant Force one of the two.
 * @returns The instance, or `null`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { instantiateWasmKernels } from "@streamlib/core";
 * const kernels = instantiateWasmKernels("AGFzbQEAAAAFAwEAAQcKAQZtZW1vcnkCAA==");
 * assert.equal(kernels?.variant, "standard");
 * ```
 */
export function instantiateWasmKernels<T>(
  standard: string,
  relaxed?: string,
  variant?: "relaxed" | "standard",
): WasmKernels<T> | null {
  if (typeof WebAssembly !== "object") return null;
  const candidates: Array<["relaxed" | "standard", string]> = [];
  if (relaxed !== undefined && variant !== "standard") candidates.push(["relaxed", relaxed]);
  if (variant !== "relaxed") candidates.push(["standard", standard]);
  for (const [name, base64] of candidates) {
    const bytes = _decode(base64);
    if (!WebAssembly.validate(bytes)) continue;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    return new WasmKernels<T>(instance.exports as T, name);
  }
  return null;
}

function _decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
