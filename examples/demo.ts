// deno-lint-ignore-file no-console
/**
 * The streamlib demo: ten seconds of video composited from three layers and written to an MP4,
 * with a PNG snapshot of one frame. No ffmpeg needs to be installed: without one on PATH, the
 * static build from the npm package @ffmpeg-installer is fetched on first use.
 *
 *   bars   (videotestsrc smpte, timecode) ─► mix.layer_0 ─┐
 *   ball   (videotestsrc ball, transparent) ─► mix.layer_1 ─┼► mix ─► snap ─► file
 *   title  (draw: Canvas 2D, animated) ──────► mix.layer_2 ─┘  compositor  snapshot  filesink
 *
 * It renders offline — as fast as the slowest actor, every frame kept — then prints where the
 * files are and how long each actor took per process() call (the writer takes several frames a
 * call, waiting on ffmpeg).
 *
 *   deno task demo [output folder, default ./demo-output]
 *
 * @module
 */
import { Pipeline } from "@streamlib/core";
import { FileWriter, findFfmpeg } from "@streamlib/ffmpeg";
import { Compositor, Draw, type DrawFunction, Snapshot, TestPattern } from "@streamlib/video";

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;
const SECONDS = 10;
const folder = Deno.args[0] ?? "demo-output";
await Deno.mkdir(folder, { recursive: true });
const video = `${folder}/demo.mp4`;
const still = `${folder}/demo-%d.png`;

/** The animated overlay: a title card, a spinning ring of squares and a progress bar. */
const title: DrawFunction = (ctx, { width, height, time, frame }) => {
  const progress = time / SECONDS;
  // A translucent card sliding in from the left.
  const x = Math.min(40, -520 + time * 900);
  ctx.fillStyle = "rgba(0, 0, 0, 0.6)";
  ctx.beginPath();
  ctx.roundRect(x, 40, 520, 150, 18);
  ctx.fill();
  ctx.fillStyle = "white";
  ctx.font = "bold 56px sans-serif";
  ctx.fillText("streamlib", x + 30, 110);
  ctx.font = "28px sans-serif";
  ctx.fillStyle = "#ffd166";
  ctx.fillText(`frame ${frame} · ${time.toFixed(2)} s`, x + 32, 160);
  // Twelve squares turning around a point, each a different hue.
  ctx.save();
  ctx.translate(width - 200, height - 220);
  ctx.rotate(time * Math.PI / 2);
  for (let i = 0; i < 12; i++) {
    ctx.rotate(Math.PI / 6);
    ctx.fillStyle = `hsla(${i * 30 + time * 90}, 90%, 60%, 0.85)`;
    ctx.fillRect(90, -14, 28, 28);
  }
  ctx.restore();
  // A progress bar along the bottom.
  ctx.fillStyle = "rgba(255, 255, 255, 0.25)";
  ctx.fillRect(0, height - 12, width, 12);
  ctx.fillStyle = "#06d6a0";
  ctx.fillRect(0, height - 12, width * progress, 12);
};

const pipeline = new Pipeline({ mode: "offline" });
const frames = SECONDS * FPS;
const bars = pipeline.add(
  new TestPattern({ pattern: "smpte", width: WIDTH, height: HEIGHT, fps: FPS, frames }),
  { name: "bars" },
);
const ball = pipeline.add(
  new TestPattern({
    pattern: "ball",
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    frames,
    size: 220,
    speed: 260,
    foreground: "#ef476f",
    background: "transparent",
  }),
  { name: "ball" },
);
const overlay = pipeline.add(
  new Draw({ width: WIDTH, height: HEIGHT, fps: FPS, frames }, { draw: title }),
  { name: "title" },
);
const mix = pipeline.add(
  new Compositor({
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    layers: { layer_1: { opacity: 0.65 } },
  }),
  { name: "mix" },
);
const snap = pipeline.add(
  new Snapshot({ location: still, mode: "first", frame: 5 * FPS }),
  { name: "snap" },
);
const file = pipeline.add(new FileWriter({ location: video, crf: 20, preset: "veryfast" }), {
  name: "file",
});
pipeline.link(bars, mix);
pipeline.link(ball, mix);
pipeline.link(overlay, mix);
pipeline.link(mix, snap);
pipeline.link(snap, file);

const ffmpeg = await findFfmpeg();
console.log(`ffmpeg ${ffmpeg.version} (${ffmpeg.source}: ${ffmpeg.path})`);
console.log(`rendering ${SECONDS} s of ${WIDTH}×${HEIGHT} at ${FPS} fps…`);
const started = performance.now();
const progress = setInterval(() => {
  const done = file.inputs.in.received;
  Deno.stdout.writeSync(new TextEncoder().encode(`\r  ${done}/${frames} frames`));
}, 250);
try {
  await pipeline.run();
} finally {
  clearInterval(progress);
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\r  ${frames}/${frames} frames in ${seconds.toFixed(1)} s (${
    (frames / seconds).toFixed(0)
  } fps)`,
);

const png = still.replace("%d", "0");
console.log(`\nvideo:    ${await Deno.realPath(video)} (${await size(video)})`);
console.log(`snapshot: ${await Deno.realPath(png)} (${await size(png)}, frame ${5 * FPS})`);

console.log("\nactor   type           calls  p50 ms  p99 ms   (time in one process() call)");
for (const s of pipeline.stats().actors) {
  const { p50, p99 } = s.processingTimeUs;
  console.log(
    `${s.name.padEnd(7)} ${s.type.padEnd(12)} ${String(s.processed).padStart(7)}  ${ms(p50)}  ${
      ms(p99)
    }`,
  );
}

async function size(path: string): Promise<string> {
  const bytes = (await Deno.stat(path)).size;
  return bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
}

function ms(us: number): string {
  return (us / 1000).toFixed(2).padStart(6);
}
