import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cli, TESTDATA } from "./_testing.ts";

const plugins = ["--plugins", TESTDATA];

Deno.test("streamlib list prints every actor type with its classification, in aligned columns", async () => {
  const { code, stdout } = await cli(["list", ...plugins]);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  const types = lines.map((line) => line.split(/\s+/)[0]);
  for (const type of ["datasrc", "log", "tee", "motion", "readfile", "join"]) {
    assert.ok(types.includes(type), `${type} is listed`);
  }
  assert.deepEqual(types, [...types].sort());
  const datasrc = lines.find((line) => line.startsWith("datasrc "))!;
  assert.match(datasrc, /^datasrc +Source\/Data +Generates data messages on each tick/);
  const columns = new Set(lines.map((line) => line.search(/(?<=^\S+ +)\S/)));
  assert.equal(columns.size, 1, "classifications start in the same column");
});

Deno.test("streamlib inspect describes a plugin's ports, parameters and permissions", async () => {
  const { code, stdout } = await cli(["inspect", "motion"]);
  assert.equal(code, 0);
  assert.match(stdout, /^Type: +motion$/m);
  assert.match(stdout, /^Package: +@streamlib\/plugin-motion 0\.1\.0$/m);
  assert.match(stdout, /^Classification: +Analyzer\/Video$/m);
  assert.match(stdout, /^Manifest: +file:\/\/.*\/plugins\/motion\/manifest\.json$/m);
  assert.match(
    stdout,
    / {2}in\n {4}direction: +input\n {4}presence: +always\n {4}kind: +video\n {4}formats: +RGBA, BGRA, I420, NV12\n {4}capabilities: +cpu\n/,
  );
  assert.match(stdout, / {2}motion\n {4}direction: +output\n/);
  assert.match(
    stdout,
    / {2}threshold\n {4}type: +integer\n {4}default: +24\n {4}range: +≥ 1, ≤ 255\n {4}description: +How much/,
  );
  assert.match(stdout, /Permissions:\n {2}none\n/);
});

Deno.test("streamlib inspect shows request ports and permissions with their reasons", async () => {
  const join = await cli(["inspect", "join", ...plugins]);
  assert.equal(join.code, 0);
  assert.match(
    join.stdout,
    / {2}in_%u\n {4}direction: +input\n {4}presence: +request\n {4}kind: +data\n/,
  );
  const send = await cli(["inspect", "sendfile", ...plugins]);
  assert.equal(send.code, 0);
  assert.match(
    send.stdout,
    /Permissions:\n {2}write\n {4}allows: +the value of parameter "path"\n {4}reason: +writes the output file\n/,
  );
  assert.match(send.stdout, / {2}net\n {4}allows: +"monitor\.lan:9000"\n/);
  assert.match(send.stdout, / {2}env\n {4}allows: +everything \(unrestricted\)\n/);
});

Deno.test("streamlib inspect of an unknown type exits 2 and suggests the closest", async () => {
  const { code, stdout, stderr } = await cli(["inspect", "lgo"]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    /^streamlib: error SL_UNKNOWN_TYPE: Unknown actor type "lgo"; did you mean "log"\?/,
  );
});

Deno.test("streamlib run with a pipeline error exits 2 and points at it with a caret", async () => {
  const { code, stderr } = await cli(["run", "datasrc count=-1 ! log"]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^streamlib: error SL_PARAM_INVALID: line 1, column 9: Parameter "count" of "datasrc"/,
  );
  assert.match(stderr, /\n {2}datasrc count=-1 ! log\n {10}\^{8}\n$/);
  const syntax = await cli(["run", "datasrc ! ! log"]);
  assert.equal(syntax.code, 2);
  assert.match(
    syntax.stderr,
    /^streamlib: error SL_PIPELINE_SYNTAX: line 1, column 11: .*\n {2}datasrc ! ! log\n {12}\^/,
  );
});

Deno.test("streamlib run with ports that do not fit exits 2 with the caret message", async () => {
  const { code, stderr } = await cli(["run", "datasrc ! motion"]);
  assert.equal(code, 2);
  assert.match(stderr, /Cannot link "datasrc0" to "motion0".*\n {2}datasrc ! motion\n {10}\^/);
});

