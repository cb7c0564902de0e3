import { join, sep } from "node:path";

/**
 * What {@linkcode serveFolder} returns: a hono middleware handler (`app.use(handler)`), typed by
 * the little of hono's context it reads, so that it also runs without hono:
 * `await handler({ req: { raw: request } }, next)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveFolder, type ServeFolderHandler } from "@streamlib/net";
 * const handler: ServeFolderHandler = serveFolder(".");
 * const response = await handler({ req: { raw: new Request("http://x/%2e%2e/etc/passwd") } }, () =>
 *   Promise.resolve());
 * assert.ok(response?.status === 404);
 * await response?.body?.cancel();
 * ```
 */
export type ServeFolderHandler = (
  c: { readonly req: { readonly raw: Request } },
  next: () => Promise<void>,
) => Promise<Response | undefined>;

/**
 * Options of {@linkcode serveFolder}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ServeFolderOptions } from "@streamlib/net";
 * const options: ServeFolderOptions = { prefix: "/media", cacheControl: () => "no-store" };
 * assert.ok(options.prefix === "/media");
 * ```
 */
export interface ServeFolderOptions {
  /** URL path the folder is served under, taken off before the file is looked up (default `/`). */
  readonly prefix?: string;
  /**
   * The `Cache-Control` header of a file, given its path in the folder (`"seg_00001.ts"`);
   * default `"no-cache"` (browsers keep the file but ask whether it changed).
   */
  readonly cacheControl?: (path: string) => string;
  /** MIME types by extension (lower case, no dot), added to the built-in table or replacing. */
  readonly mimeTypes?: Readonly<Record<string, string>>;
}

/** MIME types by extension: streaming media first, then what a page needs. */
const _MIME_TYPES: Readonly<Record<string, string>> = {
  m3u8: "application/vnd.apple.mpegurl",
  m3u: "audio/mpegurl",
  mpd: "application/dash+xml",
  ts: "video/mp2t",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  m4v: "video/mp4",
  m4a: "audio/mp4",
  aac: "audio/aac",
  ac3: "audio/ac3",
  mp3: "audio/mpeg",
  webm: "video/webm",
  mkv: "video/x-matroska",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  flac: "audio/flac",
  vtt: "text/vtt; charset=utf-8",
  webvtt: "text/vtt; charset=utf-8",
  srt: "application/x-subrip",
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  wasm: "application/wasm",
};

const _DEFAULTS = {
  prefix: "/",
  cacheControl: (_path: string): string => "no-cache",
  mimeTypes: {},
} satisfies Required<ServeFolderOptions>;

/**
 * A hono handler serving the files of one folder, and nothing outside it: GET and HEAD (other
 * methods go to the next handler), with the MIME type of the file's extension (HLS playlists
 * `application/vnd.apple.mpegurl`, segments `video/mp2t`, `m4s`, `mp4`, `aac`, `vtt`…;
 * `application/octet-stream` for unknown ones), `Cache-Control` chosen per file, `ETag` and
 * `Last-Modified` (a matching `If-None-Match` gets 304), and byte ranges (`Range: bytes=…`, 206).
 *
 * Every request that could reach outside the folder is answered 404, like a missing file: `..`
 * and `.` segments whether raw or percent-encoded (`%2e%2e`), encoded slashes and backslashes
 * (`%2f`, `%5c`), NUL, drive letters, malformed escapes, hidden names (a segment starting with
 * `.`), and symbolic links whose target lies outside the folder (links inside it are followed).
 * Folders are never listed; only regular files are served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { serveFolder } from "@streamlib/net";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.txt`, "hi");
 * const app = new Hono().use("/files/*", serveFolder(dir, { prefix: "/files" }));
 * const ok = await app.request("/files/hello.txt");
 * assert.ok(ok.headers.get("content-type") === "text/plain; charset=utf-8");
 * assert.ok(await ok.text() === "hi");
 * const refused = await app.request("/files/%2e%2e/%2e%2e/etc/passwd");
 * assert.ok(refused.status === 404);
 * await refused.body?.cancel();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param root The folder (relative to the working directory, or absolute). It need not exist
 * yet: until it does, every request gets 404.
 * @param options Prefix, cache policy, extra MIME types.
 * @returns The handler, for `app.use(…)` or `app.get(…)`.
 */
