#!/usr/bin/env -S deno run -A
/**
 * The `streamlib` command. Install it with
 * `deno install -g -A -n streamlib packages/cli/main.ts`, or run it in place with
 * `deno run -A packages/cli/main.ts <command>`.
 *
 * @module
 */

import { _describeCaught } from "./_error_text.ts";
import { Command, CommanderError, Option } from "commander";
import cliConfig from "./deno.json" with { type: "json" };
import { allowFlags } from "./allow_flags.ts";
import { type DiscoverOptions, discoverPlugins, type Discovery } from "./discover_plugins.ts";
import { exitCodeOf } from "./exit_code.ts";
import { formatInspect } from "./format_inspect.ts";
import { inspectJson, listJson } from "./format_json.ts";
import { formatList } from "./format_list.ts";
import { formatPlugins } from "./format_plugins.ts";
import { type LoadedPipeline, loadPipeline } from "./load_pipeline.ts";
import { permissionFlags } from "./permission_flags.ts";
import { renderGraph } from "./render_graph.ts";
import { runPipeline } from "./run_pipeline.ts";
import { _stoppedBeforeStart, _StopSignals } from "./_stop_signals.ts";
import { runScript } from "./run_script.ts";
import { shellQuote } from "./shell_quote.ts";
import { validatePlugin } from "./validate_plugin.ts";
import { isStreamlibError, type PermissionName, StreamlibError } from "@streamlib/core";
import { type NodeReservation, reserveNode } from "@streamlib/net/control";
import { _addControlCommands, _liveDot } from "./_control_commands.ts";
import { _hostPort } from "./_address.ts";
import { _linkToken } from "./_link_token.ts";
import { type _McpOptions, _serveMcp } from "./_mcp_command.ts";
import { type PipelineProcessOptions, runPermissions } from "./pipeline_process.ts";
import { _addPluginsCommands } from "./_plugins_command.ts";
import { scopePrograms } from "./scope_programs.ts";

const _encoder = new TextEncoder();
const _SCRIPT = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

interface _PluginOptions {
  plugins: string[];
  plugin: string[];
  grant?: string[];
}

/**
 * Runs the `streamlib` command with `args` (without the program name) and returns its exit
 * status: 0 on success, 1 when a pipeline or a check fails, 2 for a usage error (bad options,
 * pipeline text or JSON that does not parse or validate, an unknown actor type), 130 when a
 * run was aborted with a second Ctrl-C. Output goes to stdout, messages to stderr.
 *
 * Commands: `list`, `inspect <type>`, `run <pipeline | file.json | script.ts>`,
 * `graph <pipeline | node> [-o file]`, `plugins list`, `plugins validate <manifest>`, for
 * running pipelines (nodes) `nodes`, `tap`, `logs`, `set`, `patch`, `stop`, and `mcp` (an MCP
 * server for agents); `--help` on any of them says more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@streamlib/cli";
 * const status = await main(["--version"]); // prints 0.1.0
 * assert.ok(status === 0);
 * ```
 *
 * @param args The command line.
 * @returns The exit status.
 */
