/**
 * The local files this process's `filesrc` actors read and `filesink` actors write, so that one
 * file is never both: a writer would truncate the file under its reader (ffmpeg itself refuses
 * "Output same as Input"). Paths are compared made absolute and normalized; links and other
 * names of one file are not seen through. URLs and image sequences are not tracked. Internal.
 *
 * @module
 */

import { resolve } from "node:path";
import { StreamlibError } from "@streamlib/core";
import { _localPath } from "./_output_file.ts";

/** Readers by path: their actors' names. */
const _reading = new Map<string, Set<string>>();
/** Writers by path: their actors' names. */
const _writing = new Map<string, Set<string>>();

/** The key of a local file `location`, or `undefined` for a URL, a pipe or a sequence. */
function _key(location: string): string | undefined {
  let path: string | undefined;
  try {
    path = _localPath(location);
  } catch {
    return undefined; // a file: URL that is not one
  }
  if (path === undefined || path === "" || path === "-" || /%0?\d*d/.test(path)) return undefined;
  try {
    return resolve(path);
  } catch {
    return path; // no permission to read the working folder: compared as written
  }
}

function _names(map: Map<string, Set<string>>, key: string): string {
  return [...map.get(key) ?? []].map((n) => JSON.stringify(n)).join(", ");
}

function _add(map: Map<string, Set<string>>, key: string, name: string): () => void {
  let names = map.get(key);
  if (names === undefined) map.set(key, names = new Set());
  names.add(name);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    names!.delete(name);
    if (names!.size === 0 && map.get(key) === names) map.delete(key);
  };
}

/**
 * Notes that actor `name` reads `location` until the returned function is called. Throws
 * `SL_FILE_INVALID` when an actor of this process writes it.
 */
export function _startReading(location: string, name: string): () => void {
  const key = _key(location);
  if (key === undefined) return () => {};
  if (_writing.has(key)) {
    throw new StreamlibError(
      "SL_FILE_INVALID",
      `"${name}" cannot read ${JSON.stringify(location)}: ${
        _names(_writing, key)
      } in this process is writing it; read another file, or wait for that writer to finish`,
      { details: { location, writers: [..._writing.get(key)!] } },
    );
  }
  return _add(_reading, key, name);
}

/**
 * Notes that actor `name` writes `location` until the returned function is called. Throws
 * `SL_FILE_WRITE` when an actor of this process reads it, or another writes it.
 */
export function _startWriting(location: string, name: string): () => void {
  const key = _key(location);
  if (key === undefined) return () => {};
  const [map, doing] = _reading.has(key)
    ? [_reading, "reading"]
    : _writing.has(key)
    ? [_writing, "writing"]
    : [undefined, ""];
  if (map !== undefined) {
    throw new StreamlibError(
      "SL_FILE_WRITE",
      `"${name}" cannot write ${JSON.stringify(location)}: ${
        _names(map, key)
      } in this process is ${doing} it, and writing would destroy it meanwhile (ffmpeg refuses ` +
        `the same: "Output same as Input"); write another file`,
      { details: { location, [doing === "reading" ? "readers" : "writers"]: [...map.get(key)!] } },
    );
  }
  return _add(_writing, key, name);
}
