import { DatabaseSync } from "node:sqlite";
import type { Manifest, PermissionName } from "@streamlib/core";

/**
 * One plugin as the marketplace lists it: the package, its newest good version and what that
 * version's actors are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketPlugin } from "@streamlib/cli/market";
 * const p: MarketPlugin = {
 *   name: "reader", version: "1.0.0", description: "Reads", registry: "http://127.0.0.1:4873/",
 *   types: ["textsrc"], permissions: ["read"],
 * };
 * assert.ok(p.types.includes("textsrc"));
 * ```
 */
export interface MarketPlugin {
  /** The package name. */
  readonly name: string;
  /** The version. */
  readonly version: string;
  /** What it does, in a line. */
  readonly description: string;
  /** The registry it comes from. */
  readonly registry: string;
  /** Its actor types. */
  readonly types: readonly string[];
  /** The permissions its actors ask for, by name. */
  readonly permissions: readonly PermissionName[];
}

/**
 * A search of the marketplace: words, and what a pipeline author looks for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketQuery } from "@streamlib/cli/market";
 * const q: MarketQuery = { text: "motion", port: "video", format: "RGBA", noPermissions: true };
 * assert.ok(q.noPermissions);
 * ```
 */
export interface MarketQuery {
  /** Words in the name, description, types, ports or keywords (each must match, as a prefix). */
  readonly text?: string;
  /** An actor type the plugin provides. */
  readonly type?: string;
  /** A port kind some actor has (`video`, `audio`, `data`, `event`, `any`). */
  readonly port?: string;
  /** A format some port names (`RGBA`, `text`); with `port`, a port of that kind. */
  readonly format?: string;
  /** Only inputs (`in`) or outputs (`out`) count for `port` and `format`. */
  readonly direction?: "in" | "out";
  /** Only plugins whose actors ask for no permission at all. */
  readonly noPermissions?: boolean;
  /** At most this many (default 50). */
  readonly limit?: number;
  /** Skip this many. */
  readonly offset?: number;
}

/**
 * One version of a plugin as the marketplace keeps it: refused ones carry the reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketVersion } from "@streamlib/cli/market";
 * const v: MarketVersion = { version: "1.0.0", integrity: "sha512-A", tarball: "http://x/r.tgz" };
 * assert.ok(v.problem === undefined);
 * ```
 */
export interface MarketVersion {
  /** The version. */
  readonly version: string;
  /** The tarball's integrity (`sha512-…`). */
  readonly integrity: string;
  /** The tarball's URL. */
  readonly tarball: string;
  /** When it was published. */
  readonly published?: string;
  /** Why it is deprecated, when it is. */
  readonly deprecated?: string;
  /** Why it was refused (integrity, manifest), if it was. */
  readonly problem?: string;
  /** Its manifest, when it is good. */
  readonly manifest?: Manifest;
}

/**
 * Everything the marketplace knows of one plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketDetails } from "@streamlib/cli/market";
 * function latest(d: MarketDetails): string | undefined {
 *   return d.latest?.version;
 * }
 * assert.ok(typeof latest === "function");
 * ```
 */
export interface MarketDetails {
  /** The package name. */
  readonly name: string;
  /** What it does, in a line. */
  readonly description: string;
  /** The registry it comes from. */
  readonly registry: string;
  /** The newest good, not deprecated version (else the newest good one). */
  readonly latest?: MarketVersion;
  /** Every version, newest first. */
  readonly versions: readonly MarketVersion[];
}

const _SCHEMA = `
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS registries (
  id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, indexed_at TEXT);
CREATE TABLE IF NOT EXISTS packages (
  id INTEGER PRIMARY KEY, registry_id INTEGER NOT NULL REFERENCES registries(id),
  name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', modified TEXT,
  latest_id INTEGER, UNIQUE (registry_id, name));
CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY, package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  version TEXT NOT NULL, sort_key TEXT NOT NULL, integrity TEXT NOT NULL, tarball TEXT NOT NULL,
  published TEXT, deprecated TEXT, problem TEXT, manifest TEXT, UNIQUE (package_id, version));
CREATE TABLE IF NOT EXISTS actors (
  id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  type TEXT NOT NULL, description TEXT NOT NULL, classification TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS actors_by_version ON actors (version_id);
CREATE INDEX IF NOT EXISTS actors_by_type ON actors (type);
CREATE TABLE IF NOT EXISTS ports (
  actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE, direction TEXT NOT NULL,
  name TEXT NOT NULL, kind TEXT NOT NULL, format TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ports_by_actor ON ports (actor_id);
CREATE INDEX IF NOT EXISTS ports_by_format ON ports (format COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS params (
  actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE, name TEXT NOT NULL,
  type TEXT NOT NULL, default_json TEXT, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS permissions (
  actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE, name TEXT NOT NULL,
  reason TEXT NOT NULL, scope TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS permissions_by_actor ON permissions (actor_id);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
  name, description, types, ports, tokenize = "unicode61 tokenchars '-_@/.'");
`;

