/**
 * Where `filesink`'s ffmpeg writes, and what becomes of it when ffmpeg finishes or fails.
 *
 * ffmpeg's `-y` truncates `location` as soon as ffmpeg opens it, before the first frame is
 * encoded, so a run that fails (an encoder that refuses its input, a killed ffmpeg) would leave
 * an empty or broken file where the user's file was. Instead, where this process may write the
 * folder, ffmpeg writes a hidden file beside it (`.clip.partial.mp4` for `clip.mp4`) that is
 * renamed over `location` once ffmpeg has finished it, and removed if ffmpeg fails: `location`
 * holds either what it held before or a complete file. Otherwise (Deno grants writing
 * `location` alone, as `streamlib run` does, or `location` is a device or a link) ffmpeg writes
 * it in place; a file this run created is removed if ffmpeg fails, and a file that was there
 * before is left as ffmpeg left it.
 *
 * URLs, image sequences (`frame-%05d.png`) and outputs whose muxer the caller picks (HLS) are
 * written in place and never removed. A missing folder is created where the folder may be
 * written; otherwise it is an `SL_FILE_WRITE` error naming it.
 *
 * @module
 */
import { StreamlibError } from "@streamlib/core";

/**
 * The file ffmpeg writes for a `location`; {@linkcode _OutputFile.finish} or
 * {@linkcode _OutputFile.discard} once ffmpeg has exited.
 *
 * @internal
 */
export class _OutputFile {
  /** What to give ffmpeg as its output. */
  readonly target: string;
  readonly #location: string;
  /** `temp`: `target` is renamed over the location; `created`: removed on failure. */
  readonly #mode: "temp" | "created" | "kept";

  private constructor(target: string, location: string, mode: "temp" | "created" | "kept") {
    this.target = target;
    this.#location = location;
    this.#mode = mode;
  }

  /**
   * Creates the folder of `location` if needed and decides where ffmpeg writes.
   *
   * @param location filesink's location.
   * @param inPlace Write the location itself (the caller's muxer owns it).
   * @param name The actor, for errors.
   */
  static async open(location: string, inPlace: boolean, name: string): Promise<_OutputFile> {
    const path = _localPath(location);
    if (path === undefined) return new _OutputFile(location, location, "kept");
    const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    const folder = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
    const sequence = /%0?\d*d/.test(path);
    if (_granted("write", folder)) {
      try {
        await Deno.mkdir(folder, { recursive: true });
      } catch (cause) {
        throw new StreamlibError(
          "SL_FILE_WRITE",
          `"${name}" cannot create the folder ${JSON.stringify(folder)} for ${
            JSON.stringify(location)
          }: ${(cause as Error).message}`,
          { cause, details: { location, folder } },
        );
      }
      if (!inPlace && !sequence && await _regularOrAbsent(path)) {
        const base = path.slice(slash + 1);
        const dot = base.lastIndexOf(".");
        const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ""];
        return new _OutputFile(`${path.slice(0, slash + 1)}.${stem}.partial${ext}`, path, "temp");
      }
    }
    if (inPlace || sequence) return new _OutputFile(location, path, "kept");
    // Written in place: create it ourselves, to know whether it is ours to remove.
    try {
      (await Deno.open(path, { write: true, createNew: true })).close();
      return new _OutputFile(location, path, "created");
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) {
        throw new StreamlibError(
          "SL_FILE_WRITE",
          `"${name}" cannot write ${JSON.stringify(location)}: the folder ${
            JSON.stringify(folder)
          } does not exist, and this process may not create it (Deno lets it write ${
            JSON.stringify(location)
          } only); create the folder first`,
          { cause, details: { location, folder } },
        );
      }
      // It exists already, or writing it is not ours to check: ffmpeg writes it in place.
      return new _OutputFile(location, path, "kept");
    }
  }

  /** ffmpeg finished the file: it takes the location's place. */
  async finish(): Promise<void> {
    if (this.#mode === "temp") await Deno.rename(this.target, this.#location);
  }

  /** ffmpeg failed: removes what it wrote, where that was not the user's before. */
  async discard(): Promise<void> {
    if (this.#mode === "kept") return;
    try {
      await Deno.remove(this.#mode === "temp" ? this.target : this.#location);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/** The local path of `location` (a path or a `file:` URL), `undefined` for another URL. */
export function _localPath(location: string): string | undefined {
  if (location.startsWith("file:")) return decodeURIComponent(new URL(location).pathname);
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !/^[a-z]:[\\/]/i.test(location)) return undefined;
  return location;
}

function _granted(name: "read" | "write", path: string): boolean {
  return Deno.permissions.querySync({ name, path }).state === "granted";
}

/**
 * Whether the path is a regular file or nothing yet: a device (`/dev/null`), a link or a pipe
 * must not be replaced by a rename. `false` when that cannot be read.
 */
async function _regularOrAbsent(path: string): Promise<boolean> {
  if (!_granted("read", path)) return false;
  try {
    return (await Deno.lstat(path)).isFile;
  } catch (error) {
    return error instanceof Deno.errors.NotFound;
  }
}
