import {
  Actor,
  type Contract,
  createDataMessage,
  type Message,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { convertFrame } from "./convert.ts";
import { encodePngAsync } from "./png.ts";
import { _folderOf, _makeFolder } from "./_make_folder.ts";

/**
 * The contract of {@linkcode Snapshot}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snapshotContract } from "@streamlib/video";
 * assert.ok(snapshotContract.params.mode.default === "first");
 * ```
 */
export const snapshotContract = {
  type: "snapshot",
  description: "Saves frames of the video as PNG files and passes the video on",
  classification: "Sink/Video",
  inputs: {
    in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] },
    trigger: {
      kind: "any",
      description: "Any message saves the next frame (in every mode); optional",
    },
  },
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The video, unchanged",
    },
    saved: {
      kind: "data",
      formats: ["snapshot"],
      description: "{ path, frame, timestamp } once a file is written",
    },
  },
  params: {
    location: {
      type: "string",
      default: "snapshot-%05d.png",
      minLength: 1,
      description: "File to write; %d or %05d in it is replaced by the snapshot's index (0, 1…), " +
        "otherwise each snapshot overwrites the file",
    },
    mode: {
      type: "string",
      enum: ["first", "every", "trigger"],
      default: "first",
      description:
        "first: save one frame, number `frame`; every: every `every`-th frame; trigger: only " +
        "frames that follow a message on `trigger`",
    },
    every: {
      type: "integer",
      default: 1,
      minimum: 1,
      description: "With mode=every, save frames 0, every, 2·every…",
    },
    frame: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "With mode=first, which frame to save (counted from 0 as they arrive)",
    },
  },
  permissions: {
    write: {
      reason: "Writes the PNG files",
      params: ["location"],
    },
  },
} as const satisfies Contract;

/**
 * What the `saved` output carries (topic `"snapshot"`) once a PNG file is complete.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SnapshotEvent } from "@streamlib/video";
 * const event: SnapshotEvent = { path: "shot-00003.png", frame: 90, timestamp: 3_000_000 };
 * assert.ok(event.path.endsWith(".png"));
 * ```
 */
export interface SnapshotEvent {
  /** The file written: `location` with the index filled in. */
  readonly path: string;
  /** The saved frame's `position` (its frame number from the source). */
  readonly frame: number;
  /** The saved frame's timestamp in µs. */
  readonly timestamp: number;
}

/** Snapshots whose files are still being written before `process` waits (backpressure). */
const _MAX_PENDING = 2;
/** Recent frames kept for triggers that arrive after the frame they ask for. */
const _HISTORY = 3;

/**
 * Saves frames of the video it passes through as PNG files (8-bit RGBA, as
 * {@linkcode encodePngAsync} writes them, compressed off this thread; I420 and NV12 frames are
 * converted to RGBA first): the first frame (or frame number `frame`) with `mode=first`, every
 * `every`-th frame with `mode=every`, and in every mode the next frame after each message on the
 * optional `trigger` input (several triggers answered by one frame save it once). With
 * `mode=trigger` only triggers save. "Next" goes by time when the trigger and the frames share a clock: the first
 * frame whose timestamp is at or after the trigger's, even when the trigger arrives after that
 * frame went through (the last 3 frames are kept for that while `trigger` is connected); a
 * trigger stamped by another clock saves the next frame to arrive.
 *
 * `location` is a file path; a printf-style `%d` / `%05d` in it (`%%` for a literal `%`) is
 * replaced by the snapshot's index, as in GStreamer's `multifilesink`, and without one every
 * snapshot overwrites the same file. Files are written in order without blocking the video;
 * each is complete before its `saved` event goes out and before the pipeline's `done`
 * resolves. Missing folders are created; where Deno lets the process write the files alone
 * (`streamlib run` grants a pattern's folder, but a plain location's file only), a missing
 * folder fails the actor with `SL_FILE_WRITE` naming it. A failed write fails the actor
 * (`SL_FILE_WRITE`).
 *
 * ```text
 * videotestsrc ! snapshot location=shots/frame-%04d.png mode=every every=30 ! display
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Snapshot } from "@streamlib/video";
 * const snap = new Snapshot({ location: "thumb.png", frame: 10 });
 * assert.ok(snap.params.mode === "first");
 * ```
 */
export class Snapshot extends Actor<typeof snapshotContract> {
  /** Ports and parameters. */
  static override contract: typeof snapshotContract = snapshotContract;
  #received = 0;
  #saved = 0;
  /** Triggers waiting for their frame. */
  #waiting: Array<{ timestamp: number; clockId: string }> = [];
  /** The newest frames (oldest first), while `trigger` is connected. */
  #recent: VideoFrame[] = [];
  /** Frames already saved, so that several triggers for one frame save it once. */
  #done = new WeakSet<VideoFrame>();
  /** Settles when every queued file is written. */
  #files: Promise<void> = Promise.resolve();
  /** Settles when every written file's event is out. */
  #events: Promise<void> = Promise.resolve();
  #pending = 0;
  #failure: unknown;
  /** Folders made (or found) this run. */
  #folders = new Set<string>();
  #format: (index: number) => string = () => "";

  /** Checks `location` and resets the counters. */
  override start(): void {
    this.#format = _pattern(this.params.location);
    this.#received = 0;
    this.#saved = 0;
    this.#waiting = [];
    this.#recent = [];
    this.#done = new WeakSet();
    this.#files = Promise.resolve();
    this.#events = Promise.resolve();
    this.#pending = 0;
    this.#failure = undefined;
    this.#folders = new Set();
  }

  /** Follows a new `location`. */
  override paramsChanged(changed: readonly string[]): void {
    if (changed.includes("location")) this.#format = _pattern(this.params.location);
  }

