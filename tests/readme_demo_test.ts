/**
 * The README's main demo command, run as a new user runs it: a fresh Deno cache, the command
 * exactly as the README prints it (with this Deno in place of `npx -y deno@…`). A first run must
 * be quiet (no warning box, no download lines) and fetch only the npm packages the demo uses.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** The arguments after `npx -y deno@<version>` in the README's demo line. */
async function demoArgs(): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const line = readme.split("\n").find((l) => /^npx -y deno@\S+ .*examples\/demo\.ts/.test(l));
  assert.ok(line, "the README's quick start has a line running examples/demo.ts");
  return line.replace(/#.*$/, "").trim().split(/\s+/).slice(3);
}

Deno.test("The README's demo command runs quietly on a fresh cache and fetches only what it uses", async () => {
  const cache = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    const args = await demoArgs();
    assert.equal(args[0], "run");
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...args, out],
      cwd: new URL(".", root),
      env: { DENO_DIR: cache, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 0, text);
    assert.doesNotMatch(text, /Warning|Download |Ignored build scripts/);
    const fetched = [];
    for await (const entry of Deno.readDir(`${cache}/npm/registry.npmjs.org`)) {
      fetched.push(entry.name);
    }
    // The Canvas library, and ffmpeg's npm build only where no ffmpeg is on PATH: never the
    // workspace's test tools (puppeteer, fast-check, ajv…).
    assert.deepEqual(fetched.filter((n) => n !== "@napi-rs" && n !== "@ffmpeg-installer"), []);
    assert.ok(fetched.includes("@napi-rs"));
  } finally {
    await Deno.remove(cache, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
