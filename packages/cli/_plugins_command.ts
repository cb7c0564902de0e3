/**
 * The `streamlib plugins` commands that reach registries and marketplaces (pack, publish,
 * search, info, install, update, remove) and `streamlib market serve | index`.
 *
 * @module
 */

import { _isFile } from "./_is_file.ts";
import type { Command } from "commander";
import { isStreamlibError, StreamlibError } from "@streamlib/core";
import { PLUGINS_FOLDER } from "./discover_plugins.ts";
import { _printable } from "./_printable.ts";
import { describeGrant } from "./plugin_grants.ts";
import {
  type InstallOptions,
  installPlugins,
  removePlugins,
  updatePlugins,
} from "./plugins/install_plugins.ts";
import { lockfilePath, readLockfile } from "./plugins/lockfile.ts";
import { packPlugin } from "./plugins/pack_plugin.ts";
import { _permissionScope } from "./plugins/_package_check.ts";
import { RegistryClient } from "./plugins/registry_client.ts";

/** What the commands print through. */
export interface _PluginsIo {
  out(text: string): void;
  err(text: string): void;
}

interface _Where {
  dir: string;
  registry?: string;
  token?: string;
  cache?: string;
}

/** Adds the registry and marketplace commands to `plugins` and `program`. */
export function _addPluginsCommands(
  program: Command,
  plugins: Command,
  terminal: _PluginsIo,
): void {
  // What these commands print comes from registries and manifests: no escape sequences.
  const io: _PluginsIo = {
    out: (text) => terminal.out(_printable(text)),
    err: (text) => terminal.err(_printable(text)),
  };
  const where = (command: Command): Command =>
    command
      .option("--dir <dir>", "the plugins folder; streamlib.lock sits beside it", PLUGINS_FOLDER)
      .option(
        "--registry <url>",
        "the npm-compatible registry (default: STREAMLIB_REGISTRY, else npm)",
      )
      .option("--token <token>", "a registry token (default: STREAMLIB_REGISTRY_TOKEN)")
      .option(
        "--cache <dir>",
        "the tarball cache (default: STREAMLIB_CACHE, else ~/.cache/streamlib)",
      );
  const install = (
    options: _Where & { yes?: boolean; grant?: boolean; frozen?: boolean },
  ): InstallOptions => {
    const registry = options.registry ?? (Deno.env.get("STREAMLIB_REGISTRY") || undefined);
    const token = options.token ?? (Deno.env.get("STREAMLIB_REGISTRY_TOKEN") || undefined);
    const interactive = Deno.stdin.isTerminal();
    return {
      dir: options.dir,
      ...(registry === undefined ? {} : { registry }),
      ...(token === undefined ? {} : { token }),
      ...(options.cache === undefined ? {} : { cache: options.cache }),
      ...(options.yes ? { yes: true } : {}),
      ...(options.grant ? { grant: true } : {}),
      ...(options.frozen ? { frozen: true } : {}),
      ...(interactive ? { confirm: (q: string) => Promise.resolve(confirm(q)) } : {}),
      say: (line: string) => io.err(`${line}\n`),
    };
  };

  plugins.command("pack").argument("[dir]", "the plugin's folder", ".")
    .description("check a plugin against its code and make its npm package (.tgz)")
    .option("-o, --out <dir>", "where to write the .tgz", ".")
    .action(async (dir: string, options: { out: string }) => {
      const out = options.out.replace(/\/$/, "") || "/";
      if (/\.(tgz|tar\.gz)$/.test(out) || (await _isFile(out))) {
        throw new StreamlibError(
          "SL_USAGE",
          `-o takes the folder to write the .tgz in (its name is the package's), not a file: ` +
            `${JSON.stringify(options.out)}`,
        );
      }
      const packed = await packPlugin(dir);
      await Deno.mkdir(out, { recursive: true });
      const file = `${out}/${packed.filename}`;
      await Deno.writeFile(file, packed.tarball);
      io.out(
        `${file}: ${packed.name} ${packed.version}, ${packed.files.length} files, ` +
          `${packed.tarball.length} bytes, ${packed.integrity}\n`,
      );
    });

  plugins.command("publish").argument("[dir]", "the plugin's folder", ".")
    .description(
      "check, pack and publish a plugin to a registry (versions never change once published)",
    )
    .requiredOption("--registry <url>", "the npm-compatible registry")
    .option("--token <token>", "a registry token (default: STREAMLIB_REGISTRY_TOKEN)")
    .action(async (dir: string, options: { registry: string; token?: string }) => {
      const packed = await packPlugin(dir);
      const token = options.token ?? (Deno.env.get("STREAMLIB_REGISTRY_TOKEN") || undefined);
      const registry = new RegistryClient(options.registry, token);
      const published = await registry.publish(packed.tarball, packed.packageJson);
      io.out(
        `published ${packed.name} ${packed.version} to ${registry.url}: ${published.tarball} ${published.integrity}\n`,
      );
    });

  plugins.command("search").argument("[words...]", "words to look for")
    .description("search a marketplace by words, actor type, port and format, permissions")
    .option("--market <url>", "the marketplace (default: STREAMLIB_MARKET)")
    .option("--type <type>", "plugins that provide this actor type")
    .option("--port <kind>", "with a port of this kind: video, audio, data, event, any")
    .option("--format <format>", "with a port of this format (RGBA, text, …)")
    .option("--direction <in|out>", "--port and --format count only inputs, or only outputs")
    .option("--no-permissions", "only plugins whose actors need no permission")
    .option("--json", "print the marketplace's JSON")
    .action(async (words: string[], options: _SearchOptions) => {
      const kinds = ["video", "audio", "data", "event", "any"];
      if (options.port !== undefined && !kinds.includes(options.port)) {
        throw new StreamlibError(
          "SL_USAGE",
          `--port "${options.port}" is not a port kind: video, audio, data, event or any`,
        );
      }
      if (options.direction !== undefined && !["in", "out"].includes(options.direction)) {
        throw new StreamlibError("SL_USAGE", `--direction "${options.direction}" is not in or out`);
      }
      const params = new URLSearchParams();
      if (words.length) params.set("q", words.join(" "));
      for (const key of ["type", "port", "format", "direction"] as const) {
        if (options[key] !== undefined) params.set(key, options[key]!);
      }
      if (options.permissions === false) params.set("noPermissions", "1");
      const found = await _market(options.market, `api/v1/search?${params}`) as {
        total: number;
        results: Array<
          {
            name: string;
            version: string;
            description: string;
            types: string[];
            permissions: string[];
          }
        >;
      };
      if (options.json) return io.out(`${JSON.stringify(found, null, 2)}\n`);
      for (const p of found.results) {
        io.out(
          `${p.name} ${p.version}  ${p.description}\n  types: ${p.types.join(", ")}  permissions: ${
            p.permissions.join(", ") || "none"
          }\n`,
        );
      }
      io.err(`${found.total} plugin${found.total === 1 ? "" : "s"}\n`);
    });

  plugins.command("info").argument("<name>", "a plugin's package name")
    .description(
      "a plugin's actor types, ports, parameters, permissions with reasons, and versions",
    )
    .option("--market <url>", "the marketplace (default: STREAMLIB_MARKET)")
    .option("--json", "print the marketplace's JSON")
    .action(async (name: string, options: { market?: string; json?: boolean }) => {
      const info = await _market(options.market, `api/v1/plugins/${name}`) as _Info;
      if (options.json) return io.out(`${JSON.stringify(info, null, 2)}\n`);
      io.out(_formatInfo(info));
    });

  where(
    plugins.command("install").argument(
      "[plugins...]",
      "name, name@range (default: what streamlib.lock records)",
    )
      .description(
        "install plugins from a registry, each checked (integrity, manifest) and agreed to",
      )
      .option("-y, --yes", "agree to the permissions asked (run and ffi need --grant)")
      .option("--grant", "agree to every permission asked, run and ffi included")
      .option("--frozen", "install exactly what streamlib.lock records; fail on any difference"),
  ).action(
    async (
      specs: string[],
      options: _Where & { yes?: boolean; grant?: boolean; frozen?: boolean },
    ) => {
      const lock = lockfilePath(options.dir);
      if (specs.length === 0 && !(await _isFile(lock))) {
        // As npm ci without a package-lock.json: nothing says what to install.
        throw new StreamlibError(
          "SL_LOCKFILE",
          `No ${lock} here: name the plugins to install (streamlib plugins install <name>)` +
            (options.frozen ? "; --frozen installs what a lockfile records" : ""),
        );
      }
      const installed = await installPlugins(specs, install(options));
      for (const r of installed) io.out(`${r.name} ${r.version} (${r.from})\n`);
      if (installed.length === 0) io.out(`nothing to install: ${lock} lists no plugins\n`);
    },
  );

  where(
    plugins.command("update").argument("[plugins...]", "names (default: every installed plugin)")
      .description("update installed plugins within their ranges; more permissions need --grant")
      .option("--grant", "agree to permissions a new version asks for beyond what was granted"),
  ).action(async (names: string[], options: _Where & { grant?: boolean }) => {
    const updated = await updatePlugins(names, install(options));
    if (updated.length === 0) io.out(`no plugins installed in ${options.dir}: nothing to update\n`);
    for (const r of updated) {
      io.out(
        r.from === "unchanged"
          ? `${r.name} ${r.version} is up to date\n`
          : `${r.name} ${r.previous ?? "?"} → ${r.version}\n`,
      );
    }
  });

  plugins.command("remove").argument("<plugins...>", "names")
    .description("remove installed plugins and their lockfile entries")
    .option("--dir <dir>", "the plugins folder", PLUGINS_FOLDER)
    .action(async (names: string[], options: { dir: string }) => {
      for (const r of await removePlugins(names, options)) {
        io.out(`removed ${r.name} ${r.version}\n`);
      }
    });

  plugins.command("installed").description("list the installed plugins with what they were granted")
    .option("--dir <dir>", "the plugins folder", PLUGINS_FOLDER)
    .action(async (options: { dir: string }) => {
      const lock = await readLockfile(lockfilePath(options.dir));
      if (Object.keys(lock.plugins).length === 0) {
        io.out(`no plugins installed in ${options.dir}\n`);
      }
      for (const [name, p] of Object.entries(lock.plugins)) {
        const grants = Object.entries(p.permissions).map(([n, g]) => `${n} (${describeGrant(g!)})`);
        io.out(
          `${name} ${p.version}  ${p.resolved}\n  granted: ${grants.join("; ") || "nothing"}\n`,
        );
      }
    });

  const market = program.command("market").description("the plugin marketplace");
  market.command("serve")
    .description("index registries' streamlib plugins and serve a search API and web pages")
    .requiredOption(
      "--registry <url>",
      "a registry to index (repeatable)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option("--db <path>", "the SQLite database", "market.db")
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <port>", "the port", "8780")
    .option(
      "--interval <seconds>",
      "seconds between incremental re-indexings (0: only at start)",
      "300",
    )
    .option(
      "--package <name>",
      "index this package too (repeatable)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .action(
      async (
        options: {
          registry: string[];
          db: string;
          host: string;
          port: string;
          interval: string;
          package: string[];
        },
      ) => {
        const { serveMarket } = await import("./market/serve_market.ts");
        const server = await serveMarket({
          registries: options.registry,
          db: options.db,
          host: options.host,
          port: _number(options.port, "--port"),
          interval: _number(options.interval, "--interval"),
          packages: options.package,
          onIndexed: (registry, report) =>
            io.err(
              report instanceof Error
                ? `streamlib: error ${
                  isStreamlibError(report) ? report.code : "SL_REGISTRY"
                }: cannot index ${registry} (the marketplace keeps serving what it has): ${
                  _printable(report.message)
                }\n`
                : `streamlib: indexed ${registry}: ${report.packages} plugins (${report.unchanged} unchanged), ${report.added} versions added, ${report.refused} refused, ${report.removed} removed\n`,
            ),
        });
        const stop = Promise.withResolvers<void>();
        const onSignal = (): void => stop.resolve();
        // Listening before saying where it serves: a Ctrl-C right after the line still stops
        // it cleanly.
        Deno.addSignalListener("SIGINT", onSignal);
        Deno.addSignalListener("SIGTERM", onSignal);
        io.err(`streamlib: the marketplace serves ${server.url}\n`);
        await stop.promise;
        Deno.removeSignalListener("SIGINT", onSignal);
        Deno.removeSignalListener("SIGTERM", onSignal);
        await server.close();
      },
    );
  market.command("index")
    .description("index registries' streamlib plugins once (incrementally) and exit")
    .requiredOption(
      "--registry <url>",
      "a registry to index (repeatable)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option("--db <path>", "the SQLite database", "market.db")
    .action(async (options: { registry: string[]; db: string }) => {
      const { MarketDb } = await import("./market/market_db.ts");
      const { indexRegistry } = await import("./market/index_registry.ts");
      using db = new MarketDb(options.db);
      for (const registry of options.registry) {
        const r = await indexRegistry(db, registry);
        io.out(
          `${registry}: ${r.packages} plugins (${r.unchanged} unchanged), ${r.added} versions added, ${r.refused} refused, ${r.removed} removed\n`,
        );
      }
    });
}

interface _SearchOptions {
  market?: string;
  type?: string;
  port?: string;
  format?: string;
  direction?: string;
  permissions?: boolean;
  json?: boolean;
}

interface _Info {
  name: string;
  description: string;
  registry: string;
  install: string;
  latest?: { version: string; integrity: string; manifest?: import("@streamlib/core").Manifest };
  versions: Array<{ version: string; deprecated?: string; problem?: string }>;
}

function _formatInfo(info: _Info): string {
  const lines = [
    `${info.name} ${info.latest?.version ?? ""}`,
    `  ${info.description}`,
    `  registry: ${info.registry}`,
  ];
  for (const actor of info.latest?.manifest?.actors ?? []) {
    lines.push(`  ${actor.type} (${actor.classification}): ${actor.description}`);
    for (const [dir, ports] of [["in ", actor.inputs], ["out", actor.outputs]] as const) {
      for (const [name, p] of Object.entries(ports ?? {})) {
        lines.push(`    ${dir} ${name}: ${p.kind} ${(p.formats ?? []).join(", ") || "any"}`);
      }
    }
    for (const [name, s] of Object.entries(actor.params ?? {})) {
      lines.push(
        `    param ${name}: ${String(s.type)}${
          s.default === undefined ? "" : ` = ${JSON.stringify(s.default)}`
        }`,
      );
    }
    const permissions = Object.entries(actor.permissions ?? {});
    if (permissions.length === 0) lines.push("    permissions: none");
    for (const [name, r] of permissions) {
      if (r !== undefined) {
        lines.push(`    permission ${name}: ${_permissionScope(r, actor.params)} — ${r.reason}`);
      }
    }
  }
  lines.push(
    `  versions: ${
      info.versions.map((v) =>
        v.version + (v.problem ? " (refused)" : v.deprecated ? " (deprecated)" : "")
      ).join(", ")
    }`,
  );
  lines.push(`  install: ${info.install}`);
  return `${lines.join("\n")}\n`;
}

async function _market(given: string | undefined, path: string): Promise<unknown> {
  const base = given ?? (Deno.env.get("STREAMLIB_MARKET") || undefined);
  if (base === undefined) {
    throw new StreamlibError(
      "SL_USAGE",
      "Which marketplace? Give --market <url> or set STREAMLIB_MARKET",
    );
  }
  const url = new URL(path, base.endsWith("/") ? base : `${base}/`);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new StreamlibError(
      "SL_REGISTRY",
      `Cannot reach the marketplace ${base}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const body = await response.json().catch(() => undefined) as {
    error?: { code: string; message: string };
  } | undefined;
  if (!response.ok) {
    throw new StreamlibError(
      body?.error?.code ?? "SL_REGISTRY",
      body?.error?.message ?? `The marketplace ${base} answered HTTP ${response.status}`,
    );
  }
  return body;
}

function _number(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new StreamlibError(
      "SL_USAGE",
      `${flag} takes a whole number, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}
