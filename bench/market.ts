/**
 * `deno task bench:market`: the marketplace against a real local registry (Verdaccio). Publishes
 * 200 plugin versions (40 plugins × 5 versions, each with its own actor types, ports and
 * permissions), then measures indexing them all (time, database size), an incremental
 * re-indexing, search latency (p50/p99 over 2,000 searches by words, type, port format and
 * "needs no permissions"), and `install` of one plugin from a cold and a warm tarball cache.
 * Ends with one `market:` line.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark: it reports on the console

import { join } from "node:path";
import { startVerdaccio } from "../packages/cli/plugins/_verdaccio_testing.ts";
import { RegistryClient } from "../packages/cli/plugins/registry_client.ts";
import { writeTarball } from "../packages/cli/plugins/tarball.ts";
import { installPlugins } from "../packages/cli/plugins/install_plugins.ts";
import { MarketDb } from "../packages/cli/market/market_db.ts";
import { indexRegistry } from "../packages/cli/market/index_registry.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:market");

const PLUGINS = 40;
const VERSIONS = 5;
const SEARCHES = 2_000;
const FORMATS = ["RGBA", "I420", "NV12", "text", "json", "f32"];
const KINDS = ["video", "video", "video", "data", "data", "audio"];

const encode = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v, null, 2));
const source = await Deno.readTextFile(
  new URL("../packages/cli/plugins/testdata/reader/reader.ts", import.meta.url),
);

function plugin(
  i: number,
  v: number,
): { pkg: { name: string; version: string }; files: Map<string, Uint8Array> } {
  const name = `@bench/plugin-${i}`;
  const version = `1.${v}.0`;
  const f = i % FORMATS.length;
  const manifest = {
    name,
    version,
    description: `Bench plugin ${i}: ${["blur", "detect", "mix", "encode", "tag"][i % 5]} for ${
      KINDS[f]
    }`,
    streamlib: "^0.1.0",
    actors: [{
      type: `bench${i}`,
      description: `Actor ${i} of the benchmark, version ${version}`,
      classification: "Filter/Data",
      module: "./reader.ts",
      export: "TextSource",
      inputs: { in: { kind: KINDS[f], formats: [FORMATS[f]] } },
      outputs: { out: { kind: KINDS[f], formats: [FORMATS[f]] } },
      params: { path: { type: "string", default: "", description: "A path" } },
      ...(i % 3 === 0 ? {} : {
        permissions: { read: { reason: "reads the file it is given", params: ["path"] } },
      }),
    }],
  };
  const pkg = { name, version, description: manifest.description, keywords: ["streamlib-plugin"] };
  return {
    pkg,
    files: new Map([
      ["package.json", encode(pkg)],
      ["manifest.json", encode(manifest)],
      ["reader.ts", new TextEncoder().encode(source)],
    ]),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

await using registry = await startVerdaccio();
const client = new RegistryClient(registry.url);
const work = await Deno.makeTempDir({ prefix: "streamlib-bench-market-" });
try {
  let t = performance.now();
  for (let v = 0; v < VERSIONS; v++) {
    for (let i = 0; i < PLUGINS; i++) {
      const { pkg, files } = plugin(i, v);
      await client.publish(await writeTarball(files), pkg);
    }
  }
  const publishMs = performance.now() - t;

  const dbPath = join(work, "market.db");
  using db = new MarketDb(dbPath);
  t = performance.now();
  const first = await indexRegistry(db, registry.url);
  const indexMs = performance.now() - t;
  db.sql.exec("PRAGMA wal_checkpoint; VACUUM");
  const stats = db.stats();
  const fileBytes = (await Deno.stat(dbPath)).size;
  t = performance.now();
  const again = await indexRegistry(db, registry.url);
  const reindexMs = performance.now() - t;

  const queries = [
    (i: number) => ({
      text: ["blur", "detect video", "mix", "bench plugin", "encode audio"][i % 5],
    }),
    (i: number) => ({ type: `bench${i % PLUGINS}` }),
    (i: number) => ({ port: KINDS[i % 6], format: FORMATS[i % 6] }),
    (_i: number) => ({ text: "plugin", noPermissions: true }),
  ];
  const times: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const query = queries[i % queries.length]!(i);
    const s = performance.now();
    db.search(query);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);

  const install = async (cache: string, dir: string): Promise<number> => {
    const s = performance.now();
    await installPlugins(["@bench/plugin-7@^1.0.0"], {
      dir,
      registry: registry.url,
      cache,
      yes: true,
    });
    return performance.now() - s;
  };
  const cache = join(work, "cache");
  const cold = await install(cache, join(work, "cold", "streamlib_plugins"));
  await Deno.mkdir(join(work, "warm"), { recursive: true });
  await Deno.copyFile(join(work, "cold", "streamlib.lock"), join(work, "warm", "streamlib.lock"));
  const warm = await install(cache, join(work, "warm", "streamlib_plugins"));

  console.log(
    `published ${PLUGINS * VERSIONS} versions of ${PLUGINS} plugins in ${
      (publishMs / 1000).toFixed(1)
    } s`,
  );
  console.log(
    `indexed: ${first.packages} plugins, ${first.added} versions, ${first.refused} refused`,
  );
  console.log(`re-indexed: ${again.unchanged} unchanged, ${again.added} added`);
  console.log(
    `market: index ${stats.versions} versions ${(indexMs / 1000).toFixed(2)} s ` +
      `(${(indexMs / stats.versions).toFixed(1)} ms/version), db ${
        (fileBytes / 1024).toFixed(0)
      } KiB, ` +
      `re-index ${reindexMs.toFixed(0)} ms; search p50 ${percentile(times, 0.5).toFixed(3)} ms ` +
      `p99 ${percentile(times, 0.99).toFixed(3)} ms over ${SEARCHES}; install cold ${
        cold.toFixed(0)
      } ms, ` +
      `warm ${warm.toFixed(0)} ms`,
  );
} finally {
  await Deno.remove(work, { recursive: true });
}
