import { StreamlibError } from "@streamlib/core";
import { _running } from "./_ffmpeg_running.ts";

/** Lines of stderr kept for error messages. */
const _TAIL_LINES = 20;

/**
 * Which of ffmpeg's standard streams {@linkcode FfmpegProcess} pipes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FfmpegPipes } from "@streamlib/ffmpeg";
 * const encoder: FfmpegPipes = { stdin: true };
 * assert.ok(encoder.stdin && !encoder.stdout);
 * ```
 */
export interface FfmpegPipes {
  /** Pipe stdin, for {@linkcode FfmpegProcess.write}. */
  stdin?: boolean;
  /** Pipe stdout, for {@linkcode FfmpegProcess.read}. */
  stdout?: boolean;
  /**
   * The arguments ask for `-loglevel level+info`: ffmpeg's description of its inputs is kept
   * for {@linkcode FfmpegProcess.description}, and its other informational lines are left out
   * of {@linkcode FfmpegProcess.stderr}, which keeps warnings and errors.
   */
  describe?: boolean;
}

/** Levels below warnings. */
const _CHATTER = new Set(["info", "verbose", "debug", "trace"]);

/** A line's optional `[context @ 0x…]` prefixes and its `[level]` tag. */
const _LEVEL =
  /^((?:\[[^\]]* @ 0x[0-9a-f]+\] )*)\[(panic|fatal|error|warning|info|verbose|debug|trace)\] /;

/**
 * One running ffmpeg (or any program) for actors that pipe raw media through it: bytes in on
 * stdin, bytes out on stdout, the last lines of stderr kept for error messages. It never
 * outlives its owner: `kill()` ends it, and ffmpeg ends by itself when its pipes close (end of
 * input, or a broken output pipe). Failures are `SL_FFMPEG_EXITED` errors with the exit code or
 * signal and the tail of stderr.
 *
 * @example Raw audio to the null muxer
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { FfmpegProcess, findFfmpeg } from "@streamlib/ffmpeg";
 * const ffmpeg = await findFfmpeg();
 * const process = new FfmpegProcess(ffmpeg.path, [
 *   "-f", "f32le", "-ar", "48000", "-ac", "1", "-i", "pipe:0", "-f", "null", "-",
 * ], { stdin: true });
 * await process.write(new Uint8Array(4 * 48_000));
 * await process.closeInput();
 * assert.ok((await process.wait()).success);
 * ```
 */
export class FfmpegProcess {
  /** The process id. */
  readonly pid: number;
  /** The arguments it was started with. */
  readonly args: readonly string[];
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reader: ReadableStreamBYOBReader | undefined;
  readonly #pipesStdout: boolean;
  #stderr: string[] = [];
  #stderrDone: Promise<void>;
  #status: Promise<Deno.CommandStatus>;
  #exited: Deno.CommandStatus | undefined;
  #killed = false;
  readonly #describe: boolean;
  /** The description's lines, until it is complete. */
  #described: string[] | undefined = [];
  #description: Promise<string>;
  #endDescription!: (text: string) => void;
  /** The level of the last tagged line: an untagged line continues it. */
  #level = "error";

