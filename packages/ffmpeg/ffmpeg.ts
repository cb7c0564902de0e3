import { fileURLToPath } from "node:url";
import { StreamlibError } from "@streamlib/core";

/**
 * Where {@linkcode findFfmpeg} found ffmpeg, and which version it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FfmpegLocation } from "@streamlib/ffmpeg";
 * const where: FfmpegLocation = { path: "/usr/bin/ffmpeg", source: "path", version: "5.1.6" };
 * assert.ok(where.source === "path");
 * ```
 */
export interface FfmpegLocation {
  /** The executable to run. */
  readonly path: string;
  /**
   * `env`: the `STREAMLIB_FFMPEG` variable; `path`: `ffmpeg` on `PATH`; `npm`: the binary in
   * the npm package `@ffmpeg-installer/<platform>`.
   */
  readonly source: "env" | "path" | "npm";
  /** The version ffmpeg reports (`ffmpeg -version`'s first line, third word). */
  readonly version: string;
}

/**
 * Options of {@linkcode findFfmpeg}, mostly for tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FindFfmpegOptions } from "@streamlib/ffmpeg";
 * const options: FindFfmpegOptions = { env: false };
 * assert.ok(options.env === false);
 * ```
 */
export interface FindFfmpegOptions {
  /** Look at `STREAMLIB_FFMPEG` (default `true`). */
  env?: boolean;
  /** Look for `ffmpeg` on `PATH` (default `true`). */
  path?: boolean;
  /** Fall back to the npm package (default `true`). */
  npm?: boolean;
}

/** The npm packages of `@ffmpeg-installer/ffmpeg@1.1.0`, by `os-arch`. */
const _NPM_BINARIES: Readonly<Record<string, string>> = {
  "linux-x64": "@ffmpeg-installer/linux-x64@4.1.0",
  "linux-arm64": "@ffmpeg-installer/linux-arm64@4.1.4",
  "linux-arm": "@ffmpeg-installer/linux-arm@4.1.3",
  "linux-ia32": "@ffmpeg-installer/linux-ia32@4.1.0",
  "darwin-x64": "@ffmpeg-installer/darwin-x64@4.1.0",
  "darwin-arm64": "@ffmpeg-installer/darwin-arm64@4.1.5",
  "win32-x64": "@ffmpeg-installer/win32-x64@4.1.0",
  "win32-ia32": "@ffmpeg-installer/win32-ia32@4.1.0",
};

let _found: Promise<FfmpegLocation> | undefined;

/**
 * Finds ffmpeg: the executable named by the `STREAMLIB_FFMPEG` environment variable, else
 * `ffmpeg` on `PATH`, else the static binary shipped in the npm package
 * `@ffmpeg-installer/<platform>` (downloaded into Deno's cache on first use), so a machine with
 * no ffmpeg installed still works. The result is remembered for the process (when called
 * without options).
 *
 * Throws `SL_FFMPEG_NOT_FOUND` when `STREAMLIB_FFMPEG` names something that does not run (it is
 * not silently ignored), or when nothing is found; `SL_FFMPEG_EXITED` when a signal (a
 * terminal's Ctrl-C, say) ended the `ffmpeg -version` it runs to check before it answered.
 *
 * Needs `--allow-env=STREAMLIB_FFMPEG` (without it the variable is treated as unset) and
 * `--allow-run`.
 *
 * @example
 * ```ts ignore
 * import { findFfmpeg } from "@streamlib/ffmpeg";
 * const ffmpeg = await findFfmpeg();
 * console.log(`${ffmpeg.path} (${ffmpeg.source}), version ${ffmpeg.version}`);
 * ```
 *
 * @param options Which places to look in (all by default).
 * @returns Where ffmpeg is.
 */
export function findFfmpeg(options?: FindFfmpegOptions): Promise<FfmpegLocation> {
  if (options !== undefined) return _find(options);
  _found ??= _find({}).catch((error) => {
    _found = undefined;
    throw error;
  });
  return _found;
}

async function _find(options: FindFfmpegOptions): Promise<FfmpegLocation> {
  const tried: string[] = [];
  if (options.env !== false) {
    const named = _env("STREAMLIB_FFMPEG");
    if (named) {
      const version = await _version(named);
      if (version === undefined) {
        throw new StreamlibError(
          "SL_FFMPEG_NOT_FOUND",
          `STREAMLIB_FFMPEG is ${JSON.stringify(named)}, which does not run as ffmpeg; ` +
            "point it at an ffmpeg executable or unset it",
        );
      }
      return { path: named, source: "env", version };
    }
    tried.push("STREAMLIB_FFMPEG (unset)");
  }
  if (options.path !== false) {
    const version = await _version("ffmpeg");
    if (version !== undefined) return { path: "ffmpeg", source: "path", version };
    tried.push("ffmpeg on PATH");
  }
  if (options.npm !== false) {
    const platform = `${Deno.build.os === "windows" ? "win32" : Deno.build.os}-${
      { x86_64: "x64", aarch64: "arm64" }[Deno.build.arch] ?? Deno.build.arch
    }`;
    const pkg = _NPM_BINARIES[platform];
    if (pkg !== undefined) {
      const path = await _npmBinary(pkg, platform.startsWith("win32") ? "ffmpeg.exe" : "ffmpeg");
      const version = path === undefined ? undefined : await _version(path);
      if (path !== undefined && version !== undefined) return { path, source: "npm", version };
      tried.push(`npm:${pkg}`);
    } else {
      tried.push(`npm (no @ffmpeg-installer package for ${platform})`);
    }
  }
  throw new StreamlibError(
    "SL_FFMPEG_NOT_FOUND",
    `ffmpeg was not found (tried ${tried.join(", ")}); install ffmpeg or set STREAMLIB_FFMPEG`,
  );
}

function _env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * The version of the ffmpeg at `path`, or `undefined` when it does not run as ffmpeg. Throws
 * `SL_FFMPEG_EXITED` when a signal ended it before it answered (a terminal's Ctrl-C reaches the
 * whole foreground process group): that says nothing about whether it is ffmpeg.
 */
async function _version(path: string): Promise<string | undefined> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(path, {
      args: ["-hide_banner", "-version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw error;
    return undefined;
  }
  if (output.signal !== null) {
    throw new StreamlibError(
      "SL_FFMPEG_EXITED",
      `"${path} -version" was ended by ${output.signal} before it answered, so it is not known ` +
        "whether it is ffmpeg; run the command again",
      { details: { path, signal: output.signal } },
    );
  }
  if (!output.success) return undefined;
  const first = new TextDecoder().decode(output.stdout).split("\n")[0] ?? "";
  return /^ffmpeg version (\S+)/.exec(first)?.[1];
}

/** Imports the npm package (downloading it into Deno's cache) and returns its binary's path. */
async function _npmBinary(pkg: string, binary: string): Promise<string | undefined> {
  // A computed specifier: Deno fetches only this platform's package, and only when needed.
  const specifier = `npm:${pkg}/package.json`;
  try {
    await import(specifier, { with: { type: "json" } });
    const url = new URL(binary, import.meta.resolve(specifier));
    return url.protocol === "file:" ? fileURLToPath(url) : undefined;
  } catch {
    return undefined;
  }
}
