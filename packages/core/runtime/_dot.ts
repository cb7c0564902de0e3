/**
 * A pipeline's graph in Graphviz DOT. Internal: `Pipeline.toDot()` is the public way in.
 *
 * @module
 */

import type { Actor } from "../graph/actor.ts";
import type { PipelineJSON } from "./pipeline_types.ts";

const _KIND_COLOURS: Record<string, string> = {
  video: "#1f77b4",
  audio: "#2ca02c",
  event: "#d62728",
  data: "#7f7f7f",
};

/** Quotes a DOT id; `\n` and record escapes inside are kept on purpose. */
function _quote(text: string): string {
  return `"${text.replaceAll('"', '\\"')}"`;
}

function _recordText(text: string): string {
  return text.replace(/[{}|<>"\\]/g, (c) => `\\${c}`);
}

/** Renders a graph as Graphviz DOT, ports as record fields. */
export function _toDot(graph: PipelineJSON, actors: readonly Actor[]): string {
  const lines = [
    "digraph pipeline {",
    "  rankdir=LR;",
    '  node [shape=Mrecord, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const inserted = new Set(graph.actors.filter((a) => a.inserted).map((a) => a.name));
  for (const actor of actors) {
    const ports = (side: Record<string, { name: string; spec: { kind: string } }>): string =>
      Object.values(side).map((p) => {
        return `<${_recordText(p.name)}> ${_recordText(p.name)}`;
      }).join("|");
    const ins = ports(actor.inputs as Record<string, { name: string; spec: { kind: string } }>);
    const outs = ports(actor.outputs as Record<string, { name: string; spec: { kind: string } }>);
    const middle = `${_recordText(actor.name)}\\n${_recordText(actor.contract.type)}`;
    const label = [ins && `{${ins}}`, middle, outs && `{${outs}}`].filter(Boolean).join("|");
    // A transfer the pipeline inserted is drawn dashed: it comes and goes with its link.
    const style = inserted.has(actor.name) ? ", style=dashed" : "";
    lines.push(`  ${_quote(actor.name)} [label=${_quote(`{${label}}`)}${style}];`);
  }
  for (const link of graph.links) {
    const [fromActor, fromPort] = _split(link.from);
    const [toActor, toPort] = _split(link.to);
    const kind = link.kind;
    lines.push(
      `  ${_quote(fromActor)}:${_quote(fromPort)} -> ${_quote(toActor)}:${_quote(toPort)} ` +
        `[label=${_quote(`${kind} · ${link.policy}`)}, color=${
          _quote(_KIND_COLOURS[kind] ?? "black")
        }];`,
    );
  }
  for (const [i, remote] of (graph.remote ?? []).entries()) {
    // The other node's end, and an edge labelled with how the link fares.
    const id = `~remote${i}`;
    lines.push(`  ${_quote(id)} [shape=box, style=dashed, label=${_quote(remote.remote)}];`);
    const latency = remote.latencyUs === undefined
      ? ""
      : ` · ${(remote.latencyUs.p50 / 1000).toFixed(1)} ms`;
    const label = `${remote.transport || "?"} · ${remote.codec} · ${remote.state}${latency} · ` +
      `${remote.dropped + remote.missing} lost`;
    const [from, to] = remote.direction === "out" ? [remote.actor, id] : [id, remote.actor];
    lines.push(`  ${_quote(from)} -> ${_quote(to)} [style=dashed, label=${_quote(label)}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

function _split(ref: string): [string, string] {
  const dot = ref.lastIndexOf(".");
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}