  /**
   * Starts the program; `SL_FFMPEG_NOT_FOUND` when it cannot be started.
   *
   * @param path The executable.
   * @param args Its arguments.
   * @param io Which of stdin and stdout to pipe (stderr always is).
   */
  constructor(path: string, args: readonly string[], io: FfmpegPipes) {
    this.args = args;
    this.#describe = io.describe ?? false;
    this.#pipesStdout = io.stdout ?? false;
    this.#description = new Promise((resolve) => this.#endDescription = resolve);
    try {
      this.#child = new Deno.Command(path, {
        args: [...args],
        stdin: io.stdin ? "piped" : "null",
        stdout: io.stdout ? "piped" : "null",
        stderr: "piped",
        // Its own process group: a terminal's Ctrl-C reaches the whole foreground group, and
        // ffmpeg would quit at once (exit 255) while the pipeline drains and still needs it. It
        // cannot outlive us even so: its ends of our pipes close when we go.
        detached: true,
      }).spawn();
    } catch (cause) {
      throw new StreamlibError(
        "SL_FFMPEG_NOT_FOUND",
        `Could not start ffmpeg (${path}): ${(cause as Error).message}`,
        { cause },
      );
    }
    this.pid = this.#child.pid;
    _running.add(this.pid);
    if (io.stdin) this.#writer = this.#child.stdin.getWriter();
    this.#stderrDone = this.#collectStderr();
    this.#status = this.#child.status.then((status) => {
      _running.delete(this.pid);
      this.#exited = status;
      return status;
    });
  }

  /**
   * The last lines ffmpeg wrote to stderr.
   *
   * @returns Up to 20 lines.
   */
  get stderr(): string {
    return this.#stderr.join("\n");
  }

  /**
   * What ffmpeg printed about its inputs (the `Input #0, …` section, its streams and any
   * message about them), once it has opened them and is about to start, or once its stderr has
   * ended (it failed, or it was killed). Only with `describe` (otherwise empty).
   *
   * @returns The text, without level tags.
   */
  description(): Promise<string> {
    return this.#description;
  }

  /**
   * ffmpeg's stdout itself, for a caller that parses what it reads (the file reader reads a
   * NUT stream from it), instead of calling {@linkcode FfmpegProcess.read}: one or the other.
   * Only with `stdout` piped.
   *
   * @example
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { FfmpegProcess, findFfmpeg } from "@streamlib/ffmpeg";
   * const ffmpeg = await findFfmpeg();
   * const process = new FfmpegProcess(ffmpeg.path, [
   *   "-f", "lavfi", "-i", "testsrc=duration=1", "-f", "nut", "pipe:1",
   * ], { stdout: true });
   * const reader = process.stdout.getReader({ mode: "byob" });
   * const { value } = await reader.read(new Uint8Array(25));
   * assert.ok(new TextDecoder().decode(value).startsWith("nut/multimedia container"));
   * process.kill();
   * await process.wait();
   * ```
   *
   * @returns The stream; `SL_STATE` when stdout is not piped.
   */
  get stdout(): ReadableStream<Uint8Array> {
    if (!this.#pipesStdout) {
      throw new StreamlibError("SL_STATE", "This ffmpeg was started without its stdout piped");
    }
    return this.#child.stdout;
  }

  /**
   * The exit status, once ffmpeg has exited.
   *
   * @returns The status, or `undefined` while it runs.
   */
  get exited(): Deno.CommandStatus | undefined {
    return this.#exited;
  }

  /**
   * Writes bytes to ffmpeg's stdin, waiting while the pipe is full; throws `SL_FFMPEG_EXITED`
   * when ffmpeg has gone.
   *
   * @param bytes The bytes (not copied; do not change them until the promise settles).
   */
  async write(bytes: Uint8Array): Promise<void> {
    try {
      await this.#writer!.write(bytes);
    } catch (cause) {
      throw await this.failure("stopped reading its input", cause);
    }
  }

  /**
   * Reads the next `size` bytes of ffmpeg's stdout into a fresh buffer. `undefined` when the
   * output ended before the first byte; when it ended in the middle, the bytes read if
   * `partial`, else throws `SL_FFMPEG_EXITED`.
   *
   * @param size How many bytes.
   * @param partial Return a short read at the end instead of failing.
   * @returns The bytes, or `undefined` at the end.
   */
  async read(size: number, partial = false): Promise<Uint8Array | undefined> {
    this.#reader ??= this.#child.stdout.getReader({ mode: "byob" });
    // BYOB reads transfer the buffer each time; the last view holds the bytes.
    let buffer = new ArrayBuffer(size);
    let filled = 0;
    while (filled < size) {
      const { value, done } = await this.#reader.read(
        new Uint8Array(buffer, filled, size - filled),
      );
      if (value !== undefined) {
        buffer = value.buffer as ArrayBuffer;
        filled += value.byteLength;
      }
      if (done) break;
    }
    if (filled === 0) return undefined;
    if (partial) return new Uint8Array(buffer, 0, filled);
    if (filled !== size) {
      throw await this.failure(`ended in the middle of a frame (${filled} of ${size} bytes)`);
    }
    return new Uint8Array(buffer, 0, size);
  }

  /**
   * Closes stdin: ffmpeg finishes its output and exits.
   *
   * @returns A promise that settles once the pipe is closed.
   */
  async closeInput(): Promise<void> {
    try {
      await this.#writer?.close();
    } catch {
      // Already closed or broken: the exit status tells what happened.
    }
  }

  /**
   * Waits for ffmpeg to exit and for its stderr to be read.
   *
   * @returns The exit status.
   */
  async wait(): Promise<Deno.CommandStatus> {
    const status = await this.#status;
    await this.#stderrDone;
    return status;
  }

  /**
   * Waits for ffmpeg to exit; kills it when that takes longer than `ms`.
   *
   * @param ms The longest wait in milliseconds.
   * @returns The exit status.
   */
  async waitOrKill(ms: number): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    await Promise.race([this.#status, timeout]);
    clearTimeout(timer);
    if (this.#exited === undefined) this.kill();
    return await this.wait();
  }

  /**
   * Ends ffmpeg now (SIGKILL), if it is still running, and closes this side of its stdin and
   * stdout: whatever it would still write is unwanted. Call it also once ffmpeg has exited by
   * itself when its output is not read to the end, so that the pipe is not left open. A reader
   * taken from {@linkcode FfmpegProcess.stdout} holds that stream: its holder cancels it.
   */
  kill(): void {
    this.#release();
    if (this.#exited !== undefined || this.#killed) return;
    this.#killed = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It exited meanwhile.
    }
  }

  /** Closes this side of stdin and of stdout, where this object holds them. */
  #release(): void {
    this.#writer?.abort().catch(() => {});
    if (this.#reader !== undefined) this.#reader.cancel().catch(() => {});
    else if (this.#pipesStdout && !this.#child.stdout.locked) {
      this.#child.stdout.cancel().catch(() => {});
    }
  }

  /**
   * Whether {@linkcode FfmpegProcess.kill} ended it.
   *
   * @returns `true` after a kill.
   */
  get killed(): boolean {
    return this.#killed;
  }

  /**
   * `SL_FFMPEG_EXITED` with the exit code and the tail of stderr, once ffmpeg has exited (it is
   * killed if it has not within a second).
   *
   * @param what What went wrong, as "ffmpeg <what>: it exited with code 1: …".
   * @param cause The error that showed it, if any.
   * @returns The error, to throw.
   */
  async failure(what: string, cause?: unknown): Promise<StreamlibError> {
    const status = await this.waitOrKill(1000);
    const how = this.#killed
      ? "was killed"
      : status.signal
      ? `was killed by ${status.signal}`
      : `exited with code ${status.code}`;
    const tail = this.stderr.trim();
    return new StreamlibError(
      "SL_FFMPEG_EXITED",
      `ffmpeg ${what}: it ${how}${tail ? `:\n${tail}` : " and printed nothing"}`,
      { details: { code: status.code, signal: status.signal, stderr: tail }, cause },
    );
  }

  async #collectStderr(): Promise<void> {
    const decoder = new TextDecoder();
    let partial = "";
    try {
      for await (const chunk of this.#child.stderr) {
        const lines = (partial + decoder.decode(chunk, { stream: true })).split(/\r?\n|\r/);
        partial = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") this.#line(line);
      }
    } catch {
      // The pipe broke: keep what was read.
    }
    if (partial.trim() !== "") this.#line(partial);
    if (this.#described !== undefined) this.#endDescription(this.#described.join("\n"));
  }

  #line(line: string): void {
    if (!this.#describe) {
      this.#push(line);
      return;
    }
    const tag = _LEVEL.exec(line);
    if (tag !== null) {
      this.#level = tag[2]!;
      line = tag[1]! + line.slice(tag[0].length);
    }
    if (_CHATTER.has(this.#level)) {
      const described = this.#described;
      if (described === undefined) return;
      if (line !== "Stream mapping:") {
        described.push(line);
        return;
      }
      this.#described = undefined;
      this.#endDescription(described.join("\n"));
      return;
    }
    // Messages about the inputs belong to their description too (a file without video).
    this.#described?.push(line);
    this.#push(line);
  }

  #push(line: string): void {
    this.#stderr.push(line);
    if (this.#stderr.length > _TAIL_LINES) this.#stderr.shift();
  }
}
