/**
 * The multi-branch graph the integration tests run: a source fans out to two processors that
 * join again in one sink with an input for each branch.
 *
 *   src ──► double ──► join.a
 *       └─► square ──► join.b
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createDataMessage,
  type DataMessage,
  type DeliveryPolicy,
  Pipeline,
  type PipelineOptions,
  type TimedTick,
} from "@streamlib/core";

const mapContract = {
  type: "map",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  params: { op: { type: "string", enum: ["double", "square"], default: "double" } },
} as const satisfies Contract;

/** Doubles or squares numbers; `square` works asynchronously to shuffle the interleaving. */
export class MapNumbers extends Actor<typeof mapContract> {
  static override contract: typeof mapContract = mapContract;
  process(_tick: TimedTick): void | Promise<void> {
    const m = this.inputs.in.read();
    if (m === undefined) return;
    const v = m.value as number;
    if (this.params.op === "double") {
      this.outputs.out.write({ ...m, topic: "double", value: v * 2 });
      return;
    }
    return Promise.resolve().then(() =>
      this.outputs.out.write({ ...m, topic: "square", value: v * v })
    );
  }
}

const joinContract = {
  type: "join",
  inputs: { a: { kind: "data" }, b: { kind: "data" } },
  params: { costUs: { type: "number", default: 0, minimum: 0 } },
} as const satisfies Contract;

/**
 * Records what each input receives, with the pipeline clock's time; optionally takes `costUs`
 * of that clock per message (a slow consumer).
 */
export class Join extends Actor<typeof joinContract> {
  static override contract: typeof joinContract = joinContract;
  readonly a: DataMessage[] = [];
  readonly b: DataMessage[] = [];
  maxDepth = 0;
  async process(_tick: TimedTick): Promise<void> {
    this.maxDepth = Math.max(this.maxDepth, this.inputs.a.size, this.inputs.b.size);
    for (const [input, into] of [[this.inputs.a, this.a], [this.inputs.b, this.b]] as const) {
      const m = input.read();
      if (m === undefined) continue;
      into.push(m);
      if (this.params.costUs > 0) {
        await this.clock.sleepUntil(this.clock.now() + this.params.costUs);
      }
    }
  }
}

/** Builds the graph; the join's inputs get `policy` when given. */
export function buildGraph(
  source: Actor,
  options: PipelineOptions & { policy?: DeliveryPolicy; costUs?: number; workers?: boolean } = {},
): { pipeline: Pipeline; join: Join } {
  const pipeline = new Pipeline(options);
  // With `workers`, both processors run in Workers of their own.
  const dispatch = options.workers
    ? { dispatch: "worker" as const, module: import.meta.url, export: "MapNumbers" }
    : {};
  pipeline.add(source, { name: "src" });
  pipeline.add(new MapNumbers({ op: "double" }), { name: "double", ...dispatch });
  pipeline.add(new MapNumbers({ op: "square" }), { name: "square", ...dispatch });
  const policy = options.policy;
  const inputs: Record<string, { policy?: DeliveryPolicy }> = policy
    ? { a: { policy }, b: { policy } }
    : {};
  const join = pipeline.add(new Join({ costUs: options.costUs ?? 0 }), { name: "join", inputs });
  pipeline.connect("src.out", "double.in");
  pipeline.connect("src.out", "square.in");
  pipeline.connect("double.out", "join.a");
  pipeline.connect("square.out", "join.b");
  return { pipeline, join };
}

/** A data message, for tests that write by hand. */
export function number(value: number, timestamp: number): DataMessage<number> {
  return createDataMessage(value, { timestamp, duration: 0, position: value });
}
