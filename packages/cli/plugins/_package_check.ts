/**
 * Checking a downloaded package before anything of it is written: its manifest, its name and
 * version, where its modules are; and the permission lines shown before installing.
 *
 * @module
 */

import {
  type Manifest,
  type PermissionName,
  satisfiesVersion,
  STREAMLIB_VERSION,
  StreamlibError,
  validateManifest,
} from "@streamlib/core";

const _NAMES: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys"];

/**
 * The manifest of a package's files, checked: valid, naming this package and version, for this
 * streamlib, with every module a file of the package. Throws `SL_MANIFEST_INVALID`.
 */
export function _checkedManifest(
  files: ReadonlyMap<string, Uint8Array>,
  name: string,
  version: string,
): Manifest {
  const where = `${name} ${version}`;
  const pkg = _json(files, "package.json", where) as
    | { name?: unknown; version?: unknown; streamlib?: { manifest?: unknown } }
    | undefined;
  if (pkg?.name !== name || pkg?.version !== version) {
    throw _invalid(
      where,
      `its package.json says ${String(pkg?.name)} ${String(pkg?.version)}, not ${where}`,
    );
  }
  const path = typeof pkg.streamlib?.manifest === "string"
    ? pkg.streamlib.manifest.replace(/^\.\//, "")
    : "manifest.json";
  const raw = _json(files, path, where);
  if (raw === undefined) {
    throw _invalid(where, `it has no ${path}: it is not a streamlib plugin`);
  }
  let manifest: Manifest;
  try {
    manifest = validateManifest(raw, `${where}/${path}`);
  } catch (error) {
    throw new StreamlibError(
      "SL_MANIFEST_INVALID",
      `${where} is refused: ${(error as Error).message}`,
      { cause: error, details: { name, version } },
    );
  }
  if (manifest.name !== name || manifest.version !== version) {
    throw _invalid(where, `its manifest says ${manifest.name} ${manifest.version}`);
  }
  if (!satisfiesVersion(STREAMLIB_VERSION, manifest.streamlib)) {
    throw _invalid(
      where,
      `it needs streamlib ${manifest.streamlib}; this is streamlib ${STREAMLIB_VERSION}`,
    );
  }
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  for (const actor of manifest.actors) {
    // Resolved against the package's own folder: a module that climbs out of it with `../`
    // ends up outside `/package/`, whatever file of the package its tail names.
    const resolved = new URL(actor.module, `file:///package/${folder}`).pathname;
    const inside = resolved.startsWith("/package/");
    const module = resolved.slice("/package/".length);
    if (!/^\.\.?\//.test(actor.module) || !inside || !files.has(module)) {
      throw _invalid(
        where,
        `the module of "${actor.type}" (${actor.module}) is not a file of the package`,
      );
    }
  }
  return manifest;
}

/**
 * One line per permission an actor asks for, with its reason, for people to agree to:
 * `read (textsrc): the values of its "path" parameter — reads the file it is given`.
 */
export function _permissionLines(manifest: Manifest): string[] {
  const lines: string[] = [];
  for (const actor of manifest.actors) {
    for (const name of _NAMES) {
      const request = actor.permissions?.[name];
      if (request === undefined) continue;
      lines.push(
        `${name} (${actor.type}): ${_permissionScope(request, actor.params)} — ${request.reason}`,
      );
    }
  }
  return lines;
}

/**
 * What one permission request covers, in words: `everything`, or its values and
 * `the value of its "path" parameter`, with the parameter's default when it has one (the actor
 * gets that when the user gives no value).
 */
export function _permissionScope(
  request: { readonly values?: readonly string[]; readonly params?: readonly string[] },
  params: { readonly [name: string]: { readonly default?: unknown } } = {},
): string {
  if (request.values === undefined && request.params === undefined) return "everything";
  return [
    ...(request.values ?? []),
    ...(request.params ?? []).map((p) => {
      const fallback = params[p]?.default;
      const shown = fallback === undefined || fallback === "" ||
          (Array.isArray(fallback) && fallback.length === 0)
        ? ""
        : ` (default ${JSON.stringify(fallback)})`;
      return `the value of its "${p}" parameter${shown}`;
    }),
  ].join(", ");
}

function _json(files: ReadonlyMap<string, Uint8Array>, path: string, where: string): unknown {
  const bytes = files.get(path);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw _invalid(where, `its ${path} is not JSON`);
  }
}

function _invalid(where: string, why: string): StreamlibError {
  return new StreamlibError("SL_MANIFEST_INVALID", `${where} is refused: ${why}`);
}
