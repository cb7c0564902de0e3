/**
 * Helpers for the end-to-end tests: they run `deno run -A packages/cli/main.ts …` from the
 * repository root, as a user would, and wait for specific output with a deadline.
 *
 * @module
 */

/** The repository root, where the tests run the command. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;
/** The command's entry point. */
export const MAIN: string = new URL("./main.ts", import.meta.url).pathname;
/** The test plugins' directory, for `--plugins`. */
export const TESTDATA: string = new URL("./testdata/", import.meta.url).pathname;

/** How long any one wait may take before a test fails (generous for slow CI machines). */
export const DEADLINE_MS = 30_000;

/**
 * The control folder the commands run by these tests use (`STREAMLIB_CONTROL_DIR`): one of
 * this test process's own, so that nodes of tests and of the user never meet. Removed when the
 * process exits.
 */
export const CONTROL_DIR: string = `${
  Deno.makeTempDirSync({ prefix: "streamlib-cli-test-" })
}/nodes`;
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(CONTROL_DIR.slice(0, CONTROL_DIR.lastIndexOf("/")), { recursive: true });
  } catch {
    // Gone already.
  }
});

/** How a run of the command ended. */
export interface Ended {
  readonly code: number;
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for a run of the command. */
export interface CliOptions {
  /** Environment variables to add. */
  readonly env?: Record<string, string>;
  /** The working directory (default: the repository root). */
  readonly cwd?: string;
  /**
   * Runs the command as the leader of a process group of its own, as a shell runs a foreground
   * job, so that {@linkcode RunningCli.interruptGroup} can do what a terminal's Ctrl-C does.
   */
  readonly group?: boolean;
}

/**
 * The command running in the background: its output so far, waits for lines matching a
 * pattern, signals, and the end. `await using` kills it if a test leaves it running.
 */
export class RunningCli implements AsyncDisposable {
  readonly process: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly #ended: Promise<Ended>;
  #waiters: Array<() => void> = [];
  #finished = false;
  readonly #group: boolean;

  constructor(args: readonly string[], options: CliOptions = {}) {
    this.process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      cwd: options.cwd ?? ROOT,
      env: { NO_COLOR: "1", STREAMLIB_CONTROL_DIR: CONTROL_DIR, ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: options.group ?? false,
    }).spawn();
    this.#group = options.group ?? false;
    const read = async (stream: ReadableStream<Uint8Array>, to: "stdout" | "stderr") => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        this[to] += text;
        for (const wake of this.#waiters.splice(0)) wake();
      }
    };
    this.#ended = Promise.all([
      read(this.process.stdout, "stdout"),
      read(this.process.stderr, "stderr"),
      this.process.status,
    ]).then(([, , status]) => {
      this.#finished = true;
      for (const wake of this.#waiters.splice(0)) wake();
      return { code: status.code, signal: status.signal, stdout: this.stdout, stderr: this.stderr };
    });
  }

  /** Resolves with the first match of `pattern` in the stream; fails after the deadline. */
  async waitFor(
    stream: "stdout" | "stderr",
    pattern: RegExp,
    timeoutMs: number = DEADLINE_MS,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this[stream].match(pattern);
      if (match) return match;
      if (this.#finished) {
        throw new Error(
          `The command ended without printing ${pattern} on ${stream}.\n` +
            `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `No ${pattern} on ${stream} within ${timeoutMs} ms.\n` +
            `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Sends a signal, unless the command has ended. */
  kill(signal: Deno.Signal): void {
    try {
      this.process.kill(signal);
    } catch {
      // Already ended.
    }
  }

  /** Sends SIGINT to the command's whole process group, as a terminal's Ctrl-C does. */
  interruptGroup(): void {
    this.killGroup("SIGINT");
  }

  /**
   * Sends a signal to the command's whole process group, as a terminal (Ctrl-C, hang-up) or
   * `timeout` does.
   */
  killGroup(signal: Deno.Signal): void {
    if (!this.#group) throw new Error("killGroup() needs a command started with group: true");
    try {
      Deno.kill(-this.process.pid, signal);
    } catch {
      // Already ended.
    }
  }

  /** Waits for the end (output read to its end); kills the command after the deadline. */
  async ended(timeoutMs: number = DEADLINE_MS): Promise<Ended> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill("SIGKILL");
        reject(
          new Error(
            `The command did not end within ${timeoutMs} ms.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
          ),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.#ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.#ended.catch(() => {});
  }
}

/** Runs the command to its end. */
export async function cli(args: readonly string[], options: CliOptions = {}): Promise<Ended> {
  await using running = new RunningCli(args, options);
  return await running.ended();
}

/**
 * Whether a process exists and has not exited (a zombie counts as exited). Reads
 * `/proc/<pid>/stat` through `cat`, since Deno lets only `--allow-all` read `/proc` itself.
 */
export async function isAlive(pid: number): Promise<boolean> {
  const { success, stdout } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/stat`],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) return false;
  const stat = new TextDecoder().decode(stdout);
  // The state follows the command name in parentheses: "1234 (deno) S …".
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

/**
 * The processes whose command line contains `text` (a test's unique temporary path), by id:
 * none once a command has left nothing running behind. Reads `/proc` through `pgrep`.
 */
export async function processesWith(text: string): Promise<number[]> {
  const { stdout } = await new Deno.Command("pgrep", {
    args: ["-f", text],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((l) => l !== "").map(Number);
}

/**
 * Whether an MP4 file is complete, as a muxer leaves it once it has finished: its top-level
 * boxes fill the file exactly and include the index (`moov`) and the media data (`mdat`).
 * While ffmpeg still writes, the file is a header and media data with no index.
 */
export function isCompleteMp4(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seen = new Set<string>();
  let at = 0;
  while (at + 8 <= bytes.length) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (size === 1) {
      if (at + 16 > bytes.length) return false;
      size = Number(view.getBigUint64(at + 8));
    } else if (size === 0) {
      size = bytes.length - at; // to the end: a muxer that never came back to say how long
    }
    if (size < 8) return false;
    seen.add(type);
    at += size;
  }
  return at === bytes.length && seen.has("moov") && seen.has("mdat");
}
