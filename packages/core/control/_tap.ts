/**
 * A tap: a hidden sink linked to one output for a moment, with a lossy queue so that the output
 * never waits for it, collecting a few messages and taken out again. Internal: the public way
 * in is `PipelineControl.tap()`.
 *
 * @module
 */

import { Actor } from "../graph/actor.ts";
import type { Clock, TimedTick } from "../clock/clock.ts";
import type { Contract, PortSpec } from "../graph/spec.ts";
import type { Input, Output } from "../graph/ports.ts";
import type { Message } from "../messages.ts";
import { StreamlibError } from "../errors.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import type { TapOptions, TapResult } from "./control_types.ts";

/** The most messages one tap collects. */
export const _TAP_MAX_COUNT = 100;
/** The longest a tap waits, in ms. */
export const _TAP_MAX_MS = 60_000;

/** The hidden sinks' type. */
export const _TAP_TYPE = "tap";

/** `options` checked, defaults filled in. */
function _tapOptions(options: TapOptions): { count: number; timeoutMs: number } {
  const count = options.count ?? 1;
  const timeoutMs = options.timeoutMs ?? 2_000;
  if (!(Number.isInteger(count) && count >= 1 && count <= _TAP_MAX_COUNT)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `A tap's count must be a whole number from 1 to ${_TAP_MAX_COUNT}, got ${
        JSON.stringify(count)
      }`,
    );
  }
  if (!(typeof timeoutMs === "number" && timeoutMs >= 0 && timeoutMs <= _TAP_MAX_MS)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `A tap's timeoutMs must be from 0 to ${_TAP_MAX_MS}, got ${JSON.stringify(timeoutMs)}`,
    );
  }
  return { count, timeoutMs };
}

/** The spec of the output `ref` (`name.port`) names, checked before anything is added. */
function _outputSpec(pipeline: Pipeline, ref: string): PortSpec {
  const dot = ref.lastIndexOf(".");
  if (dot <= 0 || dot === ref.length - 1) {
    throw new StreamlibError(
      "SL_PORT_NOT_FOUND",
      `A tap takes an output as "actor.port", got ${JSON.stringify(ref)}`,
    );
  }
  const name = ref.slice(0, dot);
  const port = ref.slice(dot + 1);
  const actor = pipeline.actor(name);
  if (actor === undefined) {
    throw new StreamlibError(
      "SL_ACTOR_NOT_FOUND",
      `No actor ${JSON.stringify(name)} in this pipeline; actors: ${
        pipeline.actors.map((a) => a.name).join(", ") || "none"
      }`,
    );
  }
  const output = (actor.outputs as Record<string, Output>)[port];
  if (output === undefined) {
    throw new StreamlibError(
      "SL_PORT_NOT_FOUND",
      `"${name}" has no output "${port}"; outputs: ${
        Object.keys(actor.outputs).join(", ") || "none"
      }`,
    );
  }
  return output.spec;
}

/**
 * Taps the output `ref`: links a hidden sink named `name` to it with a `queue:count:drop-oldest`
 * input, collects up to `count` messages or what comes within `timeoutMs` on `timer`, then
 * removes the sink. `hide` and `unhide` keep the sink out of the control's views meanwhile.
 */
export async function _tap(
  pipeline: Pipeline,
  ref: string,
  options: TapOptions,
  context: {
    readonly timer: Clock;
    readonly name: string;
    readonly closing: AbortSignal;
    hide(actor: Actor): void;
    unhide(actor: Actor): void;
  },
): Promise<TapResult> {
  const { count, timeoutMs } = _tapOptions(options);
  const spec = _outputSpec(pipeline, ref);
  let settle!: (reason: TapResult["reason"]) => void;
  const settled = new Promise<TapResult["reason"]>((resolve) => {
    let done = false;
    settle = (reason) => {
      if (done) return;
      done = true;
      resolve(reason);
    };
  });
  const messages: Message[] = [];
  const contract: Contract = {
    type: _TAP_TYPE,
    inputs: {
      in: {
        kind: spec.kind,
        ...(spec.formats ? { formats: spec.formats } : {}),
        // What a tap returns is read on the CPU: a GPU output is tapped through a transfer.
        policy: { type: "queue", capacity: count, full: "drop-oldest" },
      },
    },
  };
  class TapSink extends Actor {
    static override contract: Contract = contract;
    process(_tick: TimedTick): void {
      const input = (this.inputs as Record<string, Input>).in!;
      for (let m = input.read(); m !== undefined; m = input.read()) {
        if (messages.length < count) messages.push(m);
      }
      if (messages.length >= count) settle("count");
    }
    override stop(): void {
      // Finished before it was taken out: the output ended.
      settle("eos");
    }
  }
  const sink = new TapSink();
  context.hide(sink);
  const stopTimer = new AbortController();
  const onAbort = (): void => settle("aborted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  context.closing.addEventListener("abort", onAbort, { once: true });
  let via: Actor | undefined;
  try {
    pipeline.add(sink, { name: context.name });
    try {
      const link = pipeline.connect(
        ref as `${string}.${string}`,
        (sink.inputs as Record<string, Input>).in!,
      );
      via = link.via === undefined ? undefined : pipeline.actor(link.via);
      if (via !== undefined) context.hide(via);
    } catch (error) {
      await pipeline.remove(sink);
      throw error;
    }
    if (options.signal?.aborted || context.closing.aborted) settle("aborted");
    options.onStart?.();
    context.timer.sleepUntil(context.timer.now() + timeoutMs * 1_000, stopTimer.signal).then(
      () => settle("timeout"),
      () => {},
    );
    const reason = await settled;
    await pipeline.remove(sink).catch(() => {});
    return { port: ref, kind: spec.kind, messages: messages.slice(0, count), reason };
  } finally {
    stopTimer.abort();
    options.signal?.removeEventListener("abort", onAbort);
    context.closing.removeEventListener("abort", onAbort);
    context.unhide(sink);
    if (via !== undefined) context.unhide(via);
  }
}
