/**
 * The commands that reach running pipelines — `nodes`, `tap`, `logs`, `set`, `patch`, `stop`,
 * and `graph <node>` — as clients of their control API (`ControlClient` from
 * `@streamlib/net`). Internal: `main.ts` adds them to the program.
 *
 * @module
 */

import type { Command } from "commander";
import {
  describeMessage,
  type EventQuery,
  formatValue,
  type SpecValue,
  StreamlibError,
} from "@streamlib/core";
import {
  ControlClient,
  type ControlClientOptions,
  listNodes,
  type TappedMessage,
  type TapReply,
} from "@streamlib/net/control";
import { formatEvent } from "./format_event.ts";
import { formatNodes, type NodeRow } from "./format_nodes.ts";
import { parseAssignments } from "./parse_assignments.ts";

/** What the commands print with and report through. */
export interface _Io {
  out(text: string): void;
  err(text: string): void;
  /** Sets the command's exit status. */
  status(code: number): void;
}

/** How long `stop` waits for the node's process to end after the pipeline has. */
const _GONE_WITHIN_MS = 15_000;

const _TOKEN_HELP = "the access token of a node reached on TCP (or STREAMLIB_TOKEN)";

function _options(token: string | undefined, timeoutMs?: number): ControlClientOptions {
  const given = token ?? (Deno.env.get("STREAMLIB_TOKEN") || undefined);
  return {
    ...(given === undefined ? {} : { token: given }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

/** A client of `node`: a name `streamlib nodes` lists, a socket path, or an `http://` URL. */
function _connect(node: string, token: string | undefined): Promise<ControlClient> {
  return ControlClient.connect(node, _options(token));
}

/**
 * The live graph's DOT when `text` names a running node (a single word that `streamlib nodes`
 * lists, a `.sock` path or an `http://` URL); `undefined` when it is pipeline text.
 */
export async function _liveDot(text: string, token?: string): Promise<string | undefined> {
  const word = text.trim();
  const isNode = /^https?:\/\//.test(word) || (/^\S+\.sock$/.test(word) && word.includes("/")) ||
    (/^[A-Za-z0-9_.~-]+$/.test(word) && (await listNodes()).some((n) => n.name === word));
  if (!isNode) return undefined;
  await using client = await _connect(word, token);
  return await client.dot();
}

function _int(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new StreamlibError(
        "SL_USAGE",
        `--${name} takes a whole number ≥ ${min}, got "${value}"`,
      );
    }
    return n;
  };
}

/** A time in ms: a whole number of ms, or a quantity (`500ms`, `2s`, `1.5 s`, `1min`). */
export function _ms(name: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/.exec(value.trim());
    const n = match === null
      ? NaN
      : Number(match[1]) * (match[2] === "s" ? 1_000 : match[2] === "min" ? 60_000 : 1);
    if (
      match === null || !Number.isInteger(n) || (match[2] === undefined && match[1]!.includes("."))
    ) {
      throw new StreamlibError(
        "SL_USAGE",
        `--${name} takes a time: whole milliseconds (5000) or a quantity (500ms, 2s, 1min), ` +
          `got "${value}"`,
      );
    }
    return n;
  };
}

/** The extensions `tap -o` writes for each kind of message, the first one the usual. */
const _TAP_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  video: [".png"],
  audio: [".wav"],
  data: [".jsonl", ".json", ".ndjson", ".txt"],
};