export async function main(args: readonly string[]): Promise<number> {
  let status = 0;
  const out = (text: string): void => _write(Deno.stdout, text);
  const err = (text: string): void => _write(Deno.stderr, text);
  const discover = async (options: _PluginOptions): Promise<Discovery> => {
    const found = await discoverPlugins(
      {
        dirs: options.plugins,
        plugins: options.plugin,
        grants: _grants(options.grant ?? []),
      } satisfies DiscoverOptions,
    );
    for (const warning of found.warnings) err(`streamlib: ${warning}\n`);
    return found;
  };
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  const withPlugins = (command: Command): Command =>
    command
      .option(
        "--plugins <dir>",
        "also load <dir>/manifest.json and <dir>/*/manifest.json (repeatable)",
        collect,
        [],
      )
      .option(
        "--plugin <manifest>",
        "also load this plugin manifest, a path or URL (repeatable)",
        collect,
        [],
      );

  const program = new Command("streamlib")
    .description("Run, inspect and draw streamlib pipelines")
    .version(cliConfig.version)
    .exitOverride()
    .configureOutput({
      writeOut: out,
      writeErr: err,
      // Usage errors found by the option parser (a missing argument, an unknown option or
      // command) read as the command's own: with their code.
      outputError: (text, write) => write(text.replace(/^error: /, "streamlib: error SL_USAGE: ")),
    })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Plugins: core's, the video, audio, ffmpeg and net packages' actors, every
./packages/*/manifest.json and ./plugins/*/manifest.json, and those named by --plugins/--plugin.

Examples:
  streamlib list
  streamlib inspect datasrc
  streamlib run "datasrc count=5 ! log"
  streamlib run --print-permissions "datasrc ! myplugin path=out.bin"
  streamlib graph "datasrc name=src ! log  src. ! nullsink" -o graph.svg
  streamlib nodes
  streamlib tap videotestsrc-1/mix.out -o frame.png
  streamlib mcp --allow-files ./media

Exit status: 0 success, 1 pipeline or check failed, 2 usage error, 130 aborted by Ctrl-C twice.`,
    );

  withPlugins(
    program.command("list").description("list every actor type: type, classification, description")
      .option("--json", "print JSON: one object a type, for agents and scripts"),
  ).action(async (options: _PluginOptions & { json?: boolean }) => {
    const entries = (await discover(options)).catalogue.list();
    out(options.json ? `${JSON.stringify(listJson(entries), null, 2)}\n` : formatList(entries));
  });

  withPlugins(
    program.command("inspect").argument("<type>", "an actor type")
      .description("describe an actor type: ports, parameters, permissions")
      .option("--json", "print the type's manifest entry, with its package, manifest and module"),
  ).action(async (type: string, options: _PluginOptions & { json?: boolean }) => {
    const entry = (await discover(options)).catalogue.describe(type);
    out(options.json ? `${JSON.stringify(inspectJson(entry), null, 2)}\n` : formatInspect(entry));
  });

  withPlugins(
    program.command("run")
      .argument("<pipeline>", 'pipeline text ("datasrc ! log"), a pipeline JSON file, or a script')
      .argument("[args...]", "more pipeline text, or after -- the script's arguments")
      .description(
        "run a pipeline in a process with only the permissions its actors' manifests declare, " +
          "or a script with the permissions given by --allow",
      )
      // gst-launch's -e, which a user may type from habit: answered in _run, not in --help.
      .addOption(new Option("-e, --eos-on-shutdown").hideHelp())
      .option("--offline", "run offline: as fast as possible, nothing dropped")
      .option("--print-permissions", "print the Deno flags the pipeline needs and exit")
      .option("--stats", "show each actor's rate and drops")
      .option("--verbose", "say more: the pipeline process and its permissions, end-of-stream")
      .option(
        "--no-control",
        "do not serve the control API (nodes, tap, set, patch… cannot reach it)",
      )
      .option("--name <name>", "the node's name (default: its first actor's type and a number)")
      .option(
        "--control-tcp <[host:]port>",
        "serve the control API on TCP too (127.0.0.1 unless a host is given), with an access " +
          "token made up and printed (or STREAMLIB_TOKEN): any user of the machine reaches TCP",
      )
      .option(
        "--nats <url>",
        "start the node's link service on this NATS server: it announces itself there, and " +
          "actor://node/… addresses reach nodes on it",
      )
      .option(
        "--peer <name=host:port>",
        "a node reachable directly (its --listen address), for actor://name/… (repeatable)",
        collect,
        [],
      )
      .option(
        "--link-codec <kind=codec>",
        "what actor:// links of a kind carry: video=raw|jpeg|h264, audio=raw|opus (repeatable; " +
          "default raw)",
        collect,
        [],
      )
      .option(
        "--listen <host:port>",
        "take direct links from other nodes here (default 127.0.0.1 and a free port); off " +
          "loopback links need the access token STREAMLIB_TOKEN, made up and printed if unset",
      )
      .option(
        "--allow <permission>",
        "for a script: grant a permission, e.g. read=./data or net (repeatable)",
        collect,
        [],
      )
      .option(
        "--grant <plugin=permissions>",
        "grant a sandboxed plugin run or ffi, which its actors never get otherwise, e.g. " +
          "--grant @acme/tools=run (repeatable)",
        collect,
        [],
      )
      .addHelpText(
        "after",
        `
A pipeline runs in a child "deno run --no-prompt" process granted exactly what its actors'
manifests declare, and serves its control API as a node on a Unix socket only you can open
(the socket's folder and the socket itself are added to its permissions; --no-control leaves
them out). A script's permissions cannot be computed: grant them with --allow.
Ctrl-C once drains the pipeline (end-of-stream flows, files are finalised); twice aborts it.`,
      ),
  ).action(async (target: string, rest: string[], options: _RunOptions) => {
    status = await _run(target, rest, options, discover, out, err);
  });

  withPlugins(
    program.command("graph")
      .argument("<pipeline>", "pipeline text, a pipeline JSON file, or a running node's name")
      .argument("[more...]", "more pipeline text")
      .option("-o, --output <file>", "write to a .dot file, or draw .svg/.png/.pdf with Graphviz")
      .option("--token <token>", "the access token of a node served on TCP off loopback")
      .description(
        "print a pipeline's graph in Graphviz DOT, or draw it; one word that names a running " +
          "node (streamlib nodes) draws that node's live graph",
      ),
  ).action(
    async (
      target: string,
      rest: string[],
      options: _PluginOptions & { output?: string; token?: string },
    ) => {
      const live = rest.length === 0 ? await _liveDot(target, options.token) : undefined;
      let dot: string;
      if (live !== undefined) dot = live;
      else {
        const { catalogue } = await discover(options);
        try {
          const loaded = await loadPipeline([target, ...rest].join(" "), catalogue);
          dot = (await catalogue.build(loaded.parsed ?? loaded.spec)).toDot();
        } catch (error) {
          // One word that is no type: the user probably meant a node that has ended since.
          if (rest.length !== 0 || !isStreamlibError(error, "SL_UNKNOWN_TYPE")) throw error;
          throw new StreamlibError(
            error.code,
            `No node named "${target}" is running (streamlib nodes lists them), and as ` +
              `pipeline text: ${error.message}`,
            { cause: error, details: error.details },
          );
        }
      }
      if (options.output === undefined) out(dot);
      else await renderGraph(dot, options.output);
    },
  );

  _addControlCommands(program, { out, err, status: (code) => status = code });

  withPlugins(
    program.command("mcp")
      .description(
        "serve streamlib to AI agents over MCP (Model Context Protocol): on stdio, or on " +
          "Streamable HTTP with --http",
      )
      .option(
        "--http <[host:]port>",
        "serve Streamable HTTP at /mcp instead of stdio (127.0.0.1 unless a host is given), " +
          "with an access token: any user of the machine reaches TCP",
      )
      .option("--token <token>", "with --http: the token requests need (default: one made up)")
      .option(
        "--allow-files <dir>",
        "a folder pipelines may read and write files in (repeatable; default: none)",
        collect,
        [],
      )
      .addHelpText(
        "after",
        `
Tools: list_types, describe_type, validate_pipeline, run_pipeline, list_nodes, graph, stats,
tap, events, set_params, patch, stop. Resources: streamlib://types/{type} and
streamlib://nodes/{node}/graph. A pipeline run_pipeline starts runs as "streamlib run" runs it
(only the permissions its manifests declare) and is stopped when this command ends.`,
      ),
  ).action(async (options: _PluginOptions & _McpOptions) => {
    status = await _serveMcp(options, await discover(options), err);
  });

  const plugins = program.command("plugins").description(
    "list, check, pack, publish, find, install, update and remove plugins",
  );
  _addPluginsCommands(plugins.parent ?? program, plugins, { out, err });
  withPlugins(plugins.command("list").description("list the plugin manifests found"))
    .action(async (options: _PluginOptions) => {
      out(formatPlugins((await discover(options)).catalogue));
    });
  plugins.command("validate").argument("<manifest>", "a manifest's path or URL")
    .description("check a manifest and that each type matches its implementation")
    .action(async (path: string) => {
      const { manifest, problems } = await validatePlugin(path);
      if (problems.length === 0 && manifest !== undefined) {
        const types = manifest.actors.map((a) => a.type);
        out(
          `${path}: valid: ${manifest.name} ${manifest.version}, ${types.length} actor type${
            types.length === 1 ? "" : "s"
          } (${types.join(", ")})\n`,
        );
        return;
      }
      for (const problem of problems) out(`${problem}\n`);
      out(`${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
      status = 1;
    });

  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    err(`streamlib: ${_describeCaught(error)}\n`);
    return exitCodeOf(error);
  }
  return status;
}

