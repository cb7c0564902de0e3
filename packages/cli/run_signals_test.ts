import assert from "node:assert/strict";
import {
  CONTROL_DIR,
  isAlive,
  isCompleteMp4,
  processesWith,
  RunningCli,
  TESTDATA,
} from "./_testing.ts";

const plugins = ["--plugins", TESTDATA];

/** A live pipeline that writes an MP4 through ffmpeg until it is stopped. */
function recording(file: string): string {
  return `videotestsrc width=64 height=48 ! filesink location=${file}`;
}

/** Asserts that the command left nothing running: its pipeline process, and ffmpeg. */
async function assertNothingLeft(pid: number, file: string): Promise<void> {
  assert.ok(!(await isAlive(pid)), `the pipeline process ${pid} outlived the command`);
  assert.deepEqual(await processesWith(file), [], `processes writing ${file} outlived it`);
}

Deno.test("streamlib run drains on SIGTERM to its process group, as timeout sends it: the MP4 is final when it returns, exit 143", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/out.mp4`;
    await using run = new RunningCli(
      ["run", "--verbose", "--no-control", recording(file)],
      { group: true },
    );
    const [, pid] = await run.waitFor("stderr", /pipeline process (\d+):/);
    await run.waitFor("stderr", /progress: [1-9][0-9]/);
    run.killGroup("SIGTERM");
    const { code, stderr } = await run.ended();
    assert.equal(code, 143, stderr);
    assert.match(stderr, /streamlib: draining after SIGTERM: end-of-stream flows through/);
    assert.match(stderr, /streamlib: drained after SIGTERM: end-of-stream reached every sink\n$/);
    assert.ok(isCompleteMp4(await Deno.readFile(file)), "the MP4 was final when it returned");
    await assertNothingLeft(Number(pid), file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run drains on a SIGHUP sent to it alone, as a closed terminal's shell sends it: exit 129", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/out.mp4`;
    await using run = new RunningCli(["run", "--verbose", "--no-control", recording(file)]);
    const [, pid] = await run.waitFor("stderr", /pipeline process (\d+):/);
    await run.waitFor("stderr", /progress: [1-9][0-9]/);
    run.kill("SIGHUP");
    const { code, stderr } = await run.ended();
    assert.equal(code, 129, stderr);
    assert.match(stderr, /streamlib: drained after SIGHUP: end-of-stream reached every sink\n$/);
    assert.ok(isCompleteMp4(await Deno.readFile(file)), "the MP4 was final when it returned");
    await assertNothingLeft(Number(pid), file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run aborts on a second SIGTERM when draining takes too long: exit 143", async () => {
  await using run = new RunningCli([
    "run",
    "--verbose",
    ...plugins,
    "datasrc fps=50 name=src ! log  src. ! linger",
  ]);
  const [, pid] = await run.waitFor("stderr", /pipeline process (\d+):/);
  await run.waitFor("stdout", /^log0: .* #2 data 2$/m);
  run.kill("SIGTERM");
  await run.waitFor("stderr", /streamlib: draining after SIGTERM/);
  run.kill("SIGTERM");
  const { code, stderr } = await run.ended();
  assert.equal(code, 143, stderr);
  assert.match(stderr, /streamlib: aborting\n/);
  assert.match(stderr, /streamlib: aborted\n$/);
  assert.ok(!(await isAlive(Number(pid))));
});

Deno.test("streamlib run stopped by a terminal's Ctrl-C while it checks ffmpeg says so, blames no ffmpeg and leaves no node", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An ffmpeg whose -version says where it is, then hangs: the Ctrl-C comes while it runs.
    const fifo = `${dir}/probing`;
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(ffmpeg, `#!/bin/sh\necho $$ > ${fifo}\nexec sleep 60\n`);
    await Deno.chmod(ffmpeg, 0o755);
    await using run = new RunningCli(
      ["run", "--name", "early", recording(`${dir}/out.mp4`)],
      { group: true, env: { STREAMLIB_FFMPEG: ffmpeg } },
    );
    const probe = Number(await Deno.readTextFile(fifo));
    assert.ok(Deno.statSync(`${CONTROL_DIR}/early.json`).isFile, "the node is reserved");
    run.interruptGroup();
    const { code, stdout, stderr } = await run.ended();
    assert.equal(code, 130, stderr);
    assert.equal(stdout, "");
    assert.equal(stderr, "streamlib: stopped before the pipeline started (Ctrl-C)\n");
    const left = [...Deno.readDirSync(CONTROL_DIR)].map((e) => e.name);
    assert.ok(!left.some((name) => name.startsWith("early.")), left.join());
    assert.ok(!(await isAlive(probe)), "the probe is gone");
    assert.deepEqual(await processesWith(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (
  const [how, signal, status] of [
    ["SIGTERM sent to it", "SIGTERM", 143],
    ["a terminal's Ctrl-C, which its pipeline process does not get,", "SIGINT", 130],
  ] as const
) {
  Deno.test(`streamlib run stopped by ${how} while its actors start ends the pipeline process there: exit ${status}`, async () => {
    await using run = new RunningCli([
      "run",
      "--verbose",
      "--plugins",
      `${TESTDATA}startup`,
      "--name",
      `starting-${signal}`,
      "datasrc fps=50 ! slowstart",
    ], { group: true });
    const [, pid] = await run.waitFor("stderr", /pipeline process (\d+):/);
    // Its module takes a minute to load in the actor's Worker: the pipeline cannot run yet.
    await run.waitFor("stdout", /^slowstart: loading$/m);
    assert.ok(Deno.statSync(`${CONTROL_DIR}/starting-${signal}.json`).isFile, "the node is listed");
    if (signal === "SIGINT") run.interruptGroup();
    else run.kill(signal);
    const { code, stderr } = await run.ended();
    assert.equal(code, status, stderr);
    const name = signal === "SIGINT" ? "Ctrl-C" : signal;
    assert.match(
      stderr,
      new RegExp(`\nstreamlib: stopped before the pipeline started \\(${name}\\)\n$`),
    );
    assert.doesNotMatch(stderr, /draining|error|without a result/);
    assert.ok(!(await isAlive(Number(pid))));
    const left = [...Deno.readDirSync(CONTROL_DIR)].map((e) => e.name);
    assert.ok(!left.some((name) => name.startsWith(`starting-${signal}.`)), left.join());
  });
}

Deno.test("streamlib run does not say STREAMLIB_FFMPEG is set when it found ffmpeg on PATH itself", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An ffmpeg on PATH that answers this command's check, then no more.
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(
      ffmpeg,
      `#!/bin/sh\n[ -e ${dir}/asked ] && exit 1\n: > ${dir}/asked\necho "ffmpeg version 9.9"\n`,
    );
    await Deno.chmod(ffmpeg, 0o755);
    const env = { PATH: `${dir}:${Deno.env.get("PATH")}` };
    await using run = new RunningCli(["run", "--no-control", recording(`${dir}/out.mp4`)], { env });
    const { code, stderr } = await run.ended();
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      new RegExp(
        `the ffmpeg streamlib found, "${dir}/ffmpeg", did not run as ffmpeg in the pipeline process`,
      ),
    );
    assert.doesNotMatch(stderr, /STREAMLIB_FFMPEG is/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
