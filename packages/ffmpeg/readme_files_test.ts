import assert from "node:assert/strict";
import { Catalogue } from "@streamlib/core";
import { decodeAudio, ffmpegChildren } from "./_testing.ts";

const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
const manifest = new URL("./manifest.json", import.meta.url);

/** The pipeline text of the README's `streamlib run --offline "…"` line that contains `part`. */
function readmePipeline(part: string): string {
  const line = readme.split("\n").find((l) => l.startsWith("streamlib run") && l.includes(part));
  assert.ok(line !== undefined, `README has no streamlib run line with ${part}`);
  return /"(.*)"/.exec(line)![1]!;
}

Deno.test("The README's audio-only pipeline turns an M4A file into a WAV file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 1 s of 440 Hz at 48 kHz, AAC in M4A, as a phone's voice memo.
    const { success } = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=1", `${dir}/a.m4a`],
    }).output();
    assert.ok(success);
    const text = readmePipeline("s.audio")
      .replace("location=a.m4a", `location=${dir}/a.m4a`)
      .replace("location=a.wav", `location=${dir}/a.wav`);
    const catalogue = await Catalogue.withCore().load(manifest);
    const pipeline = await catalogue.build(text, { mode: "offline" });
    assert.equal((await pipeline.run()).status, "eos");
    const samples = await decodeAudio(`${dir}/a.wav`);
    // AAC adds its encoder delay; the tone is all there, at full level.
    assert.ok(samples.length >= 48_000 && samples.length < 50_000, `${samples.length} samples`);
    const peak = samples.subarray(1024, 48_000).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak > 0.1, `peak ${peak}`);
    assert.deepEqual(ffmpegChildren(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
