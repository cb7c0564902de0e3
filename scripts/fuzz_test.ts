import assert from "node:assert/strict";

const FUZZ = new URL("./fuzz.ts", import.meta.url);

/** Runs the fuzz script with `args`; its exit code and what it printed. */
async function fuzz(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    // -q: on a fresh machine Deno's download lines would come after the summary line.
    args: ["run", "-q", "--no-prompt", "-R", "-W", "--allow-run", "-E", FUZZ.href, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test("deno task fuzz with small counts ends with no other exceptions and no hangs", async () => {
  const { code, out } = await fuzz(
    "--count=200",
    "--media=60",
    "--runners=2",
    "--media-runners=2",
  );
  const lines = out.trimEnd().split("\n");
  const summary = /^fuzz: (\d+) inputs, (\d+) coded errors, (\d+) other exceptions, (\d+) hangs$/
    .exec(lines.at(-1)!);
  assert.ok(summary, out);
  assert.deepEqual(summary.slice(1).map(Number).filter((_, i) => i !== 1), [660, 0, 0], out);
  assert.ok(Number(summary[2]) > 0, "some inputs are refused with a coded error");
  for (const target of ["pipeline", "catalogue", "manifest", "media"]) {
    assert.ok(lines.some((l) => l.startsWith(`${target}: `)), `no line for ${target}:\n${out}`);
  }
  assert.equal(code, 0, out);
});

Deno.test("deno task fuzz refuses an unknown argument with its usage", async () => {
  const { code, out } = await fuzz("--bogus=1");
  assert.equal(code, 2);
  assert.match(out, /unknown argument --bogus=1; usage: fuzz \[--count=N\]/);
});
