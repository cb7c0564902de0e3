import { _readLimited } from "./_read_limited.ts";
import { StreamlibError } from "@streamlib/core";

/**
 * Files of a package by path (`manifest.json`, `src/blur.ts`), as an npm tarball holds them
 * under its top folder (`package/`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PackageFiles } from "@streamlib/cli";
 * const files: PackageFiles = new Map([["package.json", new TextEncoder().encode("{}")]]);
 * assert.ok(files.has("package.json"));
 * ```
 */
export type PackageFiles = ReadonlyMap<string, Uint8Array>;

/** npm's fixed time for every entry (1985-10-26T08:15:00Z), so a tarball depends only on its files. */
const _MTIME = 499162500;
const _BLOCK = 512;

/**
 * Makes an npm tarball: a gzipped ustar archive with every file under `package/`, sorted by
 * path, with fixed times and modes, so the same files always make the same bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTarball, writeTarball } from "@streamlib/cli";
 * const files = new Map([["package.json", new TextEncoder().encode('{"name":"x"}')]]);
 * const tgz = await writeTarball(files);
 * const back = await readTarball(tgz);
 * assert.equal(new TextDecoder().decode(back.get("package.json")), '{"name":"x"}');
 * ```
 *
 * @param files The files by path.
 * @returns The `.tgz` bytes.
 */
export async function writeTarball(files: PackageFiles): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (const path of [...files.keys()].sort()) {
    const data = files.get(path)!;
    blocks.push(_header(`package/${path}`, data.length));
    blocks.push(data);
    const pad = (_BLOCK - (data.length % _BLOCK)) % _BLOCK;
    if (pad) blocks.push(new Uint8Array(pad));
  }
  blocks.push(new Uint8Array(_BLOCK * 2));
  const tar = new Blob(blocks as BlobPart[]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(tar).arrayBuffer());
}

/**
 * The most a plugin tarball may expand to unless told otherwise: 256 MiB.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_TARBALL_MAX_BYTES } from "@streamlib/cli";
 * assert.equal(DEFAULT_TARBALL_MAX_BYTES, 256 * 1024 * 1024);
 * ```
 */
export const DEFAULT_TARBALL_MAX_BYTES: number = 256 * 1024 * 1024;

/**
 * What {@linkcode readTarball} takes besides the bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReadTarballOptions } from "@streamlib/cli";
 * const options: ReadTarballOptions = { maxBytes: 1 << 20 };
 * assert.equal(options.maxBytes, 1048576);
 * ```
 */
export interface ReadTarballOptions {
  /** The most the archive may expand to, in bytes (default {@linkcode DEFAULT_TARBALL_MAX_BYTES}). */
  readonly maxBytes?: number;
}

/**
 * Reads an npm tarball into its files, without the top folder (`package/`, or whatever single
 * folder holds everything). Only regular files are kept; a path that is absolute or climbs out
 * with `..`, a link, or something that is not a gzipped tar is refused with
 * `SL_MANIFEST_INVALID`, and so is a tarball that expands to more than `maxBytes` (256 MiB unless
 * told otherwise: a few kilobytes of gzip can expand to gigabytes), which is read no further.
 * Pax and GNU long names are read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTarball } from "@streamlib/cli";
 * await assert.rejects(readTarball(new Uint8Array([1, 2, 3])), /not a gzipped tar/);
 * ```
 *
 * @param tgz The `.tgz` bytes.
 * @param options `maxBytes`: the most the archive may expand to.
 * @returns The files by path.
 */
