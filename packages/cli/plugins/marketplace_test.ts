import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, isAlive, ROOT } from "../_testing.ts";
import { startVerdaccio } from "./_verdaccio_testing.ts";
import { RegistryClient } from "./registry_client.ts";
import { writeTarball } from "./tarball.ts";
import { serveMarket } from "../market/serve_market.ts";
import { launchBrowser, needsChromium } from "../../net/_browser_testing.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;

/** Every file under `dir` with its bytes, by relative path. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string, rel: string): Promise<void> => {
    for await (const entry of Deno.readDir(at)) {
      const path = join(at, entry.name);
      if (entry.isDirectory) await walk(path, `${rel}${entry.name}/`);
      else out[`${rel}${entry.name}`] = await Deno.readTextFile(path);
    }
  };
  await walk(dir, "");
  return out;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test(needsChromium({
  name:
    "plugins are published to a real registry, found in the marketplace, installed with consent and integrity, and run sandboxed",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using registry = await startVerdaccio();
    const project = await Deno.makeTempDir({ prefix: "streamlib-market-test-" });
    const env = { STREAMLIB_CACHE: join(project, ".cache"), STREAMLIB_REGISTRY: registry.url };
    const run = (args: string[], cwd = project) => cli(args, { cwd, env });
    try {
      await t.step(
        "plugins publish checks, packs and publishes motion and two test plugins",
        async () => {
          for (
            const dir of [join(ROOT, "plugins/motion"), `${TESTDATA}reader`, `${TESTDATA}snoop`]
          ) {
            const published = await run(["plugins", "publish", dir, "--registry", registry.url]);
            assert.equal(published.code, 0, published.stderr);
            assert.match(published.stdout, /^published \S+ \d+\.\d+\.\d+ to .* sha512-/);
          }
          const again = await run([
            "plugins",
            "publish",
            `${TESTDATA}reader`,
            "--registry",
            registry.url,
          ]);
          assert.equal(again.code, 1, "a published version never changes");
          assert.match(again.stderr, /SL_REGISTRY.*raise the version/s);
        },
      );

      await t.step(
        "a manifest that fails validation is refused at install, and nothing is written",
        async () => {
          const manifest = {
            name: "@streamlib-test/broken",
            version: "1.0.0",
            streamlib: "^0.1.0",
            actors: [{ type: "Bad Type" }],
          };
          const pkg = {
            name: "@streamlib-test/broken",
            version: "1.0.0",
            keywords: ["streamlib-plugin"],
          };
          const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
          const tgz = await writeTarball(
            new Map([["package.json", encode(pkg)], ["manifest.json", encode(manifest)]]),
          );
          await new RegistryClient(registry.url).publish(tgz, pkg);
          const refused = await run(["plugins", "install", "@streamlib-test/broken", "--yes"]);
          assert.equal(refused.code, 2, refused.stderr);
          assert.match(
            refused.stderr,
            /SL_MANIFEST_INVALID: @streamlib-test\/broken 1\.0\.0 is refused/,
          );
          assert.equal(await exists(join(project, "streamlib_plugins")), false);
          assert.equal(await exists(join(project, "streamlib.lock")), false);
        },
      );

      await t.step(
        "the marketplace indexes the registry and finds plugins by words, actor type and port format",
        async () => {
          await using market = await serveMarket({
            registries: [registry.url],
            db: ":memory:",
            port: 0,
            interval: 0,
          });
          const search = async (query: string) =>
            ((await (await fetch(`${market.url}api/v1/search?${query}`)).json()) as {
              results: Array<{ name: string }>;
            })
              .results.map((r) => r.name);
          assert.deepEqual(await search("q=motion"), ["@streamlib/plugin-motion"]);
          assert.deepEqual(await search("type=textsrc"), ["@streamlib-test/reader"]);
          assert.deepEqual(await search("port=data&format=text"), ["@streamlib-test/reader"]);
          assert.deepEqual(await search("port=video&format=RGBA"), ["@streamlib/plugin-motion"]);
          assert.deepEqual(await search("noPermissions=1"), [
            "@streamlib-test/snoop",
            "@streamlib/plugin-motion",
          ]);
          const broken = await (await fetch(`${market.url}api/v1/plugins/@streamlib-test/broken`))
            .json();
          assert.match(broken.versions[0].problem, /SL_MANIFEST_INVALID|is refused/);
          const found = await run([
            "plugins",
            "search",
            "--market",
            market.url,
            "--format",
            "text",
          ]);
          assert.equal(found.code, 0, found.stderr);
          assert.match(
            found.stdout,
            /^@streamlib-test\/reader 1\.0\.0 .*\n {2}types: textsrc {2}permissions: read\n$/,
          );
          // A second indexing downloads nothing: every package is unchanged.
          const { indexRegistry } = await import("../market/index_registry.ts");
          assert.deepEqual(await indexRegistry(market.db, registry.url), {
            packages: 4,
            unchanged: 4,
            added: 0,
            refused: 0,
            removed: 0,
          });

          await using chrome = await launchBrowser();
          const page = await chrome.open(`${market.url}plugins/@streamlib-test/reader`);
          const permission = await page.$("li.perm");
          assert.ok(permission !== null, "the permission is on the page");
          assert.match(
            await permission.evaluate((e) => (e as unknown as { innerText: string }).innerText),
            /read \(the value of its "path" parameter\): reads the file it is given/,
          );
          const box = await permission.boundingBox();
          assert.ok(
            box !== null && box.width > 100 && box.height > 5,
            "the permission is laid out",
          );
          const line = await permission.screenshot({ type: "png" });
          assert.ok(line.length > 500, "the permission line renders as visible text");
          const shot = await page.screenshot({ type: "png", fullPage: true });
          assert.ok(shot.length > 5_000, "the page renders");
          assert.match(
            await page.$eval("#install", (e) => e.textContent ?? ""),
            /streamlib plugins install @streamlib-test\/reader@1\.0\.0/,
          );
        },
      );

      const file = join(project, "hello.txt");
      await Deno.writeTextFile(file, "hello from an installed plugin");
      await t.step(
        "install → run a pipeline with the plugin's actor → --frozen elsewhere gives the same files",
        async () => {
          const asked = await run(["plugins", "install", "@streamlib-test/reader@^1.0.0"]);
          assert.equal(asked.code, 1, "no consent, no install");
          assert.match(
            asked.stderr,
            /read \(textsrc\): the value of its "path" parameter — reads the file it is given/,
          );
          assert.match(asked.stderr, /SL_PERMISSION_NOT_GRANTED.*--yes/s);
          const installed = await run([
            "plugins",
            "install",
            "@streamlib-test/reader@^1.0.0",
            "--yes",
          ]);
          assert.equal(installed.code, 0, installed.stderr);
          assert.equal(installed.stdout, "@streamlib-test/reader 1.0.0 (registry)\n");
          const ran = await run(["run", "--no-control", `textsrc path=${file} ! log`]);
          assert.equal(ran.code, 0, ran.stderr);
          assert.equal(ran.stdout, `log0: t=0.000000s #0 data "hello from an installed plugin"\n`);

          const clean = await Deno.makeTempDir({ prefix: "streamlib-frozen-" });
          try {
            await Deno.copyFile(join(project, "streamlib.lock"), join(clean, "streamlib.lock"));
            const frozen = await cli(["plugins", "install", "--frozen"], {
              cwd: clean,
              env: { ...env, STREAMLIB_REGISTRY: "http://127.0.0.1:9/" }, // the cache, not the network
            });
            assert.equal(frozen.code, 0, frozen.stderr);
            assert.equal(frozen.stdout, "@streamlib-test/reader 1.0.0 (cache)\n");
            assert.deepEqual(
              await tree(join(clean, "streamlib_plugins")),
              await tree(join(project, "streamlib_plugins")),
            );
            assert.equal(
              await Deno.readTextFile(join(clean, "streamlib.lock")),
              await Deno.readTextFile(join(project, "streamlib.lock")),
            );
            const other = await cli(["plugins", "install", "--frozen", "@streamlib-test/snoop"], {
              cwd: clean,
              env,
            });
            assert.equal(other.code, 1);
            assert.match(other.stderr, /SL_LOCKFILE: @streamlib-test\/snoop is not in/);
          } finally {
            await Deno.remove(clean, { recursive: true });
          }
        },
      );

      await t.step(
        "an update that asks for more permissions is refused until --grant, with the difference",
        async () => {
          const next = await run([
            "plugins",
            "publish",
            `${TESTDATA}reader_next`,
            "--registry",
            registry.url,
          ]);
          assert.equal(next.code, 0, next.stderr);
          const lock = await Deno.readTextFile(join(project, "streamlib.lock"));
          const refused = await run(["plugins", "update"]);
          assert.equal(refused.code, 1);
          assert.match(
            refused.stderr,
            /SL_PERMISSION_NOT_GRANTED: @streamlib-test\/reader 1\.1\.0 asks for more permissions than 1\.0\.0 was granted:\n {2}net: 127\.0\.0\.1:9 \(new\)/,
          );
          assert.equal(
            await Deno.readTextFile(join(project, "streamlib.lock")),
            lock,
            "nothing changed",
          );
          const granted = await run(["plugins", "update", "--grant"]);
          assert.equal(granted.code, 0, granted.stderr);
          assert.equal(granted.stdout, "@streamlib-test/reader 1.0.0 → 1.1.0\n");
          assert.match(
            await Deno.readTextFile(join(project, "streamlib.lock")),
            /"127\.0\.0\.1:9"/,
          );
        },
      );

      await t.step(
        "a plugin actor that reads or connects beyond its manifest is refused, naming the plugin",
        async () => {
          const installed = await run(["plugins", "install", "@streamlib-test/snoop", "--yes"]);
          assert.equal(installed.code, 0, installed.stderr);
          for (
            const [action, what] of [["read", /read access to "\/etc\/hostname"/], [
              "net",
              /net access to "127\.0\.0\.1:9"/,
            ]] as const
          ) {
            const ran = await run([
              "run",
              "--no-control",
              `datasrc count=1 ! snoop action=${action} ! nullsink`,
            ]);
            assert.equal(ran.code, 1);
            assert.match(ran.stderr, /\(snoop, from the plugin @streamlib-test\/snoop 1\.0\.0\)/);
            assert.match(ran.stderr, what);
            assert.match(ran.stderr, /its manifest does not declare the "(read|net)" permission/);
            assert.match(
              ran.stderr,
              /Manifest: file:\/\/.*streamlib_plugins\/@streamlib-test\/snoop\/manifest\.json/,
            );
          }
        },
      );

      await t.step(
        "a plugin actor beside filesrc cannot start a program: run is scoped to ffmpeg, and never in its Worker",
        async () => {
          const clip = join(project, "clip.mp4");
          const made = await new Deno.Command("ffmpeg", {
            args: [
              "-loglevel",
              "error",
              "-y",
              "-f",
              "lavfi",
              "-i",
              "testsrc=size=64x36:rate=10",
              "-t",
              "1",
              clip,
            ],
          }).output();
          assert.ok(made.success);
          const pipeline = `filesrc location=${clip} ! snoop action=run ! nullsink`;
          const flags = await run(["run", "--print-permissions", "--no-control", pipeline]);
          assert.match(flags.stdout, / --allow-run=\/\S*ffmpeg\S*\n$/);
          const ran = await run(["run", "--no-control", pipeline]);
          assert.equal(ran.code, 1);
          assert.match(
            ran.stderr,
            /snoop, from the plugin @streamlib-test\/snoop 1\.0\.0\) needed run access to "id"/,
          );
        },
      );

      await t.step(
        "a tarball changed in the registry's storage is refused with SL_INTEGRITY, nothing written",
        async () => {
          const stored = join(
            registry.storage,
            "@streamlib",
            "plugin-motion",
            "plugin-motion-0.1.0.tgz",
          );
          const bytes = await Deno.readFile(stored);
          bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
          await Deno.writeFile(stored, bytes);
          const lock = await Deno.readTextFile(join(project, "streamlib.lock"));
          const refused = await run(["plugins", "install", "@streamlib/plugin-motion", "--yes"]);
          assert.equal(refused.code, 1);
          assert.match(
            refused.stderr,
            /SL_INTEGRITY: The tarball of @streamlib\/plugin-motion 0\.1\.0 .* failed its integrity check/,
          );
          assert.equal(
            await exists(join(project, "streamlib_plugins/@streamlib/plugin-motion")),
            false,
          );
          assert.equal(await Deno.readTextFile(join(project, "streamlib.lock")), lock);
        },
      );

      await t.step(
        "remove takes a plugin out: the catalogue no longer lists its types",
        async () => {
          const removed = await run(["plugins", "remove", "@streamlib-test/reader"]);
          assert.equal(removed.code, 0, removed.stderr);
          assert.equal(removed.stdout, "removed @streamlib-test/reader 1.1.0\n");
          const list = await run(["list"]);
          assert.doesNotMatch(list.stdout, /textsrc/);
          assert.match(list.stdout, /snoop/);
          assert.equal(
            await exists(join(project, "streamlib_plugins/@streamlib-test/reader")),
            false,
          );
        },
      );
    } finally {
      await Deno.remove(project, { recursive: true });
    }
    await registry.close();
    assert.equal(await isAlive(registry.pid), false, "the registry does not outlive the test");
  },
}));
