import type { Input, Output } from "../graph/ports.ts";
import type { PortSpec } from "../graph/spec.ts";
import { _producedSpec } from "../graph/_produced_spec.ts";

/** How far up a chain of pass-through outputs a format is followed. */
const _MAX_DEPTH = 64;

/**
 * What `output` produces as far as its links show: its spec narrowed to the format its
 * `formatParam` picks, and for an output that passes on the format of an input (`formatFrom`),
 * to the formats that input's links produce (followed up the chain, as far as it is linked) and,
 * for a port of any kind, to their kind when they all have one.
 * Negotiating a link with this finds a mismatch when linking: `videotestsrc format=I420 !
 * videoflip ! compositor` fails at the second `!`.
 *
 * @param output The output.
 * @param depth How many pass-through outputs down the chain this one is.
 * @returns The spec to negotiate with.
 */
export function _produced(output: Output, depth = 0): PortSpec {
  let spec = _producedSpec(output.spec, output.actor.params);
  if (spec.formatFrom === undefined || depth >= _MAX_DEPTH) return spec;
  // Ports belong to actors, which list their inputs.
  const inputs = (output.actor as unknown as { inputs: Readonly<Record<string, Input>> }).inputs;
  const input = inputs[spec.formatFrom];
  if (input === undefined || input._links.length === 0) return spec;
  const upstream = new Set<string>();
  const kinds = new Set<string>();
  let anyFormat = false;
  for (const link of input._links) {
    const produced = _produced(link.output, depth + 1);
    kinds.add(produced.kind);
    if (produced.formats === undefined) anyFormat = true; // anything may come
    else for (const format of produced.formats) upstream.add(format);
  }
  // A port of any kind carries what reaches it, when that is one kind.
  const [kind] = kinds;
  if (spec.kind === "any" && kinds.size === 1 && kind !== "any") {
    spec = { ...spec, kind: kind as PortSpec["kind"] };
  }
  if (anyFormat) return spec;
  const formats = (spec.formats ?? [...upstream]).filter((f) => upstream.has(f));
  if (formats.length !== 0) spec = { ...spec, formats };
  return spec;
}

/**
 * Where the format `_produced(output)` narrowed to comes from, for messages: `format=I420` for
 * an output whose parameter picks it, `videotestsrc0's format=I420` further up a chain of
 * pass-through outputs; `undefined` when nothing narrowed it.
 *
 * @param output The output.
 * @returns The origin, or `undefined`.
 */
export function _formatOrigin(output: Output): string | undefined {
  let at = output;
  for (let depth = 0; depth < _MAX_DEPTH; depth++) {
    const spec = at.spec;
    if (spec.formatParam !== undefined && _producedSpec(spec, at.actor.params) !== spec) {
      const what = `${spec.formatParam}=${at.actor.params[spec.formatParam]}`;
      return at === output ? what : `${at.actor.name}'s ${what}`;
    }
    if (spec.formatFrom === undefined) return undefined;
    const inputs = (at.actor as unknown as { inputs: Readonly<Record<string, Input>> }).inputs;
    const links = inputs[spec.formatFrom]?._links ?? [];
    if (links.length !== 1) return links.length === 0 ? undefined : `what ${at.actor.name} takes`;
    at = links[0]!.output;
  }
  return undefined;
}
