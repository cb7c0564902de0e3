import assert from "node:assert/strict";
import { cli, CONTROL_DIR, isAlive, RunningCli, TESTDATA } from "./_testing.ts";

const plugins = ["--plugins", TESTDATA];

/** The `#n` positions of the log lines, in order. */
function positions(stdout: string): number[] {
  return [...stdout.matchAll(/^log0: t=\S+ #(\d+) data/gm)].map((m) => Number(m[1]));
}

Deno.test("streamlib run runs a finite pipeline to its end: log lines on stdout, progress on stderr", async () => {
  const { code, stdout, stderr } = await cli(["run", "datasrc count=5 ! log"]);
  assert.equal(code, 0, stderr);
  assert.equal(
    stdout,
    [0, 1, 2, 3, 4].map((n) => `log0: t=${(n / 30).toFixed(6)}s #${n} data ${n}\n`).join(""),
  );
  assert.match(stderr, /^progress: 5\/5 \(100%\) +\d+(\.\d)?\/s +elapsed 0:00$/m);
  assert.ok(!stderr.includes("\x1b["), "no terminal control codes off a terminal");
});

Deno.test("streamlib run --offline --stats adds a line per actor with its rate and drops", async () => {
  const { code, stdout, stderr } = await cli([
    "run",
    "--offline",
    "--stats",
    "datasrc count=50 ! log",
  ]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(positions(stdout), Array.from({ length: 50 }, (_, i) => i));
  assert.match(stderr, /^progress: 50\/50 \(100%\)/m);
  assert.match(stderr, /^ {2}datasrc0 \(datasrc\) +\d+(\.\d)?\/s +dropped 0$/m);
  assert.match(stderr, /^ {2}log0 \(log\) +\d+(\.\d)?\/s +dropped 0$/m);
});

Deno.test("streamlib run runs an actor with dispatch=worker in a Worker, with least privilege", async () => {
  const text = "datasrc count=5 ! identity dispatch=worker ! log";
  const { code, stdout, stderr } = await cli(["run", "--offline", "--verbose", text]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(positions(stdout), [0, 1, 2, 3, 4]);
  // Its only permissions: reading core's package, for the Worker to load, and serving the
  // control API on its socket in the control folder.
  const socket = `unix:${CONTROL_DIR}/datasrc-\\d+\\.sock`;
  assert.match(stderr, new RegExp(`--allow-read=\\S*packages/core,${CONTROL_DIR} `));
  assert.match(
    stderr,
    new RegExp(`--allow-write=${CONTROL_DIR} --allow-net=${socket} \\S+runner\\.ts`),
  );
  assert.match(stderr, /needs net: control API: serves the node on \S+\.sock/);
  assert.doesNotMatch(stderr, /--allow-(all|env|run)/);
});

Deno.test("streamlib run says where a display serves its page, with least privilege", async () => {
  const { code, stderr } = await cli([
    "run",
    "--offline",
    "videotestsrc frames=3 width=64 height=36 ! display port=0",
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^streamlib: display0 serves http:\/\/127\.0\.0\.1:\d+\/$/m);
});

Deno.test("streamlib run runs a pipeline from a JSON file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/graph.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        actors: [
          { name: "src", type: "datasrc", params: { count: 3, topic: "n" } },
          { name: "log0", type: "log" },
        ],
        links: [{ from: "src", to: "log0" }],
      }),
    );
    const { code, stdout, stderr } = await cli(["run", "--offline", file]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^log0: t=0\.066667s #2 data n 2$/m);
    await Deno.writeTextFile(file, JSON.stringify({ actors: [{ name: "a", type: "datasrc" }] }));
    const invalid = await cli(["run", file]);
    assert.equal(invalid.code, 2);
    assert.match(
      invalid.stderr,
      /graph\.json: invalid pipeline description:\n {2}links: expected an array/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run stops an actor that takes a permission its manifest does not declare", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const secret = `${dir}/secret.txt`;
    await Deno.writeTextFile(secret, "not for peek");
    const { code, stdout, stderr } = await cli([
      "run",
      "--no-control",
      ...plugins,
      `datasrc count=3 ! peek path=${JSON.stringify(secret)}`,
    ]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^streamlib: error SL_ACTOR_FAILED: permission denied: actor "actor:\/\/local\/peek\/peek0" \(peek, from the plugin @streamlib\/test-files 0\.1\.0\) needed read access to "[^"]*secret\.txt", but its manifest does not declare the "read" permission/m,
    );
    assert.match(stderr, /Deno said: Requires read access to/);
    // The process reads only the code its Workers load; the plugin's Worker not even that file.
    assert.match(
      stderr,
      /The pipeline ran with: --allow-read=\S*packages\/core,\S*testdata\/files\n/,
    );
    assert.match(stderr, /run sandboxed, each in a Worker with only what its manifest declares/);
    assert.match(stderr, /Manifest: file:\/\/.*testdata\/files\/manifest\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run prints an actor's failure with its code and its cause's code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const notMedia = `${dir}/notes.mp4`;
    await Deno.writeTextFile(notMedia, "these are notes, not a video");
    const { code, stderr } = await cli([
      "run",
      `filesrc location=${JSON.stringify(notMedia)} ! nullsink`,
    ]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^streamlib: error SL_ACTOR_FAILED ← SL_FILE_INVALID: Actor "actor:\/\/local\/filesrc\/filesrc0" failed in start\(\)/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run grants what a manifest declares: a reader gets exactly its path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/hello.txt`;
    await Deno.writeTextFile(file, "hello from a file");
    const pipeline = `readfile path=${JSON.stringify(file)} ! log`;
    const flags = await cli(["run", "--print-permissions", "--no-control", ...plugins, pipeline]);
    // The plugin's code folders (its Worker loads them), and its file.
    const core = new URL("../core", import.meta.url).pathname;
    assert.equal(flags.stdout, `--allow-read=${core},${TESTDATA}files,${file}\n`);
    const { code, stdout, stderr } = await cli(["run", "--verbose", ...plugins, pipeline]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `log0: t=0.000000s #0 data "hello from a file"\n`);
    assert.match(stderr, new RegExp(`--no-prompt .*--allow-read=\\S*${file}[ ,]`));
    assert.match(stderr, /needs read: readfile0 \(readfile\): reads the file it is given/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run drains a live pipeline on Ctrl-C and exits 0", async () => {
  await using run = new RunningCli(["run", "--verbose", "datasrc fps=50 ! log"]);
  await run.waitFor("stdout", /^log0: .* #3 data 3$/m);
  run.kill("SIGINT");
  const { code, stdout, stderr } = await run.ended();
  assert.equal(code, 0, stderr);
  assert.match(stderr, /streamlib: draining: end-of-stream flows through the pipeline/);
  assert.match(stderr, /end-of-stream: actor:\/\/local\/datasrc\/datasrc0/);
  assert.match(stderr, /end-of-stream: actor:\/\/local\/log\/log0/);
  assert.match(stderr, /streamlib: drained after Ctrl-C: end-of-stream reached every sink\n$/);
  const seen = positions(stdout);
  assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i), "nothing lost");
});

Deno.test("streamlib run drains on a terminal's Ctrl-C, which reaches its ffmpeg too, and keeps the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/out.mp4`;
    await using run = new RunningCli([
      "run",
      "--no-control",
      `videotestsrc width=64 height=48 ! filesink location=${file}`,
    ], { group: true });
    await run.waitFor("stderr", /progress: [1-9][0-9]/);
    // One SIGINT to every process of the group, ffmpeg included, as a terminal sends it.
    run.interruptGroup();
    const { code, stderr } = await run.ended();
    assert.equal(code, 0, stderr);
    assert.match(stderr, /streamlib: drained after Ctrl-C: end-of-stream reached every sink\n$/);
    assert.ok(Deno.statSync(file).size > 1_000, "the file was finished");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run aborts on a second Ctrl-C when draining takes too long", async () => {
  await using run = new RunningCli([
    "run",
    ...plugins,
    "datasrc fps=50 name=src ! log  src. ! linger",
  ]);
  await run.waitFor("stdout", /^log0: .* #2 data 2$/m);
  run.kill("SIGINT");
  await run.waitFor("stderr", /streamlib: draining/);
  run.kill("SIGINT");
  const { code, stderr } = await run.ended();
  assert.equal(code, 130, stderr);
  assert.match(stderr, /streamlib: aborting\n/);
  assert.match(stderr, /streamlib: aborted\n$/);
});

Deno.test("streamlib run's pipeline process never outlives the command, nor its node entry", async () => {
  await using run = new RunningCli([
    "run",
    "--verbose",
    "--name",
    "orphan",
    "datasrc fps=50 ! log",
  ]);
  const [, pid] = await run.waitFor("stderr", /pipeline process (\d+):/);
  await run.waitFor("stdout", /^log0: .* #1 data 1$/m);
  await run.waitFor("stderr", /node orphan serves control/);
  assert.ok(await isAlive(Number(pid)));
  assert.ok(Deno.statSync(`${CONTROL_DIR}/orphan.json`).isFile);
  run.kill("SIGKILL");
  await run.ended();
  const deadline = Date.now() + 5_000;
  while (await isAlive(Number(pid))) {
    assert.ok(
      Date.now() < deadline,
      `pipeline process ${pid} still runs 5 s after the command died`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // It took its entry and socket with it.
  const left = [...Deno.readDirSync(CONTROL_DIR)].map((e) => e.name);
  assert.ok(!left.some((name) => name.startsWith("orphan.")), left.join());
});

Deno.test("streamlib run runs a script with only the permissions given by --allow", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/note.txt`;
    await Deno.writeTextFile(file, "a note");
    const script = `${TESTDATA}script.ts`;
    const granted = await cli(["run", "--allow", `read=${file}`, script, "--", file]);
    assert.equal(granted.code, 0, granted.stderr);
    assert.equal(granted.stdout, "script read: a note\n");
    const refused = await cli(["run", script, "--", file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /NotCapable: Requires read access/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
