import { _NUMBER } from "./_number.ts";
import type { ActorSpec, PipelineSpec, SpecValue } from "./pipeline_spec.ts";
import { resolveEndpoint } from "../graph/names.ts";

const BARE = /^[^\s!"'=[{#][^\s!]*$/;

/**
 * Writes a value as the pipeline language reads it back: bare where that is unambiguous
 * (`30`, `smpte`, `10s`, `true`), quoted otherwise (`"my video.mp4"`, `"30"` for the text),
 * JSON for arrays and objects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "@streamlib/core";
 * assert.ok(formatValue(30) === "30");
 * assert.ok(formatValue("smpte") === "smpte");
 * assert.ok(formatValue("30") === '"30"');
 * assert.ok(formatValue("a b") === '"a b"');
 * assert.ok(formatValue([1, 2]) === "[1,2]");
 * ```
 *
 * @param value The value.
 * @returns Its text.
 */
export function formatValue(value: SpecValue): string {
  if (value === null || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (typeof value === "string") {
    const ambiguous = _NUMBER.test(value) || value === "true" || value === "false" ||
      value === "null";
    if (!ambiguous && !value.includes("=") && BARE.test(value)) return value;
    const escaped = value.replace(
      /[\\"\n\t]/g,
      (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t" })[c]!,
    );
    return `"${escaped}"`;
  }
  return JSON.stringify(value);
}

/**
 * Writes a pipeline's JSON form as pipeline text, the inverse of `parsePipeline`: parsing the
 * result gives back the same actors (names, types, parameters, port parameters as
 * `port::key=value`) and the same links. Chains are
 * followed where they exist (`a ! b ! c`), branches become references (`t. ! queue`), and
 * `name=` is written only where the automatic name would differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPipeline, parsePipeline } from "@streamlib/core";
 * const text = "datasrc count=3 name=src ! log  src. ! nullsink";
 * const spec = parsePipeline(text).spec;
 * assert.ok(formatPipeline(spec) === "datasrc name=src count=3 ! log\nsrc. ! nullsink");
 * assert.ok(JSON.stringify(parsePipeline(formatPipeline(spec)).spec) === JSON.stringify(spec));
 * ```
 *
 * @param spec The JSON form.
 * @returns Pipeline text, one chain a line.
 */
export function formatPipeline(spec: PipelineSpec): string {
  const byName = new Map(spec.actors.map((a) => [a.name, a]));
  const isActor = (n: string): boolean => byName.has(n);
  const links = spec.links.map((l) => {
    const [fromName, fromPort] = resolveEndpoint(l.from, isActor);
    const [toName, toPort] = resolveEndpoint(l.to, isActor);
    return { fromName, fromPort, toName, toPort, used: false };
  });
  // Links without a port, by the actor they leave from and the one they go to, in order: the
  // lookups below take the first unused one, and stay linear in the number of links.
  type Link = typeof links[number];
  const outgoing = new Map<string, { links: Link[]; next: number }>();
  const incoming = new Map<string, Link[]>();
  for (const link of links) {
    if (link.fromPort === undefined) {
      const out = outgoing.get(link.fromName) ?? { links: [], next: 0 };
      out.links.push(link);
      outgoing.set(link.fromName, out);
    }
    if (link.toPort === undefined) {
      const into = incoming.get(link.toName) ?? [];
      into.push(link);
      incoming.set(link.toName, into);
    }
  }
  const emitted = new Set<string>();
  const counters = new Map<string, number>();
  const ref = (name: string, port?: string): string =>
    port !== undefined ? `${name}.${port}` : `${name}.`;
  const define = (actor: ActorSpec): string => {
    emitted.add(actor.name);
    const n = counters.get(actor.type) ?? 0;
    const parts = [actor.type];
    if (actor.name === `${actor.type}${n}`) counters.set(actor.type, n + 1);
    else parts.push(`name=${formatValue(actor.name)}`);
    if (actor.dispatch !== undefined) parts.push(`dispatch=${actor.dispatch}`);
    for (const [key, value] of Object.entries(actor.params ?? {})) {
      parts.push(`${key}=${formatValue(value)}`);
    }
    for (const [pad, values] of Object.entries(actor.pads ?? {})) {
      for (const [key, value] of Object.entries(values)) {
        parts.push(`${pad}::${key}=${formatValue(value)}`);
      }
    }
    return parts.join(" ");
  };
  /** The first unused link out of `name` by any output. */
  const nextOut = (name: string): Link | undefined => {
    const out = outgoing.get(name);
    if (out === undefined) return undefined;
    while (out.next < out.links.length && out.links[out.next]!.used) out.next++;
    return out.links[out.next];
  };
  /** Follows unused links out of `name` (by any output) until a reference ends the chain. */
  const follow = (name: string, parts: string[]): void => {
    for (;;) {
      const next = nextOut(name);
      if (next === undefined) return;
      next.used = true;
      const target = byName.get(next.toName)!;
      if (next.toPort !== undefined || emitted.has(target.name)) {
        parts.push(ref(next.toName, next.toPort));
        return;
      }
      parts.push(define(target));
      name = target.name;
    }
  };
  const lines: string[] = [];
  for (const actor of spec.actors) {
    if (emitted.has(actor.name)) continue;
    // Fed by an actor already written: start from a reference to it (`c. ! nullsink`).
    const feed = incoming.get(actor.name)?.find((l) => !l.used && emitted.has(l.fromName));
    const parts: string[] = [];
    if (feed !== undefined) {
      feed.used = true;
      parts.push(ref(feed.fromName, feed.fromPort));
    }
    parts.push(define(actor));
    follow(actor.name, parts);
    lines.push(parts.join(" ! "));
  }
  for (const link of links) {
    if (link.used) continue;
    link.used = true;
    lines.push(`${ref(link.fromName, link.fromPort)} ! ${ref(link.toName, link.toPort)}`);
  }
  return lines.join("\n");
}
