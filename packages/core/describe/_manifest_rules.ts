/**
 * The rules of the manifest format that the validator and the JSON Schema share: name patterns,
 * the keys each object may have, the port kinds and permission names. Internal: nothing here is
 * public API.
 *
 * @module
 */

import {
  _CLASSIFICATION_PATTERN,
  _PERMISSION_NAMES,
  _TEMPLATE_PATTERN,
} from "../graph/_contract_rules.ts";

export { _CLASSIFICATION_PATTERN, _TEMPLATE_PATTERN };

/** Actor type and parameter names. */
export const _NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*$";
/** Port names, and request templates with one `%u`. */
export const _PORT_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*(?:%u[A-Za-z0-9_-]*)?$";
/** Package names, scoped or not. */
export const _PACKAGE_PATTERN = "^(?:@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*$";
/** A module relative to the manifest, or a URL. */
export const _MODULE_PATTERN = "^(?:\\.{1,2}/|[A-Za-z][A-Za-z0-9+.-]*:)\\S+$";
/** A JavaScript identifier. */
export const _IDENTIFIER_PATTERN = "^[A-Za-z_$][A-Za-z0-9_$]*$";
/** A delivery policy written as text. */
export const _POLICY_PATTERN =
  "^(?:latest|queue(?::[1-9][0-9]*(?::(?:block|drop-oldest|drop-newest))?)?)$";

export const _NAME: RegExp = new RegExp(_NAME_PATTERN);
export const _PORT_NAME: RegExp = new RegExp(_PORT_NAME_PATTERN);
export const _PACKAGE: RegExp = new RegExp(_PACKAGE_PATTERN);
export const _CLASSIFICATION: RegExp = new RegExp(_CLASSIFICATION_PATTERN);
export const _MODULE: RegExp = new RegExp(_MODULE_PATTERN);
export const _IDENTIFIER: RegExp = new RegExp(_IDENTIFIER_PATTERN);
export const _POLICY: RegExp = new RegExp(_POLICY_PATTERN);
export const _TEMPLATE: RegExp = new RegExp(_TEMPLATE_PATTERN);

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
export const _INPUT_KEYS = [..._PORT_KEYS, "policy", "multiple", "params"];
export const _OUTPUT_KEYS = [..._PORT_KEYS, "formatParam", "formatFrom"];
export const _KINDS = ["video", "audio", "event", "data", "any"];
export const _SCHEDULES = ["tick", "input", "external"];
export const _CLOCKS = ["graph", "upstream"];
export const _CAPABILITIES = ["cpu", "gpu"];
export const _PRESENCES = ["always", "request"];
export const _FULL = ["block", "drop-oldest", "drop-newest"];
export const _PERMISSIONS = _PERMISSION_NAMES;
export const _PERMISSION_KEYS = ["reason", "values", "params"];
export const _NAME_RULE = "a letter or _, then letters, digits, _ and -";
