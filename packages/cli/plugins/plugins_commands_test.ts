import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, RunningCli } from "../_testing.ts";
import { freePort } from "../../net/link/_nats_testing.ts";
import { discoverPlugins } from "../discover_plugins.ts";
import { serveMarket } from "../market/serve_market.ts";
import { _jsonFile, _serveRegistry } from "./_registry_testing.ts";

/** Moves the cursor up a line and erases it: a terminal shows nothing of the line above. */
const ERASE_LINE_ABOVE = "\u001b[1A\u001b[2K";

Deno.test("plugins install shows a manifest's control characters as text, so a permission's reason cannot erase the permission lines above it before the user agrees", async () => {
  const name = "@acme/sneaky";
  const actor = (type: string, permissions: Record<string, unknown>) => ({
    type,
    description: "Sends its input on",
    classification: "Filter/Any",
    module: "./sneaky.ts",
    export: "Sneaky",
    inputs: { in: { kind: "any" } },
    outputs: { out: { kind: "any" } },
    params: { path: { type: "string", default: "" } },
    permissions,
  });
  await using registry = await _serveRegistry([
    new Map([
      ["package.json", _jsonFile({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
      [
        "manifest.json",
        _jsonFile({
          name,
          version: "1.0.0",
          streamlib: "^0.1.0",
          actors: [
            actor("sneaky_net", { net: { reason: "sends what it gets anywhere" } }),
            actor("sneaky_read", {
              read: { reason: `reads its file${ERASE_LINE_ABOVE.repeat(2)}`, params: ["path"] },
            }),
          ],
        }),
      ],
      ["sneaky.ts", new Uint8Array()],
    ]),
  ]);
  const project = await Deno.makeTempDir({ prefix: "streamlib-plugins-commands-test-" });
  try {
    const { code, stderr } = await cli(
      ["plugins", "install", name, "--registry", registry.url, "--yes"],
      { cwd: project, env: { STREAMLIB_CACHE: join(project, ".cache") } },
    );
    assert.equal(code, 0, stderr);
    assert.ok(!stderr.includes("\u001b"), JSON.stringify(stderr));
    assert.match(stderr, /^ {2}net \(sneaky_net\): everything — sends what it gets anywhere$/m);
    assert.match(
      stderr,
      /^ {2}read \(sneaky_read\): the value of its "path" parameter — reads its file\\u001b\[1A\\u001b\[2K/m,
    );
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});

Deno.test("plugins info shows what each permission covers beside its reason, as install asks for it", async () => {
  const name = "@acme/mailer";
  await using registry = await _serveRegistry([
    new Map([
      ["package.json", _jsonFile({ name, version: "1.0.0", keywords: ["streamlib-plugin"] })],
      [
        "manifest.json",
        _jsonFile({
          name,
          version: "1.0.0",
          streamlib: "^0.1.0",
          actors: [{
            type: "mailer",
            description: "Mails what it gets",
            classification: "Sink/Data",
            module: "./mailer.ts",
            export: "Mailer",
            inputs: { in: { kind: "data" } },
            params: { outbox: { type: "string", default: "/var/mail/copies" } },
            permissions: {
              net: { reason: "sends mail", values: ["smtp.example.com:587"] },
              write: { reason: "keeps a copy", params: ["outbox"] },
              env: { reason: "reads its settings" },
            },
          }],
        }),
      ],
      ["mailer.ts", new Uint8Array()],
    ]),
  ]);
  await using market = await serveMarket({
    registries: [registry.url],
    db: ":memory:",
    port: 0,
    interval: 0,
  });
  const { code, stdout, stderr } = await cli(["plugins", "info", name, "--market", market.url]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^ {4}permission net: smtp\.example\.com:587 — sends mail$/m);
  assert.match(
    stdout,
    /^ {4}permission write: the value of its "outbox" parameter \(default "\/var\/mail\/copies"\) — keeps a copy$/m,
  );
  assert.match(stdout, /^ {4}permission env: everything — reads its settings$/m);
});

Deno.test("plugins search refuses a port kind or direction that does not exist, instead of finding nothing", async () => {
  for (
    const [flag, value, pattern] of [
      [
        "--port",
        "vidoe",
        /SL_USAGE: --port "vidoe" is not a port kind: video, audio, data, event or any/,
      ],
      ["--direction", "sideways", /SL_USAGE: --direction "sideways" is not in or out/],
    ] as const
  ) {
    const { code, stdout, stderr } = await cli([
      "plugins",
      "search",
      flag,
      value,
      "--market",
      "http://127.0.0.1:9/",
    ]);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, pattern);
  }
});

Deno.test("an installed plugin whose package.json names its manifest elsewhere (dist/manifest.json) is found there, as install checked it", async () => {
  const name = "@acme/dist";
  await using registry = await _serveRegistry([
    new Map([
      [
        "package.json",
        _jsonFile({
          name,
          version: "1.0.0",
          keywords: ["streamlib-plugin"],
          streamlib: { manifest: "dist/manifest.json" },
        }),
      ],
      [
        "dist/manifest.json",
        _jsonFile({
          name,
          version: "1.0.0",
          streamlib: "^0.1.0",
          actors: [{
            type: "distsink",
            description: "Takes anything",
            classification: "Sink/Any",
            module: "./distsink.ts",
            export: "DistSink",
            inputs: { in: { kind: "any" } },
          }],
        }),
      ],
      ["dist/distsink.ts", new Uint8Array()],
    ]),
  ]);
  const project = await Deno.makeTempDir({ prefix: "streamlib-plugins-commands-test-" });
  try {
    const installed = await cli(
      ["plugins", "install", name, "--registry", registry.url],
      { cwd: project, env: { STREAMLIB_CACHE: join(project, ".cache") } },
    );
    assert.equal(installed.code, 0, installed.stderr);
    const { catalogue, plugins, warnings } = await discoverPlugins({ cwd: project });
    assert.deepEqual(warnings, []);
    assert.ok(catalogue.has("distsink"));
    const found = plugins.find((p) => p.manifest.name === name);
    assert.match(found?.url ?? "", /streamlib_plugins\/@acme\/dist\/dist\/manifest\.json$/);
    assert.equal(found?.installed, true);
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});

Deno.test("plugins commands with nothing to do say so, install without names or lockfile fails as npm ci does, and pack -o refuses a file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const installed = await cli(["plugins", "installed"], { cwd: dir });
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(installed.stdout, "no plugins installed in streamlib_plugins\n");
    const updated = await cli(["plugins", "update"], { cwd: dir });
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(
      updated.stdout,
      /^no plugins installed in streamlib_plugins: nothing to update\n$/,
    );
    const frozen = await cli(["plugins", "install", "--frozen"], { cwd: dir });
    assert.equal(frozen.code, 1);
    assert.match(frozen.stderr, /^streamlib: error SL_LOCKFILE: No \S+streamlib\.lock here: name/m);
    const motion = join(Deno.cwd(), "plugins/motion");
    const file = await cli(["plugins", "pack", motion, "-o", "out.tgz"], { cwd: dir });
    assert.equal(file.code, 2);
    assert.match(file.stderr, /SL_USAGE: -o takes the folder to write the \.tgz in/);
    const folder = await cli(["plugins", "pack", motion, "-o", "made/here"], { cwd: dir });
    assert.equal(folder.code, 0, folder.stderr);
    assert.ok(
      Deno.statSync(
        join(dir, "made/here", /^(\S+\.tgz):/.exec(folder.stdout)![1]!.split("/").pop()!),
      ).isFile,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("market serve says with a code that a registry cannot be indexed, and keeps serving", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using market = new RunningCli([
      "market",
      "serve",
      "--registry",
      `http://127.0.0.1:${freePort()}`,
      "--db",
      join(dir, "market.db"),
      "--port",
      String(freePort()),
    ]);
    await market.waitFor(
      "stderr",
      /^streamlib: error SL_REGISTRY: cannot index http:\/\/127\.0\.0\.1:\d+ \(the marketplace keeps serving what it has\): /m,
    );
    await market.waitFor("stderr", /the marketplace serves http:\/\/127\.0\.0\.1:\d+\//);
    market.kill("SIGINT");
    assert.equal((await market.ended()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
