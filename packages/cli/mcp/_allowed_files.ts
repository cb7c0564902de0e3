/**
 * The folders an MCP client may have pipelines read and write (`streamlib mcp --allow-files
 * DIR`): every file parameter of a pipeline — a parameter whose value a manifest's `read` or
 * `write` permission names, such as `filesink location=` — must lie inside one of them once
 * `..` and symbolic links are resolved, and an actor that would read or write any file at all
 * (no values named) is refused, since no folder bounds it. Internal: the MCP tools check
 * pipelines, patches and parameter changes with it before anything runs.
 *
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import {
  type ActorSpec,
  type Catalogue,
  type ParsedPipeline,
  pointAt,
  type SpecValue,
  StreamlibError,
} from "@streamlib/core";

/** The folders, resolved to real paths; a folder that does not exist is a usage error. */
export function _allowedFolders(dirs: readonly string[], cwd: string): string[] {
  return dirs.map((dir) => {
    try {
      const real = Deno.realPathSync(resolve(cwd, dir));
      if (!Deno.statSync(real).isDirectory) throw new Error("not a folder");
      return real;
    } catch (error) {
      throw new StreamlibError(
        "SL_USAGE",
        `--allow-files takes a folder that exists; "${dir}" is not one (${
          (error as Error).message
        })`,
        { cause: error },
      );
    }
  });
}

/** Where `value` leads once `..` and links are resolved; `undefined` when it is no file path. */
function _realTarget(value: string, cwd: string): string | undefined {
  let path = value;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !isAbsolute(value)) {
    if (!value.toLowerCase().startsWith("file:")) return undefined;
    try {
      path = decodeURIComponent(new URL(value).pathname);
    } catch {
      return undefined;
    }
  }
  const absolute = resolve(cwd, path);
  // The deepest part that exists, with its links resolved; the rest cannot be a link yet.
  const rest: string[] = [];
  for (let at = absolute;;) {
    try {
      Deno.lstatSync(at);
    } catch {
      const parent = resolve(at, "..");
      if (parent === at) return absolute;
      rest.unshift(at.slice(parent.length).replace(/^\//, ""));
      at = parent;
      continue;
    }
    try {
      return join(Deno.realPathSync(at), ...rest);
    } catch {
      return undefined; // a link that leads nowhere: it could be made to lead anywhere
    }
  }
}

function _inside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith("/") ? folder : `${folder}/`);
}

/** The values of one file parameter: a string, or the strings of a list. */
function _values(value: unknown): string[] {
  if (typeof value === "string") return value === "" ? [] : [value];
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === "string" && v !== "");
  }
  return [];
}

/**
 * Throws `SL_FILE_NOT_ALLOWED` for the first file parameter of `actor` outside `folders`, or
 * for an actor that would read or write any file. `params` are the values to check (default:
 * the actor's own, defaults filled in from the manifest); `where` points at the text.
 */
export function _checkActorFiles(
  catalogue: Catalogue,
  actor: Pick<ActorSpec, "name" | "type" | "params">,
  folders: readonly string[],
  cwd: string,
  where: (param: string | undefined, message: string) => string = (_p, m) => m,
  only?: readonly string[],
): void {
  const entry = catalogue.describe(actor.type).actor;
  const allowed = folders.length === 0
    ? "no folder is allowed (start streamlib mcp with --allow-files DIR)"
    : `the folders allowed are ${folders.join(", ")}`;
  for (const access of ["read", "write"] as const) {
    const request = entry.permissions?.[access];
    if (request === undefined) continue;
    if (request.values === undefined && request.params === undefined) {
      if (only !== undefined) continue; // a parameter change cannot widen what it reads
      throw new StreamlibError(
        "SL_FILE_NOT_ALLOWED",
        where(
          undefined,
          `"${actor.name}" (${actor.type}) would ${access} any file, which no folder of ` +
            `--allow-files can bound; ${allowed}`,
        ),
        { details: { actor: actor.name, type: actor.type, access } },
      );
    }
    for (const param of request.params ?? []) {
      if (only !== undefined && !only.includes(param)) continue;
      const given = actor.params?.[param] as SpecValue | undefined;
      for (const value of _values(given ?? entry.params?.[param]?.default)) {
        const target = _realTarget(value, cwd);
        if (target !== undefined && folders.some((f) => _inside(target, f))) continue;
        throw new StreamlibError(
          "SL_FILE_NOT_ALLOWED",
          where(
            given === undefined ? undefined : param,
            `"${actor.name}" (${actor.type}) would ${access} ${JSON.stringify(value)}${
              target === undefined
                ? ", which is no file path it can follow (a URL, or a link that leads nowhere)"
                : target === resolve(cwd, value)
                ? ""
                : ` (${target})`
            }, outside the folders allowed: ${allowed}`,
          ),
          { details: { actor: actor.name, type: actor.type, param, value, access } },
        );
      }
    }
  }
}

/**
 * Checks every actor of a pipeline (or patch) whose type the catalogue has (a script's node
 * may have types of its own, bound only by what its process was granted), pointing at the text
 * when there is text.
 */
export function _checkFiles(
  catalogue: Catalogue,
  actors: readonly ActorSpec[],
  parsed: ParsedPipeline | undefined,
  folders: readonly string[],
  cwd: string,
): void {
  for (const [i, actor] of actors.entries()) {
    if (!catalogue.has(actor.type)) continue;
    _checkActorFiles(catalogue, actor, folders, cwd, (param, message) => {
      const span =
        (param === undefined ? undefined : parsed?.spans.get(`actors[${i}].params.${param}`)) ??
          parsed?.spans.get(`actors[${i}]`);
      return span === undefined || parsed === undefined
        ? message
        : pointAt(parsed.text, span, message);
    });
  }
}
