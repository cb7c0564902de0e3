import assert from "node:assert/strict";
import { _mediaInfo, _parseProbe, _sourceRateIs } from "./_probe.ts";

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

Deno.test("_sourceRateIs agrees only where ffmpeg's own rate is exactly the reported one", () => {
  const check = (stream: string): boolean => {
    const text = described(`yuv420p, 640x360, ${stream}, 1k tbn`);
    return _sourceRateIs(text, _parseProbe(text)!.video!.fps);
  };
  assert.equal(check("25 fps, 25 tbr"), true);
  assert.equal(check("29.97 fps, 29.97 tbr"), true, "NTSC: both are 30000/1001");
  assert.equal(check("23.98 fps, 23.98 tbr"), true);
  // A variable-rate file: ffmpeg would deliver 30 a second, the file averages 29.83.
  assert.equal(check("29.83 fps, 30 tbr"), false);
  // 12.5 is printed exactly, but a rate like 12.4996 prints the same: pass it explicitly.
  assert.equal(check("12.50 fps, 12.50 tbr"), false);
  assert.equal(check("25 fps"), false, "no tbr: nothing to compare");
  assert.equal(check("25 tbr"), true, "no average: the reported rate is the tbr");
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
