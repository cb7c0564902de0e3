/**
 * A real Verdaccio registry for tests and benchmarks: `verdaccio@6.8.0` on Node, installed once
 * into the cache (`~/.cache/streamlib/verdaccio-6.8.0`, or `STREAMLIB_VERDACCIO` names its
 * `bin/verdaccio`), started on 127.0.0.1 with a free port, a temporary storage folder and a
 * configuration that lets anyone publish, and stopped (process and folder) by `close()`.
 *
 * @module
 */

import { join } from "node:path";

export const VERDACCIO_VERSION = "6.8.0";

/** The path of Verdaccio's `bin/verdaccio`, installing it with npm when it is not there. */
export async function verdaccioBin(): Promise<string> {
  const own = Deno.env.get("STREAMLIB_VERDACCIO");
  if (own) return own;
  const base = Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? "/tmp", ".cache");
  const home = join(base, "streamlib", `verdaccio-${VERDACCIO_VERSION}`);
  const bin = join(home, "node_modules", "verdaccio", "bin", "verdaccio");
  if (await _exists(bin)) return bin;
  const temporary = `${home}.${Deno.pid}.tmp`;
  await Deno.mkdir(temporary, { recursive: true });
  const { success, stderr } = await new Deno.Command("npm", {
    args: [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefix",
      temporary,
      `verdaccio@${VERDACCIO_VERSION}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`npm could not install verdaccio: ${new TextDecoder().decode(stderr)}`);
  }
  await Deno.rename(temporary, home).catch(async () => {
    await Deno.remove(temporary, { recursive: true }); // another test installed it first
  });
  return bin;
}

/** A running Verdaccio. */
export interface TestRegistry extends AsyncDisposable {
  /** Its URL, ending with `/`. */
  readonly url: string;
  /** Its storage folder (a package's tarballs are in `<storage>/<name>/`). */
  readonly storage: string;
  /** Its process id. */
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts a Verdaccio with an empty storage on a free port of 127.0.0.1. */
export async function startVerdaccio(): Promise<TestRegistry> {
  const bin = await verdaccioBin();
  const dir = await Deno.makeTempDir({ prefix: "streamlib-verdaccio-" });
  const storage = join(dir, "storage");
  const config = join(dir, "config.yaml");
  await Deno.writeTextFile(
    config,
    [
      `storage: ${storage}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "uplinks: {}",
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $all",
      "    unpublish: $all",
      "max_body_size: 50mb",
      "log: { type: stdout, format: json, level: error }",
      "",
    ].join("\n"),
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command("node", {
    args: [bin, "--config", config, "--listen", `127.0.0.1:${port}`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}/`;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closed ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // gone
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone
        }
      }, 5_000);
      await child.status;
      clearTimeout(timer);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}-/ping`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`Verdaccio did not answer on ${url} within 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, storage, pid: child.pid, close, [Symbol.asyncDispose]: close };
}

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
