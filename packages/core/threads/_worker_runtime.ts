/**
 * The program of an actor Worker. It builds the actors the main thread asks for from their
 * module and export, and runs their hooks when told to: `start`, `process` (with the messages
 * the main thread's inputs hold at that moment), `flush`, `stop` and parameter changes. What an
 * actor writes goes back at once, in order; so do the reads it made, an `end()` it asked for,
 * and any error, as data. All scheduling stays with the main thread's pipeline, so an actor
 * behaves the same on either side.
 *
 * @module
 */

import { Actor } from "../graph/actor.ts";
import type { Clock, TimedTick } from "../clock/clock.ts";
import { StreamlibError } from "../errors.ts";
import type { Input } from "../graph/ports.ts";
import type { Message } from "../messages.ts";
import { _setFrameAllocator } from "../_frame_alloc.ts";
import type { Output } from "../graph/ports.ts";
import type { DeliveryBuffer } from "../delivery/policy.ts";
import { SharedQueue, type SharedQueueHandle } from "./shared_queue.ts";
import { _INLINE_BYTES, _loadGc, _memory, type _PoolRef } from "./_frame_memory.ts";
import {
  _decodeMessage,
  _encodeError,
  _encodeMessage,
  _loadCodec,
  _pack,
  type _Peer,
  type _Posted,
  _receivePosted,
  _Transfers,
  _unpack,
} from "./_worker_codec.ts";
import type { _Call, _InputState, _Reply, _StartCall } from "./_worker_protocol.ts";
import { _lineage } from "./_worker_lineage.ts";

/** This Worker's side of its channel (typed here: the project checks with the window's types). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

/** The messages a `process` call may read from one input: what the main thread's input held. */
class _Snapshot<T> implements DeliveryBuffer<T> {
  items: T[] = [];
  at = 0;
  capacity = 1;
  readonly dropped = 0;
  get size(): number {
    return this.items.length - this.at;
  }
  offer(message: T): boolean {
    this.items.push(message);
    return true;
  }
  take(): T | undefined {
    return this.at < this.items.length ? this.items[this.at++] : undefined;
  }
  peek(): T | undefined {
    return this.items[this.at];
  }
  clear(): number {
    const n = this.size;
    this.items = [];
    this.at = 0;
    return n;
  }
}

/** The pipeline clock as the main thread last saw it. */
class _MirrorClock implements Clock {
  readonly id: string;
  time = 0;
  constructor(id: string) {
    this.id = id;
  }
  now(): number {
    return this.time;
  }
  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, Math.max(0, (time - this.time) / 1000));
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
  }
}

/** An actor living here. */
interface _Hosted {
  readonly actor: Actor;
  readonly clock: _MirrorClock;
}

let cmd: SharedQueue;
let reply: SharedQueue;
const actors = new Map<number, _Hosted>();
/** Each actor's calls, from its start on: they run one after another. */
const chains = new Map<number, Promise<void>>();
const modules = new Map<string, Promise<Record<string, unknown>>>();
const announced = new Set<number>();
const transfers = new _Transfers();
let nextTransfer = 0;

const peer: _Peer = {
  announce(id: number): void {
    if (announced.has(id) || Math.floor(id / 65_536) !== _memory.thread) {
      // Pools of other threads came from the main thread, which knows them.
      return;
    }
    announced.add(id);
    scope.postMessage({ type: "pool", id, handle: _memory.handle(id) });
  },
  transfer(buffer: ArrayBuffer): number {
    const id = nextTransfer++;
    scope.postMessage({ type: "data", id, buffer }, [buffer]);
    return id;
  },
};

