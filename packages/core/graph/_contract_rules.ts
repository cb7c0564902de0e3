/**
 * Rules a contract shares with manifests: how a classification is written and which
 * permissions exist. Internal: nothing here is public API.
 *
 * @module
 */

import type { PermissionName } from "./spec.ts";

/** `Source/Video`: capitalised words joined by `/`. */
export const _CLASSIFICATION_PATTERN = "^[A-Z][A-Za-z]*(?:/[A-Z][A-Za-z]*)+$";

/** A request template's name: a port name with one `%u` where the number goes. */
export const _TEMPLATE_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*%u[A-Za-z0-9_-]*$";

/** The permission names, in the order manifests list them. */
export const _PERMISSION_NAMES: readonly PermissionName[] = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "ffi",
  "sys",
];
