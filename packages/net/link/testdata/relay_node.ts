/**
 * One node of the three-process test: `source` (720p video and a tone, until its stdin
 * closes), `proc` (relays both through tees) or `sink` (keeps signatures). Links go by address,
 * `actor://proc/…` and `actor://sink/…`, over the NATS server given. It prints JSON lines:
 * `{"ready":…}`, the sink's `{"progress":…}`, and a `{"done":…}` report at the end.
 *
 * Usage: deno run -A relay_node.ts ROLE NATS_URL VIDEO_CODEC AUDIO_CODEC [FRAMES]
 *
 * With FRAMES the source runs offline and ends by itself after that many frames and 0.1 s of
 * tone a frame.
 */

import { Pipeline, Tee } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { AudioTestSource } from "@streamlib/audio";
import { NetSink, NetSrc, startNetNode } from "@streamlib/net";
import { fnv1a, RelayCheck, toneOf } from "../_relay_testing.ts";

const [role, nats, video, audio, frames] = Deno.args as [string, string, string, string, string?];
const stdout = new TextEncoder();
const say = (value: unknown): void => {
  const bytes = stdout.encode(JSON.stringify(value) + "\n");
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
};
const links = (pipeline: Pipeline): unknown[] =>
  pipeline.actors.filter((a) => a instanceof NetSink || a instanceof NetSrc).map((a) =>
    (a as NetSink | NetSrc).remoteLink()
  );

// A source with a frame limit runs offline: it never skips a tick, however slow the links.
const pipeline = new Pipeline(role === "source" && frames !== undefined ? { mode: "offline" } : {});
const node = await startNetNode({
  name: role,
  pipeline,
  nats,
  codecs: { video, audio },
  announceMs: 500,
});

if (role === "source") {
  pipeline.add(
    new TestPattern({
      pattern: "ball",
      width: 1280,
      height: 720,
      fps: 10,
      size: 160,
      ...(frames === undefined ? {} : { frames: Number(frames) }),
    }),
    { name: "camera" },
  );
  pipeline.add(
    new AudioTestSource({
      frequency: 440,
      volume: 0.5,
      channels: 1,
      samplesPerBuffer: 480,
      ...(frames === undefined ? {} : { buffers: Number(frames) * 10 }),
    }),
    { name: "mic" },
  );
  pipeline.connect("camera.out", "actor://proc/vrelay.in");
  pipeline.connect("mic.out", "actor://proc/arelay.in");
  await pipeline.start();
  say({ ready: role });
  if (frames === undefined) {
    // Runs until the test closes stdin; then ends its sources, end-of-stream crossing the links.
    for await (const _ of Deno.stdin.readable) { /* nothing is said on stdin */ }
    await pipeline.stop();
  } else await pipeline.done;
  say({ done: role, links: links(pipeline) });
} else if (role === "proc") {
  // Tees pass any kind, so their links name their codec themselves.
  pipeline.pipe(
    pipeline.add(new Tee(), { name: "vrelay" }),
    new NetSink({ to: "actor://sink/vcheck.in", codec: video as "h264" }),
  );
  pipeline.pipe(
    pipeline.add(new Tee(), { name: "arelay" }),
    new NetSink({ to: "actor://sink/acheck.in", codec: audio as "opus" }),
  );
  await pipeline.start();
  say({ ready: role });
  await pipeline.done;
  say({ done: role, links: links(pipeline) });
} else {
  const vcheck = pipeline.add(new RelayCheck(), { name: "vcheck" });
  const acheck = pipeline.add(new RelayCheck(), { name: "acheck" });
  await pipeline.start();
  say({ ready: role });
  const timer = setInterval(() => {
    say({
      progress: vcheck.frames.length,
      samples: acheck.sampleCount,
      rss: Deno.memoryUsage().rss,
      transports: links(pipeline).map((l) => (l as { transport: string }).transport),
    });
  }, 100);
  await pipeline.done;
  clearInterval(timer);
  say({
    done: role,
    links: links(pipeline),
    frames: vcheck.frames,
    samples: acheck.sampleCount,
    tone: toneOf(acheck.samples.subarray(0, acheck.sampleCount), acheck.sampleRate),
    audioHash: fnv1a(new Uint8Array(acheck.samples.buffer, 0, acheck.sampleCount * 4)),
    rss: Deno.memoryUsage().rss,
  });
}
await node.close();
