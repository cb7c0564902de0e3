import assert from "node:assert/strict";
import { Hono } from "hono";
import { serveFolder, type ServeFolderOptions } from "./serve_folder.ts";

/**
 * A folder `media` with files, a hidden file, a subfolder, links inside and out, and a sibling
 * folder `media2` (same name prefix) and `secret.txt` beside it that must stay unreachable.
 */
async function fixture(): Promise<
  { dir: string; media: string; [Symbol.asyncDispose](): Promise<void> }
> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "serve-folder-" }));
  const media = `${dir}/media`;
  await Deno.mkdir(`${media}/sub`, { recursive: true });
  await Deno.mkdir(`${dir}/media2`);
  await Deno.writeTextFile(`${media}/index.m3u8`, "#EXTM3U\n");
  await Deno.writeFile(`${media}/seg_00001.ts`, new Uint8Array(1000).map((_, i) => i & 255));
  await Deno.writeTextFile(`${media}/sub/captions.vtt`, "WEBVTT\n");
  await Deno.writeTextFile(`${media}/.hidden`, "hidden");
  await Deno.writeTextFile(`${media}/data.bin`, "bin");
  await Deno.writeTextFile(`${media}/a b.txt`, "spaced");
  await Deno.writeTextFile(`${dir}/secret.txt`, "secret");
  await Deno.writeTextFile(`${dir}/media2/secret.txt`, "secret2");
  await Deno.symlink(`${dir}/secret.txt`, `${media}/out.txt`);
  await Deno.symlink("../media2/secret.txt", `${media}/sibling.txt`);
  await Deno.symlink(`${dir}`, `${media}/up`);
  await Deno.symlink("sub/captions.vtt", `${media}/inside.vtt`);
  return {
    dir,
    media,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

function app(root: string, options?: ServeFolderOptions): Hono {
  return new Hono().use(serveFolder(root, options));
}

/** Status and body text of a request (the body is always consumed). */
async function get(
  server: Hono,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await server.request(path, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Sends `target` as-is on a raw HTTP/1.1 connection (no client normalisation) to a real server. */
async function raw(root: string, targets: string[]): Promise<number[]> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    app(root).fetch,
  );
  try {
    const statuses: number[] = [];
    for (const target of targets) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      try {
        await conn.write(
          new TextEncoder().encode(
            `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
          ),
        );
        let text = "";
        const buffer = new Uint8Array(4096);
        for (;;) {
          const n = await conn.read(buffer);
          if (n === null) break;
          text += new TextDecoder().decode(buffer.subarray(0, n));
        }
        statuses.push(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0));
      } finally {
        conn.close();
      }
    }
    return statuses;
  } finally {
    await server.shutdown();
  }
}

Deno.test("serveFolder() serves files with their MIME type, length, ETag and cache policy", async () => {
  await using f = await fixture();
  const server = app(f.media, {
    cacheControl: (path) => path.endsWith(".m3u8") ? "no-cache" : "public, max-age=60",
  });
  const playlist = await get(server, "/index.m3u8");
  assert.equal(playlist.status, 200);
  assert.equal(playlist.text, "#EXTM3U\n");
  assert.equal(playlist.headers.get("content-type"), "application/vnd.apple.mpegurl");
  assert.equal(playlist.headers.get("cache-control"), "no-cache");
  assert.equal(playlist.headers.get("content-length"), "8");
  assert.equal(playlist.headers.get("x-content-type-options"), "nosniff");
  assert.ok(playlist.headers.get("last-modified"));
  const segment = await server.request("/seg_00001.ts");
  assert.equal(segment.headers.get("content-type"), "video/mp2t");
  assert.equal(segment.headers.get("cache-control"), "public, max-age=60");
  assert.equal((await segment.bytes()).length, 1000);
  const vtt = await get(server, "/sub/captions.vtt");
  assert.equal(vtt.headers.get("content-type"), "text/vtt; charset=utf-8");
  assert.equal(vtt.text, "WEBVTT\n");
  const bin = await get(server, "/data.bin");
  assert.equal(bin.headers.get("content-type"), "application/octet-stream");
  assert.equal((await get(server, "/a%20b.txt")).text, "spaced");
});

Deno.test("serveFolder() answers HEAD with the headers and no body", async () => {
  await using f = await fixture();
  const head = await app(f.media).request("/seg_00001.ts", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), "1000");
  assert.equal(head.headers.get("content-type"), "video/mp2t");
  assert.equal(head.body, null);
});

Deno.test("serveFolder() answers 304 to a matching If-None-Match, and 200 once the file changed", async () => {
  await using f = await fixture();
  const server = app(f.media);
  const first = await get(server, "/index.m3u8");
  const etag = first.headers.get("etag")!;
  const again = await get(server, "/index.m3u8", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, "");
  await Deno.writeTextFile(`${f.media}/index.m3u8`, "#EXTM3U\n#EXT-X-ENDLIST\n");
  const changed = await get(server, "/index.m3u8", { headers: { "if-none-match": etag } });
  assert.equal(changed.status, 200);
  assert.equal(changed.text, "#EXTM3U\n#EXT-X-ENDLIST\n");
});

Deno.test("serveFolder() serves byte ranges with 206 and refuses ranges past the end with 416", async () => {
  await using f = await fixture();
  const server = app(f.media);
  const part = await server.request("/seg_00001.ts", { headers: { range: "bytes=10-19" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 10-19/1000");
  assert.deepEqual([...await part.bytes()], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  const tail = await server.request("/seg_00001.ts", { headers: { range: "bytes=-4" } });
  assert.equal(tail.headers.get("content-range"), "bytes 996-999/1000");
  assert.deepEqual([...await tail.bytes()], [228, 229, 230, 231]);
  const open = await server.request("/seg_00001.ts", { headers: { range: "bytes=990-" } });
  assert.equal((await open.bytes()).length, 10);
  const past = await get(server, "/seg_00001.ts", { headers: { range: "bytes=1000-" } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get("content-range"), "bytes */1000");
  const several = await server.request("/seg_00001.ts", { headers: { range: "bytes=0-1,5-6" } });
  assert.equal(several.status, 200, "several ranges: the whole file");
  assert.equal((await several.bytes()).length, 1000);
});

Deno.test("serveFolder() refuses path traversal, raw or encoded, with 404", async () => {
  await using f = await fixture();
  const server = app(f.media);
  for (
    const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/.%2e/secret.txt",
      "/..%2fsecret.txt",
      "/..%2Fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/sub/..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "/sub%2f..%2f..%2fsecret.txt",
      `/${encodeURIComponent(`${f.dir}/secret.txt`)}`,
      `/%2f${f.dir.slice(1)}/secret.txt`,
      "/index.m3u8%00.txt",
      "/%00",
      "/c:%5cwindows",
      "/%252e%252e/secret.txt",
      "/%e0%a4%a/secret.txt",
      "/sub/%2e%2e/%2e%2e/secret.txt",
    ]
  ) {
    const { status, text } = await get(server, path);
    assert.equal(status, 404, path);
    assert.ok(!text.includes("secret"), path);
  }
  // What a client sends unnormalised (curl --path-as-is) reaches the server as-is.
  const statuses = await raw(f.media, [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/sub/../../secret.txt",
    "/..%2fsecret.txt",
    "/..\\secret.txt",
    "/index.m3u8",
  ]);
  assert.deepEqual(statuses, [404, 404, 404, 404, 404, 404, 200]);
});

Deno.test("serveFolder() follows links inside its folder and refuses links leading outside", async () => {
  await using f = await fixture();
  const server = app(f.media);
  assert.equal((await get(server, "/inside.vtt")).text, "WEBVTT\n");
  for (const path of ["/out.txt", "/sibling.txt", "/up/secret.txt", "/up/media2/secret.txt"]) {
    assert.equal((await get(server, path)).status, 404, path);
  }
});

Deno.test("serveFolder() lists no folders and hides dot files", async () => {
  await using f = await fixture();
  const server = app(f.media);
  for (const path of ["/", "/sub", "/sub/", "/.hidden", "/sub/.", "//index.m3u8", "/missing.ts"]) {
    assert.equal((await get(server, path)).status, 404, path);
  }
});

Deno.test("serveFolder() passes other methods on, and serves under a prefix", async () => {
  await using f = await fixture();
  const server = new Hono()
    .use("/media/*", serveFolder(f.media, { prefix: "/media" }))
    .post("/media/index.m3u8", (c) => c.text("posted"));
  assert.equal((await get(server, "/media/index.m3u8")).text, "#EXTM3U\n");
  assert.equal((await get(server, "/media/index.m3u8", { method: "POST" })).text, "posted");
  assert.equal((await get(server, "/index.m3u8")).status, 404);
  assert.equal((await get(server, "/media/../secret.txt")).status, 404);
  assert.equal((await get(server, "/mediaindex.m3u8")).status, 404);
});

Deno.test("serveFolder() answers 404 until its folder exists, then serves it", async () => {
  await using f = await fixture();
  const server = app(`${f.dir}/later`);
  assert.equal((await get(server, "/index.m3u8")).status, 404);
  await Deno.mkdir(`${f.dir}/later`);
  await Deno.writeTextFile(`${f.dir}/later/index.m3u8`, "late");
  assert.equal((await get(server, "/index.m3u8")).text, "late");
});

Deno.test("serveFolder() takes extra MIME types", async () => {
  await using f = await fixture();
  const server = app(f.media, { mimeTypes: { bin: "application/x-streamlib" } });
  assert.equal(
    (await get(server, "/data.bin")).headers.get("content-type"),
    "application/x-streamlib",
  );
});
