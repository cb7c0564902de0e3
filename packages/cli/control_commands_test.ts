import assert from "node:assert/strict";
import { decodePng } from "@streamlib/video";
import { cli, CONTROL_DIR, DEADLINE_MS, isAlive, RunningCli } from "./_testing.ts";

/** The RGBA of pixel (x, y) of a PNG file. */
async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const frame = decodePng(await Deno.readFile(file));
  const at = (y * frame.codedWidth + x) * 4;
  return [...frame.data.subarray(at, at + 4)];
}

/**
 * Taps `port` into `file` until pixel (x, y) is `rgb` (frames made before a change may still
 * be on their way), at most 20 times.
 */
async function tapUntil(
  port: string,
  file: string,
  at: [number, number],
  rgb: number[],
): Promise<number[]> {
  let seen: number[] = [];
  for (let i = 0; i < 20; i++) {
    const { code, stderr } = await cli(["tap", port, "-o", file]);
    assert.equal(code, 0, stderr);
    seen = await pixel(file, ...at);
    if (seen.slice(0, 3).join() === rgb.join()) return seen;
  }
  assert.fail(`pixel ${at} of ${port} stayed ${seen}, never ${rgb}`);
}

/** The pipeline process's id, from `streamlib nodes --json`. */
async function pidOf(name: string): Promise<number> {
  const { code, stdout, stderr } = await cli(["nodes", "--json"]);
  assert.equal(code, 0, stderr);
  const node = (JSON.parse(stdout) as Array<{ name: string; pid: number }>).find((n) =>
    n.name === name
  );
  assert.ok(node !== undefined, stdout);
  return node.pid;
}