interface _RunOptions extends _PluginOptions {
  eosOnShutdown?: boolean;
  offline?: boolean;
  printPermissions?: boolean;
  stats?: boolean;
  verbose?: boolean;
  allow: string[];
  control: boolean;
  name?: string;
  controlTcp?: string;
  nats?: string;
  peer: string[];
  linkCodec: string[];
  listen?: string;
}

async function _run(
  target: string,
  rest: string[],
  options: _RunOptions,
  discover: (options: _PluginOptions) => Promise<Discovery>,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  if (options.eosOnShutdown) {
    throw new StreamlibError(
      "SL_USAGE",
      `streamlib run has no -e: what gst-launch -e does (end-of-stream on shutdown) it always ` +
        `does. Ctrl-C drains, and so do SIGTERM and SIGHUP (sources end, end-of-stream flows ` +
        `through, files are finalised); ` +
        `a second Ctrl-C aborts. Leave -e out`,
    );
  }
  if (_SCRIPT.test(target.trim())) {
    const pipelineOnly = [
      "offline",
      "printPermissions",
      "stats",
      "name",
      "controlTcp",
      "nats",
      "listen",
      "linkCodec",
    ] as const;
    const given = pipelineOnly.find((o) => {
      const value = options[o];
      return Array.isArray(value) ? value.length !== 0 : value;
    });
    if (given === "printPermissions") {
      throw new StreamlibError(
        "SL_USAGE",
        `The permissions of a script cannot be computed: it can do anything its code does. ` +
          `Grant what it needs with --allow (e.g. --allow read=./data)`,
      );
    }
    if (given !== undefined) {
      const flag = given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw new StreamlibError("SL_USAGE", `--${flag} applies to pipelines, not scripts`);
    }
    try {
      await Deno.stat(target);
    } catch {
      throw new StreamlibError("SL_USAGE", `Cannot find the script "${target}"`);
    }
    return await runScript(target, {
      flags: allowFlags(options.allow),
      args: rest,
      ...(options.verbose ? { verbose: true } : {}),
    });
  }
  if (options.allow.length) {
    throw new StreamlibError(
      "SL_USAGE",
      `--allow applies to scripts; a pipeline gets the permissions its actors' manifests ` +
        `declare (see them with --print-permissions)`,
    );
  }
  if (target.trim().endsWith(".json") && rest.length) {
    throw new StreamlibError(
      "SL_USAGE",
      `Unexpected arguments after the pipeline file "${target}": ${rest.join(" ")}`,
    );
  }
  if (!options.control && (options.name !== undefined || options.controlTcp !== undefined)) {
    throw new StreamlibError(
      "SL_USAGE",
      `--${options.name !== undefined ? "name" : "control-tcp"} applies to a pipeline that ` +
        `serves its control API; leave out --no-control`,
    );
  }
  const token = Deno.env.get("STREAMLIB_TOKEN") || undefined;
  const tcp = options.controlTcp === undefined
    ? undefined
    : { ..._hostPort(options.controlTcp, "--control-tcp"), ...(token ? { token } : {}) };
  // A signal from here on stops the run instead of ending the command half-way (a node entry
  // reserved and left behind); the run's own handling takes over once it starts.
  using signals = new _StopSignals();
  const discovery = await discover(options);
  const loaded = await loadPipeline([target, ...rest].join(" "), discovery.catalogue);
  let reservation: NodeReservation | undefined;
  try {
    if (options.control) {
      reservation = await reserveNode({
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(loaded.spec.actors[0] === undefined ? {} : { type: loaded.spec.actors[0].type }),
        summary: loaded.text ?? loaded.source,
      });
    }
    const control = reservation === undefined
      ? undefined
      : { reservation, ...(tcp === undefined ? {} : { tcp }) };
    const { net, madeUp } = _netOptions(options, loaded, reservation?.name, token);
    if (options.printPermissions) {
      // The node's name as it would be now: the socket is part of the permissions.
      const { permissions } = await scopePrograms(
        runPermissions(discovery.catalogue, loaded, control, net),
      );
      out(`${permissionFlags(permissions).map(shellQuote).join(" ")}\n`);
      if (options.verbose) {
        for (const [name, need] of Object.entries(permissions)) {
          for (const reason of need?.reasons ?? []) err(`streamlib: needs ${name}: ${reason}\n`);
        }
      }
      return 0;
    }
    if (madeUp && net !== undefined) {
      err(
        `streamlib: node ${net.name} takes links${
          options.listen === undefined ? "" : ` on ${options.listen}`
        }${options.nats === undefined ? "" : ` over ${options.nats}`} only with the access ` +
          `token ${net.token}: start the nodes that link to it with STREAMLIB_TOKEN=${net.token}\n`,
      );
    }
    if (signals.first !== undefined) {
      return _stoppedBeforeStart(signals.first, (line) => err(`${line}\n`));
    }
    return await runPipeline({
      loaded,
      discovery,
      ...(options.offline ? { offline: true } : {}),
      ...(options.stats ? { stats: true } : {}),
      ...(options.verbose ? { verbose: true } : {}),
      ...(control === undefined ? {} : { control }),
      ...(net === undefined ? {} : { net }),
    });
  } finally {
    reservation?.release();
  }
}

