import type { PortSpec } from "./spec.ts";

/**
 * What an output produces with these parameter values: its spec narrowed to the one format its
 * `formatParam` picks, when that value is one of its formats; else the spec as it is.
 *
 * @param spec The output's spec.
 * @param params The actor's parameter values.
 * @returns The spec to negotiate a link with.
 */
export function _producedSpec(
  spec: PortSpec,
  params: Readonly<Record<string, unknown>> | undefined,
): PortSpec {
  if (spec.formatParam === undefined) return spec;
  const format = params?.[spec.formatParam];
  if (typeof format !== "string") return spec;
  if (spec.formats !== undefined && !spec.formats.includes(format)) return spec;
  return { ...spec, formats: [format] };
}
