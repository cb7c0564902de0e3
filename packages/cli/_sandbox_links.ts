/**
 * Links in a sandboxed plugin's folder. Its Worker may read the whole folder (it loads its code
 * from there), and Deno checks the path asked for, not where a link in it leads: a link to
 * somewhere outside the folder would let the plugin read there.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** A link under a folder that leads outside it. */
export interface _OutsideLink {
  /** The link, under the folder as it was given. */
  readonly link: string;
  /** Where it leads. */
  readonly target: string;
}

/**
 * The first link under `folder` (at any depth) that leads outside it, or to nothing that
 * exists (it could be made to lead anywhere later); `undefined` when there is none, or no
 * such folder.
 *
 * @param folder The plugin's folder.
 * @returns The link and where it leads, or `undefined`.
 */
export async function _linkOutside(folder: string): Promise<_OutsideLink | undefined> {
  let root: string;
  try {
    root = await Deno.realPath(folder);
  } catch {
    return undefined;
  }
  const walk = async (dir: string): Promise<_OutsideLink | undefined> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isSymlink) {
        const target = await Deno.realPath(path).catch(async () =>
          resolve(dirname(path), await Deno.readLink(path))
        );
        const exists = await Deno.lstat(target).then(() => true, () => false);
        if (!exists || !_inside(root, target)) {
          return { link: join(folder, relative(root, path)), target };
        }
        continue; // a link within the folder: what it leads to is walked as itself
      }
      if (entry.isDirectory) {
        const found = await walk(path);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return await walk(root);
}

function _inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