/**
 * The node's link service for `run`: when `--nats`, `--peer` or `--listen` is given, the
 * pipeline links to an `actor://` address, or `STREAMLIB_TOKEN` is set and the pipeline has a
 * `netsink` or `netsrc` (which then use the node's token). Named as the node is (`--name`), else
 * `node-PID`. Its link access token is `STREAMLIB_TOKEN`; without it, one is made up when
 * `--listen` is off loopback (`madeUp`: print it for the user), and none is needed otherwise.
 */
function _netOptions(
  options: _RunOptions,
  loaded: LoadedPipeline,
  name: string | undefined,
  given: string | undefined,
): { net: PipelineProcessOptions["net"]; madeUp: boolean } {
  const remote = loaded.spec.links.some((link) =>
    link.from.startsWith("actor://") || link.to.startsWith("actor://")
  );
  const links = loaded.spec.actors.some((a) => a.type === "netsink" || a.type === "netsrc");
  if (options.nats === undefined && !options.peer.length && options.listen === undefined) {
    if (!remote && !(given !== undefined && links)) return { net: undefined, madeUp: false };
  }
  const peers: Record<string, string> = {};
  for (const peer of options.peer) {
    const at = peer.indexOf("=");
    if (at <= 0) {
      throw new StreamlibError("SL_USAGE", `--peer takes NAME=HOST:PORT, got "${peer}"`);
    }
    peers[peer.slice(0, at)] = peer.slice(at + 1);
  }
  const token = _linkToken(options.listen, given, options.nats);
  return {
    net: {
      name: name ?? options.name ?? `node-${Deno.pid}`,
      ...(options.nats === undefined ? {} : { nats: options.nats }),
      ...(options.peer.length ? { peers } : {}),
      ...(options.listen === undefined ? {} : { listen: options.listen }),
      ...(token === undefined ? {} : { token }),
      ...(options.linkCodec.length ? { codecs: _linkCodecs(options.linkCodec) } : {}),
    },
    madeUp: given === undefined && token !== undefined,
  };
}