Deno.test("streamlib with an unknown command or option exits 2 with SL_USAGE; --help exits 0", async () => {
  for (
    const [args, message] of [
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["run", "--no-such-option", "datasrc ! log"], "unknown option '--no-such-option'"],
      [["inspect"], "missing required argument 'type'"],
    ] as const
  ) {
    const { code, stderr } = await cli(args);
    assert.equal(code, 2, args.join(" "));
    assert.ok(stderr.startsWith(`streamlib: error SL_USAGE: ${message}\n`), stderr);
  }
  assert.equal((await cli([])).code, 2);
  const help = await cli(["run", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--print-permissions/);
});

Deno.test("streamlib run --print-permissions prints the exact Deno flags and runs nothing", async () => {
  // --no-control: the actors' permissions alone (serving adds its own, tested with the commands).
  const { code, stdout } = await cli([
    "run",
    "--print-permissions",
    "--no-control",
    ...plugins,
    "datasrc ! sendfile path=out.mp4",
  ]);
  assert.equal(code, 0);
  // The test plugins run sandboxed: the process reads their code and core's, for their Workers.
  const codeDirs = [fileURLToPath(new URL("../core", import.meta.url)), join(TESTDATA, "files")];
  assert.equal(
    stdout,
    `--allow-read=${
      codeDirs.join(",")
    } --allow-write=out.mp4 --allow-net=monitor.lan:9000 --allow-env\n`,
  );
  const core = await cli(["run", "--print-permissions", "--no-control", "datasrc ! log"]);
  assert.equal(core.stdout, "\n", "core's actors need nothing");
  const quoted = await cli([
    "run",
    "--print-permissions",
    "--no-control",
    ...plugins,
    'readfile path="my clip.txt" ! log',
  ]);
  assert.equal(quoted.stdout, `'--allow-read=${codeDirs.join(",")},my clip.txt'\n`);
});

Deno.test("streamlib run refuses options that do not fit what it runs", async () => {
  const allow = await cli(["run", "--allow", "read", "datasrc ! log"]);
  assert.equal(allow.code, 2);
  assert.match(allow.stderr, /--allow applies to scripts/);
  const script = `${TESTDATA}script.ts`;
  const permissions = await cli(["run", "--print-permissions", script]);
  assert.equal(permissions.code, 2);
  assert.match(permissions.stderr, /permissions of a script cannot be computed/);
  // gst-launch's -e: what it asks for is what Ctrl-C does already.
  const eos = await cli(["run", "-e", "datasrc count=3 ! log"]);
  assert.equal(eos.code, 2);
  assert.match(eos.stderr, /^streamlib: error SL_USAGE: streamlib run has no -e: .*Ctrl-C drains/);
  assert.equal(eos.stdout, "");
});

