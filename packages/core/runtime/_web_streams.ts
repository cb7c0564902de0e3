/**
 * Web Streams over a pipeline's ports: the hidden actors behind `Pipeline.readable()` and
 * `Pipeline.writable()`. Internal: those methods are the public way in.
 *
 * @module
 */

import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract, PortSpec } from "../graph/spec.ts";
import type { Input } from "../graph/ports.ts";
import type { AnyMessage, Message } from "../messages.ts";
import type { Output } from "../graph/ports.ts";
import { StreamlibError } from "../errors.ts";
import type { ReadableOptions, WritableOptions } from "./pipeline_types.ts";
import type { _Node } from "./_node.ts";

/** What the stream adapters need of a pipeline (a `Pipeline` is one). */
interface _StreamHost {
  add<A extends Actor>(actor: A, options?: { name?: string }): A;
  connect(from: Output, to: Input): unknown;
  remove(actor: Actor): Promise<void>;
  readonly done: Promise<{ readonly status: string }>;
  readonly state: string;
}

function _spec(port: { spec: PortSpec }): PortSpec {
  const { kind, formats, capabilities } = port.spec;
  return { kind, ...(formats ? { formats } : {}), ...(capabilities ? { capabilities } : {}) };
}

function _stopped(): StreamlibError {
  return new StreamlibError("SL_ABORTED", "The pipeline stopped before this stream ended");
}

/** Connects a hidden adapter actor, or takes it out again if the connection is refused. */
function _attach(pipeline: _StreamHost, actor: Actor, connect: () => void): void {
  try {
    connect();
  } catch (error) {
    void pipeline.remove(actor);
    throw error;
  }
}

/** The stream behind `Pipeline.readable()`. */
export function _readable<T extends AnyMessage>(
  pipeline: _StreamHost,
  output: Output<T>,
  options: ReadableOptions,
): ReadableStream<T> {
  let controller!: ReadableStreamDefaultController<T>;
  let closed = false;
  const end = (error?: unknown): void => {
    if (closed) return;
    closed = true;
    if (error === undefined) controller.close();
    else controller.error(error);
  };
  const contract: Contract = {
    type: "readable",
    inputs: {
      in: { ..._spec(output), policy: { type: "queue", capacity: options.highWaterMark ?? 8 } },
    },
  };
  // The hidden sink moves messages into the stream while the stream wants more; otherwise they
  // wait in its queue, and a full queue holds the pipeline back.
  class ReadableSink extends Actor {
    static override contract: Contract = contract;
    get input(): Input {
      return (this.inputs as Record<string, Input>).in!;
    }
    transfer(): void {
      while (!closed && (controller.desiredSize ?? 0) > 0) {
        const message = this.input.read();
        if (message === undefined) break;
        controller.enqueue(message as T);
      }
      if (this.input.ended) this.end();
    }
    process(_tick: TimedTick): void {
      this.transfer();
    }
    override stop(): void {
      // End-of-stream arrived: a clean end. Otherwise the run was aborted or failed, and the
      // stream errors with the reason once `done` settles.
      if (this.input.eos) end();
    }
  }
  const sink = pipeline.add(new ReadableSink(), options.name ? { name: options.name } : {});
  _attach(pipeline, sink, () => pipeline.connect(output as Output, sink.input));
  pipeline.done.then(
    (r) => end(r.status === "eos" ? undefined : _stopped()),
    (error) => end(error),
  );
  return new ReadableStream<T>({
    start(c): void {
      controller = c;
    },
    pull(): void {
      sink.transfer();
    },
    cancel(): void {
      closed = true;
      sink.end();
      // The reader went away. While others read the output, its sink and link go too: a server
      // that hands each client a stream would otherwise keep one of each per client, for good.
      // The last reader's stay, finished, so that the output's actor ends with nobody to feed.
      if (output._links.length > 1) pipeline.remove(sink).catch(() => {});
    },
  }, { highWaterMark: 1 });
}

/** The stream behind `Pipeline.writable()`. */
export function _writable<T extends AnyMessage>(
  pipeline: _StreamHost,
  input: Input<T>,
  options: WritableOptions,
): WritableStream<T> {
  const contract: Contract = {
    type: "writable",
    outputs: { out: _spec(input) },
    schedule: "external",
  };
  // The hidden source is driven from outside: the stream's sink writes into its output.
  class WritableSource extends Actor {
    static override contract: Contract = contract;
    get output(): Output {
      return (this.outputs as Record<string, Output>).out!;
    }
    process(_tick: TimedTick): void {}
  }
  const source = pipeline.add(new WritableSource(), options.name ? { name: options.name } : {});
  _attach(pipeline, source, () => pipeline.connect(source.output, input as Input));
  const output = source.output;
  // Stopped without end-of-stream: aborted, failed, or stopped before it started.
  const stopped = (): boolean =>
    !output.ended &&
    ((source._node as _Node | undefined)?.state === "finished" || pipeline.state === "done" ||
      pipeline.state === "failed");
  return new WritableStream<T>({
    async write(chunk): Promise<void> {
      if (output.ended) throw new StreamlibError("SL_STATE", "This stream was closed");
      if (stopped()) throw _stopped();
      await output.write(chunk as Message);
      // A write waiting for space is released, undelivered, when the pipeline stops.
      if (stopped()) throw _stopped();
    },
    close(): void {
      source.end();
    },
    abort(): void {
      source.end();
    },
  }, { highWaterMark: 1 });
}