/** `--link-codec video=h264 --link-codec audio=opus` as the node's codecs by kind. */
function _linkCodecs(values: readonly string[]): { video?: string; audio?: string } {
  const codecs: { video?: string; audio?: string } = {};
  for (const value of values) {
    const match = /^(?:(video)=(raw|jpeg|h264)|(audio)=(raw|opus))$/.exec(value.trim());
    if (match === null) {
      throw new StreamlibError(
        "SL_USAGE",
        `--link-codec takes video=CODEC or audio=CODEC (video=raw|jpeg|h264, audio=raw|opus), ` +
          `got "${value}"`,
      );
    }
    if (match[1] !== undefined) codecs.video = match[2]!;
    else codecs.audio = match[4]!;
  }
  return codecs;
}

/** `--grant name=run,ffi` values by plugin name. */
function _grants(values: readonly string[]): Record<string, PermissionName[]> {
  const grants: Record<string, PermissionName[]> = {};
  for (const value of values) {
    const at = value.lastIndexOf("=");
    const names = value.slice(at + 1).split(",").map((n) => n.trim());
    const bad = names.find((n) => !_PERMISSIONS.includes(n as PermissionName));
    if (at <= 0 || bad !== undefined) {
      throw new StreamlibError(
        "SL_USAGE",
        `--grant takes a plugin's name and permissions, e.g. --grant @acme/tools=run,ffi; ` +
          `got ${JSON.stringify(value)}`,
      );
    }
    (grants[value.slice(0, at)] ??= []).push(...names as PermissionName[]);
  }
  return grants;
}

const _PERMISSIONS: readonly PermissionName[] = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "ffi",
  "sys",
];

function _write(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = _encoder.encode(text);
  try {
    for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
