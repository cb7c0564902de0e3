import type { Input, Output } from "../graph/ports.ts";
import type { PortSpec } from "../graph/spec.ts";
import { negotiate } from "../graph/caps.ts";
import { _producedSpec } from "../graph/_produced_spec.ts";

/** A link about to be made, counted as made. */
export interface _NewLink {
  readonly output: Output;
  readonly input: Input;
}

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
 * @param adding A link about to be made, counted as one of its input's links.
 * @returns The spec to negotiate with.
 */
export function _produced(output: Output, depth = 0, adding?: _NewLink): PortSpec {
  let spec = _producedSpec(output.spec, output.actor.params);
  if (spec.formatFrom === undefined || depth >= _MAX_DEPTH) return spec;
  // Ports belong to actors, which list their inputs.
  const inputs = (output.actor as unknown as { inputs: Readonly<Record<string, Input>> }).inputs;
  const input = inputs[spec.formatFrom];
  if (input === undefined) return spec;
  const feeding = input._links.map((link) => link.output);
  if (adding !== undefined && adding.input === input) feeding.push(adding.output);
  if (feeding.length === 0) return spec;
  const upstream = new Set<string>();
  const kinds = new Set<string>();
  let anyFormat = false;
  for (const feeder of feeding) {
    const produced = _produced(feeder, depth + 1, adding);
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

/**
 * Checks that what `adding` brings to its input can go on through the pass-through outputs
 * (`formatFrom`) already linked downstream of it: linking a source to a filter that was linked
 * first is checked as the other order is. Throws what {@linkcode negotiate} throws, for the
 * first downstream link that would no longer fit.
 *
 * @param adding The link about to be made.
 */
export function _checkDownstream(adding: _NewLink): void {
  const visit = (input: Input, depth: number): void => {
    if (depth >= _MAX_DEPTH) return;
    const outputs = (input.actor as unknown as { outputs: Readonly<Record<string, Output>> })
      .outputs;
    for (const output of Object.values(outputs)) {
      if (output.spec.formatFrom !== input.name || output._links.length === 0) continue;
      const produced = _produced(output, 0, adding);
      for (const link of output._links) {
        negotiate(
          produced,
          link.input.spec,
          `${output.actor.name}.${output.name}`,
          `${link.input.actor.name}.${link.input.name}`,
        );
        visit(link.input, depth + 1);
      }
    }
  };
  visit(adding.input, 0);
}
