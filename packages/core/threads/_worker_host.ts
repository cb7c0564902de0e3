/**
 * The main thread's side of an actor that runs in a Worker. The pipeline schedules it like any
 * other actor (ticks, inputs, end-of-stream, supervision, stats all stay here) and calls this
 * host's hooks instead of the actor's: each becomes a call to the Worker. A `process` call
 * carries what the actor's inputs hold; the reply says how many messages the actor read from
 * each, and those are taken from the inputs here, so the delivery policies, depths and drops
 * are the main thread's, as for any actor.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import { _fitsTemplate } from "../graph/_template.ts";
import type { TimedTick } from "../clock/clock.ts";
import { StreamlibError } from "../errors.ts";
import type { Input, Output } from "../graph/ports.ts";
import type { Message } from "../messages.ts";
import { _loadGc, type _PoolRef } from "./_frame_memory.ts";
import { _decodeError, _decodeMessage, _encodeMessage, _loadCodec } from "./_worker_codec.ts";
import type { _Call, _InputState, _Progress, _Reply } from "./_worker_protocol.ts";
import type { WorkerPool } from "./worker_pool.ts";
import {
  _assign,
  _RECORD_BYTES,
  _release,
  type _ThreadClient,
  type _WorkerThread,
} from "./_worker_thread.ts";

/** Messages of one input sent with one call, at most. */
const _MAX_ITEMS = 64;

let _ids = 0;

type _Done = Extract<_Reply, { op: "done" }>;
type _Answer = _Done | Extract<_Reply, { op: "error" }>;
type _Pending = {
  resolve(reply: _Answer): void;
  reject(error: unknown): void;
};

/** An actor's hooks when they run elsewhere (in a Worker): the scheduler calls these instead. */
export interface _Remote {
  start(): Promise<void>;
  process(tick: TimedTick): Promise<void>;
  flush(): Promise<void>;
  stop(): Promise<void>;
  progress(): { done: number; total: number | undefined } | undefined;
  paramsChanged(changes: Record<string, unknown>): void;
  padParamsChanged(pad: string, changes: Record<string, unknown>): void;
  /** A request input was released: the actor in the Worker lets go of it too. */
  inputReleased(input: string): void;
  /**
   * Gives up a `start()` still under way (it may never return): its Worker is left. With
   * `stuck`, gives up whatever call is under way (a `process()` that loops), the same way.
   */
  abandon(stuck?: string): void;
  /** The rate the actor gave after `start()`, for a tick actor. */
  readonly fps: number | undefined;
  /** The Worker's number, while there is one. */
  readonly worker: number | undefined;
}

/** The actor's ports in the pipeline's order (its node's), which the Worker's side shares. */
export interface _HostedPorts {
  readonly inputs: readonly Input[];
  readonly outputs: readonly Output[];
}

/** Where a host's actor comes from in the Worker. */
export interface _WorkerSpec {
  readonly pool: WorkerPool;
  readonly module: string;
  readonly export: string;
}

/** @internal */
export class _WorkerHost implements _Remote, _ThreadClient {
  readonly #actor: Actor;
  readonly #node: _HostedPorts;
  readonly #spec: _WorkerSpec;
  readonly #onDeath: (error: StreamlibError) => void;
  #thread: _WorkerThread | undefined;
  #id = 0;
  #seq = 0;
  #pending = new Map<number, _Pending>();
  /** Replies are handled in order, each after the previous one's writes went out. */
  #chain: Promise<void> = Promise.resolve();
  #progress: _Progress;
  #starting = false;
  /** Ends the start deadline once the Worker has come up (or the start is over). */
  #upDeadline: AbortController | undefined;
  fps: number | undefined;

  constructor(
    actor: Actor,
    node: _HostedPorts,
    spec: _WorkerSpec,
    onDeath: (error: StreamlibError) => void,
  ) {
    this.#actor = actor;
    this.#node = node;
    this.#spec = spec;
    this.#onDeath = onDeath;
  }

  /** The Worker's number, while there is one. */
  get worker(): number | undefined {
    return this.#thread?.id;
  }