Deno.test("streamlib run serves a node that nodes, tap, set, patch, logs, graph and stop reach", async () => {
  const dir = await Deno.makeTempDir();
  await using run = new RunningCli([
    "run",
    "--name",
    "studio",
    "videotestsrc name=bg pattern=solid foreground=#ff0000 width=64 height=36 ! " +
    "compositor name=mix width=64 height=36 ! nullsink",
  ]);
  try {
    await run.waitFor("stderr", /node studio serves control on (\S+\.sock)/);
    assert.match(run.stderr, new RegExp(`on ${CONTROL_DIR}/studio\\.sock`));

    // nodes: found from another process.
    const nodes = await cli(["nodes"]);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /^NAME +PID +UPTIME +ACTORS +STATE +SERVES$/m);
    assert.match(nodes.stdout, /^studio +\d+ +\d+:\d\d +3 +running +\S+studio\.sock$/m);
    assert.match(nodes.stdout, /^ {2}videotestsrc name=bg .* ! nullsink$/m);
    const pid = await pidOf("studio");

    // tap -o: a PNG of the frame's size.
    const file = `${dir}/frame.png`;
    const tapped = await cli(["tap", "studio/mix.out", "-o", file]);
    assert.equal(tapped.code, 0, tapped.stderr);
    assert.match(
      tapped.stdout,
      /^wrote \S+frame\.png: t=\S+ #\d+ video RGBA 64×36 \(PNG \d+ bytes\)$/m,
    );
    const frame = decodePng(await Deno.readFile(file));
    assert.deepEqual([frame.codedWidth, frame.codedHeight], [64, 36]);
    await tapUntil("studio/mix.out", file, [32, 18], [255, 0, 0]);
    const scaled = await cli(["tap", "studio/mix.out", "--scale", "32x", "-o", file]);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal(decodePng(await Deno.readFile(file)).codedHeight, 18);

    // set: what the output shows changes.
    const set = await cli(["set", "studio", "bg", "foreground=#0000ff"]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'set bg foreground="#0000ff"\n');
    await tapUntil("studio/mix.out", file, [32, 18], [0, 0, 255]);
    const bad = await cli(["set", "studio", "bg", "pattern=zigzag"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^streamlib: error SL_PARAM_INVALID: Parameter "pattern"/m);

    // patch: a layer joins while frames keep flowing.
    const before = await cli(["tap", "studio/mix.out"]);
    const position = Number(/#(\d+)/.exec(before.stdout)?.[1]);
    const dry = await cli([
      "patch",
      "studio",
      "videotestsrc name=b pattern=solid foreground=#00ff00 width=16 height=16 ! mix.",
      "--dry-run",
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, "valid: would add b (videotestsrc); would link b.out → mix.layer_1\n");
    const patch = await cli([
      "patch",
      "studio",
      "videotestsrc name=b pattern=solid foreground=#00ff00 width=16 height=16 ! mix.",
    ]);
    assert.equal(patch.code, 0, patch.stderr);
    assert.equal(patch.stdout, "added b (videotestsrc); linked b.out → mix.layer_1\n");
    await tapUntil("studio/mix.out", file, [4, 4], [0, 255, 0]);
    assert.deepEqual((await pixel(file, 40, 20)).slice(0, 3), [0, 0, 255]);
    const after = await cli(["tap", "studio/mix.out"]);
    assert.ok(Number(/#(\d+)/.exec(after.stdout)?.[1]) > position, after.stdout);
    const wrong = await cli(["patch", "studio", "videotestsrc ! mix. ! lgo"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /SL_UNKNOWN_TYPE: line 1, column 23: Unknown actor type "lgo"/);
    assert.match(wrong.stderr, /\n {2}videotestsrc ! mix\. ! lgo\n {24}\^\^\^\n/);

    // A type whose package the pipeline did not load at start comes in; one that needs
    // permissions this least-privilege node was not granted is refused.
    const audio = await cli(["patch", "studio", "audiotestsrc name=tone ! nullsink name=quiet"]);
    assert.equal(audio.code, 0, audio.stderr);
    const refused = await cli(["patch", "studio", "videotestsrc ! filesink location=out.mp4"]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /SL_PERMISSION_NOT_GRANTED: line 1, column 16: "filesink0" \(filesink\) needs write access to out\.mp4/,
    );

    // graph and logs: the live graph, and what was done.
    const graph = await cli(["graph", "studio"]);
    assert.equal(graph.code, 0, graph.stderr);
    assert.match(graph.stdout, /"b":"out" -> "mix":"layer_1"/);
    const logs = await cli(["logs", "studio", "--type", "control"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.deepEqual(logs.stdout.trim().split("\n").map((l) => l.replace(/^#\d+ \S+ /, "")), [
      'bg control: set bg foreground="#0000ff"',
      "control: patch videotestsrc name=b pattern=solid foreground=#00ff00 width=16 height=16 ! mix.",
      "control: patch audiotestsrc name=tone ! nullsink name=quiet",
    ]);

    // stop: the pipeline drains, the command that ran it ends, no process is left.
    await using follow = new RunningCli(["logs", "studio", "--follow", "--type", "state,control"]);
    await follow.waitFor("stdout", /control: patch audiotestsrc/);
    const stop = await cli(["stop", "studio"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, "studio stopped: drained to end-of-stream\n");
    const ended = await run.ended();
    assert.equal(ended.code, 0, ended.stderr);
    // Taps never read Deno's request.signal, whose legacy behaviour prints a warning.
    assert.doesNotMatch(ended.stderr, /request\.signal|legacy/);
    assert.equal(await isAlive(pid), false);
    const followed = await follow.ended();
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(followed.stdout, /control: stop drain\n.*pipeline stopping\n/);
    // The follower sees how the pipeline ended before its stream ends with the node.
    assert.match(followed.stdout, /pipeline (done|stopped)\n$/);
    assert.deepEqual(
      [...Deno.readDirSync(CONTROL_DIR)].filter((e) => e.name.startsWith("studio")),
      [],
    );
    assert.doesNotMatch((await cli(["nodes"])).stdout, /studio/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib nodes ignores and cleans a dead node's entry; commands name what is missing", async () => {
  Deno.mkdirSync(CONTROL_DIR, { recursive: true, mode: 0o700 });
  Deno.chmodSync(CONTROL_DIR, 0o700);
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  const entry = `${CONTROL_DIR}/ghost.json`;
  Deno.writeTextFileSync(entry, JSON.stringify({ name: "ghost", pid: gone.pid, startedAt: 0 }));
  const { code, stdout, stderr } = await cli(["nodes"]);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stdout, /ghost/);
  assert.throws(() => Deno.statSync(entry), Deno.errors.NotFound);
  const tap = await cli(["tap", "ghost/src.out"]);
  assert.equal(tap.code, 2);
  assert.match(tap.stderr, /^streamlib: error SL_NODE_NOT_FOUND: No node "ghost" is running/m);
  const usage = await cli(["tap", "ghost"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /SL_USAGE: Give the output to tap as <node>\/<actor>\.<port>/);
});

Deno.test("streamlib run --print-permissions adds exactly what serving needs, and --no-control nothing", async () => {
  const served = await cli(["run", "--print-permissions", "--name", "perm", "datasrc ! log"]);
  assert.equal(served.code, 0, served.stderr);
  assert.equal(
    served.stdout,
    `--allow-read=${CONTROL_DIR} --allow-write=${CONTROL_DIR} --allow-net=unix:${CONTROL_DIR}/perm.sock\n`,
  );
  const tcp = await cli([
    "run",
    "--print-permissions",
    "--name",
    "perm",
    "--control-tcp",
    "9123",
    "datasrc ! log",
  ]);
  assert.match(tcp.stdout, /--allow-net=unix:\S+perm\.sock,127\.0\.0\.1:9123\n$/);
  const bare = await cli(["run", "--print-permissions", "--no-control", "datasrc ! log"]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal(bare.stdout, "\n");
  const usage = await cli(["run", "--no-control", "--name", "x", "datasrc ! log"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /SL_USAGE: --name applies to a pipeline that serves/);
  assert.ok(DEADLINE_MS > 0);
});