Deno.test("streamlib graph prints the built pipeline as Graphviz DOT", async () => {
  const { code, stdout } = await cli(["graph", "datasrc name=src ! log  src. ! nullsink"]);
  assert.equal(code, 0);
  assert.match(stdout, /^digraph pipeline \{\n/);
  assert.match(stdout, /"src" \[label="\{src\\ndatasrc\|/);
  assert.match(stdout, /"src":"out" -> "log0":"in" \[label="data · queue:8:block"/);
  assert.match(stdout, /"src":"out" -> "nullsink0":"in"/);
  assert.match(stdout, /\}\n$/);
});

Deno.test("streamlib graph of one word that is no type and no running node says both", async () => {
  const { code, stderr } = await cli(["graph", "studio-9"]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^streamlib: error SL_UNKNOWN_TYPE: No node named "studio-9" is running \(streamlib nodes lists them\), and as pipeline text: line 1, column 1: Unknown actor type "studio-9"/,
  );
});

Deno.test("streamlib plugins list shows each manifest with its package, file and types", async () => {
  const { code, stdout } = await cli(["plugins", "list", ...plugins]);
  assert.equal(code, 0);
  assert.match(
    stdout,
    /^@streamlib\/core 0\.1\.0\n {2}file: +packages\/core\/manifest\.json\n {2}types: +collect, datasrc,/,
  );
  assert.match(
    stdout,
    /@streamlib\/plugin-motion 0\.1\.0\n {2}file: +plugins\/motion\/manifest\.json\n {2}types: +motion\n/,
  );
  assert.match(
    stdout,
    /@streamlib\/test-files 0\.1\.0\n {2}file: +packages\/cli\/testdata\/files\/manifest\.json\n {2}types: +join, linger, peek, readfile, sendfile\n/,
  );
});

Deno.test("streamlib plugins validate accepts a manifest that matches its code", async () => {
  const { code, stdout } = await cli(["plugins", "validate", `${TESTDATA}files/manifest.json`]);
  assert.equal(code, 0);
  assert.match(
    stdout,
    /valid: @streamlib\/test-files 0\.1\.0, 5 actor types \(readfile, peek, linger, sendfile, join\)/,
  );
  assert.equal((await cli(["plugins", "validate", "plugins/motion/manifest.json"])).code, 0);
});

Deno.test("streamlib plugins validate prints every problem of a bad manifest and exits 1", async () => {
  const bad = await cli(["plugins", "validate", `${TESTDATA}bad_manifest.json`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /bad_manifest\.json: name: expected a package name/);
  assert.match(bad.stdout, /bad_manifest\.json: version: expected a semantic version/);
  assert.match(bad.stdout, /actors\[0\]\.classification: expected a classification/);
  assert.match(bad.stdout, /actors\[0\]\.inputs\.in\.format: unknown key/);
  assert.match(bad.stdout, /bad_manifest\.json: 4 problems\n$/);
  const mismatch = await cli(["plugins", "validate", `${TESTDATA}mismatch_manifest.json`]);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stdout, /inputs\.in\.kind: the manifest says "video", the class "any"/);
  assert.match(mismatch.stdout, /params\.gain: the manifest has it, the class does not/);
  assert.match(mismatch.stdout, /has no actor class "Ghost" for type "ghost"/);
  assert.match(mismatch.stdout, /2 problems\n$/);
});

Deno.test("streamlib skips a broken manifest under plugins/ with a warning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/plugins/broken`, { recursive: true });
    await Deno.writeTextFile(`${dir}/plugins/broken/manifest.json`, "{ not json");
    const { code, stdout, stderr } = await cli(["list"], { cwd: dir });
    assert.equal(code, 0);
    assert.match(stdout, /^datasrc /m);
    assert.match(
      stderr,
      /streamlib: skipped the plugin file:\/\/.*broken\/manifest\.json: .* is not JSON/,
    );
    const explicit = await cli(["list", "--plugin", "plugins/broken/manifest.json"], { cwd: dir });
    assert.equal(explicit.code, 2, "a plugin asked for by name must load");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib list --json and inspect --json print what agents can parse", async () => {
  const list = await cli(["list", "--json", ...plugins]);
  assert.equal(list.code, 0);
  const types = JSON.parse(list.stdout) as Array<Record<string, string>>;
  const motion = types.find((t) => t.type === "motion")!;
  assert.equal(motion.package, "@streamlib/plugin-motion");
  assert.equal(motion.classification, "Analyzer/Video");
  assert.ok(types.some((t) => t.type === "datasrc" && t.package === "@streamlib/core"));

  const inspect = await cli(["inspect", "compositor", "--json"]);
  assert.equal(inspect.code, 0);
  const compositor = JSON.parse(inspect.stdout);
  assert.equal(compositor.type, "compositor");
  assert.equal(compositor.package, "@streamlib/video");
  assert.match(compositor.moduleUrl, /^file:.*\/compositor\.ts$/);
  assert.equal(compositor.inputs["layer_%u"].presence, "request");
  assert.equal(compositor.inputs["layer_%u"].params.opacity.default, 1);

  const unknown = await cli(["inspect", "lgo", "--json"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /error SL_UNKNOWN_TYPE/);
});
