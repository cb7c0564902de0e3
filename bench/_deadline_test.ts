import assert from "node:assert/strict";

/** Runs `body` (after an import of `benchDeadline`) in a fresh Deno with `env`. */
async function script(body: string, env: Record<string, string> = {}): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--allow-env", "-"],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const module = JSON.stringify(import.meta.resolve("./_deadline.ts"));
  await writer.write(new TextEncoder().encode(`import { benchDeadline } from ${module};\n${body}`));
  await writer.close();
  return await child.output();
}

Deno.test("benchDeadline() ends a hung benchmark with code 1 and says why", async () => {
  const { code, stderr } = await script(
    `benchDeadline("bench:test");\nsetInterval(() => {}, 1000);`,
    { STREAMLIB_BENCH_DEADLINE_S: "0.2" },
  );
  assert.equal(code, 1);
  assert.match(new TextDecoder().decode(stderr), /^bench:test: no result within 0\.2 s/);
});

Deno.test("benchDeadline() does not keep a finished benchmark alive", async () => {
  const { code, stdout } = await script(`benchDeadline("bench:test");\nconsole.log("done");`);
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout), "done\n");
});
