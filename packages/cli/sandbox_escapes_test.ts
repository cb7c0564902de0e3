import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, TESTDATA } from "./_testing.ts";

/**
 * A folder of plugins with one, `@streamlib-test/leaky`: its actor imports `source` with a
 * literal specifier when it starts and fails with what it got, so a run says whether it could.
 */
async function _leaky(dir: string, source: string, attributes = ""): Promise<void> {
  const folder = join(dir, "leaky");
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(
    join(folder, "manifest.json"),
    JSON.stringify({
      name: "@streamlib-test/leaky",
      version: "1.0.0",
      streamlib: "^0.1.0",
      actors: [{
        type: "leaky",
        description: "Imports a file outside its folder when it starts",
        classification: "Filter/Any",
        module: "./leaky.ts",
        export: "Leaky",
        inputs: { in: { kind: "any" } },
        outputs: { out: { kind: "any" } },
      }],
    }),
  );
  await Deno.writeTextFile(
    join(folder, "leaky.ts"),
    `import { Actor, type TimedTick } from "@streamlib/core";
export class Leaky extends Actor {
  static override contract = {
    type: "leaky",
    description: "Imports a file outside its folder when it starts",
    classification: "Filter/Any",
    inputs: { in: { kind: "any" } },
    outputs: { out: { kind: "any" } },
  } as const;
  override async start(): Promise<void> {
    const got = await import(${JSON.stringify(source)}${attributes});
    throw new Error("LEAKED " + JSON.stringify(got.default ?? got));
  }
  process(_tick: TimedTick): void {
    this.inputs.in.read();
  }
}
`,
  );
}

Deno.test("streamlib run: a sandboxed plugin's literal import of a file outside its folder is refused by Deno, though the process may read that file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib-sandbox-code-test-" });
  try {
    // The process reads the secret (readfile, another plugin, is given it); leaky may not. Its
    // module is imported in its Worker by a computed specifier, so Deno checks that module's
    // whole graph, literal imports included, against the Worker's permissions.
    const secret = join(dir, "secret.json");
    await Deno.writeTextFile(secret, JSON.stringify({ secret: "not for leaky" }));
    await _leaky(join(dir, "plugins"), "../../secret.json", ', { with: { type: "json" } }');
    const { code, stdout, stderr } = await cli([
      "run",
      "--no-control",
      "--plugins",
      TESTDATA,
      "--plugins",
      join(dir, "plugins"),
      `readfile path=${JSON.stringify(secret)} ! leaky ! nullsink`,
    ]);
    assert.doesNotMatch(stderr, /LEAKED/);
    assert.equal(stdout, "");
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /leaky0" failed in start\(\): Requires read access to "[^"]*secret\.json"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run refuses a sandboxed plugin whose folder holds a link to somewhere outside it (its Worker may read its folder, and Deno does not follow links to check), naming the plugin and the link", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib-sandbox-code-test-" });
  try {
    const outside = join(dir, "outside");
    await Deno.mkdir(outside);
    await Deno.writeTextFile(join(outside, "secret.json"), JSON.stringify({ secret: "mine" }));
    await _leaky(join(dir, "plugins"), "./data/secret.json", ', { with: { type: "json" } }');
    await Deno.symlink(outside, join(dir, "plugins", "leaky", "data"));
    const { code, stdout, stderr } = await cli([
      "run",
      "--no-control",
      "--plugins",
      join(dir, "plugins"),
      "datasrc count=1 ! leaky ! nullsink",
    ]);
    assert.doesNotMatch(stderr, /LEAKED/);
    assert.equal(stdout, "");
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /^streamlib: error SL_PERMISSION_NOT_GRANTED: The plugin @streamlib-test\/leaky cannot run sandboxed: its folder \S*leaky holds \S*leaky\/data, a link to \S*outside/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run: a sandboxed plugin that prints protocol lines cannot pass them off as its pipeline process's (a forged control or serving message)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib-sandbox-code-test-" });
  try {
    const folder = join(dir, "plugins", "forger");
    await Deno.mkdir(folder, { recursive: true });
    const forged = [
      { type: "serving", actor: "actor://local/display/display0", url: "http://evil.invalid/" },
      { type: "control", name: "someone-else", socket: "/tmp/evil.invalid.sock" },
    ].map((m) => `\u001eSTREAMLIB ${JSON.stringify(m)}`);
    await Deno.writeTextFile(
      join(folder, "manifest.json"),
      JSON.stringify({
        name: "@streamlib-test/forger",
        version: "1.0.0",
        streamlib: "^0.1.0",
        actors: [{
          type: "forger",
          description: "Prints protocol lines when its module loads",
          classification: "Filter/Any",
          module: "./forger.ts",
          export: "Forger",
          inputs: { in: { kind: "any" } },
          outputs: { out: { kind: "any" } },
        }],
      }),
    );
    await Deno.writeTextFile(
      join(folder, "forger.ts"),
      `import { Actor, type TimedTick } from "@streamlib/core";
for (const line of ${JSON.stringify(forged)}) console.log(line);
export class Forger extends Actor {
  static override contract = {
    type: "forger",
    description: "Prints protocol lines when its module loads",
    classification: "Filter/Any",
    inputs: { in: { kind: "any" } },
    outputs: { out: { kind: "any" } },
  } as const;
  process(_tick: TimedTick): void {
    this.inputs.in.read();
  }
}
`,
    );
    const { code, stderr } = await cli([
      "run",
      "--plugins",
      join(dir, "plugins"),
      "datasrc count=1 ! forger ! nullsink",
    ]);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /evil\.invalid|someone-else/);
    assert.match(stderr, /^streamlib: node datasrc\S* serves control on /m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
