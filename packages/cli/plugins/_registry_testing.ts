/**
 * A tiny npm-compatible registry in the test's own process, for tests that need a registry but
 * not Verdaccio: each package's one version, with the search, package documents and tarballs
 * that `RegistryClient` reads. Stopped by `close()`.
 *
 * @module
 */

import { integrityOf, writeTarball } from "./tarball.ts";

/** A running registry. */
export interface _TestRegistry extends AsyncDisposable {
  /** Its URL, ending with `/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** JSON as the bytes of a file. */
export function _jsonFile(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * Serves packages made of `files` (each with a `package.json` naming it, its version and the
 * `streamlib-plugin` keyword) on a free port of 127.0.0.1.
 */
export async function _serveRegistry(
  packages: ReadonlyArray<ReadonlyMap<string, Uint8Array>>,
): Promise<_TestRegistry> {
  const byName = new Map<string, { version: string; tgz: Uint8Array; integrity: string }>();
  for (const files of packages) {
    const pkg = JSON.parse(new TextDecoder().decode(files.get("package.json")!));
    const tgz = await writeTarball(files);
    byName.set(pkg.name, { version: pkg.version, tgz, integrity: await integrityOf(tgz) });
  }
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (request: Request): Response => {
    const url = new URL(request.url);
    const base = `http://127.0.0.1:${server.addr.port}/`;
    if (url.pathname === "/-/v1/search") {
      return Response.json({
        objects: [...byName].map(([name, p]) => ({
          package: { name, version: p.version, keywords: ["streamlib-plugin"] },
        })),
        total: byName.size,
      });
    }
    const name = decodeURIComponent(url.pathname.slice(1));
    const doc = byName.get(name);
    if (doc !== undefined) {
      return Response.json({
        name,
        "dist-tags": { latest: doc.version },
        versions: {
          [doc.version]: {
            name,
            version: doc.version,
            dist: {
              tarball: `${base}-/tarball/${encodeURIComponent(name)}`,
              integrity: doc.integrity,
            },
          },
        },
      });
    }
    if (url.pathname.startsWith("/-/tarball/")) {
      const tgz = byName.get(decodeURIComponent(url.pathname.slice("/-/tarball/".length)))?.tgz;
      if (tgz !== undefined) return new Response(tgz as BodyInit);
    }
    return new Response("not found", { status: 404 });
  });
  const close = async (): Promise<void> => {
    await server.shutdown();
  };
  return { url: `http://127.0.0.1:${server.addr.port}/`, close, [Symbol.asyncDispose]: close };
}
