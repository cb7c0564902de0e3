/**
 * `@streamlib/cli/market`: the plugin marketplace behind `streamlib market serve`. It indexes
 * the streamlib plugins of npm-compatible registries (npm, Verdaccio, …) into an embedded
 * SQLite database, and serves a JSON API and web pages to search them by words, actor type,
 * port kind and format, and permissions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MarketDb } from "@streamlib/cli/market";
 * using db = new MarketDb(":memory:");
 * assert.equal(db.search({ port: "video", format: "RGBA" }).total, 0);
 * ```
 *
 * @module
 */

export * from "./market_db.ts";
export * from "./index_registry.ts";
export * from "./serve_market.ts";
