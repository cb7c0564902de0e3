import assert from "node:assert/strict";
import { Collect, Pipeline, type VideoFrame } from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { FileReader } from "./file_reader.ts";
import { probeMedia } from "./probe.ts";
import { ffmpegChildren, ffprobe, hasFfprobe } from "./_testing.ts";

const probe = needs("ffprobe", hasFfprobe(), "apt-get install ffmpeg");

const dir = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

async function ffmpeg(...args: string[]): Promise<Uint8Array> {
  const { success, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  return stdout;
}

// A 64×48 blue picture with a red 16×16 block in its top-left corner, as a camera codes it.
const coded = `${dir}/coded.mp4`;
// deno-fmt-ignore
await ffmpeg(
  "-f", "lavfi", "-i", "color=blue:size=64x48:rate=10:duration=0.5",
  "-vf", "drawbox=x=0:y=0:w=16:h=16:color=red:t=fill", "-c:v", "libx264", "-qp", "0",
  "-pix_fmt", "yuv444p", coded,
);

/** `coded` with a display matrix that players turn `clockwise` degrees. */
async function rotated(clockwise: 90 | 180 | 270): Promise<string> {
  const path = `${dir}/rotated-${clockwise}.mp4`;
  // ffmpeg 5 writes the tag's angle counter-clockwise.
  const tag = String((360 - clockwise) % 360);
  await ffmpeg("-i", coded, "-c", "copy", "-metadata:s:v:0", `rotate=${tag}`, path);
  return path;
}

async function firstFrame(location: string, autorotate = true): Promise<VideoFrame> {
  const reader = new FileReader({ location, autorotate });
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(reader, sink).run();
  assert.equal(sink.messages.length, 5);
  return sink.messages[0]!;
}

/** Which corner of an RGBA frame is red: "top-left", "top-right"… */
function redCorner(frame: VideoFrame): string {
  const { codedWidth: w, codedHeight: h, data } = frame;
  const corners = { "top-left": [2, 2], "top-right": [w - 3, 2], "bottom-left": [2, h - 3] };
  const red = Object.entries({ ...corners, "bottom-right": [w - 3, h - 3] }).filter(([, xy]) => {
    const p = (xy[1]! * w + xy[0]!) * 4;
    return data[p]! > 200 && data[p + 2]! < 60;
  });
  return red.map(([name]) => name).join(",");
}

for (
  const [clockwise, corner] of [[90, "top-right"], [180, "bottom-right"], [
    270,
    "bottom-left",
  ]] as const
) {
  Deno.test(probe({
    name: `FileReader turns a video with a ${clockwise}° display matrix as players show it`,
    fn: async () => {
      const path = await rotated(clockwise);
      const matrix = (await ffprobe(path)).streams[0] as unknown as {
        side_data_list?: { rotation?: number }[];
      };
      // ffprobe's rotation is counter-clockwise: -90 for a phone held upright.
      const ccw = matrix.side_data_list?.[0]?.rotation ?? 0;
      assert.equal(((-ccw % 360) + 360) % 360, clockwise, "the test file's matrix");
      const frame = await firstFrame(path);
      const upright = clockwise === 180;
      assert.deepEqual(
        [frame.codedWidth, frame.codedHeight],
        upright ? [64, 48] : [48, 64],
      );
      assert.equal(redCorner(frame), corner);
      // Pixel for pixel what ffmpeg itself shows.
      const shown = await ffmpeg(
        "-i",
        path,
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgba",
        "-",
      );
      assert.deepEqual(frame.data, shown);
      const info = await probeMedia(path);
      assert.deepEqual(
        [info.video?.width, info.video?.height, info.video?.rotation],
        upright ? [64, 48, 180] : [48, 64, clockwise],
      );
      assert.deepEqual(ffmpegChildren(), []);
    },
  }));
}

Deno.test("FileReader with autorotate=false sends the frames as coded and reports the rotation", async () => {
  const path = await rotated(90);
  const reader = new FileReader({ location: path, autorotate: false });
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(reader, sink).run();
  const frame = sink.messages[0]!;
  assert.deepEqual([frame.codedWidth, frame.codedHeight], [64, 48]);
  assert.equal(redCorner(frame), "top-left");
  assert.deepEqual(
    [reader.info?.video?.width, reader.info?.video?.height, reader.info?.video?.rotation],
    [48, 64, 90],
  );
});

Deno.test("FileReader scales a turned video to the size asked, keeping the upright aspect", async () => {
  const path = await rotated(270);
  const reader = new FileReader({ location: path, width: 24, format: "I420" });
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(reader, sink).run();
  assert.deepEqual([sink.messages[0]!.codedWidth, sink.messages[0]!.codedHeight], [24, 32]);
});
