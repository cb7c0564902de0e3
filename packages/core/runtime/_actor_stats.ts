/**
 * One actor's numbers for `Pipeline.stats()`. Internal: nothing here is public API.
 *
 * @module
 */

import type { ActorStats } from "./stats.ts";
import type { _Node } from "./_node.ts";
import { isRemoteLinkActor } from "./remote.ts";

/** The state `stats()` reports for a node. */
function _reportedState(node: _Node): ActorStats["state"] {
  switch (node.state) {
    case "finished":
    case "restarting":
    case "starting":
    case "idle":
      return node.state;
    default:
      return node.blockedOutputs !== 0 ? "blocked" : "running";
  }
}

/** A snapshot of `node`'s stats. */
export function _actorStats(node: _Node): ActorStats {
  const a = node.actor;
  const inputs: Record<string, ActorStats["inputs"][string]> = {};
  let dropped = node.skipped + node.releasedDrops;
  for (const input of node.inputs) {
    dropped += input.dropped;
    inputs[input.name] = {
      policy: input.policy,
      depth: input.size,
      capacity: input._buffer.capacity,
      received: input.received,
      dropped: input.dropped,
      links: input._links.length,
    };
  }
  if (isRemoteLinkActor(a)) {
    // A link's sender drops what it cannot send (the other node away, stale under `latest`):
    // its own drops count with its inputs'.
    let inputDrops = 0;
    for (const input of node.inputs) inputDrops += input.dropped;
    try {
      dropped += Math.max(0, a.remoteLink().dropped - inputDrops);
    } catch {
      // A faulty remoteLink() must not break stats.
    }
  }
  const outputs: Record<string, ActorStats["outputs"][string]> = {};
  for (const output of node.outputs) {
    outputs[output.name] = {
      written: output.written,
      links: output._links.length,
      waiting: output._pending,
    };
  }
  let progress: ActorStats["progress"];
  try {
    progress = (node.remote ?? a).progress();
  } catch {
    // A faulty progress() must not break stats.
  }
  return {
    address: a.address,
    name: a.name,
    type: a.contract.type,
    state: _reportedState(node),
    processed: node.processed,
    dropped,
    errors: node.errors,
    skipped: node.skipped,
    restarts: node.restarts,
    lateTicks: node.lateTicks,
    skippedTicks: node.skippedTicks,
    processingTimeUs: node.times.percentiles(),
    inputs,
    outputs,
    ...(progress === undefined ? {} : { progress }),
    ...(node.remote?.worker === undefined ? {} : { worker: node.remote.worker }),
  };
}
