/**
 * Creating the folder a file goes in, for actors that write files.
 *
 * @module
 */

/**
 * The folder `path` is in: `.` for a bare name, `/` at the root.
 *
 * @internal
 */
export function _folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/**
 * Creates the folder `path` is in, with its parents, where Deno lets this process write it.
 * Where it does not (it may write `path` alone), nothing is done: `false`, and writing the file
 * then tells whether the folder is missing.
 *
 * @param path A file to be written.
 * @returns Whether the folder may be created (and exists now).
 * @internal
 */
export async function _makeFolder(path: string): Promise<boolean> {
  const folder = _folderOf(path);
  if (Deno.permissions.querySync({ name: "write", path: folder }).state !== "granted") {
    return false;
  }
  await Deno.mkdir(folder, { recursive: true });
  return true;
}
