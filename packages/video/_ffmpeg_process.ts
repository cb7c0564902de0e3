import { StreamlibError } from "@streamlib/core";

/**
 * Process ids of the ffmpeg processes this module started that have not been seen to exit, for
 * tests checking that none outlives its actor.
 *
 * @internal
 */
export const _running: Set<number> = new Set();

/** Lines of stderr kept for error messages. */
const _TAIL_LINES = 20;

/**
 * One running ffmpeg: raw bytes in on stdin, raw bytes out on stdout, the tail of stderr kept
 * for error messages. Never outlives its owner: `kill()` ends it, and it ends by itself when
 * its pipes close (ffmpeg stops on end of input or a broken output pipe).
 *
 * @internal
 */
export class _FfmpegProcess {
  readonly pid: number;
  readonly args: readonly string[];
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reader: ReadableStreamBYOBReader | undefined;
  #stderr: string[] = [];
  #stderrDone: Promise<void>;
  #status: Promise<Deno.CommandStatus>;
  #exited: Deno.CommandStatus | undefined;
  #killed = false;

  constructor(path: string, args: readonly string[], io: { stdin?: boolean; stdout?: boolean }) {
    this.args = args;
    try {
      this.#child = new Deno.Command(path, {
        args: [...args],
        stdin: io.stdin ? "piped" : "null",
        stdout: io.stdout ? "piped" : "null",
        stderr: "piped",
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
    if (io.stdout) this.#reader = this.#child.stdout.getReader({ mode: "byob" });
    this.#stderrDone = this.#collectStderr();
    this.#status = this.#child.status.then((status) => {
      _running.delete(this.pid);
      this.#exited = status;
      return status;
    });
  }

  /** The last lines ffmpeg wrote to stderr. */
  get stderr(): string {
    return this.#stderr.join("\n");
  }

  /** The exit status, once ffmpeg has exited. */
  get exited(): Deno.CommandStatus | undefined {
    return this.#exited;
  }

  /** Writes bytes to ffmpeg's stdin; throws `SL_FFMPEG_EXITED` when ffmpeg has gone. */
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
   */
  async read(size: number, partial = false): Promise<Uint8Array | undefined> {
    // BYOB reads transfer the buffer each time; the last view holds the bytes.
    let buffer = new ArrayBuffer(size);
    let filled = 0;
    while (filled < size) {
      const { value, done } = await this.#reader!.read(
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

  /** Closes stdin: ffmpeg finishes its output and exits. */
  async closeInput(): Promise<void> {
    try {
      await this.#writer?.close();
    } catch {
      // Already closed or broken: the exit status tells what happened.
    }
  }

  /** Waits for ffmpeg to exit and for its stderr to be read. */
  async wait(): Promise<Deno.CommandStatus> {
    const status = await this.#status;
    await this.#stderrDone;
    return status;
  }

  /** Waits for ffmpeg to exit; kills it when that takes longer than `ms`. */
  async waitOrKill(ms: number): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    await Promise.race([this.#status, timeout]);
    clearTimeout(timer);
    if (this.#exited === undefined) this.kill();
    return await this.wait();
  }

  /** Ends ffmpeg now (SIGKILL), if it is still running. */
  kill(): void {
    if (this.#exited !== undefined || this.#killed) return;
    this.#killed = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It exited meanwhile.
    }
  }

  /** Whether {@linkcode _FfmpegProcess.kill} ended it. */
  get killed(): boolean {
    return this.#killed;
  }

  /**
   * `SL_FFMPEG_EXITED` with the exit code and the tail of stderr, once ffmpeg has exited (it is
   * killed if it has not within a second).
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
        for (const line of lines) if (line.trim() !== "") this.#push(line);
      }
    } catch {
      // The pipe broke: keep what was read.
    }
    if (partial.trim() !== "") this.#push(partial);
  }

  #push(line: string): void {
    this.#stderr.push(line);
    if (this.#stderr.length > _TAIL_LINES) this.#stderr.shift();
  }
}