  async start(): Promise<void> {
    await Promise.all([_loadCodec(), _loadGc()]);
    const thread = _assign(this.#spec.pool);
    this.#thread = thread;
    this.#id = ++_ids;
    thread.attach(this.#id, this);
    const a = this.#actor;
    this.#starting = true;
    const { clock, startTimeoutMs } = this.#spec.pool;
    const deadline = this.#upDeadline = new AbortController();
    clock.sleepUntil(clock.now() + startTimeoutMs * 1000, deadline.signal).then(
      () => {
        if (this.#upDeadline === deadline) this.#notUp(thread, startTimeoutMs);
      },
      () => {}, // it came up
    );
    const done = await this.#ask({
      op: "start",
      id: this.#id,
      seq: 0,
      now: 0,
      module: this.#spec.module,
      export: this.#spec.export,
      params: a.params as Record<string, unknown>,
      pads: a._padsGiven(),
      name: a.name,
      address: a.address,
      mode: a.mode,
      clockId: a.clock.id,
    }, []).catch((error) => {
      this.#leave();
      throw error;
    }).finally(() => {
      this.#starting = false;
      this.#up();
    });
    this.fps = done.fps;
    this.#progress = done.progress;
  }

  async process(tick: TimedTick): Promise<void> {
    const thread = this.#live();
    const refs: _PoolRef[] = [];
    const sent: Message[][] = [];
    const states: _InputState[] = [];
    let inline = 0;
    for (const input of this.#node.inputs) {
      const buffer = input._buffer as typeof input._buffer & { _at?(i: number): Message };
      const items: unknown[] = [];
      const messages: Message[] = [];
      for (let i = 0; i < buffer.size && i < _MAX_ITEMS; i++) {
        const message = i === 0 ? buffer.peek() : buffer._at?.(i);
        if (message === undefined) break;
        const data = (message as { data?: unknown }).data;
        const bytes = ArrayBuffer.isView(data) ? data.byteLength : 0;
        // Keep the record small: the rest goes with the next call.
        if (i !== 0 && bytes < _RECORD_BYTES / 2 && (inline += bytes) > _RECORD_BYTES / 2) break;
        messages.push(message);
        items.push(_encodeMessage(message, thread, refs));
      }
      sent.push(messages);
      states.push({
        name: input.name,
        ...this.#template(input),
        eos: input.eos,
        links: input._links.length,
        capacity: buffer.capacity,
        items,
      });
    }
    const reply = await this.#call({
      op: "process",
      id: this.#id,
      seq: 0,
      now: 0,
      tick: {
        timestamp: tick.timestamp,
        duration: tick.duration,
        frameNumber: tick.frameNumber,
        clockId: tick.clockId,
        fps: tick.fps,
        late: tick.late,
      },
      inputs: states,
    }, refs).catch((error) => {
      // The Worker died in the call: the first message of each input goes with it, so that a
      // message that kills its Worker is not handed to the next one for ever.
      this.#node.inputs.forEach((input, i) => {
        if (sent[i]!.length !== 0 && input.peek() === sent[i]![0]) input.read();
      });
      throw error;
    });
    this.#node.inputs.forEach((input, i) => {
      const taken = reply.reads?.[input.name] ?? 0;
      const messages = sent[i]!;
      // What a policy dropped meanwhile is gone already; the rest is read here, in order.
      for (let k = 0; k < taken && k < messages.length; k++) {
        if (input.peek() === messages[k]) input.read();
      }
    });
    if (reply.op === "error") throw _decodeError(reply.error);
    this.#progress = reply.progress;
  }

  async flush(): Promise<void> {
    this.#live();
    const done = await this.#ask({ op: "flush", id: this.#id, seq: 0, now: 0 }, []);
    this.#progress = done.progress;
    // Writes the flush made are out once its reply is handled.
  }

  async stop(): Promise<void> {
    const thread = this.#thread;
    if (thread === undefined) return;
    try {
      if (!thread.dead) await this.#ask({ op: "stop", id: this.#id, seq: 0, now: 0 }, []);
    } finally {
      this.#leave();
    }
  }

  /**
   * Gives up a start that has not returned: the actor leaves its Worker, which ends unless
   * other actors live there (a start that loops for ever ends with it). The start rejects.
   * With `stuck` (why), gives up any call under way, which rejects with `SL_DEADLINE`.
   */
  abandon(stuck?: string): void {
    if (this.#starting || stuck !== undefined) this.#leave(stuck);
  }

  progress(): _Progress {
    return this.#progress;
  }

  paramsChanged(changes: Record<string, unknown>): void {
    this.#change({ op: "params", id: this.#id, seq: 0, now: 0, changes }, "setParams");
  }

  padParamsChanged(pad: string, changes: Record<string, unknown>): void {
    this.#change({ op: "pads", id: this.#id, seq: 0, now: 0, pad, changes }, "setPadParams");
  }

  inputReleased(input: string): void {
    this.#change({ op: "release", id: this.#id, seq: 0, now: 0, input }, "inputReleased");
  }

  /** Sends a change of parameters to the Worker; one it refuses fails the actor. */
  #change(call: _Call, what: string): void {
    const thread = this.#thread;
    if (thread === undefined || thread.dead) return;
    this.#ask(call, []).catch((error) =>
      this.#onDeath(
        error instanceof StreamlibError ? error : new StreamlibError(
          "SL_ACTOR_FAILED",
          `${what} of "${this.#actor.address}" failed in its Worker: ${(error as Error).message}`,
          { cause: error },
        ),
      )
    );
  }

  _reply(reply: _Reply): void {
    this.#chain = this.#chain.then(() => this.#handle(reply)).catch(() => {});
  }

  _died(error: StreamlibError): void {
    const dead = new StreamlibError(
      "SL_WORKER_DIED",
      `The Worker running "${this.#actor.address}" died: ${error.details.reason}`,
      { details: { ...error.details, actor: this.#actor.address } },
    );
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(dead);
    if (pending.length === 0) this.#onDeath(dead);
  }

  async #handle(reply: _Reply): Promise<void> {
    const thread = this.#thread;
    if (thread === undefined) return;
    if (reply.op === "built") {
      this.#up();
      return;
    }
    if (reply.op === "done" || reply.op === "error") {
      const pending = this.#pending.get(reply.seq);
      this.#pending.delete(reply.seq);
      pending?.resolve(reply);
      return;
    }
    if (reply.op === "endRequest") {
      this.#actor.end();
      return;
    }
    if (reply.op === "log") {
      this.#actor.log(reply.text);
      return;
    }
    const output = this.#node.outputs.find((o: Output) => o.name === reply.port);
    if (output === undefined || output.ended) return;
    if (reply.op === "end") {
      output.end();
      return;
    }
    const message = await _decodeMessage(reply.m, thread.transfers);
    if (output.ended) return;
    const written = output.write(message);
    if (written !== undefined) await written;
  }

  /** Sends a call and waits for its reply; an error reply throws. */
  async #ask(call: _Call, refs: readonly _PoolRef[]): Promise<_Done> {
    const answer = await this.#call(call, refs);
    if (answer.op === "error") throw _decodeError(answer.error);
    return answer;
  }

  /** Sends a call and waits for its reply. */
  async #call(call: _Call, refs: readonly _PoolRef[]): Promise<_Answer> {
    const thread = this.#thread!;
    const seq = ++this.#seq;
    const reply = new Promise<_Answer>((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
    });
    try {
      await thread.send({ ...call, seq, now: this.#actor.clock.now() } as _Call, refs);
    } catch (error) {
      this.#pending.delete(seq);
      throw error;
    }
    return await reply;
  }

  /** The Worker came up for this actor, or its start is over: no more deadline. */
  #up(): void {
    this.#upDeadline?.abort();
    this.#upDeadline = undefined;
  }

  /**
   * The Worker did not come up in time: the start fails with `SL_WORKER_START` and the Worker
   * ends (it may be running a module's top-level code for ever), failing any other actor on it.
   */
  #notUp(thread: _WorkerThread, limit: number): void {
    this.#upDeadline = undefined;
    const { module, export: name } = this.#spec;
    const address = this.#actor.address;
    const error = new StreamlibError(
      "SL_WORKER_START",
      `The Worker for "${address}" did not come up within ${limit} ms: ${module} was not ` +
        `imported and "${name}" built in that time. The module may run code at top level (a ` +
        `pipeline, a server) that never finishes in a Worker: guard it with ` +
        `\`if (import.meta.main)\`. A module that is just slow to load needs a larger ` +
        `WorkerPool startTimeoutMs`,
      { details: { actor: address, module, export: name, timeoutMs: limit, worker: thread.id } },
    );
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
    this.#leave();
    thread.kill(`"${address}" did not come up in it within ${limit} ms`);
  }

  #live(): _WorkerThread {
    const thread = this.#thread;
    if (thread === undefined) {
      throw new StreamlibError("SL_STATE", `"${this.#actor.address}" has no Worker`);
    }
    if (thread.dead) throw thread.dead;
    return thread;
  }

  #leave(stuck?: string): void {
    const thread = this.#thread;
    if (thread === undefined) return;
    this.#thread = undefined;
    thread.detach(this.#id);
    for (const p of this.#pending.values()) {
      p.reject(
        stuck === undefined
          ? new StreamlibError("SL_STATE", `"${this.#actor.address}" left its Worker`)
          : new StreamlibError("SL_DEADLINE", `"${this.#actor.address}" ${stuck}`),
      );
    }
    this.#pending.clear();
    _release(this.#spec.pool, thread);
  }

  #template(input: Input): { template?: string } {
    const entry = Object.entries(this.#actor.contract.inputs ?? {}).find(([t, s]) =>
      s.presence === "request" && _fitsTemplate(input.name, t)
    );
    return entry === undefined ? {} : { template: entry[0] };
  }
}
