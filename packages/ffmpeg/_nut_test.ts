import assert from "node:assert/strict";
import { FfmpegProcess } from "./ffmpeg_process.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { _MatroskaWriter } from "./_matroska.ts";
import { _NutError, type _NutFrame, _NutReader } from "./_nut.ts";

/** Frames of `width`×`height` RGBA, each byte from `(frame, index)`, at the given µs times. */
function frames(width: number, height: number, timestamps: number[]): Uint8Array[] {
  return timestamps.map((_, n) => {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + n * 13) & 255;
    // Starts like an MPEG audio header, which ffmpeg's NUT muxer elides from small frames.
    data.set([0xff, 0xfa]);
    return data;
  });
}

/**
 * Runs the frames through ffmpeg as this package's Matroska in, raw video in NUT out (as the
 * file reader asks for it), and reads them back with `_NutReader`.
 */
async function roundTrip(
  width: number,
  height: number,
  timestamps: number[],
  cut?: number,
): Promise<{ width: number; height: number; frames: _NutFrame[] }> {
  const ffmpeg = await findFfmpeg();
  // deno-fmt-ignore
  const process = new FfmpegProcess(ffmpeg.path, [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "matroska", "-i", "pipe:0",
    "-vsync", "passthrough", "-enc_time_base", "1:1000000", "-c:v", "rawvideo",
    "-f", "nut", "pipe:1",
  ], { stdin: true, stdout: true });
  const mkv = new _MatroskaWriter([{ kind: "video", format: "RGBA", width, height }]);
  const data = frames(width, height, timestamps);
  const writing = (async () => {
    await process.write(mkv.header());
    for (const [n, bytes] of data.entries()) {
      await process.write(mkv.blockHeader(0, timestamps[n]!, 0, bytes.length));
      await process.write(bytes);
    }
    await process.closeInput();
  })();
  let stdout = process.stdout;
  if (cut !== undefined) {
    // Only the first `cut` bytes of what ffmpeg writes.
    const all = new Uint8Array(await new Response(stdout).arrayBuffer());
    stdout = new Blob([all.subarray(0, cut)]).stream();
  }
  const reader = new _NutReader(stdout);
  try {
    const [stream] = await reader.streams();
    const out: _NutFrame[] = [];
    for (let frame = await reader.next(); frame; frame = await reader.next()) out.push(frame);
    return { width: stream?.width ?? 0, height: stream?.height ?? 0, frames: out };
  } finally {
    await writing;
    await process.wait();
  }
}

Deno.test("_NutReader reads ffmpeg's frames with their own timestamps, elided or not", async () => {
  // Irregular times, as a variable-rate file has them; 8×8 frames are small enough to elide.
  const timestamps = [0, 33_367, 66_700, 133_400, 150_001, 1_000_000, 1_000_001];
  const { width, height, frames: got } = await roundTrip(8, 8, timestamps);
  assert.deepEqual([width, height], [8, 8]);
  assert.deepEqual(got.map((f) => f.timestamp), timestamps);
  const sent = frames(8, 8, timestamps);
  got.forEach((frame, n) => assert.deepEqual(frame.data, sent[n], `frame ${n}`));
});

Deno.test("_NutReader reads 10 MB of large frames, one syncpoint before each", async () => {
  const timestamps = Array.from({ length: 200 }, (_, n) => n * 40_000 + (n % 3) * 1000);
  const { frames: got } = await roundTrip(128, 96, timestamps);
  assert.deepEqual(got.map((f) => f.timestamp), timestamps);
  const sent = frames(128, 96, timestamps);
  assert.deepEqual(got[199]!.data, sent[199]);
});

Deno.test("_NutReader fails with _NutError on a stream that ends inside a frame", async () => {
  await assert.rejects(roundTrip(32, 32, [0, 40_000, 80_000], 5000), (e) => {
    assert.ok(e instanceof _NutError, String(e));
    assert.match(e.message, /ends in a frame \(\d+ of 4096 bytes\)/);
    return true;
  });
  await assert.rejects(roundTrip(32, 32, [0], 10), _NutError);
});
