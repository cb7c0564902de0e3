import type { Clock } from "../clock/clock.ts";
import { SoftwareClock } from "../clock/software_clock.ts";
import { StreamlibError } from "../errors.ts";
import { _poolWorkers } from "./_worker_thread.ts";
import { _DEFAULT_FRAME_MEMORY } from "./_frame_memory.ts";
import type { WorkerPermissions } from "./worker_permissions.ts";

/** How long a Worker may take to come up for an actor, by default: 10 s. */
const _DEFAULT_START_TIMEOUT_MS = 10_000;
/** The longest timer delay runtimes honour (2³¹ − 1 ms, about 24.8 days). */
const _MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Options of a {@linkcode WorkerPool}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WorkerPoolOptions } from "@streamlib/core";
 * const options: WorkerPoolOptions = {
 *   size: 2,
 *   frameMemory: 256 * 1024 * 1024,
 *   startTimeoutMs: 30_000,
 *   permissions: { read: ["./data"] },
 * };
 * assert.ok(options.size === 2);
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
  /**
   * Milliseconds a Worker may take to come up for an actor: the Worker started (when the actor
   * is its first), the actor's module imported and the actor built (default 10 000). The
   * actor's own `start()` is not counted. Past it the actor's start fails with
   * `SL_WORKER_START` and the Worker is ended: most often the module runs code at top level (a
   * pipeline, a server) that never finishes in the Worker, and should be guarded with
   * `if (import.meta.main)`.
   */
  readonly startTimeoutMs?: number;
  /**
   * The clock `startTimeoutMs` is measured on (default: a {@linkcode SoftwareClock}, wall
   * time). Tests give a {@linkcode ManualClock} to pass the deadline by hand.
   */
  readonly clock?: Clock;
  /**
   * What the pool's Workers may do (Deno; other runtimes ignore it): `"inherit"` (default)
   * gives them this thread's permissions, `"none"` nothing, an object each permission on its
   * own (`false` or absent: none, `true`: all this thread has, a list: those values only). A
   * Worker never gets more than the thread that starts it. Deno needs
   * `--unstable-worker-options` for anything but `"inherit"`. Loading the actor's module is
   * checked against the process's permissions, not these: a Worker that may read nothing still
   * loads its code.
   */
  readonly permissions?: WorkerPermissions;
}

/**
 * Worker threads that several actors share: give the same pool as `dispatch` to
 * {@linkcode Pipeline.add} and each actor goes to the Worker with the fewest actors, a new one
 * while there are fewer than `size`. A Worker ends when its last actor stops, so a stopped
 * pipeline leaves none running; one that died is replaced for the next actor that starts.
 *
 * @example Two actors sharing one Worker
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.ok(sink.messages.length === 3 && pool.workers === 0);
 * ```
 */
export class WorkerPool {
  /** Workers at most. */
  readonly size: number;
  /** Bytes of shared frame memory each Worker may hold. */
  readonly frameMemory: number;
  /** Milliseconds a Worker may take to come up for an actor. */
  readonly startTimeoutMs: number;
  /** The clock the start deadline is measured on. */
  readonly clock: Clock;
  /** What the pool's Workers may do (`"inherit"`: what the thread that starts them may). */
  readonly permissions: WorkerPermissions;

  /**
   * Creates a pool; Workers start with the first actor placed on them.
   *
   * @param options How many Workers at most, how much frame memory each, and how long one may
   *   take to come up, on which clock.
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
    const startTimeoutMs = options.startTimeoutMs ?? _DEFAULT_START_TIMEOUT_MS;
    if (
      !(Number.isInteger(startTimeoutMs) && startTimeoutMs > 0 && startTimeoutMs <= _MAX_TIMER_MS)
    ) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `startTimeoutMs is a whole number of milliseconds from 1 to ${_MAX_TIMER_MS}, not ${
          JSON.stringify(startTimeoutMs)
        }`,
      );
    }
    this.startTimeoutMs = startTimeoutMs;
    this.clock = options.clock ?? new SoftwareClock({ id: "worker-pool" });
    this.permissions = options.permissions ?? "inherit";
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