export function serveFolder(root: string, options: ServeFolderOptions = {}): ServeFolderHandler {
  const { prefix, cacheControl, mimeTypes } = { ..._DEFAULTS, ...options } satisfies Required<
    ServeFolderOptions
  >;
  const types: Readonly<Record<string, string>> = { ..._MIME_TYPES, ...mimeTypes };
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return async (c, next) => {
    const request = c.req.raw;
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      await next();
      return undefined;
    }
    const segments = _segments(new URL(request.url).pathname, base);
    if (segments === undefined) return _notFound();
    let folder: string;
    let path: string;
    let info: Deno.FileInfo;
    try {
      // Resolved on every request: the folder may be created, or replaced, while serving.
      folder = await Deno.realPath(root);
      path = await Deno.realPath(join(folder, ...segments));
      if (!path.startsWith(folder.endsWith(sep) ? folder : folder + sep)) return _notFound();
      info = await Deno.stat(path);
    } catch {
      return _notFound();
    }
    if (!info.isFile) return _notFound();
    const name = segments.join("/");
    const dot = name.lastIndexOf(".");
    const ext = dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
    const size = info.size;
    const etag = `W/"${size.toString(16)}-${(info.mtime?.getTime() ?? 0).toString(16)}"`;
    const headers = new Headers({
      "content-type": types[ext] ?? "application/octet-stream",
      "cache-control": cacheControl(name),
      "accept-ranges": "bytes",
      "etag": etag,
      "x-content-type-options": "nosniff",
    });
    if (info.mtime !== null) headers.set("last-modified", info.mtime.toUTCString());
    if (_matches(request.headers.get("if-none-match"), etag)) {
      return new Response(null, { status: 304, headers });
    }
    const ifRange = request.headers.get("if-range");
    const range = ifRange === null || ifRange === etag
      ? _range(request.headers.get("range"), size)
      : undefined;
    if (range === "unsatisfiable") {
      headers.set("content-range", `bytes */${size}`);
      return new Response(null, { status: 416, headers });
    }
    const [start, end] = range ?? [0, size];
    headers.set("content-length", String(end - start));
    if (range !== undefined) headers.set("content-range", `bytes ${start}-${end - 1}/${size}`);
    const status = range === undefined ? 200 : 206;
    if (method === "HEAD") return new Response(null, { status, headers });
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch {
      return _notFound(); // removed since (a live window moving on)
    }
    const body = range === undefined ? file.readable : await _slice(file, start, end);
    return new Response(body, { status, headers });
  };
}

/**
 * The decoded path segments under `base`, or `undefined` when the path is not under it or a
 * segment could name something outside the folder (or hidden in it).
 */
function _segments(pathname: string, base: string): string[] | undefined {
  if (!pathname.startsWith(base)) return undefined;
  const rest = pathname.slice(base.length);
  if (rest === "") return undefined;
  const out: string[] = [];
  for (const raw of rest.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "" || segment.startsWith(".") || /[/\\\0:]/.test(segment)) return undefined;
    out.push(segment);
  }
  return out;
}

/** Whether an `If-None-Match` header lists `etag` (weak comparison) or is `*`. */
function _matches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === bare;
  });
}

/**
 * The `[start, end)` bytes one `Range: bytes=…` asks for, `"unsatisfiable"`, or `undefined` to
 * send the whole file (no range, another unit, several ranges or a malformed one).
 */
function _range(
  header: string | null,
  size: number,
): [number, number] | "unsatisfiable" | undefined {
  const m = header === null ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size];
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (last < start) return undefined;
  return [start, last + 1];
}

/** A stream of bytes `[start, end)` of `file`, which it closes when done or cancelled. */
async function _slice(file: Deno.FsFile, start: number, end: number): Promise<ReadableStream> {
  await file.seek(start, Deno.SeekMode.Start);
  let left = end - start;
  return new ReadableStream<Uint8Array>({
    type: "bytes",
    async pull(controller): Promise<void> {
      const chunk = new Uint8Array(Math.min(left, 65_536));
      let n: number | null;
      try {
        n = left === 0 ? null : await file.read(chunk);
      } catch (error) {
        file.close();
        throw error;
      }
      if (n === null) {
        file.close();
        controller.close();
        return;
      }
      left -= n;
      controller.enqueue(chunk.subarray(0, n));
    },
    cancel(): void {
      file.close();
    },
  });
}

function _notFound(): Response {
  return new Response("404 Not Found", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
