/**
 * The fuzz suite's runner processes, seen from the driver: each runs one case at a time, under a
 * time limit. A runner past the limit is killed with the ffmpeg processes it started (a hang);
 * a runner that dies fails the case it was running (a crash); either is replaced by a fresh
 * one. Internal to the scripts.
 *
 * @module
 */

import { type _Input, _lines, type _Outcome, type _Reply } from "./_fuzz_case.ts";

/** How a case ended, as the driver counts it. */
export interface _Result {
  readonly outcome: _Outcome | "hang";
  /** The `SL_` code of a coded error. */
  readonly code?: string;
  /** What went wrong, for `other` and `hang`. */
  readonly error?: string;
}

/** Options of {@linkcode _Pool}. */
export interface _PoolOptions {
  /** Runner processes. */
  readonly runners: number;
  /** The folder runners may write in (the run's temporary folder). */
  readonly dir: string;
  /** The repository's root, where runners start. */
  readonly root: string;
  /** Environment variables runners get beyond this process's (`STREAMLIB_FFMPEG`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * An error that escaped a case after it had answered (an unhandled rejection, say): it
   * counts against that case.
   */
  readonly onLate: (id: number, error: string) => void;
}

/** Runner processes that share out cases. */
export class _Pool {
  readonly #options: _PoolOptions;
  readonly #idle: _RunnerProcess[] = [];
  readonly #waiting: Array<(runner: _RunnerProcess) => void> = [];
  readonly #all = new Set<_RunnerProcess>();
  #starting = 0;

  constructor(options: _PoolOptions) {
    this.#options = options;
  }

  /** Runs one case on the next free runner; a hang past `limitMs`. */
  async run(id: number, input: _Input, limitMs: number): Promise<_Result> {
    const runner = await this.#take();
    const result = await runner.run(id, input, limitMs);
    if (runner.alive) this.#give(runner);
    else {
      this.#all.delete(runner);
      await _reap(input);
    }
    return result;
  }

  /** Ends every runner. */
  async close(): Promise<void> {
    await Promise.all([...this.#all].map((runner) => runner.close()));
    this.#all.clear();
  }

  async #take(): Promise<_RunnerProcess> {
    for (let idle = this.#idle.pop(); idle !== undefined; idle = this.#idle.pop()) {
      if (idle.alive) return idle;
      this.#all.delete(idle); // it died between cases: its status told the last one
    }
    if (this.#all.size + this.#starting < this.#options.runners) {
      this.#starting++;
      try {
        const runner = await _RunnerProcess.start(this.#options);
        this.#all.add(runner);
        return runner;
      } finally {
        this.#starting--;
      }
    }
    return await new Promise((resolve) => this.#waiting.push(resolve));
  }

  #give(runner: _RunnerProcess): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter(runner);
    else this.#idle.push(runner);
  }
}

/** The ids, parents and command lines of the processes running now. */
export async function _processes(): Promise<Array<{ pid: number; ppid: number; args: string }>> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,ppid=,args="],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(stdout).split("\n").flatMap((line) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    return match ? [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }] : [];
  });
}

/** Kills a process by id, if it still runs. */
export function _kill(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** Kills what a dead runner's media case left running: processes that name its file. */
async function _reap(input: _Input): Promise<void> {
  if (input.target !== "media") return;
  for (const p of await _processes()) if (p.args.includes(input.file)) _kill(p.pid);
}

/** One runner process. */
class _RunnerProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #onLate: (id: number, error: string) => void;
  #pending: { id: number; settle: (result: _Result) => void } | undefined;
  #stderr = "";
  #alive = true;
  /** Ended on purpose (closed, or killed for a hang): its death is no defect of its own. */
  #closing = false;
  /** The id of the last case it ran. */
  #last = -1;
  #ready!: () => void;
  readonly #readyPromise = new Promise<void>((resolve) => this.#ready = resolve);
  readonly #status: Promise<Deno.CommandStatus>;

  private constructor(options: _PoolOptions) {
    this.#onLate = options.onLate;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--allow-read",
        `--allow-write=${options.dir}`,
        "--allow-run",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys=homedir",
        "--allow-net=127.0.0.1",
        "--v8-flags=--max-old-space-size=1024",
        "scripts/_fuzz_runner.ts",
      ],
      cwd: options.root,
      env: { ...options.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#status = this.#child.status;
    void this.#read();
    void this.#readStderr();
    void this.#status.then((status) => {
      this.#alive = false;
      if (this.#closing) return;
      const error = `the runner process died (${
        status.signal ? `signal ${status.signal}` : `exit code ${status.code}`
      }):\n${this.#stderr.slice(-2000)}`;
      // Between cases, what killed it came from the last one.
      if (this.#pending === undefined) {
        if (this.#last >= 0) this.#onLate(this.#last, `${error} (after the case had answered)`);
      } else this.#settle({ outcome: "other", error });
    });
  }

  /** Starts a runner and waits until it has built its catalogue. */
  static async start(options: _PoolOptions): Promise<_RunnerProcess> {
    const runner = new _RunnerProcess(options);
    const died = runner.#status.then(() => {
      throw new Error(`a fuzz runner did not start:\n${runner.#stderr}`);
    });
    await Promise.race([runner.#readyPromise, died]);
    return runner;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Runs a case; kills the runner when it takes longer than `limitMs`. */
  async run(id: number, input: _Input, limitMs: number): Promise<_Result> {
    this.#last = id;
    const result = new Promise<_Result>((settle) => this.#pending = { id, settle });
    const timer = setTimeout(() => void this.#hang(limitMs), limitMs);
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify({ id, input }) + "\n"));
    } catch {
      // It died: its status settles the case.
    }
    const done = await result;
    clearTimeout(timer);
    return done;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#writer.close().catch(() => {});
    await this.#status;
  }

  async #hang(limitMs: number): Promise<void> {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    this.#alive = false;
    this.#closing = true;
    const pid = this.#child.pid;
    for (const p of await _processes()) if (p.ppid === pid) _kill(p.pid);
    _kill(pid);
    await this.#status;
    pending.settle({ outcome: "hang", error: `no answer within ${limitMs} ms` });
  }

  #settle(result: _Result): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.settle(result);
  }

  async #read(): Promise<void> {
    for await (const line of _lines(this.#child.stdout)) {
      const message = JSON.parse(line) as _Reply | { ready: true };
      if ("ready" in message) {
        this.#ready();
        continue;
      }
      if (this.#pending?.id === message.id) {
        this.#settle({
          outcome: message.outcome,
          ...(message.code === undefined ? {} : { code: message.code }),
          ...(message.error === undefined ? {} : { error: message.error }),
        });
      } else if (message.id >= 0 && message.outcome === "other") {
        this.#onLate(message.id, message.error ?? "an error after the case had answered");
      }
    }
  }

  async #readStderr(): Promise<void> {
    for await (const chunk of this.#child.stderr.pipeThrough(new TextDecoderStream())) {
      this.#stderr = (this.#stderr + chunk).slice(-8000);
    }
  }
}
