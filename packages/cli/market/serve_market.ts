import { Hono } from "hono";
import { StreamlibError } from "@streamlib/core";
import { indexRegistry, type IndexReport } from "./index_registry.ts";
import { MarketDb, type MarketQuery } from "./market_db.ts";
import { _pluginPage, _searchPage } from "./_pages.ts";

/**
 * Options of {@linkcode serveMarket}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketOptions } from "@streamlib/cli/market";
 * const options: MarketOptions = { registries: ["http://127.0.0.1:4873"], db: ":memory:", port: 0 };
 * assert.ok(options.registries.length === 1);
 * ```
 */
export interface MarketOptions {
  /** The registries to index. */
  readonly registries: readonly string[];
  /** The database file (default `market.db`; `:memory:` keeps nothing). */
  readonly db?: string;
  /** The address to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** The port (default 8780; 0 for a free one). */
  readonly port?: number;
  /** Seconds between incremental re-indexings (default 300; 0: only at start). */
  readonly interval?: number;
  /** Package names to index beyond what the registries' searches find. */
  readonly packages?: readonly string[];
  /** Called after each indexing of a registry. */
  readonly onIndexed?: (registry: string, report: IndexReport | Error) => void;
}

/**
 * A running marketplace (see {@linkcode serveMarket}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketServer } from "@streamlib/cli/market";
 * async function stop(m: MarketServer): Promise<void> {
 *   await m.close();
 * }
 * assert.ok(typeof stop === "function");
 * ```
 */
export interface MarketServer extends AsyncDisposable {
  /** Where it serves, `http://127.0.0.1:8780/`. */
  readonly url: string;
  /** Its index. */
  readonly db: MarketDb;
  /** Indexes every registry again now (incrementally). */
  reindex(): Promise<void>;
  /** Stops serving and indexing and closes the database. */
  close(): Promise<void>;
}

/**
 * The marketplace's routes on an index, as one request handler: the JSON API (`GET /api/v1/search?q=&type=&port=&
 * format=&direction=&noPermissions=1&limit=&offset=`, `GET /api/v1/plugins/<name>`) and the web
 * pages (`/` with the same query, `/plugins/<name>`). Errors are
 * `{"error": {"code", "message"}}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MarketDb, marketHandler } from "@streamlib/cli/market";
 * using db = new MarketDb(":memory:");
 * const handle = marketHandler(db);
 * const response = await handle(new Request("http://127.0.0.1/api/v1/search?q=blur"));
 * assert.deepEqual(await response.json(), { total: 0, results: [] });
 * ```
 *
 * @param db The index.
 * @returns A request handler (a hono app's `fetch`).
 */
export function marketHandler(db: MarketDb): (request: Request) => Response | Promise<Response> {
  const app = new Hono();
  app.get("/api/v1/search", (c) => c.json(db.search(_query(new URL(c.req.url)))));
  app.get("/api/v1/plugins/:name{.+}", (c) => {
    const name = _name(c.req.param("name"));
    const details = db.details(name);
    if (details === undefined) {
      return c.json({
        error: { code: "SL_PLUGIN_NOT_FOUND", message: `No plugin "${name}" is indexed here` },
      }, 404);
    }
    return c.json({
      ...details,
      install: `streamlib plugins install ${name}@${
        details.latest?.version ?? "latest"
      } --registry ${details.registry}`,
    });
  });
  app.get("/", (c) => {
    const query = _query(new URL(c.req.url));
    return c.html(_searchPage(query, db.search(query)));
  });
  app.get("/plugins/:name{.+}", (c) => {
    const name = _name(c.req.param("name"));
    const details = db.details(name);
    if (details === undefined) return c.text(`No plugin "${name}" is indexed here`, 404);
    return c.html(_pluginPage(details, details.registry));
  });
  app.onError((error, c) =>
    c.json({
      error: {
        code: error instanceof StreamlibError ? error.code : "SL_MARKET",
        message: error.message,
      },
    }, 500)
  );
  return (request) => app.fetch(request);
}

/**
 * Serves the marketplace: indexes the registries (at start, then incrementally every
 * `interval` seconds) into an embedded SQLite database and serves {@linkcode marketHandler} on
 * `Deno.serve`, on 127.0.0.1 unless told otherwise. A registry that cannot be indexed is
 * reported to `onIndexed` and tried again next time; the others are served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveMarket } from "@streamlib/cli/market";
 * await using market = await serveMarket({ registries: [], db: ":memory:", port: 0 });
 * const page = await fetch(market.url);
 * assert.match(await page.text(), /streamlib plugins/);
 * ```
 *
 * @param options What to index, where to keep it and where to serve.
 * @returns The running marketplace.
 */
export async function serveMarket(options: MarketOptions): Promise<MarketServer> {
  const db = new MarketDb(options.db ?? "market.db");
  const reindex = async (): Promise<void> => {
    for (const registry of options.registries) {
      try {
        const report = await indexRegistry(db, registry, {
          ...(options.packages === undefined ? {} : { names: options.packages }),
        });
        options.onIndexed?.(registry, report);
      } catch (error) {
        options.onIndexed?.(registry, error as Error);
      }
    }
  };
  let indexing: Promise<void> = reindex();
  await indexing;
  const controller = new AbortController();
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 8780,
    signal: controller.signal,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, marketHandler(db));
  const addr = await listening;
  const interval = options.interval ?? 300;
  const timer = interval > 0
    ? setInterval(() => {
      indexing = indexing.then(reindex);
    }, interval * 1000)
    : undefined;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closed ??= (async () => {
      clearInterval(timer);
      controller.abort();
      await server.finished;
      await indexing.catch(() => {});
      db.close();
    })();
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: `http://${host}:${addr.port}/`,
    db,
    reindex: () => indexing = indexing.then(reindex),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A plugin's name from its path, decoded; a broken escape stays as it is (no such plugin). */
function _name(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function _query(url: URL): MarketQuery {
  const get = (key: string): string | undefined => url.searchParams.get(key) || undefined;
  const number = (key: string): number | undefined => {
    const value = Number(get(key));
    return Number.isFinite(value) ? value : undefined;
  };
  const direction = get("direction");
  return {
    ...(get("q") === undefined ? {} : { text: get("q")! }),
    ...(get("type") === undefined ? {} : { type: get("type")! }),
    ...(get("port") === undefined ? {} : { port: get("port")! }),
    ...(get("format") === undefined ? {} : { format: get("format")! }),
    ...(direction === "in" || direction === "out" ? { direction } : {}),
    ...(["1", "true"].includes(get("noPermissions") ?? "") ? { noPermissions: true } : {}),
    ...(number("limit") === undefined ? {} : { limit: number("limit")! }),
    ...(number("offset") === undefined ? {} : { offset: number("offset")! }),
  };
}