  /**
   * Takes triggers, then frames: saves those the mode asks for and passes every frame on.
   *
   * @param _tick Unused.
   * @returns A promise while too many files are still being written.
   */
  process(_tick: TimedTick): void | Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    for (let m = this.inputs.trigger.read(); m !== undefined; m = this.inputs.trigger.read()) {
      this.#trigger(m);
    }
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const index = this.#received++;
    const before = this.#waiting.length;
    this.#waiting = this.#waiting.filter((t) => !_answers(frame, t));
    const { mode, every } = this.params;
    if (
      this.#waiting.length !== before || (mode === "first" && index === this.params.frame) ||
      (mode === "every" && index % every === 0)
    ) {
      this.#save(frame);
    }
    if (this.inputs.trigger.connected) {
      this.#recent.push(frame);
      if (this.#recent.length > _HISTORY) this.#recent.shift();
    }
    this.outputs.out.write(frame);
    if (this.#pending >= _MAX_PENDING) return this.#files;
  }

  /** Waits for the files still being written and their events. */
  override async flush(): Promise<void> {
    await this.#files;
    await this.#events;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Waits for the files still being written (after an abort, too). */
  override async stop(): Promise<void> {
    await this.#files;
  }

  /**
   * Saves the frame a trigger asks for when it has passed already (the trigger came late, as
   * when both were stamped at the same time), else waits for it.
   */
  #trigger(trigger: Message): void {
    const at = { timestamp: trigger.timestamp, clockId: trigger.clockId };
    const newest = this.#recent.at(-1);
    if (newest === undefined || newest.clockId !== at.clockId || newest.timestamp < at.timestamp) {
      this.#waiting.push(at);
      return;
    }
    this.#save(this.#recent.find((f) => _answers(f, at))!);
  }

  /** Encodes `frame` now; queues writing the file, then its event, behind the earlier ones. */
  #save(frame: VideoFrame): void {
    if (this.#done.has(frame)) return;
    this.#done.add(frame);
    const rgba = frame.format === "RGBA" || frame.format === "BGRA"
      ? frame
      : convertFrame(frame, "RGBA");
    // Compressed on a pool thread: frames keep flowing through this one meanwhile.
    const png = encodePngAsync(rgba);
    png.catch(() => {}); // seen by #writeFile, unless an earlier failure stopped the writing
    const path = this.#format(this.#saved++);
    const value: SnapshotEvent = { path, frame: frame.position, timestamp: frame.timestamp };
    const { timestamp, duration, position, clockId } = frame;
    const message = createDataMessage(value, {
      topic: "snapshot",
      timestamp,
      duration,
      position,
      clockId,
    });
    this.#pending++;
    const written = this.#files.then(() => this.#writeFile(path, png));
    this.#files = written.then(() => {});
    this.#events = this.#events.then(async () => {
      if (await written && !this.outputs.saved.ended) await this.outputs.saved.write(message);
    });
  }

  /**
   * Writes one file, creating its folder; `false` (and the actor's failure set) when that
   * fails. Never rejects.
   */
  async #writeFile(path: string, png: Promise<Uint8Array>): Promise<boolean> {
    let creates = true;
    try {
      if (this.#failure !== undefined) return false;
      const folder = _folderOf(path);
      if (!this.#folders.has(folder)) {
        creates = await _makeFolder(path);
        if (creates) this.#folders.add(folder);
      }
      await Deno.writeFile(path, await png);
      return true;
    } catch (error) {
      const folder = JSON.stringify(_folderOf(path));
      this.#failure = new StreamlibError(
        "SL_FILE_WRITE",
        `"${this.name}" cannot write the snapshot ${JSON.stringify(path)}: ` +
          (!creates && error instanceof Deno.errors.NotFound
            ? `the folder ${folder} does not exist, and this process may not create it ` +
              `(Deno lets it write the file alone); create the folder first`
            : `${(error as Error).message} (is writing to ${folder} allowed?)`),
        { cause: error, details: { path, folder: _folderOf(path) } },
      );
      return false;
    } finally {
      this.#pending--;
    }
  }
}

/** Whether `frame` is the one a trigger stamped `at` asks for (or follows one from elsewhere). */
function _answers(frame: VideoFrame, at: { timestamp: number; clockId: string }): boolean {
  return frame.clockId !== at.clockId || frame.timestamp >= at.timestamp;
}

/**
 * The file name function of a `location`: `%d`, `%5d` or `%05d` becomes the index, `%%` a `%`.
 * Throws `SL_PARAM_INVALID` for other `%` sequences or more than one index.
 */
function _pattern(location: string): (index: number) => string {
  const parts: Array<string | { width: number; zeros: boolean }> = [];
  const re = /%(?:%|(0?)(\d*)d)/g;
  let last = 0;
  let indices = 0;
  for (let m = re.exec(location); m !== null; m = re.exec(location)) {
    parts.push(location.slice(last, m.index));
    if (m[0] === "%%") parts.push("%");
    else {
      parts.push({ width: Number(m[2] || 0), zeros: m[1] === "0" });
      indices++;
    }
    last = re.lastIndex;
  }
  parts.push(location.slice(last));
  const stray = location.replace(re, "").includes("%");
  if (stray || indices > 1) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Snapshot location ${JSON.stringify(location)} has ${
        indices > 1 ? "more than one index" : "a % that is not %d, %05d or %%"
      }: use one %d (or %0Nd) for the snapshot index, %% for a literal %`,
    );
  }
  return (index) =>
    parts.map((p) =>
      typeof p === "string" ? p : String(index).padStart(p.width, p.zeros ? "0" : " ")
    ).join("");
}
