import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { RegistryClient } from "./registry_client.ts";

/** Serves `bytes` at every path, with or without a Content-Length; closed with the test. */
function serveBytes(bytes: Uint8Array, length: boolean): Deno.HttpServer & { url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    const body = length ? bytes : new ReadableStream<Uint8Array>({
      start(controller): void {
        for (let at = 0; at < bytes.length; at += 65_536) {
          controller.enqueue(bytes.slice(at, at + 65_536));
        }
        controller.close();
      },
    });
    return new Response(body as BodyInit, {
      headers: { "content-type": "application/octet-stream" },
    });
  });
  return Object.assign(server, { url: `http://127.0.0.1:${server.addr.port}/` });
}

Deno.test("tarball() refuses a download larger than its limit, by its length or as it comes", async () => {
  const bytes = new Uint8Array(300_000).fill(7);
  for (const length of [true, false]) {
    await using server = serveBytes(bytes, length);
    const client = new RegistryClient(server.url);
    await assert.rejects(
      client.tarball(`${server.url}big.tgz`, 100_000),
      (e) => isStreamlibError(e, "SL_REGISTRY") && /larger than 100000 bytes/.test(e.message),
    );
    assert.deepEqual(await client.tarball(`${server.url}big.tgz`, 300_000), bytes);
  }
});