export async function readTarball(
  tgz: Uint8Array,
  options: ReadTarballOptions = {},
): Promise<Map<string, Uint8Array>> {
  const tar = await _gunzip(tgz, options.maxBytes ?? DEFAULT_TARBALL_MAX_BYTES);
  const entries = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let at = 0; at + _BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + _BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!_checksumOk(header)) throw _bad("not a gzipped tar (a header's checksum is wrong)");
    const size = parseInt(_text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156]!);
    const prefix = _text(header, 345, 155);
    let name = _text(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const data = tar.subarray(at + _BLOCK, at + _BLOCK + size);
    at += _BLOCK + Math.ceil(size / _BLOCK) * _BLOCK;
    if (!Number.isFinite(size) || data.length !== size) throw _bad("not a gzipped tar (truncated)");
    if (type === "x") {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data));
      if (path) longName = path[1];
      continue;
    }
    if (type === "L") {
      longName = new TextDecoder().decode(data).replace(/\0+$/, "");
      continue;
    }
    if (type === "g") continue;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    if (type === "5") continue;
    if (type !== "0" && type !== "\0") {
      throw _bad(`it holds "${name}", which is a link or a device, not a file`);
    }
    entries.set(name, data.slice());
  }
  const files = new Map<string, Uint8Array>();
  const tops = new Set([...entries.keys()].map((p) => p.replace(/^\.\//, "").split("/")[0]));
  for (const [raw, data] of entries) {
    const parts = raw.replace(/^\.\//, "").split("/");
    if (tops.size === 1 && parts.length > 1) parts.shift();
    const path = parts.join("/");
    if (
      raw.startsWith("/") || parts.some((p) => p === ".." || p === "") || /^[A-Za-z]:/.test(raw)
    ) {
      throw _bad(`it holds "${raw}", a path outside the package`);
    }
    files.set(path, data);
  }
  return files;
}

/** The tar inside `tgz`, refused once it passes `maxBytes`. */
async function _gunzip(tgz: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const stream = new Blob([tgz as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  try {
    return await _readLimited(
      stream,
      maxBytes,
      () =>
        _bad(`it expands to more than ${_mib(maxBytes)} (a package that large, or a gzip bomb)`),
    );
  } catch (error) {
    if (error instanceof StreamlibError) throw error;
    throw _bad(`not a gzipped tar (${(error as Error).message})`, error);
  }
}

/** `bytes` in MiB for a message. */
function _mib(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/**
 * The integrity of some bytes as npm writes it: `sha512-` and the SHA-512 hash in base64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { integrityOf } from "@streamlib/cli";
 * assert.ok((await integrityOf(new Uint8Array())).startsWith("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5"));
 * ```
 *
 * @param bytes The bytes.
 * @returns `sha512-…`.
 */
export async function integrityOf(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-512", bytes as BufferSource));
  return `sha512-${_base64(hash)}`;
}

/**
 * Checks bytes against an integrity string (`sha512-…`; `sha1-…` and a bare hex SHA-1, which
 * old registries give as `shasum`, too). Throws `SL_INTEGRITY` naming `what` and both hashes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIntegrity, integrityOf } from "@streamlib/cli";
 * const bytes = new TextEncoder().encode("plugin");
 * await checkIntegrity(bytes, await integrityOf(bytes), "plugin 1.0.0");
 * await assert.rejects(checkIntegrity(bytes, "sha512-AAAA", "plugin 1.0.0"), /SL_INTEGRITY|integrity/);
 * ```
 *
 * @param bytes The bytes.
 * @param expected The integrity they must have.
 * @param what What they are, for the message.
 */
export async function checkIntegrity(
  bytes: Uint8Array,
  expected: string,
  what: string,
): Promise<void> {
  const hex = /^[0-9a-f]{40}$/i.test(expected);
  const algorithm = hex ? "sha1" : expected.slice(0, expected.indexOf("-"));
  const names: Record<string, string> = { sha512: "SHA-512", sha384: "SHA-384", sha1: "SHA-1" };
  const name = names[algorithm];
  if (name === undefined) {
    throw new StreamlibError(
      "SL_INTEGRITY",
      `Cannot check ${what}: its integrity "${expected}" uses an algorithm streamlib does not know`,
      { details: { expected } },
    );
  }
  const hash = new Uint8Array(await crypto.subtle.digest(name, bytes as BufferSource));
  const actual = hex
    ? [...hash].map((b) => b.toString(16).padStart(2, "0")).join("")
    : `${algorithm}-${_base64(hash)}`;
  if (actual.toLowerCase() !== expected.toLowerCase() || (!hex && actual !== expected)) {
    throw new StreamlibError(
      "SL_INTEGRITY",
      `${what} failed its integrity check: expected ${expected}, got ${actual}. The download ` +
        `was changed on its way or in the registry; nothing was written`,
      { details: { expected, actual } },
    );
  }
}

function _base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function _header(name: string, size: number): Uint8Array {
  const header = new Uint8Array(_BLOCK);
  let path = name;
  let prefix = "";
  if (new TextEncoder().encode(path).length > 100) {
    const cut = path.lastIndexOf("/", path.length - 1);
    prefix = path.slice(0, cut);
    path = path.slice(cut + 1);
    if (new TextEncoder().encode(path).length > 100 || prefix.length > 155) {
      throw new StreamlibError("SL_USAGE", `The path "${name}" is too long for a tarball`);
    }
  }
  const put = (text: string, at: number, length: number): void => {
    header.set(new TextEncoder().encode(text).subarray(0, length), at);
  };
  put(path, 0, 100);
  put("0000644\0", 100, 8);
  put("0000000\0", 108, 8);
  put("0000000\0", 116, 8);
  put(`${size.toString(8).padStart(11, "0")}\0`, 124, 12);
  put(`${_MTIME.toString(8).padStart(11, "0")}\0`, 136, 12);
  put("        ", 148, 8);
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put(prefix, 345, 155);
  const sum = header.reduce((a, b) => a + b, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return header;
}

function _checksumOk(header: Uint8Array): boolean {
  const stored = parseInt(_text(header, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < _BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === stored;
}

function _text(bytes: Uint8Array, at: number, length: number): string {
  const field = bytes.subarray(at, at + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

function _bad(why: string, cause?: unknown): StreamlibError {
  return new StreamlibError("SL_MANIFEST_INVALID", `The package tarball is refused: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
  });
}
