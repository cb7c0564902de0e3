/**
 * The tarball cache: each tarball once, by its SHA-512, checked again when read, so a
 * reinstall needs no network.
 *
 * @module
 */

import { join } from "node:path";
import { checkIntegrity, integrityOf } from "./tarball.ts";

/** `STREAMLIB_CACHE`, else `$XDG_CACHE_HOME/streamlib`, else `~/.cache/streamlib`. */
export function _defaultCache(): string {
  const own = Deno.env.get("STREAMLIB_CACHE");
  if (own) return own;
  const base = Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? ".", ".cache");
  return join(base, "streamlib");
}

function _file(cache: string, integrity: string): string {
  const hex = [...atob(integrity.replace(/^sha512-/, ""))]
    .map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  return join(cache, "tarballs", `${hex}.tgz`);
}

/** The cached tarball with this integrity, if there is one that still has it. */
export async function _cachedTarball(
  cache: string,
  integrity: string,
): Promise<Uint8Array | undefined> {
  if (!integrity.startsWith("sha512-")) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(_file(cache, integrity));
  } catch {
    return undefined;
  }
  try {
    await checkIntegrity(bytes, integrity, "a cached tarball");
    return bytes;
  } catch {
    await Deno.remove(_file(cache, integrity)).catch(() => {});
    return undefined;
  }
}

/** Keeps a checked tarball in the cache (written whole, through a temporary file). */
export async function _keepTarball(
  cache: string,
  integrity: string,
  bytes: Uint8Array,
): Promise<void> {
  const key = integrity.startsWith("sha512-") ? integrity : await integrityOf(bytes);
  const file = _file(cache, key);
  await Deno.mkdir(join(cache, "tarballs"), { recursive: true });
  const temporary = `${file}.${Deno.pid}.tmp`;
  await Deno.writeFile(temporary, bytes);
  await Deno.rename(temporary, file);
}
