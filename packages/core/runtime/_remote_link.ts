/**
 * Links to ports on other nodes, for `Pipeline.connect()` and `link()`: the remote resolver
 * makes a local stand-in (a `netsink` for a remote input, a `netsrc` for a remote output), the
 * pipeline adds it and links the local port to it. Internal: nothing here is public API.
 *
 * @module
 */

import { _produced } from "./_produced.ts";
import type { Actor } from "../graph/actor.ts";
import type { Input, Output } from "../graph/ports.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";
import { StreamlibError } from "../errors.ts";
import type { Connection, PortRef } from "./pipeline_types.ts";
import {
  isRemoteAddress,
  isRemoteLinkActor,
  parseRemoteEndpoint,
  type RemoteLinkInfo,
  type RemoteLinkResolver,
} from "./remote.ts";
import type { _Graph } from "./_graph.ts";

type _End<P> = Actor | PortRef<P> | string;

/** What of `Pipeline` a remote link uses (the type, without importing the pipeline). */
interface _Linker {
  add<A extends Actor>(actor: A): A;
  remove(actor: Actor): Promise<void>;
  connect(from: Output, to: PortRef<Input>, options: { policy?: DeliveryPolicy }): Connection;
  link(from: Actor, to: _End<Input>, options: { policy?: DeliveryPolicy }): Connection;
}

/** Links `from` to `to`, one of which is on another node, through a stand-in. */
export function _remoteLink(
  pipeline: _Linker,
  graph: _Graph,
  resolver: RemoteLinkResolver | undefined,
  from: _End<Output>,
  to: _End<Input>,
  options: { policy?: DeliveryPolicy },
): Connection {
  if (isRemoteAddress(from) && isRemoteAddress(to)) {
    throw new StreamlibError(
      "SL_ADDRESS_INVALID",
      `Cannot link ${JSON.stringify(from)} to ${JSON.stringify(to)}: both ends are on other ` +
        "nodes; link them on one of those nodes",
      { details: { from, to } },
    );
  }
  const direction = isRemoteAddress(to) ? "out" : "in";
  const text = (direction === "out" ? to : from) as string;
  const remote = parseRemoteEndpoint(text);
  if (resolver === undefined) {
    throw new StreamlibError(
      "SL_REMOTE_UNRESOLVED",
      `Cannot link to ${JSON.stringify(text)}: this process reaches no other nodes. Start ` +
        "@streamlib/net's link service (startNetNode, or streamlib run --nats URL or --peer " +
        "NAME=HOST:PORT)",
      { details: { address: text } },
    );
  }
  let kind: Input["spec"]["kind"] = "any";
  let local: string;
  let output: Output | undefined;
  if (direction === "out") {
    output = _localOutput(graph, from);
    // What the output carries: a queue's or a tee's, that of what reaches it.
    kind = _produced(output).kind;
    local = `${output.actor.name}.${output.name}`;
  } else {
    const [node, port] = graph.end<Input>(to, "input");
    if (typeof port === "object") kind = port.spec.kind;
    local = typeof port === "object" ? `${node.actor.name}.${port.name}` : port ?? node.actor.name;
  }
  const stand = resolver.resolve({
    direction,
    remote,
    kind,
    local,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  });
  pipeline.add(stand);
  try {
    const link = direction === "out"
      ? pipeline.connect(output!, `${stand.name}.in`, options)
      : pipeline.link(stand, to, options);
    return { ...link, remote: text };
  } catch (error) {
    pipeline.remove(stand).catch(() => {});
    throw error;
  }
}

/** The output a remote link leaves from: the named one, the only one, or `out`. */
function _localOutput(graph: _Graph, from: _End<Output>): Output {
  const [node, fixed] = graph.end<Output>(from, "output");
  if (typeof fixed === "object") return fixed;
  const outputs = node.outputs;
  const chosen = outputs.length === 1 ? outputs[0] : outputs.find((o) => o.name === "out");
  if (chosen === undefined) {
    throw new StreamlibError(
      outputs.length === 0 ? "SL_PIPE_NO_MATCH" : "SL_PIPE_AMBIGUOUS",
      `"${node.actor.name}" has ${
        outputs.length === 0 ? "no output" : `outputs ${outputs.map((o) => o.name).join(", ")}`
      }; name the one to send to the other node ("${node.actor.name}.<port>")`,
      { details: { from: node.actor.name } },
    );
  }
  return chosen;
}

/** The links of the actors that stand for remote ends, for `toJSON()`. */
export function _remoteLinks(actors: Iterable<Actor>): { remote?: RemoteLinkInfo[] } {
  let remote: RemoteLinkInfo[] | undefined;
  for (const actor of actors) {
    if (!isRemoteLinkActor(actor)) continue;
    try {
      (remote ??= []).push(actor.remoteLink());
    } catch {
      // A faulty stand-in must not break the graph.
    }
  }
  return remote === undefined ? {} : { remote };
}
