import assert from "node:assert/strict";
import { findFfmpeg } from "./ffmpeg.ts";

const script = new URL("./testdata/ffmpeg_round_trip.ts", import.meta.url);

/** Runs the round-trip script in a fresh process with `env`; returns its exit code and output. */
async function roundTrip(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-env",
        "--allow-run",
        "--allow-read",
        "--allow-write",
        script.href,
        dir,
      ],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
    return { code, out: decode(stdout) + decode(stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("findFfmpeg() falls back to the npm package's static binary, which runs", async () => {
  const npm = await findFfmpeg({ env: false, path: false });
  assert.equal(npm.source, "npm");
  assert.match(npm.path, /@ffmpeg-installer/);
  assert.ok(npm.version.length > 0);
});

Deno.test("findFfmpeg() says what it tried when nothing is found", async () => {
  await assert.rejects(findFfmpeg({ env: false, path: false, npm: false }), (e) => {
    assert.equal((e as { code?: string }).code, "SL_FFMPEG_NOT_FOUND");
    assert.match((e as Error).message, /ffmpeg was not found .*set STREAMLIB_FFMPEG/);
    return true;
  });
});

Deno.test("A write and read round trip works with the npm ffmpeg named by STREAMLIB_FFMPEG", async () => {
  const npm = await findFfmpeg({ env: false, path: false });
  const { code, out } = await roundTrip({ STREAMLIB_FFMPEG: npm.path });
  assert.equal(code, 0, out);
  // The last frame lasts its 1/8 s (ffmpeg 4 left it no length, and MP4's edit list cut it).
  assert.match(out, /source=env frames=8 duration=1 /);
  // Frames at the file's own times, and turned upright, with ffmpeg 4 too.
  assert.match(out, / vfr=75:966667,1000000,1066667 turned=48x64 /);
});

Deno.test("STREAMLIB_FFMPEG naming something that is not ffmpeg fails with SL_FFMPEG_NOT_FOUND", async () => {
  const { code, out } = await roundTrip({ STREAMLIB_FFMPEG: "/nonexistent/ffmpeg" });
  assert.notEqual(code, 0);
  assert.match(out, /SL_FFMPEG_NOT_FOUND.*STREAMLIB_FFMPEG is "\/nonexistent\/ffmpeg"/);
});

Deno.test("STREAMLIB_FFMPEG whose -version a signal ends fails with SL_FFMPEG_EXITED, not NOT_FOUND", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An "ffmpeg" that a signal ends before it answers, as a terminal's Ctrl-C ends the probe.
    const killed = `${dir}/ffmpeg`;
    await Deno.writeTextFile(killed, "#!/bin/sh\nkill -KILL $$\n");
    await Deno.chmod(killed, 0o755);
    const { code, out } = await roundTrip({ STREAMLIB_FFMPEG: killed });
    assert.notEqual(code, 0);
    assert.match(out, /SL_FFMPEG_EXITED.*-version" was ended by SIGKILL before it answered/);
    assert.doesNotMatch(out, /SL_FFMPEG_NOT_FOUND|does not run as ffmpeg/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
