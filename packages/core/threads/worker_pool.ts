import { StreamlibError } from "../errors.ts";
import { _poolWorkers } from "./_worker_thread.ts";
import { _DEFAULT_FRAME_MEMORY } from "./_frame_memory.ts";

/**
 * Options of a {@linkcode WorkerPool}.
 *
 * @example
 * ```ts
 * import type { WorkerPoolOptions } from "@streamlib/core";
 * const options: WorkerPoolOptions = { size: 2, frameMemory: 256 * 1024 * 1024 };
 * console.assert(options.size === 2);
 * ```
 */
export interface WorkerPoolOptions {
  /** Workers at most (default 1, at most 64). */
  readonly size?: number;
  /**
   * Bytes of shared frame memory each Worker may hold for the frames its actors make (default
   * 512 MiB). Pools grow to it and no further; past it, a frame is copied once on its way out.
   */
  readonly frameMemory?: number;
}

/**
 * Worker threads that several actors share: give the same pool as `dispatch` to
 * {@linkcode Pipeline.add} and each actor goes to the Worker with the fewest actors, a new one
 * while there are fewer than `size`. A Worker ends when its last actor stops, so a stopped
 * pipeline leaves none running; one that died is replaced for the next actor that starts.
 *
 * @example Two actors sharing one Worker
 * ```ts
 * import { Collect, DataSource, Identity, Pipeline, WorkerPool } from "@streamlib/core";
 *
 * const pool = new WorkerPool({ size: 1 });
 * const pipeline = new Pipeline({ mode: "offline" });
 * const module = import.meta.resolve("@streamlib/core");
 * const sink = new Collect();
 * pipeline.pipe(
 *   new DataSource({ count: 3 }),
 *   pipeline.add(new Identity(), { dispatch: pool, module, export: "Identity" }),
 *   pipeline.add(new Identity(), { dispatch: pool, module, export: "Identity" }),
 *   sink,
 * );
 * await pipeline.run();
 * console.assert(sink.messages.length === 3 && pool.workers === 0);
 * ```
 */
export class WorkerPool {
  /** Workers at most. */
  readonly size: number;
  /** Bytes of shared frame memory each Worker may hold. */
  readonly frameMemory: number;

  /**
   * Creates a pool; Workers start with the first actor placed on them.
   *
   * @param options How many Workers at most, and how much frame memory each.
   */
  constructor(options: WorkerPoolOptions = {}) {
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1 || size > 64) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `A worker pool has 1 to 64 Workers, not ${JSON.stringify(size)}`,
      );
    }
    this.size = size;
    const frameMemory = options.frameMemory ?? _DEFAULT_FRAME_MEMORY;
    if (!(Number.isSafeInteger(frameMemory) && frameMemory >= 0)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `frameMemory is a number of bytes, not ${JSON.stringify(frameMemory)}`,
      );
    }
    this.frameMemory = frameMemory;
  }

  /**
   * Workers running now.
   *
   * @returns The count.
   */
  get workers(): number {
    return _poolWorkers(this);
  }
}