/** Sends a reply, waiting for room when the main thread is behind. */
function send(value: _Reply, refs: _PoolRef[] = []): void | Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = _pack(value);
  } catch (error) {
    for (const ref of refs) _memory.release(ref);
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `A message from a Worker could not be encoded: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (reply.offer(bytes)) return;
  return reply.write(bytes).catch((error) => {
    for (const ref of refs) _memory.release(ref);
    throw error;
  });
}

/** Points an actor's outputs and its end() at the main thread. */
function wire(id: number, actor: Actor): void {
  for (const output of Object.values(actor.outputs as Record<string, Output>)) {
    let ended = false;
    let pending: Promise<void> | undefined;
    output.write = (message: Message): void | Promise<void> => {
      if (pending !== undefined) {
        throw new StreamlibError(
          "SL_WRITE_PENDING",
          `Output "${actor.name}.${output.name}" is still waiting for space for the previous ` +
            `message; await the promise write() returned before writing again`,
        );
      }
      if (ended) {
        throw new StreamlibError(
          "SL_STATE",
          `Output "${actor.name}.${output.name}" has ended; it cannot write any more`,
        );
      }
      // Counted here as on the main thread: `written` drives sources' limits and progress.
      output._written++;
      const refs: _PoolRef[] = [];
      const m = _encodeMessage(message, peer, refs);
      const sent = send({ op: "write", id, port: output.name, m }, refs);
      if (sent === undefined) return;
      pending = sent.finally(() => pending = undefined);
      return pending;
    };
    output.end = (): void => {
      if (ended) return;
      ended = true;
      void send({ op: "end", id, port: output.name });
    };
  }
  // end(), request inputs and log lines go through the node: here, to the main thread.
  actor._node = {
    sched: {
      _endRequested: (): void => void send({ op: "endRequest", id }),
      _inputAdded: (): void => {},
    },
    log: (text: string): void => void send({ op: "log", id, text }),
  } as unknown as Actor["_node"];
}

/** Whether `error`, or an error it was caused by, has `code`. */
function hasCode(error: unknown, code: string): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof StreamlibError && e.code === code) return true;
  }
  return false;
}

/** The error of a module that starts its own actor in a Worker when imported. */
function startsItself(call: _StartCall, cause?: unknown): StreamlibError {
  return new StreamlibError(
    "SL_WORKER_START",
    `${call.module} runs a pipeline with its actor in a Worker when it is imported, so each ` +
      `Worker that imports it to build "${call.export}" would start another, without end. ` +
      `The module runs code at top level: guard it with \`if (import.meta.main)\``,
    { cause, details: { module: call.module, export: call.export } },
  );
}

/** Loads the module and builds the actor. */
async function build(call: _StartCall): Promise<_Hosted> {
  if (_lineage.inherited.includes(call.module)) throw startsItself(call);
  let loading = modules.get(call.module);
  if (loading === undefined) {
    const module = call.module;
    _lineage.importing.add(module);
    loading = (import(module) as Promise<Record<string, unknown>>).finally(() =>
      _lineage.importing.delete(module)
    );
    modules.set(module, loading);
  }
  let exports: Record<string, unknown>;
  try {
    exports = await loading;
  } catch (error) {
    modules.delete(call.module);
    if (hasCode(error, "SL_WORKER_START")) throw startsItself(call, error);
    throw new StreamlibError(
      "SL_WORKER_MODULE",
      `Cannot load ${call.module} in a Worker: ${(error as Error).message}`,
      { cause: error, details: { module: call.module } },
    );
  }
  const type = exports[call.export] as (new (params: unknown) => Actor) | undefined;
  if (typeof type !== "function" || !(type.prototype instanceof Actor)) {
    throw new StreamlibError(
      "SL_WORKER_MODULE",
      `${call.module} exports no actor class "${call.export}"`,
      { details: { module: call.module, export: call.export } },
    );
  }
  const actor = new type(call.params);
  for (const [pad, values] of Object.entries(call.pads)) actor.setPadParams(pad, values);
  const clock = new _MirrorClock(call.clockId);
  clock.time = call.now;
  actor._name = call.name;
  actor._address = call.address;
  actor._clock = clock;
  actor._mode = call.mode;
  wire(call.id, actor);
  return { actor, clock };
}

/** Gives each input the messages the main thread's input holds. */
async function fill(actor: Actor, states: readonly _InputState[]): Promise<void> {
  const inputs = actor.inputs as Record<string, Input>;
  for (const state of states) {
    let input = inputs[state.name];
    if (input === undefined && state.template !== undefined) {
      input = (actor.requestInput as (t: string, n: string) => Input)(state.template, state.name);
    }
    if (input === undefined) continue;
    let snapshot = input._buffer as unknown as _Snapshot<Message>;
    if (!(snapshot instanceof _Snapshot)) {
      snapshot = new _Snapshot<Message>();
      input._buffer = snapshot;
    }
    snapshot.clear();
    snapshot.capacity = state.capacity;
    for (const item of state.items) snapshot.items.push(await _decodeMessage(item, transfers));
    input._openLinks = state.eos ? 0 : 1;
    input._links.length = state.links;
  }
}

/** How many messages each input's snapshot gave out; the snapshots are emptied. */
function reads(actor: Actor): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const input of Object.values(actor.inputs as Record<string, Input>)) {
    const snapshot = input._buffer as unknown as _Snapshot<Message>;
    if (!(snapshot instanceof _Snapshot)) continue;
    if (snapshot.at !== 0) counts[input.name] = snapshot.at;
    snapshot.clear();
  }
  return counts;
}

