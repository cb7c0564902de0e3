/**
 * A `nats-server` for the link tests: Debian's (on PATH or in /usr/sbin), on 127.0.0.1 with a
 * free port, stopped (and startable again on the same port) by the test that started it, and
 * never outliving it (`await using`).
 *
 * @module
 */

import { needs } from "../../../tests/_needs.ts";

/** The nats-server binary, if this machine has one. */
export function natsServerPath(): string | undefined {
  const own = Deno.env.get("STREAMLIB_NATS_SERVER");
  if (own) return own;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat("/usr/sbin")) {
    try {
      if (dir !== "" && Deno.statSync(`${dir}/nats-server`).isFile) return `${dir}/nats-server`;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Marks a test as needing nats-server (skipped, or failing under `STREAMLIB_REQUIRE_ALL=1`). */
export const needsNats: (test: Deno.TestDefinition) => Deno.TestDefinition = needs(
  "nats-server",
  natsServerPath() !== undefined,
  "apt-get install nats-server",
);

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running nats-server. */
export class TestNats {
  readonly port: number;
  readonly #options: { maxPayload?: number };
  #child: Deno.ChildProcess | undefined;
  #config: string | undefined;

  private constructor(port: number, options: { maxPayload?: number }) {
    this.port = port;
    this.#options = options;
  }

  /** Starts one on a free port and waits until it takes connections. */
  static async start(options: { maxPayload?: number } = {}): Promise<TestNats> {
    const nats = new TestNats(freePort(), options);
    await nats.restart();
    return nats;
  }

  /** Its URL. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Whether it runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts it (again, on the same port) and waits until it takes connections. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) return;
    const args = ["-a", "127.0.0.1", "-p", String(this.port)];
    if (this.#options.maxPayload !== undefined) {
      const config = this.#config ??= await Deno.makeTempFile({ suffix: ".conf" });
      await Deno.writeTextFile(config, `max_payload: ${this.#options.maxPayload}\n`);
      args.push("-c", config);
    }
    this.#child = new Deno.Command(natsServerPath()!, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 200; i++) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: this.port });
        conn.close();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    throw new Error(`nats-server did not start on port ${this.port}`);
  }

  /** Stops it and waits for it to end. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined) return;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    if (this.#config !== undefined) await Deno.remove(this.#config).catch(() => {});
  }
}
