import assert from "node:assert/strict";

Deno.test("deno task soak with 20 cycles and no endurance run leaves no process, zombie or file", async () => {
  const soak = new URL("./soak.ts", import.meta.url).pathname;
  // Bounded: the child is killed if it runs past a minute (it takes a few seconds).
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", soak, "0", "20", "7"],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const lines = new TextDecoder().decode(stdout).trimEnd().split("\n");
  assert.equal(code, 0, lines.join("\n"));
  assert.equal(
    lines.at(-1),
    "soak: no endurance run, 20 cycles, 0 hangs, 0 fds leaked, 0 leftover, 0 zombies",
  );
  const dir = /^soak: working in (.+)$/.exec(lines[0]!)?.[1];
  assert.ok(dir !== undefined, lines[0]);
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound, "the temporary folder is removed");
});