function progress(actor: Actor): { done: number; total: number | undefined } | undefined {
  try {
    const p = actor.progress();
    return p === undefined ? undefined : { done: p.done, total: p.total };
  } catch {
    return undefined;
  }
}

/** Runs one call and answers it. */
async function run(call: _Call): Promise<void> {
  const hosted = actors.get(call.id);
  try {
    if (call.op === "start") {
      const built = await build(call);
      actors.set(call.id, built);
      // The Worker is up for this actor: what start() takes is the actor's own business.
      await send({ op: "built", id: call.id, seq: call.seq });
      await built.actor.start();
      await send({
        op: "done",
        id: call.id,
        seq: call.seq,
        fps: built.actor.fps,
        progress: progress(built.actor),
      });
      return;
    }
    if (hosted === undefined) {
      throw new StreamlibError("SL_STATE", `No actor ${call.id} in this Worker`);
    }
    const actor = hosted.actor;
    hosted.clock.time = call.now;
    if (call.op === "process") {
      await fill(actor, call.inputs);
      try {
        await actor.process(call.tick as TimedTick);
      } catch (error) {
        const counts = reads(actor);
        await send({
          op: "error",
          id: call.id,
          seq: call.seq,
          error: _encodeError(error),
          reads: counts,
        });
        return;
      }
      const counts = reads(actor);
      await send({
        op: "done",
        id: call.id,
        seq: call.seq,
        reads: counts,
        progress: progress(actor),
      });
      return;
    }
    if (call.op === "flush") await actor.flush();
    else if (call.op === "stop") {
      actors.delete(call.id);
      await actor.stop();
    } else if (call.op === "params") {
      actor.setParams(call.changes as Parameters<Actor["setParams"]>[0]);
    } else if (call.op === "pads") {
      actor.setPadParams(call.pad, call.changes);
    } else if (call.op === "release") {
      if ((actor.inputs as Record<string, Input>)[call.input] !== undefined) {
        actor._releaseInput(call.input);
      }
    }
    await send({ op: "done", id: call.id, seq: call.seq, progress: progress(actor) });
  } catch (error) {
    await send({ op: "error", id: call.id, seq: call.seq, error: _encodeError(error) });
  } finally {
    _memory.collectIfPressed();
  }
}

/**
 * Reads calls until the main thread closes the channel. One actor's calls run in order, from
 * its start on; a start (a module to import, an actor's `start()`) holds up no other actor.
 */
async function serve(): Promise<void> {
  for (;;) {
    const bytes = await cmd.next();
    if (bytes === undefined) break;
    const call = _unpack<_Call>(bytes);
    if (call.op === "stop" && actors.has(call.id)) {
      // As on the main thread, an abort stops an actor whose process() has not returned.
      chains.delete(call.id);
      void run(call).catch(() => {});
      continue;
    }
    const chain = (chains.get(call.id) ?? Promise.resolve()).then(() => run(call)).catch(() => {
      // The channel closed under a reply: the main thread is ending this Worker.
    });
    chains.set(call.id, chain);
    if (call.op === "start") {
      // An actor whose start failed gets no other call: forget its chain.
      void chain.then(() => {
        if (!actors.has(call.id) && chains.get(call.id) === chain) chains.delete(call.id);
      });
    }
  }
}

scope.onmessage = (event: MessageEvent): void => {
  const data = event.data as
    | {
      type: "init";
      thread: number;
      cmd: SharedQueueHandle;
      reply: SharedQueueHandle;
      pressure: SharedArrayBuffer;
      frameMemory: number;
      importing: string[];
    }
    | _Posted;
  if (data.type === "init") {
    _memory.thread = data.thread;
    _memory.capBytes = data.frameMemory;
    _memory.setPressure(new Int32Array(data.pressure));
    _lineage.inherited = data.importing;
    cmd = SharedQueue.attach(data.cmd);
    reply = SharedQueue.attach(data.reply);
    _setFrameAllocator((byteLength) =>
      byteLength >= _INLINE_BYTES ? _memory.allocate(byteLength) : undefined
    );
    Promise.all([_loadCodec(), _loadGc()]).then(serve).catch((error) => {
      // Nothing can be answered any more: let the main thread hear of it as a crash.
      setTimeout(() => {
        throw error;
      });
    });
  } else {
    _receivePosted(data, transfers);
  }
};