/**
 * The marketplace's index in an embedded SQLite database (`node:sqlite`, full-text search with
 * FTS5): registries, plugins, versions (refused ones with the reason), and each good version's
 * actor types, ports with their formats, parameters and permissions with reasons.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MarketDb } from "@streamlib/cli/market";
 * using db = new MarketDb(":memory:");
 * assert.deepEqual(db.search({ text: "motion" }), { total: 0, results: [] });
 * ```
 */
export class MarketDb implements Disposable {
  /** The SQLite database. */
  readonly sql: DatabaseSync;

  /**
   * Opens (or makes) the database at `path` (`:memory:` for one in memory).
   *
   * @param path The database file.
   */
  constructor(path: string) {
    this.sql = new DatabaseSync(path);
    this.sql.exec(_SCHEMA);
  }

  /**
   * The id of a registry, added when new.
   *
   * @param url The registry's URL.
   * @returns Its id.
   */
  registry(url: string): number {
    this.sql.prepare("INSERT OR IGNORE INTO registries (url) VALUES (?)").run(url);
    return Number(
      (this.sql.prepare("SELECT id FROM registries WHERE url = ?").get(url) as { id: number }).id,
    );
  }

  /**
   * Runs `fn` in one transaction.
   *
   * @param fn What to do.
   * @returns What it returns.
   */
  transaction<T>(fn: () => T): T {
    this.sql.exec("BEGIN");
    try {
      const result = fn();
      this.sql.exec("COMMIT");
      return result;
    } catch (error) {
      this.sql.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * Searches the plugins by their newest good version.
   *
   * @param query What to look for.
   * @returns How many match, and a page of them (by relevance with text, else by name).
   */
  search(query: MarketQuery): { total: number; results: MarketPlugin[] } {
    const where: string[] = ["p.latest_id IS NOT NULL"];
    const args: Array<string | number> = [];
    let order = "p.name";
    const fts = _ftsQuery(query.text ?? "");
    if (fts !== "") {
      where.push("p.id IN (SELECT rowid FROM search WHERE search MATCH ?)");
      args.push(fts);
      order = "(SELECT bm25(search) FROM search WHERE search MATCH ? AND rowid = p.id), p.name";
    }
    if (query.type) {
      where.push("EXISTS (SELECT 1 FROM actors a WHERE a.version_id = p.latest_id AND a.type = ?)");
      args.push(query.type);
    }
    if (query.port || query.format) {
      const port: string[] = [];
      for (
        const [test, value] of [
          ["po.kind = ?", query.port],
          ["po.format = ? COLLATE NOCASE", query.format],
          ["po.direction = ?", query.direction],
        ] as const
      ) {
        if (!value) continue;
        port.push(test);
        args.push(value);
      }
      where.push(
        `EXISTS (SELECT 1 FROM actors a JOIN ports po ON po.actor_id = a.id
          WHERE a.version_id = p.latest_id AND ${port.join(" AND ")})`,
      );
    }
    if (query.noPermissions) {
      where.push(
        `NOT EXISTS (SELECT 1 FROM actors a JOIN permissions pe ON pe.actor_id = a.id
          WHERE a.version_id = p.latest_id)`,
      );
    }
    const filter = `FROM packages p WHERE ${where.join(" AND ")}`;
    const total = Number(
      (this.sql.prepare(`SELECT count(*) AS n ${filter}`).get(...args) as { n: number }).n,
    );
    const limit = Math.trunc(Math.max(1, Math.min(500, query.limit ?? 50)));
    // SQLite takes whole numbers that fit 64 bits only; no index holds 2^31 plugins.
    const offset = Math.trunc(Math.max(0, Math.min(2 ** 31, query.offset ?? 0)));
    const rows = this.sql.prepare(
      `SELECT p.id, p.name, p.description, v.version, r.url AS registry ${
        filter.replace(
          "FROM packages p",
          "FROM packages p JOIN versions v ON v.id = p.latest_id JOIN registries r ON r.id = p.registry_id",
        )
      } ORDER BY ${order} LIMIT ? OFFSET ?`,
    ).all(...args, ...(fts !== "" ? [fts] : []), limit, offset) as Array<
      { id: number; name: string; description: string; version: string; registry: string }
    >;
    return { total, results: rows.map((row) => this.#summary(row)) };
  }

  /**
   * Everything about one plugin, or `undefined` when the marketplace does not know it.
   *
   * @param name The package name.
   * @returns Its details.
   */
  details(name: string): MarketDetails | undefined {
    const row = this.sql.prepare(
      `SELECT p.id, p.name, p.description, p.latest_id, r.url AS registry FROM packages p
       JOIN registries r ON r.id = p.registry_id WHERE p.name = ? ORDER BY p.latest_id IS NULL
       LIMIT 1`,
    ).get(name) as
      | {
        id: number;
        name: string;
        description: string;
        latest_id: number | null;
        registry: string;
      }
      | undefined;
    if (row === undefined) return undefined;
    const versions = (this.sql.prepare(
      `SELECT id, version, integrity, tarball, published, deprecated, problem, manifest
       FROM versions WHERE package_id = ? ORDER BY sort_key DESC`,
    ).all(row.id) as Array<Record<string, string | number | null>>).map((v) => ({
      id: Number(v.id),
      version: {
        version: String(v.version),
        integrity: String(v.integrity),
        tarball: String(v.tarball),
        ...(v.published ? { published: String(v.published) } : {}),
        ...(v.deprecated ? { deprecated: String(v.deprecated) } : {}),
        ...(v.problem ? { problem: String(v.problem) } : {}),
        ...(v.manifest ? { manifest: JSON.parse(String(v.manifest)) as Manifest } : {}),
      } satisfies MarketVersion,
    }));
    const latest = versions.find((v) => v.id === row.latest_id)?.version;
    return {
      name: row.name,
      description: row.description,
      registry: row.registry,
      ...(latest === undefined ? {} : { latest }),
      versions: versions.map((v) => v.version),
    };
  }

  /**
   * How many plugins and versions the index holds, and its size in bytes.
   *
   * @returns The counts.
   */
  stats(): { plugins: number; versions: number; refused: number; bytes: number } {
    const n = (q: string): number => Number((this.sql.prepare(q).get() as { n: number }).n);
    return {
      plugins: n("SELECT count(*) AS n FROM packages WHERE latest_id IS NOT NULL"),
      versions: n("SELECT count(*) AS n FROM versions"),
      refused: n("SELECT count(*) AS n FROM versions WHERE problem IS NOT NULL"),
      bytes: n("SELECT page_count * page_size AS n FROM pragma_page_count, pragma_page_size"),
    };
  }

  /** Closes the database. */
  close(): void {
    if (this.sql.isOpen) this.sql.close();
  }

  /** Closes the database. */
  [Symbol.dispose](): void {
    this.close();
  }

  #summary(
    row: { id: number; name: string; description: string; version: string; registry: string },
  ): MarketPlugin {
    const types = (this.sql.prepare(
      `SELECT DISTINCT a.type FROM actors a JOIN packages p ON p.latest_id = a.version_id
       WHERE p.id = ? ORDER BY a.type`,
    ).all(row.id) as Array<{ type: string }>).map((r) => r.type);
    const permissions = (this.sql.prepare(
      `SELECT DISTINCT pe.name FROM permissions pe JOIN actors a ON a.id = pe.actor_id
       JOIN packages p ON p.latest_id = a.version_id WHERE p.id = ? ORDER BY pe.name`,
    ).all(row.id) as Array<{ name: PermissionName }>).map((r) => r.name);
    return {
      name: row.name,
      version: row.version,
      description: row.description,
      registry: row.registry,
      types,
      permissions,
    };
  }
}

/** Words as an FTS5 query: each one a quoted prefix, all required (control characters part them). */
function _ftsQuery(text: string): string {
  // deno-lint-ignore no-control-regex -- control characters are what it splits on
  return text.split(/[\s\u0000-\u001f\u007f]+/).filter((w) => w !== "").map((w) =>
    `"${w.replaceAll('"', '""')}"*`
  )
    .join(" ");
}
