/**
 * Picking a version of a package, npm's way: the highest in the range, deprecated versions only
 * when nothing else fits or one is named exactly.
 *
 * @module
 */

import { satisfiesVersion, StreamlibError } from "@streamlib/core";
import type { Packument, RegistryVersion } from "./registry_client.ts";

/** `a` before `b` (< 0), after (> 0) or equal, by semantic version precedence. */
export function _compareVersions(a: string, b: string): number {
  const parse = (v: string): [number[], string[]] => {
    const [core = "", pre] = v.split("+")[0]!.split(/-(.*)/s);
    return [core.split(".").map(Number), pre ? pre.split(".") : []];
  };
  const [ac, ap] = parse(a);
  const [bc, bp] = parse(b);
  for (let i = 0; i < 3; i++) if ((ac[i] ?? 0) !== (bc[i] ?? 0)) return (ac[i] ?? 0) - (bc[i] ?? 0);
  if (!ap.length || !bp.length) return ap.length ? -1 : bp.length ? 1 : 0;
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Splits `name@range` (`@scope/name@^1.0.0`, or a name alone). */
export function _splitSpec(spec: string): { name: string; range: string | undefined } {
  const at = spec.lastIndexOf("@");
  if (at <= 0) return { name: spec, range: undefined };
  return { name: spec.slice(0, at), range: spec.slice(at + 1) || undefined };
}

/**
 * The version of `doc` to install for `range` (default: the `latest` tag, else the highest):
 * the highest that satisfies it and is not deprecated, else the highest deprecated one when
 * the range names exactly one version. Throws `SL_PLUGIN_NOT_FOUND` listing what there is.
 */
export function _pickVersion(doc: Packument, range: string | undefined): RegistryVersion {
  const all = Object.values(doc.versions);
  const latest = doc["dist-tags"]?.latest;
  if (range === undefined || range === "latest") {
    const tagged = latest === undefined ? undefined : doc.versions[latest];
    if (tagged !== undefined && tagged.deprecated === undefined) return tagged;
  }
  const wanted = range === undefined || range === "latest" ? "*" : range;
  let fitting: RegistryVersion[];
  try {
    fitting = all.filter((v) => satisfiesVersion(v.version, wanted));
  } catch (error) {
    throw new StreamlibError(
      "SL_USAGE",
      `"${wanted}" is not a version range (e.g. ^1.2.0, ~1.2, 1.x, 1.2.3)`,
      { cause: error },
    );
  }
  fitting.sort((a, b) => _compareVersions(b.version, a.version));
  const live = fitting.find((v) => v.deprecated === undefined);
  if (live !== undefined) return live;
  if (fitting.length === 1 && fitting[0]!.version === wanted) return fitting[0]!;
  const known = all.map((v) => `${v.version}${v.deprecated === undefined ? "" : " (deprecated)"}`);
  throw new StreamlibError(
    "SL_PLUGIN_NOT_FOUND",
    `${doc.name} has no version in "${wanted}"${
      fitting.length ? " that is not deprecated (name one exactly to install it anyway)" : ""
    }; it has ${known.join(", ") || "none"}`,
    { details: { name: doc.name, range: wanted } },
  );
}
