/**
 * Checks a pipeline's links from its actors' manifests alone: each actor is stood in for by an
 * actor with the ports its manifest declares and nothing else, and the links are made through
 * the same `Pipeline.link()` a run uses, so the ports chosen and the errors (with a caret under
 * the link) are the ones a run would give. No actor code is imported. Internal: the MCP tools
 * `validate_pipeline` and `run_pipeline` use it.
 *
 * @module
 */

import {
  Actor,
  type ActorSpec,
  type Catalogue,
  type Connection,
  type Contract,
  isStreamlibError,
  Pipeline,
  pointAt,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import type { LoadedPipeline } from "../load_pipeline.ts";

/**
 * An actor with the ports and parameters of `type`'s manifest entry and the values `spec`
 * gives them (they pick the format of an output with a `formatParam`), and nothing else.
 */
function _standIn(catalogue: Catalogue, spec: ActorSpec): Actor {
  const { inputs, outputs, params } = catalogue.describe(spec.type).actor;
  const contract: Contract = {
    type: spec.type,
    ...(inputs === undefined ? {} : { inputs }),
    ...(outputs === undefined ? {} : { outputs }),
    ...(params === undefined ? {} : { params }),
  };
  class StandIn extends Actor {
    static override contract: Contract = contract;
    process(_tick: TimedTick): void {}
  }
  const values = catalogue.params(spec.type, spec.params ?? {});
  return new StandIn(values as ConstructorParameters<typeof StandIn>[0]);
}

/**
 * The links `loaded` would make, ports chosen, checked from the manifests; throws the first
 * problem (`SL_CAPS_MISMATCH`, `SL_PIPE_AMBIGUOUS`…) pointing at the text when there is text.
 */
export function _checkLinks(
  loaded: LoadedPipeline,
  catalogue: Catalogue,
  mode: "live" | "offline",
): Connection[] {
  const pipeline = new Pipeline({ mode });
  for (const actor of loaded.spec.actors) {
    pipeline.add(_standIn(catalogue, actor), { name: actor.name });
  }
  const links: Connection[] = [];
  for (const [j, link] of loaded.spec.links.entries()) {
    try {
      links.push(pipeline.link(link.from, link.to));
    } catch (error) {
      const span = loaded.parsed?.spans.get(`links[${j}]`);
      if (span === undefined || !isStreamlibError(error)) throw error;
      throw new StreamlibError(error.code, pointAt(loaded.parsed!.text, span, error.message), {
        cause: error,
        details: { ...error.details, line: span.line, column: span.column },
      });
    }
  }
  return links;
}
