/**
 * Whether a path is a file. Internal to the command.
 *
 * @module
 */

/** Whether `path` is a file (not a folder, not absent, not unreadable). */
export async function _isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
