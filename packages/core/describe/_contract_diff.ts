/**
 * How a class's contract differs from what its manifest entry declares. Internal: nothing here
 * is public API.
 *
 * @module
 */

import type { Contract, InputSpec, PortSpec } from "../graph/spec.ts";
import type { ParamSchema } from "../graph/params.ts";

/**
 * Each difference between a manifest's contract and a class's, one line each: type, ports
 * (kind, formats, capabilities, presence, their parameters), parameters (all but descriptions),
 * schedule, clock, and the classification and permissions when the class declares them.
 */
export function _contractDifferences(declared: Contract, contract: Contract): string[] {
  const differences: string[] = [];
  if (contract.type !== declared.type) {
    differences.push(`type: the manifest says "${declared.type}", the class "${contract.type}"`);
  }
  for (const side of ["inputs", "outputs"] as const) {
    const a = declared[side] ?? {};
    const b = contract[side] ?? {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const left = a[name] as PortSpec | undefined;
      const right = b[name] as PortSpec | undefined;
      if (left === undefined) {
        differences.push(`${side}.${name}: the class has it, the manifest does not`);
      } else if (right === undefined) {
        differences.push(`${side}.${name}: the manifest has it, the class does not`);
      } else {
        for (
          const field of [
            "kind",
            "formats",
            "capabilities",
            "presence",
            "formatParam",
            "formatFrom",
          ] as const
        ) {
          const norm = (spec: PortSpec): string =>
            JSON.stringify(
              field === "capabilities"
                ? [...(spec.capabilities ?? ["cpu"])].sort()
                : field === "presence"
                ? spec.presence ?? "always"
                : field === "formats"
                ? spec.formats ? [...spec.formats].sort() : null
                : spec[field] ?? null,
            );
          if (norm(left) !== norm(right)) {
            differences.push(
              `${side}.${name}.${field}: the manifest says ${norm(left)}, the class ${norm(right)}`,
            );
          }
        }
        _paramDifferences(
          `${side}.${name}.params`,
          (left as InputSpec).params,
          (right as InputSpec).params,
          differences,
        );
      }
    }
  }
  _paramDifferences("params", declared.params, contract.params, differences);
  for (const field of ["schedule", "clock"] as const) {
    if (declared[field] !== contract[field]) {
      differences.push(
        `${field}: the manifest says ${declared[field] ?? "(default)"}, the class ${
          contract[field] ?? "(default)"
        }`,
      );
    }
  }
  for (const field of ["classification", "permissions"] as const) {
    if (contract[field] === undefined) continue; // the manifest's config gives it
    if (_canonical(declared[field]) !== _canonical(contract[field])) {
      differences.push(
        `${field}: the manifest says ${_canonical(declared[field])}, the class ${
          _canonical(contract[field])
        }`,
      );
    }
  }
  return differences;
}

/** Each difference between two records of parameter schemas (descriptions aside). */
function _paramDifferences(
  where: string,
  declared: Readonly<Record<string, ParamSchema>> | undefined,
  actual: Readonly<Record<string, ParamSchema>> | undefined,
  differences: string[],
): void {
  const pa = declared ?? {};
  const pb = actual ?? {};
  for (const name of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
    const left = pa[name];
    const right = pb[name];
    if (left === undefined) {
      differences.push(`${where}.${name}: the class has it, the manifest does not`);
    } else if (right === undefined) {
      differences.push(`${where}.${name}: the manifest has it, the class does not`);
    } else {
      const essential = (s: ParamSchema): string => {
        const { description: _d, ...rest } = s as ParamSchema & { description?: string };
        return _canonical(rest);
      };
      if (essential(left) !== essential(right)) {
        differences.push(
          `${where}.${name}: the manifest says ${essential(left)}, the class ${essential(right)}`,
        );
      }
    }
  }
}

/** JSON with every object's keys sorted, so that key order makes no difference. */
function _canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : v,
  ) ?? "undefined";
}