/** `SL_USAGE` when `output` names a file of another kind than what the tap gives. */
export function _checkExtension(output: string, kind: string, port: string): void {
  const allowed = _TAP_EXTENSIONS[kind] ?? _TAP_EXTENSIONS.data!;
  const base = output.slice(output.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return; // no extension: the user's choice
  const extension = base.slice(dot).toLowerCase();
  if (allowed.includes(extension)) return;
  const what = kind === "video"
    ? "video frames, written as PNG"
    : kind === "audio"
    ? "audio, written as WAV"
    : "messages, written as JSON lines";
  throw new StreamlibError(
    "SL_USAGE",
    `-o ${output}: ${port} gave ${what}; name the file ${allowed.join(" or ")} ` +
      `(nothing was written)`,
  );
}

/** `WxH`, `Wx` or `xH`. */
function _scale(value: string | undefined): { width?: number; height?: number } {
  if (value === undefined) return {};
  const match = /^(\d*)x(\d*)$/.exec(value);
  if (match === null || (match[1] === "" && match[2] === "")) {
    throw new StreamlibError(
      "SL_USAGE",
      `--scale takes WxH, Wx or xH (320x180, 320x, x180), got "${value}"`,
    );
  }
  return {
    ...(match[1] ? { width: Number(match[1]) } : {}),
    ...(match[2] ? { height: Number(match[2]) } : {}),
  };
}

/** The file for message `i` of `count`: `frame.png`, or `frame-1.png`… (or `%d` filled in). */
function _numbered(output: string, i: number, count: number): string {
  if (/%0?\d*d/.test(output)) {
    return output.replace(
      /%(0?)(\d*)d/,
      (_m, zero: string, width: string) => String(i).padStart(Number(width || 0), zero ? "0" : " "),
    );
  }
  if (count === 1) return output;
  const dot = output.lastIndexOf(".");
  return dot > output.lastIndexOf("/")
    ? `${output.slice(0, dot)}-${i}${output.slice(dot)}`
    : `${output}-${i}`;
}

/** One line about a tapped message, as `log` describes messages. */
function _describeTapped(m: TappedMessage): string {
  const head = `t=${(m.timestamp / 1e6).toFixed(6)}s #${m.position}`;
  switch (m.kind) {
    case "video":
      return `${head} video ${m.format} ${
        m.scaledFrom ? `${m.scaledFrom.width}×${m.scaledFrom.height} → ` : ""
      }${m.width}×${m.height} (PNG ${m.png.length} bytes)`;
    case "audio":
      return `${head} audio ${m.channels}ch ${m.sampleRate}Hz ${m.frames} samples, rms ${
        m.rms.map((v) => v.toFixed(1)).join("/")
      } dBFS, peak ${m.peak.map((v) => v.toFixed(1)).join("/")} dBFS`;
    case "data":
      return describeMessage({
        kind: "data",
        timestamp: m.timestamp,
        duration: m.duration,
        position: m.position,
        clockId: "",
        topic: m.topic,
        value: m.value,
      });
    case "event":
      return `${head} ${JSON.stringify(m.event)}`;
  }
}

/** A reply as JSON, PNGs and the WAV in base64. */
function _replyJson(reply: TapReply): string {
  const b64 = (bytes: Uint8Array): string => {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  };
  return JSON.stringify(
    {
      ...reply,
      messages: reply.messages.map((m) => m.kind === "video" ? { ...m, png: b64(m.png) } : m),
      ...(reply.wav === undefined ? {} : { wav: b64(reply.wav) }),
    },
    null,
    2,
  );
}

/**
 * The error for a tap that got nothing, with a code by why it ended: `SL_DEADLINE` when the
 * time ran out, `SL_STATE` when the output ended first, `SL_ABORTED` when the tap was cut short.
 */
export function _nothingTapped(
  port: string,
  timeoutMs: number,
  reason: TapReply["reason"],
): StreamlibError {
  const details = { port, timeoutMs, reason };
  if (reason === "eos") {
    return new StreamlibError(
      "SL_STATE",
      `Nothing came out of ${port}: it ended (end-of-stream) before a message came`,
      { details },
    );
  }
  if (reason === "aborted") {
    return new StreamlibError(
      "SL_ABORTED",
      `Nothing came out of ${port}: the tap was cut short (the node is closing)`,
      { details },
    );
  }
  return new StreamlibError(
    "SL_DEADLINE",
    `Nothing came out of ${port} within ${timeoutMs} ms; wait longer with --timeout <ms>, or ` +
      `see with streamlib logs whether the actor runs`,
    { details },
  );
}

async function _tap(
  target: string,
  options: {
    output?: string;
    count: number;
    scale?: string;
    timeout: number;
    json?: boolean;
    token?: string;
  },
  io: _Io,
): Promise<void> {
  const slash = target.lastIndexOf("/");
  if (slash <= 0 || !target.slice(slash + 1).includes(".")) {
    throw new StreamlibError(
      "SL_USAGE",
      `Give the output to tap as <node>/<actor>.<port> (streamlib nodes lists the nodes), got "${target}"`,
    );
  }
  const port = target.slice(slash + 1);
  await using client = await _connect(target.slice(0, slash), options.token);
  const reply = await client.tap(port, {
    count: options.count,
    timeoutMs: options.timeout,
    ..._scale(options.scale),
  });
  if (options.json) {
    io.out(`${_replyJson(reply)}\n`);
    return;
  }
  if (reply.messages.length === 0) throw _nothingTapped(port, options.timeout, reply.reason);
  if (options.output === undefined) {
    for (const m of reply.messages) io.out(`${_describeTapped(m)}\n`);
    return;
  }
  const output = options.output;
  const videos = reply.messages.filter((m) => m.kind === "video");
  _checkExtension(
    output,
    videos.length !== 0 ? "video" : reply.wav !== undefined ? "audio" : "data",
    port,
  );
  if (videos.length !== 0) {
    for (const [i, m] of videos.entries()) {
      const file = _numbered(output, i + 1, videos.length);
      await Deno.writeFile(file, m.png);
      io.out(`wrote ${file}: ${_describeTapped(m)}\n`);
    }
  } else if (reply.wav !== undefined) {
    await Deno.writeFile(output, reply.wav);
    io.out(`wrote ${output}: ${reply.messages.length} audio buffers as WAV\n`);
  } else {
    await Deno.writeTextFile(output, reply.messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
    io.out(`wrote ${output}: ${reply.messages.length} messages as JSON lines\n`);
  }
}

async function _logs(
  node: string,
  options: {
    follow?: boolean;
    type?: string;
    actor?: string;
    since?: number;
    tail?: number;
    token?: string;
  },
  io: _Io,
): Promise<void> {
  await using client = await _connect(node, options.token);
  const query: EventQuery = {
    ...(options.type ? { types: options.type.split(",") as EventQuery["types"] } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.tail === undefined ? {} : { limit: options.tail }),
  };
  if (!options.follow) {
    for (const event of await client.events(query)) io.out(`${formatEvent(event)}\n`);
    return;
  }
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const from = { ...query, since: query.since ?? 0, limit: query.limit ?? 10 };
    for await (const event of client.follow(from, { signal: abort.signal })) {
      io.out(`${formatEvent(event)}\n`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

/** Whether process `pid` is gone (or may not be asked about). */
function _gone(pid: number): boolean {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return false;
  } catch (error) {
    return error instanceof Deno.errors.NotFound ||
      !(error instanceof Deno.errors.PermissionDenied);
  }
}

async function _stop(
  node: string,
  options: { abort?: boolean; timeout?: number; token?: string },
  io: _Io,
): Promise<void> {
  await using client = await _connect(node, options.token);
  const { name, pid } = await client.info();
  const result = await client.stop({
    mode: options.abort ? "abort" : "drain",
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
  });
  // The node exits once its pipeline has ended; a local one is waited for.
  const local = client.socket !== undefined;
  const deadline = Date.now() + _GONE_WITHIN_MS;
  while (local && !_gone(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (local && !_gone(pid)) {
    io.err(`streamlib: ${name} stopped (${result.status}) but its process ${pid} is still there\n`);
    io.status(1);
    return;
  }
  io.out(`${name} stopped: ${result.status === "eos" ? "drained to end-of-stream" : "aborted"}\n`);
}

/** Adds `nodes`, `tap`, `logs`, `set`, `patch` and `stop` to `program`. */
export function _addControlCommands(program: Command, io: _Io): void {
  program.command("nodes")
    .description("list the running pipelines (nodes): name, pid, uptime, actors, where they serve")
    .option("--json", "print JSON: each node's registry entry and what it says of itself")
    .option(
      "--nats <url>",
      "list the nodes announced on this NATS server (any machine) instead of this machine's",
    )
    .action(async (options: { json?: boolean; nats?: string }) => {
      if (options.nats !== undefined) {
        const { listNetNodes } = await import("@streamlib/net");
        const nodes = await listNetNodes(options.nats, { timeoutMs: 1_000 });
        const rows: NodeRow[] = nodes.map((n) => ({
          name: n.name,
          pid: n.pid,
          startedAt: n.started,
          actors: n.actors.length,
          state: n.host ? `on ${n.host}` : "announced",
          serves: [n.nats, n.direct].filter((s) => s !== undefined).join(" "),
          summary: n.actors.join(", "),
        }));
        io.out(
          options.json ? `${JSON.stringify(nodes, null, 2)}\n` : formatNodes(rows, Date.now()),
        );
        return;
      }
      const entries = await listNodes();
      const rows: Array<NodeRow & { answered: boolean }> = await Promise.all(
        entries.map(async (entry) => {
          const serves = [entry.socket, entry.tcp].filter((s) => s !== undefined).join(" ");
          try {
            await using client = await ControlClient.connect(
              entry.socket ?? entry.tcp!,
              _options(undefined, 3_000),
            );
            const info = await client.info();
            return { ...entry, actors: info.actors, state: info.state, serves, answered: true };
          } catch {
            return { ...entry, state: "not answering", serves, answered: false };
          }
        }),
      );
      io.out(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatNodes(rows, Date.now()));
    });

  program.command("tap")
    .argument("<node/actor.port>", "the output to sample: a node, a slash, actor.port")
    .description("sample what an output of a running pipeline carries (video as PNG)")
    .option("-o, --output <file>", "write the PNG (several: file-1.png…, or %d), WAV or JSON lines")
    .option("--count <n>", "messages to sample, 1 to 100", _int("count", 1), 1)
    .option("--scale <WxH>", "scale video to WxH (Wx or xH keeps the aspect ratio)")
    .option(
      "--timeout <time>",
      "return what came within this time (ms, or 2s, 500ms)",
      _ms("timeout"),
      5_000,
    )
    .option("--json", "print the reply as JSON (PNG and WAV in base64)")
    .option("--token <token>", _TOKEN_HELP)
    .action((target: string, options: Parameters<typeof _tap>[1]) => _tap(target, options, io));

  program.command("logs")
    .argument("<node>", "a running pipeline (streamlib nodes lists them)")
    .description("print a running pipeline's events: errors, restarts, log lines, changes")
    .option("-f, --follow", "keep printing new events until Ctrl-C or the node ends")
    .option(
      "--type <types>",
      "only these types, comma-separated: error,restart,eos,state,log,control",
    )
    .option("--actor <name>", "only events about this actor")
    .option("--since <seq>", "only events after this number", _int("since", 0))
    .option("-n, --tail <n>", "only the last n (with --follow: 10 by default)", _int("tail", 0))
    .option("--token <token>", _TOKEN_HELP)
    .action((node: string, options: Parameters<typeof _logs>[1]) => _logs(node, options, io));

  program.command("set")
    .argument("<node>", "a running pipeline")
    .argument("<actor>", "one of its actors")
    .argument("<values...>", "key=value, or port::key=value for a request port's parameter")
    .description("change parameters of a running actor, checked as pipeline text is")
    .option("--token <token>", _TOKEN_HELP)
    .action(async (node: string, actor: string, values: string[], options: { token?: string }) => {
      const { params, pads } = parseAssignments(values);
      await using client = await _connect(node, options.token);
      const result = await client.set(actor, params, pads);
      const shown = [
        ...Object.entries(result.params).map(([k, v]) => `${k}=${formatValue(v as SpecValue)}`),
        ...Object.entries(result.pads).flatMap(([pad, vs]) =>
          Object.entries(vs).map(([k, v]) => `${pad}::${k}=${formatValue(v as SpecValue)}`)
        ),
      ];
      io.out(`set ${result.actor} ${shown.join(" ")}\n`);
    });

  program.command("patch")
    .argument("<node>", "a running pipeline")
    .argument("<text...>", 'pipeline text to add, e.g. "videotestsrc name=b ! mix."')
    .description("add actors and links to a running pipeline, after checking all of it")
    .option("--dry-run", "only check: say what would be added")
    .option("--token <token>", _TOKEN_HELP)
    .action(
      async (node: string, text: string[], options: { dryRun?: boolean; token?: string }) => {
        await using client = await _connect(node, options.token);
        const result = await client.patch(text.join(" "), { dryRun: options.dryRun ?? false });
        const actors = result.actors.map((a) => `${a.name} (${a.type})`).join(", ") || "no actors";
        const links = result.links.map((l) => `${l.from} → ${l.to}`).join(", ") || "no links";
        io.out(
          result.applied
            ? `added ${actors}; linked ${links}\n`
            : `valid: would add ${actors}; would link ${links}\n`,
        );
      },
    );

  program.command("stop")
    .argument("<node>", "a running pipeline")
    .description("stop a running pipeline: drain (end-of-stream flows, files finalise) or abort")
    .option("--abort", "stop at once instead of draining")
    .option("--timeout <time>", "abort a drain not done in this time (ms, or 10s)", _ms("timeout"))
    .option("--token <token>", _TOKEN_HELP)
    .action((node: string, options: Parameters<typeof _stop>[1]) => _stop(node, options, io));
}
