import type { Manifest } from "@streamlib/core";
import { PLUGIN_KEYWORD, RegistryClient, type SearchHit } from "../plugins/registry_client.ts";
import { checkIntegrity, readTarball } from "../plugins/tarball.ts";
import { _checkedManifest } from "../plugins/_package_check.ts";
import type { MarketDb } from "./market_db.ts";

/**
 * What one indexing of a registry did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IndexReport } from "@streamlib/cli/market";
 * const r: IndexReport = { packages: 3, unchanged: 2, added: 1, refused: 0, removed: 0 };
 * assert.ok(r.added === 1);
 * ```
 */
export interface IndexReport {
  /** Plugins the registry lists. */
  readonly packages: number;
  /** Of those, unchanged since the last indexing (their documents were not even fetched). */
  readonly unchanged: number;
  /** Versions added. */
  readonly added: number;
  /** Versions refused (integrity, manifest), kept with the reason and not fetched again. */
  readonly refused: number;
  /** Versions gone from the registry, taken out. */
  readonly removed: number;
}

/**
 * Indexes the streamlib plugins of an npm-compatible registry into `db`: it finds them by
 * search (`keywords:streamlib-plugin`, and Verdaccio's list of every package, keeping those
 * with the keyword) and by `names`, fetches each changed package's document, downloads each new
 * version's tarball once, checks its integrity and its manifest, and stores its actor types,
 * ports, parameters and permissions. Incremental: a package whose modification time is
 * unchanged is skipped, and versions already indexed (good or refused) are never downloaded
 * again; deprecations are updated and versions the registry no longer has are taken out.
 *
 * @example
 * ```ts ignore
 * using db = new MarketDb("market.db");
 * const report = await indexRegistry(db, "http://127.0.0.1:4873");
 * ```
 *
 * @param db The index.
 * @param url The registry.
 * @param options Package names to index beyond what the search finds; a token.
 * @returns What changed.
 */
export async function indexRegistry(
  db: MarketDb,
  url: string,
  options: { readonly names?: readonly string[]; readonly token?: string } = {},
): Promise<IndexReport> {
  const registry = new RegistryClient(url, options.token);
  const registryId = db.registry(registry.url);
  const found = new Map<string, SearchHit | undefined>();
  for (const text of [`keywords:${PLUGIN_KEYWORD}`, ""]) {
    for (const hit of await registry.search(text)) {
      if (hit.keywords.includes(PLUGIN_KEYWORD)) found.set(hit.name, hit);
    }
  }
  for (const name of options.names ?? []) if (!found.has(name)) found.set(name, undefined);
  let unchanged = 0, added = 0, refused = 0, removed = 0;
  for (const [name, hit] of [...found].sort(([a], [b]) => a < b ? -1 : 1)) {
    const known = db.sql.prepare(
      "SELECT id, modified FROM packages WHERE registry_id = ? AND name = ?",
    ).get(registryId, name) as { id: number; modified: string | null } | undefined;
    if (known !== undefined && hit?.modified !== undefined && known.modified === hit.modified) {
      unchanged++;
      continue;
    }
    const doc = await registry.packument(name);
    const have = new Map(
      (db.sql.prepare("SELECT id, version FROM versions WHERE package_id = ?").all(
        known?.id ?? -1,
      ) as Array<{ id: number; version: string }>).map((v) => [v.version, v.id]),
    );
    // Download and check what is new before touching the index.
    const fresh: Array<
      { version: string; integrity: string; tarball: string; manifest?: Manifest; problem?: string }
    > = [];
    for (const v of Object.values(doc.versions)) {
      if (have.has(v.version)) continue;
      const integrity = v.dist.integrity ?? v.dist.shasum ?? "";
      try {
        if (integrity === "") throw new Error("the registry gives no integrity for it");
        const bytes = await registry.tarball(v.dist.tarball);
        await checkIntegrity(bytes, integrity, `${name} ${v.version}`);
        const manifest = _checkedManifest(await readTarball(bytes), name, v.version);
        fresh.push({ version: v.version, integrity, tarball: v.dist.tarball, manifest });
        added++;
      } catch (error) {
        fresh.push({
          version: v.version,
          integrity,
          tarball: v.dist.tarball,
          problem: (error as Error).message,
        });
        refused++;
      }
    }
    db.transaction(() => {
      db.sql.prepare(
        `INSERT INTO packages (registry_id, name, description, modified) VALUES (?, ?, ?, ?)
         ON CONFLICT (registry_id, name) DO UPDATE SET description = excluded.description,
         modified = excluded.modified`,
      ).run(registryId, name, doc.description ?? "", hit?.modified ?? doc.time?.modified ?? null);
      const packageId = Number(
        (db.sql.prepare("SELECT id FROM packages WHERE registry_id = ? AND name = ?").get(
          registryId,
          name,
        ) as { id: number }).id,
      );
      for (const [version, id] of have) {
        if (doc.versions[version] === undefined) {
          db.sql.prepare("DELETE FROM versions WHERE id = ?").run(id);
          removed++;
        }
      }
      for (const v of fresh) _storeVersion(db, packageId, v, doc.time?.[v.version]);
      for (const v of Object.values(doc.versions)) {
        db.sql.prepare("UPDATE versions SET deprecated = ? WHERE package_id = ? AND version = ?")
          .run(v.deprecated ?? null, packageId, v.version);
      }
      _refreshLatest(db, packageId, name, doc.description ?? "");
    });
  }
  db.sql.prepare("UPDATE registries SET indexed_at = ? WHERE id = ?").run(
    new Date().toISOString(),
    registryId,
  );
  return { packages: found.size, unchanged, added, refused, removed };
}

