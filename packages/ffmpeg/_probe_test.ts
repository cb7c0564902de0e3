import assert from "node:assert/strict";
import { _mediaInfo, _parseProbe, _tickRate } from "./_probe.ts";

/** ffmpeg's description of an input whose video stream line is `stream`. */
function described(stream: string): string {
  return [
    "Input #0, matroska,webm, from 'clip.mkv':",
    "  Duration: 00:00:02.00, start: 0.000000, bitrate: 1200 kb/s",
    `  Stream #0:0: Video: h264 (High), ${stream} (default)`,
  ].join("\n");
}

Deno.test("_parseProbe reads size, rate, frame count and colour from a description", () => {
  const info = _parseProbe(
    described(
      "yuv420p(tv, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 30 fps, 30 tbr, 1k tbn",
    ),
  );
  assert.equal(info?.duration, 2);
  assert.equal(info?.video?.width, 1280);
  assert.equal(info?.video?.fps, 30);
  assert.equal(info?.video?.frames, 60);
  assert.deepEqual(info?.video?.colorSpace, { matrix: "bt709", fullRange: false });
  assert.equal(_parseProbe("[error] clip.mkv: No such file or directory"), undefined);
});

Deno.test("_tickRate is ffmpeg's rate of every timestamp where it suits ticking, else the average", () => {
  const check = (stream: string): number => {
    const text = described(`yuv420p, 640x360, ${stream}, 1k tbn`);
    return _tickRate(text, _parseProbe(text)!.video!.fps);
  };
  assert.equal(check("25 fps, 25 tbr"), 25);
  assert.equal(check("29.97 fps, 29.97 tbr"), 30000 / 1001, "NTSC as the exact fraction");
  // 30 and 15 fps in turns: every frame falls on a tick at 30 a second.
  assert.equal(check("25 fps, 30 tbr"), 30);
  // Timestamps with no common rate: ffmpeg's guess is its time base; tick at the average.
  assert.equal(check("29.83 fps, 90k tbr"), 29.83);
  assert.equal(check("25 fps"), 25, "no tbr: the average");
  assert.equal(check("25 tbr"), 25, "no average: the reported rate is the tbr");
});

Deno.test("_parseProbe reports the size a player shows and the rotation of a display matrix", () => {
  const rotated = (degrees: string): string =>
    described("yuv420p, 64x48, 25 fps, 25 tbr, 12800 tbn") +
    `\n    Side data:\n      displaymatrix: rotation of ${degrees} degrees`;
  const sizes = ["-90.00", "90.00", "180.00", "-180.00", "0.00"].map((d) => {
    const video = _parseProbe(rotated(d))!.video!;
    return `${video.width}x${video.height}@${video.rotation}`;
  });
  assert.deepEqual(sizes, ["48x64@90", "48x64@270", "64x48@180", "64x48@180", "64x48@0"]);
  assert.equal(_parseProbe(described("yuv420p, 64x48, 25 fps"))?.video?.rotation, 0);
  // A matrix further down belongs to another stream.
  const other = described("yuv420p, 64x48, 25 fps") +
    "\n  Stream #0:1: Video: png, rgba, 8x8\n    Side data:\n      displaymatrix: rotation of -90.00 degrees";
  assert.equal(_parseProbe(other)?.video?.rotation, 0);
});

Deno.test("_mediaInfo turns a description without an input into SL_FILE_INVALID with the reason", () => {
  assert.throws(
    () =>
      _mediaInfo("bad.mp4", "", "[mov @ 0x1] moov atom not found\nbad.mp4: Invalid data", 1, false),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, "SL_FILE_INVALID");
      assert.match(
        e.message,
        /"bad\.mp4": \[mov @ 0x1\] moov atom not found\nbad\.mp4: Invalid data/,
      );
      return true;
    },
  );
  assert.throws(
    () => _mediaInfo("http://127.0.0.1:9/x", "", "", 255, true),
    /did not answer within 30 s/,
  );
  assert.equal(
    _mediaInfo("ok.mkv", described("yuv420p, 2x2, 25 fps, 25 tbr"), "", 0, false).video?.fps,
    25,
  );
});
