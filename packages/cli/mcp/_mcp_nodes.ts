/**
 * The nodes an MCP server started: each a pipeline process started as `streamlib run` starts
 * one (least privilege, serving its control API on a private socket), kept running after the
 * tool call that started it, and stopped when the server closes. Its process also ends by
 * itself when the server's process dies (its stdin closes), so no node outlives the server.
 * Internal: `StreamlibMcp` holds one.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import { reserveNode } from "@streamlib/net/control";
import type { Discovery } from "../discover_plugins.ts";
import type { LoadedPipeline } from "../load_pipeline.ts";
import { _codedText, _exitText } from "../_error_text.ts";
import {
  describeChildError,
  type PipelineProcess,
  startPipelineProcess,
} from "../pipeline_process.ts";

/** How long a node may take to build its pipeline and serve before the start fails. */
const _START_WITHIN_MS = 60_000;
/** How long a node has to end after `abort` before it is killed. */
const _KILL_AFTER_MS = 5_000;

/** A node this server started. */
export interface _StartedNode {
  readonly name: string;
  readonly pid: number;
  readonly socket: string;
  readonly flags: readonly string[];
  readonly process: PipelineProcess;
  /** Settles once its process has ended and its entry is gone. */
  readonly gone: Promise<void>;
}

/** How a node this server started ended: what `list_nodes` and a later call about it say. */
export interface _EndedNode {
  readonly name: string;
  readonly pid: number;
  /** When its process ended, ms since 1970. */
  readonly endedAt: number;
  /** `end-of-stream`, `aborted`, or `failed: SL_ACTOR_FAILED ← SL_FILE_INVALID: …`. */
  readonly how: string;
  /** Whether it failed. */
  readonly failed: boolean;
}

/** Ended nodes remembered, the most recent. */
const _ENDED_KEPT = 16;

/** Waits for `promise` at most `ms`; tells whether it settled. */
async function _within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The nodes one MCP server started, by name. */
export class _Nodes {
  readonly #started = new Map<string, _StartedNode>();
  /** The nodes that ended after they served, oldest first. */
  readonly #ended = new Map<string, _EndedNode>();
  readonly #discovery: Discovery;
  readonly #dir: string | undefined;
  readonly #changed: () => void;
  #closed = false;

  constructor(discovery: Discovery, dir: string | undefined, changed: () => void) {
    this.#discovery = discovery;
    this.#dir = dir;
    this.#changed = changed;
  }

  /** Whether `name` is a node this server started and that still runs. */
  has(name: string): boolean {
    return this.#started.has(name);
  }

  /** The nodes still running. */
  list(): _StartedNode[] {
    return [...this.#started.values()];
  }

  /** The nodes this server started that have ended since, how each ended; newest first. */
  endedNodes(): _EndedNode[] {
    return [...this.#ended.values()].reverse();
  }

  /** How the node `name` this server started ended, if it has. */
  endedNode(name: string): _EndedNode | undefined {
    return this.#ended.get(name);
  }

  /**
   * Starts `loaded` as a node and resolves once it serves its control API; a pipeline that
   * fails to load or build rejects with its error (the process has ended by then).
   */
  async start(
    loaded: LoadedPipeline,
    options: { readonly name?: string; readonly offline?: boolean } = {},
  ): Promise<_StartedNode> {
    if (this.#closed) {
      throw new StreamlibError("SL_STATE", "The MCP server is closing: it starts no pipelines");
    }
    const reservation = await reserveNode({
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(loaded.spec.actors[0] === undefined ? {} : { type: loaded.spec.actors[0].type }),
      summary: loaded.text ?? loaded.source,
      ...(this.#dir === undefined ? {} : { dir: this.#dir }),
    });
    let served!: (name: string) => void;
    const serving = new Promise<string>((resolve) => served = resolve);
    let child: PipelineProcess;
    try {
      child = await startPipelineProcess({
        loaded,
        discovery: this.#discovery,
        ...(options.offline ? { offline: true } : {}),
        control: { reservation },
        onMessage: (message) => {
          if (message.type === "control") served(message.name);
        },
      });
    } catch (error) {
      reservation.release();
      throw error;
    }
    const ended = child.ended;
    const gone = ended.then(
      (end) => end,
      () => undefined,
    ).then((end) => {
      reservation.release(child.pid);
      if (this.#started.get(reservation.name)?.process === child) {
        this.#started.delete(reservation.name);
        this.#remember(reservation.name, child, loaded, end);
        this.#changed();
      }
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      serving.then((name) => ({ served: name })),
      ended.then((end) => ({ end })),
      new Promise<"late">((resolve) => timer = setTimeout(resolve, _START_WITHIN_MS, "late")),
    ]);
    clearTimeout(timer);
    if (outcome === "late") {
      child.kill();
      await gone;
      throw new StreamlibError(
        "SL_DEADLINE",
        `The pipeline did not serve its control API within ${_START_WITHIN_MS / 1000} s of ` +
          `starting; it was stopped`,
      );
    }
    if ("end" in outcome) {
      await gone;
      const { status, ending } = outcome.end;
      if (ending?.type === "error") {
        const { catalogue } = this.#discovery;
        throw new StreamlibError(
          ending.code,
          describeChildError(ending, loaded, catalogue, child.flags),
          { details: { phase: ending.phase, causes: ending.causes ?? [] } },
        );
      }
      throw new StreamlibError(
        "SL_CONTROL_UNREACHABLE",
        `The pipeline process ended (${_exitText(status)}) before it served its control API`,
      );
    }
    const node: _StartedNode = {
      name: outcome.served,
      pid: child.pid,
      socket: reservation.socket,
      flags: child.flags,
      process: child,
      gone,
    };
    this.#started.set(node.name, node);
    this.#ended.delete(node.name);
    this.#changed();
    return node;
  }

  /** Keeps how a node that had served ended, for the agent that asks about it later. */
  #remember(
    name: string,
    child: PipelineProcess,
    loaded: LoadedPipeline,
    end: Awaited<PipelineProcess["ended"]> | undefined,
  ): void {
    const ending = end?.ending;
    let how: string;
    if (ending?.type === "result") how = ending.status === "eos" ? "end-of-stream" : "aborted";
    else if (ending?.type === "error") {
      const text = describeChildError(ending, loaded, this.#discovery.catalogue, child.flags);
      how = `failed: ${_codedText(ending.code, ending.causes ?? [], text)}`;
    } else how = `failed: its process ended (${_exitText(end?.status)}) without a result`;
    this.#ended.delete(name);
    this.#ended.set(name, {
      name,
      pid: child.pid,
      endedAt: Date.now(),
      how,
      failed: how.startsWith("failed"),
    });
    if (this.#ended.size > _ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
  }

  /** Waits for a node this server started to end, at most `ms`; tells whether it did. */
  ended(name: string, ms: number): Promise<boolean> {
    const node = this.#started.get(name);
    return node === undefined ? Promise.resolve(true) : _within(node.gone, ms);
  }

  /**
   * Stops every node this server started: asks each to abort, kills one that has not ended 5 s
   * later, and waits until each has gone with its entry. Starts no more afterwards.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.list().map(async (node) => {
        node.process.send("abort");
        if (!await _within(node.gone, _KILL_AFTER_MS)) node.process.kill();
        await node.gone;
      }),
    );
  }
}
