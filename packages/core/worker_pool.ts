import { StreamlibError } from "./errors.ts";
import { _poolWorkers } from "./_worker_thread.ts";

/**
 * Options of a {@linkcode WorkerPool}.
 *
 * @example
 * ```ts
 * import type { WorkerPoolOptions } from "@streamlib/core";
 * const options: WorkerPoolOptions = { size: 2 };
 * console.assert(options.size === 2);
 * ```
 */
export interface WorkerPoolOptions {
  /** Workers at most (default 1, at most 64). */
  readonly size?: number;
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

  /**
   * Creates a pool; Workers start with the first actor placed on them.
   *
   * @param options How many Workers at most.
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
