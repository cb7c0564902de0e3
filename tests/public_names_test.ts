import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

Deno.test("No package's mod.ts exports a name that starts with _ (private helpers stay private)", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const mods = (config.workspace as string[]).map((dir) => new URL(`${dir}/mod.ts`, root).pathname);
  assert.ok(mods.length >= 6);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...mods],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols?: Array<{ name: string }> }>;
  };
  const privateNames: string[] = [];
  let names = 0;
  for (const mod of mods) {
    const symbols = doc.nodes[`file://${mod}`]?.symbols ?? [];
    names += symbols.length;
    for (const { name } of symbols) {
      if (name.startsWith("_")) privateNames.push(`${mod.slice(root.pathname.length)}: ${name}`);
    }
  }
  assert.ok(names > 200, `only ${names} public names found`);
  assert.deepEqual(privateNames, []);
});
