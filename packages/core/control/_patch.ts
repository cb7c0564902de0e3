/**
 * Patches: pipeline text applied to a running pipeline. A patch is validated in full before
 * anything changes: the text, each new actor's type and parameters (by creating it, unlinked),
 * names already taken, permissions, and every link, which is made first in a stand-in of the
 * running graph (same actors' ports, same links) through the same `Pipeline.link()` the real
 * one uses, so the ports chosen and the errors are the same. Only then are the actors added and
 * linked for real, in one synchronous step; should that still fail, what was added is taken out
 * again. Internal: the public way in is `PipelineControl.patch()`.
 *
 * @module
 */

import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import type { Input } from "../graph/ports.ts";
import { StreamlibError } from "../errors.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import type { Connection } from "../runtime/pipeline_types.ts";
import type { Catalogue, PermissionSet } from "../describe/catalogue.ts";
import type { ParsedPipeline } from "../describe/parse_pipeline.ts";
import { pointAt } from "../describe/point_at.ts";
import type { ActorSpec, LinkSpec } from "../describe/pipeline_spec.ts";
import { _creationKeys, _located } from "../describe/_located.ts";
import { _templateOf } from "./_graph_view.ts";
import { _beyond } from "./_permits.ts";

/** A patch that passed validation: what to add and link. */
export interface _Plan {
  readonly parsed: ParsedPipeline;
  /** The new actors with their specs, created and not yet added. */
  readonly actors: ReadonlyArray<{ readonly spec: ActorSpec; readonly actor: Actor }>;
  /** The links as the text gives them. */
  readonly links: readonly LinkSpec[];
  /** The links as the stand-in made them, ports chosen. */
  readonly connections: readonly Connection[];
}

/**
 * An actor with `actor`'s ports and parameter values and nothing else, for the stand-in graph
 * (the values pick the format of an output with a `formatParam`).
 */
function _standIn(actor: Actor): Actor {
  const { type, inputs, outputs, params } = actor.contract;
  const contract: Contract = {
    type,
    ...(inputs === undefined ? {} : { inputs }),
    ...(outputs === undefined ? {} : { outputs }),
    ...(params === undefined ? {} : { params }),
  };
  class StandIn extends Actor {
    static override contract: Contract = contract;
    process(_tick: TimedTick): void {}
  }
  const standIn = new StandIn(structuredClone(actor.params));
  for (const input of Object.values(actor.inputs) as Input[]) {
    const template = _templateOf(actor, input);
    if (template !== undefined) {
      (standIn.requestInput as (t: string, n: string) => Input)(template, input.name);
    }
  }
  return standIn;
}

/** A pipeline, never started, with stand-ins of `pipeline`'s actors linked as they are. */
function _replica(pipeline: Pipeline): Pipeline {
  const replica = new Pipeline({ mode: pipeline.mode, clock: pipeline.clock });
  for (const actor of pipeline.actors) replica.add(_standIn(actor), { name: actor.name });
  for (const link of pipeline.toJSON().links) {
    replica.connect(link.from as `${string}.${string}`, link.to as `${string}.${string}`);
  }
  return replica;
}

/**
 * Validates a patch in full against `pipeline` without changing it; throws the first problem,
 * pointing at the text.
 */
export async function _planPatch(
  pipeline: Pipeline,
  catalogue: Catalogue,
  text: string,
  granted: PermissionSet | undefined,
): Promise<_Plan> {
  if (pipeline.state === "stopping" || pipeline.state === "done" || pipeline.state === "failed") {
    throw new StreamlibError(
      "SL_STATE",
      `The pipeline is ${pipeline.state}: it takes no patches`,
    );
  }
  const running = pipeline.actors.map((a) => a.name);
  const parsed = catalogue.parse(text, { existing: running });
  const { spec } = parsed;
  if (spec.actors.length === 0 && spec.links.length === 0) {
    throw new StreamlibError("SL_PIPELINE_SYNTAX", "The patch is empty: give actors or links");
  }
  const taken = new Set(running);
  spec.actors.forEach((actor, i) => {
    if (!taken.has(actor.name)) return;
    throw _located(
      parsed,
      new StreamlibError(
        "SL_NAME_TAKEN",
        `The pipeline already has an actor "${actor.name}"; give the new one another name=`,
        { details: { name: actor.name } },
      ),
      `actors[${i}].name`,
      `actors[${i}]`,
    );
  });
  for (const [i, actor] of spec.actors.entries()) {
    try {
      catalogue.describe(actor.type);
    } catch (error) {
      throw _located(parsed, error, `actors[${i}]`);
    }
  }
  if (granted !== undefined) {
    for (const [i, actor] of spec.actors.entries()) {
      const missing = _beyond(catalogue.permissions({ actors: [actor], links: [] }), granted);
      if (missing.length === 0) continue;
      const span = parsed.spans.get(`actors[${i}]`)!;
      throw new StreamlibError(
        "SL_PERMISSION_NOT_GRANTED",
        pointAt(
          text,
          span,
          `"${actor.name}" (${actor.type}) needs ${missing.join("; ")}, which this node was ` +
            `not granted: it runs with only the permissions its pipeline needed. Restart the ` +
            `pipeline with this actor in it, or run it from a script granted what it needs`,
        ),
        { details: { actor: actor.name, type: actor.type, missing } },
      );
    }
  }
  const created: Array<{ spec: ActorSpec; actor: Actor }> = [];
  for (const [i, actor] of spec.actors.entries()) {
    try {
      created.push({
        spec: actor,
        actor: await catalogue.create(actor.type, actor.params ?? {}, actor.pads ?? {}),
      });
    } catch (error) {
      throw _located(parsed, error, ..._creationKeys(i, actor, error));
    }
  }
  const replica = _replica(pipeline);
  for (const [i, { spec: actor, actor: made }] of created.entries()) {
    try {
      replica.add(_standIn(made), { name: actor.name });
    } catch (error) {
      throw _located(parsed, error, `actors[${i}].name`, `actors[${i}]`);
    }
  }
  const connections: Connection[] = [];
  for (const [j, link] of spec.links.entries()) {
    try {
      connections.push(replica.link(link.from, link.to));
    } catch (error) {
      throw _located(parsed, error, `links[${j}]`);
    }
  }
  return { parsed, actors: created, links: spec.links, connections };
}

/**
 * Adds and links what `plan` says, in one synchronous step; on a failure takes out again what it
 * added and throws the error, pointing at the text.
 */
export async function _applyPlan(
  pipeline: Pipeline,
  catalogue: Catalogue,
  plan: _Plan,
): Promise<Connection[]> {
  const added: Actor[] = [];
  const made: Connection[] = [];
  let failure: unknown;
  let at: string[] = [];
  try {
    for (const [i, { spec, actor }] of plan.actors.entries()) {
      at = [`actors[${i}].name`, `actors[${i}]`];
      pipeline.add(actor, { name: spec.name, ...catalogue.placement(spec) });
      added.push(actor);
    }
    for (const [j, link] of plan.links.entries()) {
      at = [`links[${j}]`];
      made.push(pipeline.link(link.from, link.to));
    }
    return made;
  } catch (error) {
    failure = error;
  }
  for (const link of made.reverse()) {
    try {
      pipeline.disconnect(
        link.from as `${string}.${string}`,
        link.to as `${string}.${string}`,
      );
    } catch {
      // Gone already.
    }
  }
  for (const actor of added.reverse()) await pipeline.remove(actor).catch(() => {});
  throw _located(plan.parsed, failure, ...at);
}
