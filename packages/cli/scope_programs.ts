import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { PermissionSet } from "@streamlib/core";
import { findFfmpeg } from "@streamlib/ffmpeg";

/**
 * A pipeline's permissions with the programs its manifests name resolved to executables, and
 * the environment the pipeline process needs to run exactly those.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ScopedPrograms } from "@streamlib/cli";
 * const scoped: ScopedPrograms = {
 *   permissions: { run: { all: false, values: ["/usr/bin/ffmpeg"], reasons: [] } },
 *   env: { STREAMLIB_FFMPEG: "/usr/bin/ffmpeg" },
 * };
 * assert.ok(scoped.env.STREAMLIB_FFMPEG === "/usr/bin/ffmpeg");
 * ```
 */
export interface ScopedPrograms {
  /** The permissions, `run` naming executables by absolute path. */
  readonly permissions: PermissionSet;
  /** Variables to set in the pipeline process (`STREAMLIB_FFMPEG`). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Resolves the programs a pipeline may run to the executables it will run. `ffmpeg` in a
 * manifest's `run` values means the ffmpeg streamlib finds (`STREAMLIB_FFMPEG`, `ffmpeg` on
 * `PATH`, else the npm package's static binary): it becomes that file's absolute path, and
 * `STREAMLIB_FFMPEG` names it in the pipeline process, so the process may run that one file and
 * runs exactly it. Any other bare name is looked up on `PATH`. An unrestricted `run` stays as it
 * is. Throws `SL_FFMPEG_NOT_FOUND` when the pipeline needs ffmpeg and there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scopePrograms } from "@streamlib/cli";
 * const scoped = await scopePrograms(
 *   { run: { all: false, values: ["ffmpeg"], reasons: ["sink (filesink): runs ffmpeg"] } },
 *   { ffmpeg: () => Promise.resolve("/opt/ffmpeg/bin/ffmpeg") },
 * );
 * assert.deepEqual(scoped.permissions.run?.values, ["/opt/ffmpeg/bin/ffmpeg"]);
 * assert.deepEqual(scoped.env, { STREAMLIB_FFMPEG: "/opt/ffmpeg/bin/ffmpeg" });
 * ```
 *
 * @param permissions What the pipeline needs.
 * @param options How to find ffmpeg (default: `findFfmpeg()` of `@streamlib/ffmpeg`).
 * @returns The permissions with programs resolved, and the environment to run them.
 */
export async function scopePrograms(
  permissions: PermissionSet,
  options: { readonly ffmpeg?: () => Promise<string> } = {},
): Promise<ScopedPrograms> {
  const run = permissions.run;
  if (run === undefined || run.all || run.values.length === 0) return { permissions, env: {} };
  const env: Record<string, string> = {};
  const values: string[] = [];
  for (const value of run.values) {
    let path: string;
    if (value === "ffmpeg") {
      path = await (options.ffmpeg ?? _ffmpeg)();
      env.STREAMLIB_FFMPEG = path;
    } else {
      path = isAbsolute(value) || value.includes("/") ? resolve(value) : _onPath(value) ?? value;
    }
    if (!values.includes(path)) values.push(path);
  }
  return { permissions: { ...permissions, run: { ...run, values } }, env };
}

async function _ffmpeg(): Promise<string> {
  const found = await findFfmpeg();
  if (found.source !== "path") return resolve(found.path);
  return _onPath(found.path) ?? found.path;
}

/** The first executable file called `name` in a `PATH` folder. */
function _onPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, name);
    try {
      const info = Deno.statSync(path);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