function _storeVersion(
  db: MarketDb,
  packageId: number,
  v: { version: string; integrity: string; tarball: string; manifest?: Manifest; problem?: string },
  published: string | undefined,
): void {
  const { lastInsertRowid } = db.sql.prepare(
    `INSERT INTO versions (package_id, version, sort_key, integrity, tarball, published, problem,
     manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    packageId,
    v.version,
    _sortKey(v.version),
    v.integrity,
    v.tarball,
    published ?? null,
    v.problem ?? null,
    v.manifest === undefined ? null : JSON.stringify(v.manifest),
  );
  const versionId = Number(lastInsertRowid);
  for (const actor of v.manifest?.actors ?? []) {
    const actorId = Number(
      db.sql.prepare(
        "INSERT INTO actors (version_id, type, description, classification) VALUES (?, ?, ?, ?)",
      ).run(versionId, actor.type, actor.description, actor.classification).lastInsertRowid,
    );
    for (const [direction, ports] of [["in", actor.inputs], ["out", actor.outputs]] as const) {
      for (const [port, spec] of Object.entries(ports ?? {})) {
        for (const format of spec.formats?.length ? spec.formats : [""]) {
          db.sql.prepare(
            "INSERT INTO ports (actor_id, direction, name, kind, format) VALUES (?, ?, ?, ?, ?)",
          ).run(actorId, direction, port, spec.kind, format);
        }
      }
    }
    for (const [param, schema] of Object.entries(actor.params ?? {})) {
      db.sql.prepare(
        "INSERT INTO params (actor_id, name, type, default_json, description) VALUES (?, ?, ?, ?, ?)",
      ).run(
        actorId,
        param,
        String(schema.type),
        schema.default === undefined ? null : JSON.stringify(schema.default),
        schema.description ?? "",
      );
    }
    for (const [permission, request] of Object.entries(actor.permissions ?? {})) {
      if (request === undefined) continue;
      db.sql.prepare(
        "INSERT INTO permissions (actor_id, name, reason, scope) VALUES (?, ?, ?, ?)",
      ).run(
        actorId,
        permission,
        request.reason,
        JSON.stringify({ values: request.values ?? null, params: request.params ?? null }),
      );
    }
  }
}

/** Points the package at its newest good version and rewrites its search row from it. */
function _refreshLatest(db: MarketDb, packageId: number, name: string, description: string): void {
  const good = db.sql.prepare(
    `SELECT id, deprecated, manifest FROM versions WHERE package_id = ? AND problem IS NULL
     ORDER BY sort_key DESC`,
  ).all(packageId) as Array<{ id: number; deprecated: string | null; manifest: string }>;
  const latest = good.find((v) => v.deprecated === null) ?? good[0];
  db.sql.prepare("UPDATE packages SET latest_id = ? WHERE id = ?").run(
    latest?.id ?? null,
    packageId,
  );
  db.sql.prepare("DELETE FROM search WHERE rowid = ?").run(packageId);
  if (latest === undefined) return;
  const manifest = JSON.parse(latest.manifest) as Manifest;
  if (manifest.description !== undefined) {
    db.sql.prepare("UPDATE packages SET description = ? WHERE id = ?").run(
      manifest.description,
      packageId,
    );
  }
  const types = manifest.actors.map((a) =>
    `${_withWords(a.type)} ${a.classification} ${a.description}`
  );
  const ports = manifest.actors.flatMap((a) =>
    [...Object.entries(a.inputs ?? {}), ...Object.entries(a.outputs ?? {})].map(([port, spec]) =>
      `${port} ${spec.kind} ${(spec.formats ?? []).join(" ")}`
    )
  );
  db.sql.prepare(
    "INSERT INTO search (rowid, name, description, types, ports) VALUES (?, ?, ?, ?, ?)",
  ).run(
    packageId,
    _withWords(name),
    manifest.description ?? description,
    types.join(" "),
    ports.join(" "),
  );
}

/**
 * A name and, after it, its words: the search's tokens keep `@/._-` inside them (so
 * `@acme/blur` is one), and a search for `blur`, `acme` or `motion` (of `motion_detector`)
 * must find it too.
 */
function _withWords(name: string): string {
  const words = name.split(/[@/._-]+/).filter((w) => w !== "");
  return words.length > 1 || words[0] !== name ? `${name} ${words.join(" ")}` : name;
}

/** A text that sorts as the versions do (numbers padded; a release after its prereleases). */
function _sortKey(version: string): string {
  const [core = "", pre] = version.split("+")[0]!.split(/-(.*)/s);
  const nums = core.split(".").map((n) => n.padStart(10, "0")).join(".");
  return pre === undefined ? `${nums}~` : `${nums}-${pre}`;
}
