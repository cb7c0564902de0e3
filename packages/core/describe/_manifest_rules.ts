/**
 * The rules of the manifest format that the validator and the JSON Schema share: name patterns,
 * the keys each object may have, the port kinds and permission names. Internal: nothing here is
 * public API.
 *
 * @module
 */

import type { PermissionName } from "./manifest.ts";

export const _NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const _PORT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(?:%u[A-Za-z0-9_-]*)?$/;
export const _PACKAGE = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
export const _CLASSIFICATION = /^[A-Z][A-Za-z]*(?:\/[A-Z][A-Za-z]*)+$/;
export const _MODULE = /^(?:\.{1,2}\/|[A-Za-z][A-Za-z0-9+.-]*:)\S+$/;
export const _IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
export const _POLICY = /^(?:latest|queue(?::[1-9][0-9]*(?::(?:block|drop-oldest|drop-newest))?)?)$/;

export const _MANIFEST_KEYS = ["$schema", "name", "version", "description", "streamlib", "actors"];
export const _ACTOR_KEYS = [
  "type",
  "description",
  "classification",
  "module",
  "export",
  "inputs",
  "outputs",
  "params",
  "schedule",
  "clock",
  "permissions",
];
export const _PORT_KEYS = ["kind", "formats", "capabilities", "presence", "description"];
export const _INPUT_KEYS = [..._PORT_KEYS, "policy", "multiple"];
export const _KINDS = ["video", "audio", "event", "data", "any"];
export const _PERMISSIONS: readonly PermissionName[] = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "ffi",
  "sys",
];
export const _PERMISSION_KEYS = ["reason", "values", "params"];
export const _NUMBER_KEYS = [
  "type",
  "default",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "description",
  "unit",
];
export const _PARAM_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ["number", _NUMBER_KEYS],
  ["integer", _NUMBER_KEYS],
  ["string", ["type", "default", "enum", "pattern", "minLength", "maxLength", "description"]],
  ["boolean", ["type", "default", "description"]],
  ["array", ["type", "default", "items", "minItems", "maxItems", "description"]],
  [
    "object",
    ["type", "default", "properties", "required", "additionalProperties", "description"],
  ],
]);

export const _NAME_RULE = "a letter or _, then letters, digits, _ and -";
