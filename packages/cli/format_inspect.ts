import {
  type CatalogueEntry,
  formatPolicy,
  type InputSpec,
  type ParamSchema,
  type PortSpec,
  resolvePolicy,
} from "@streamlib/core";

/**
 * Describes one actor type the way `gst-inspect` does, from its manifest alone: package and
 * version, where it comes from, description, classification, schedule, each port (direction,
 * presence, kind, formats, capabilities, policy, the names of its parameters), each parameter
 * (type, default, range or allowed values, unit, description), the parameters of request ports
 * (as `layer_%u::x`, GStreamer's pad properties; only when there are some) and each permission
 * with its reach and reason — what `streamlib inspect <type>` prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { formatInspect } from "@streamlib/cli";
 * const text = formatInspect(Catalogue.withCore().describe("datasrc"));
 * assert.ok(text.includes("Package:        @streamlib/core 0.1.0"));
 * assert.ok(text.includes("  fps\n    type:         number\n    default:      30"));
 * assert.ok(text.includes("Permissions:\n  none"));
 * ```
 *
 * @param entry The type's catalogue entry.
 * @returns The description, ending with a newline.
 */
export function formatInspect(entry: CatalogueEntry): string {
  const { actor } = entry;
  const lines: string[] = [
    ..._fields("", [
      ["Type", actor.type],
      ["Description", actor.description],
      ["Classification", actor.classification],
      ["Package", `${entry.package} ${entry.version}`],
      ["Manifest", entry.manifestUrl],
      ["Module", `${entry.moduleUrl} (export ${actor.export})`],
      ["Schedule", actor.schedule ?? (actor.inputs ? "input" : "tick")],
      ["Clock", actor.clock],
    ]),
    "",
    "Ports:",
  ];
  const ports: Array<[string, PortSpec | InputSpec, "input" | "output"]> = [
    ...Object.entries(actor.inputs ?? {}).map(([n, s]) =>
      [n, s, "input"] as [string, InputSpec, "input"]
    ),
    ...Object.entries(actor.outputs ?? {}).map(([n, s]) =>
      [n, s, "output"] as [string, PortSpec, "output"]
    ),
  ];
  if (ports.length === 0) lines.push("  none");
  for (const [name, spec, direction] of ports) {
    const input = spec as InputSpec;
    lines.push(`  ${name}`);
    lines.push(
      ..._fields("    ", [
        ["direction", direction],
        ["presence", spec.presence ?? "always"],
        ["kind", spec.kind],
        ["formats", spec.formats?.join(", ") ?? "any"],
        [
          "format from",
          spec.formatParam !== undefined
            ? `the parameter ${spec.formatParam}`
            : spec.formatFrom !== undefined
            ? `the input ${spec.formatFrom} (passed on)`
            : undefined,
        ],
        ["capabilities", (spec.capabilities ?? ["cpu"]).join(", ")],
        ["policy", direction === "input" ? _policy(input) : undefined],
        ["multiple", input.multiple === undefined ? undefined : String(input.multiple)],
        ["parameters", input.params ? Object.keys(input.params).join(", ") : undefined],
        ["description", spec.description],
      ]),
    );
  }
  lines.push("", "Parameters:");
  const params = Object.entries(actor.params ?? {});
  if (params.length === 0) lines.push("  none");
  for (const [name, schema] of params) {
    lines.push(`  ${name}`, ..._fields("    ", _paramFields(schema)));
  }
  const padParams = Object.entries(actor.inputs ?? {}).flatMap(([template, spec]) =>
    Object.entries(spec.params ?? {}).map(([name, schema]) =>
      [`${template}::${name}`, schema] as const
    )
  );
  if (padParams.length !== 0) {
    // GStreamer's "Pad Properties": set per port, as layer_1::x=10 in pipeline text.
    lines.push("", "Port parameters:");
    for (const [name, schema] of padParams) {
      lines.push(`  ${name}`, ..._fields("    ", _paramFields(schema)));
    }
  }
  lines.push("", "Permissions:");
  const permissions = Object.entries(actor.permissions ?? {});
  if (permissions.length === 0) lines.push("  none");
  for (const [name, request] of permissions) {
    if (request === undefined) continue;
    const reach = [
      ...(request.values ?? []).map((v) => JSON.stringify(v)),
      ...(request.params ?? []).map((p) => `the value of parameter "${p}"`),
    ];
    lines.push(
      `  ${name}`,
      ..._fields("    ", [
        ["allows", reach.length ? reach.join(", ") : "everything (unrestricted)"],
        ["reason", request.reason],
      ]),
    );
  }
  return lines.join("\n") + "\n";
}

/** The input's policy, or what it gets by default live and offline. */
function _policy(spec: InputSpec): string {
  if (spec.policy !== undefined) return formatPolicy(resolvePolicy(spec.policy, spec.kind, "live"));
  const live = formatPolicy(resolvePolicy(undefined, spec.kind, "live"));
  const offline = formatPolicy(resolvePolicy(undefined, spec.kind, "offline"));
  return live === offline ? `${live} (default)` : `${live} live, ${offline} offline (default)`;
}

function _paramFields(schema: ParamSchema): Array<[string, string | undefined]> {
  const fields: Array<[string, string | undefined]> = [["type", schema.type]];
  if (schema.default !== undefined) fields.push(["default", JSON.stringify(schema.default)]);
  switch (schema.type) {
    case "number":
    case "integer": {
      const bounds = [
        schema.minimum === undefined ? undefined : `≥ ${schema.minimum}`,
        schema.exclusiveMinimum === undefined ? undefined : `> ${schema.exclusiveMinimum}`,
        schema.maximum === undefined ? undefined : `≤ ${schema.maximum}`,
        schema.exclusiveMaximum === undefined ? undefined : `< ${schema.exclusiveMaximum}`,
      ].filter((b) => b !== undefined);
      if (bounds.length) fields.push(["range", bounds.join(", ")]);
      fields.push(["unit", schema.unit]);
      break;
    }
    case "string": {
      if (schema.enum) {
        fields.push([
          "one of",
          schema.enum.map((e) => JSON.stringify(e)).join(", "),
        ]);
      }
      const lengths = [
        schema.minLength === undefined ? undefined : `≥ ${schema.minLength}`,
        schema.maxLength === undefined ? undefined : `≤ ${schema.maxLength}`,
      ].filter((b) => b !== undefined);
      if (lengths.length) fields.push(["length", lengths.join(", ")]);
      fields.push(["pattern", schema.pattern]);
      break;
    }
    case "array": {
      fields.push(["items", schema.items?.type]);
      const counts = [
        schema.minItems === undefined ? undefined : `≥ ${schema.minItems}`,
        schema.maxItems === undefined ? undefined : `≤ ${schema.maxItems}`,
      ].filter((b) => b !== undefined);
      if (counts.length) fields.push(["count", counts.join(", ")]);
      break;
    }
    case "object":
      if (schema.properties) fields.push(["properties", Object.keys(schema.properties).join(", ")]);
      if (schema.pads) fields.push(["ports", `${schema.pads}: their parameters by port name`]);
      break;
  }
  fields.push(["description", schema.description]);
  if (schema.fixed === true) {
    fields.push(["fixed", "read when the actor starts: set refuses it while it runs"]);
  }
  return fields;
}

/** `label: value` lines with the values aligned; fields without a value are left out. */
function _fields(indent: string, fields: Array<[string, string | undefined]>): string[] {
  const present = fields.filter((f): f is [string, string] => f[1] !== undefined);
  const width = indent === "" ? 15 : 13;
  return present.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)} ${value}`);
}
