/**
 * The live graph as the control API shows it: every actor with its state, parameters and ports
 * (kinds, formats, policies, depths, drops), and every link with its input's numbers. Internal:
 * the public way in is `PipelineControl.graph()`.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { Input, Output } from "../graph/ports.ts";
import type { PortSpec } from "../graph/spec.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import type { ActorStats } from "../runtime/stats.ts";
import type {
  ControlGraph,
  GraphActor,
  GraphInput,
  GraphLink,
  GraphOutput,
  GraphTemplate,
} from "./control_types.ts";

/** A copy of `value` that JSON carries as it is: functions and other non-data left out. */
export function _plain<T>(value: T): T {
  try {
    const text = JSON.stringify(value, (_key, v) => typeof v === "bigint" ? String(v) : v);
    return text === undefined ? value : JSON.parse(text);
  } catch {
    return String(value) as T;
  }
}

/** The request template `input` was made from, if it was. */
export function _templateOf(actor: Actor, input: Input): string | undefined {
  for (const [name, spec] of Object.entries(actor.contract.inputs ?? {})) {
    if (spec === input.spec && spec.presence === "request") return name;
  }
  return undefined;
}

function _type(spec: PortSpec): Pick<GraphOutput, "kind" | "formats" | "capabilities"> {
  return {
    kind: spec.kind,
    formats: spec.formats ? [...spec.formats] : "any",
    capabilities: spec.capabilities ? [...spec.capabilities] : ["cpu"],
  };
}

function _actorView(actor: Actor, stats: ActorStats | undefined): GraphActor {
  const inputs: GraphInput[] = (Object.values(actor.inputs) as Input[]).map((input) => {
    const template = _templateOf(actor, input);
    const s = stats?.inputs[input.name];
    return {
      name: input.name,
      ..._type(input.spec),
      ...(template === undefined ? {} : { template }),
      ...(input.spec.params === undefined ? {} : { params: _plain({ ...input.params }) }),
      policy: input.policy,
      depth: input.size,
      capacity: s?.capacity ?? input._buffer.capacity,
      received: input.received,
      dropped: input.dropped,
      links: input._links.length,
    };
  });
  const outputs: GraphOutput[] = (Object.values(actor.outputs) as Output[]).map((output) => ({
    name: output.name,
    ..._type(output.spec),
    written: output.written,
    links: output._links.length,
    waiting: output._pending,
  }));
  const templates: GraphTemplate[] = Object.entries(actor.contract.inputs ?? {})
    .filter(([, spec]) => spec.presence === "request")
    .map(([name, spec]) => ({
      name,
      kind: spec.kind,
      formats: spec.formats ? [...spec.formats] : "any",
      params: Object.keys(spec.params ?? {}),
    }));
  return {
    name: actor.name,
    type: actor.contract.type,
    address: actor.address,
    state: stats?.state ?? "idle",
    params: _plain({ ...actor.params }),
    inputs,
    outputs,
    templates,
    ...(stats?.worker === undefined ? {} : { worker: stats.worker }),
  };
}

/** The graph of `pipeline` without the actors in `hidden`. */
export function _graphView(pipeline: Pipeline, hidden: ReadonlySet<Actor>): ControlGraph {
  const stats = pipeline.stats();
  const byName = new Map(stats.actors.map((s) => [s.name, s]));
  const actors = pipeline.actors.filter((a) => !hidden.has(a));
  const hiddenNames = new Set([...hidden].map((a) => a.name));
  const links: GraphLink[] = [];
  for (const link of pipeline.toJSON().links) {
    const dot = link.to.lastIndexOf(".");
    const to = link.to.slice(0, dot);
    if (hiddenNames.has(to) || hiddenNames.has(link.from.slice(0, link.from.lastIndexOf(".")))) {
      continue;
    }
    const input = (pipeline.actor(to)?.inputs as Record<string, Input> | undefined)?.[
      link.to.slice(dot + 1)
    ];
    links.push({
      ...link,
      depth: input?.size ?? 0,
      capacity: byName.get(to)?.inputs[link.to.slice(dot + 1)]?.capacity ?? 0,
      dropped: input?.dropped ?? 0,
    });
  }
  return {
    mode: pipeline.mode,
    state: pipeline.state,
    runningTime: pipeline.runningTime(),
    actors: actors.map((a) => _actorView(a, byName.get(a.name))),
    links,
    remote: _plain(pipeline.toJSON().remote ?? []),
  };
}
