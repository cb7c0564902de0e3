import assert from "node:assert/strict";
import {
  type AudioBuffer,
  Collect,
  isStreamlibError,
  type Message,
  parseRemoteEndpoint,
  Pipeline,
  Tee,
  type VideoFrame,
} from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { AudioTestSource } from "@streamlib/audio";
import { NetSink, NetSrc, startNetNode } from "./mod.ts";
import { _makeDecoder, _makeEncoder } from "./_codec_factory.ts";
import type { _Delivery } from "./_link_receiver.ts";

type Codec = "raw" | "jpeg" | "h264" | "opus";

/** Sends what `source` makes across a TCP link with `codec`; what arrived, and the link. */
async function roundTrip(
  codec: Codec,
  source: () => TestPattern | AudioTestSource,
): Promise<{ sent: Message[]; got: Message[]; src: NetSrc; sink: NetSink }> {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
  const got = receiver.add(new Collect<Message>());
  receiver.link(src, got);
  await receiver.start();
  // Offline: the source never skips a frame, however slow the link.
  const sender = new Pipeline({ mode: "offline" });
  const sink = new NetSink({ to: src.url!, codec, policy: "queue:8" });
  const kept = new Collect<Message>();
  const tee = sender.add(new Tee());
  sender.pipe(source(), tee, sink);
  sender.link(tee, sender.add(kept));
  await sender.run();
  await receiver.done;
  return { sent: kept.messages, got: got.messages, src, sink };
}

function meanAbsDiff(a: VideoFrame, b: VideoFrame): number {
  assert.equal(a.data.length, b.data.length);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

const video720 = (): TestPattern =>
  new TestPattern({ pattern: "smpte", width: 1280, height: 720, frames: 12 });

Deno.test("raw 720p video crosses a link exactly, in order, with its timing", async () => {
  const { sent, got, src, sink } = await roundTrip("raw", video720);
  assert.equal(got.length, 12, JSON.stringify([src.remoteLink(), sink.remoteLink()]));
  for (let i = 0; i < 12; i++) {
    const a = sent[i] as VideoFrame;
    const b = got[i] as VideoFrame;
    assert.equal(b.kind, "video");
    assert.equal(b.position, a.position);
    assert.equal(b.duration, a.duration);
    assert.deepEqual(b.data, a.data);
  }
  assert.equal(src.remoteLink().gaps, 0);
});

for (const [codec, tolerance] of [["jpeg", 4], ["h264", 6]] as const) {
  Deno.test(`${codec} 720p video arrives as ordinary frames within the codec's tolerance`, async () => {
    const { sent, got, src, sink } = await roundTrip(codec, video720);
    assert.equal(got.length, 12, JSON.stringify([src.remoteLink(), sink.remoteLink()]));
    assert.equal(src.remoteLink().codec, codec);
    assert.equal(sink.remoteLink().codec, codec);
    // Compressed: far fewer bytes than the raw frames.
    const bytes = src.remoteLink().bytes ?? 0;
    assert.ok(bytes > 0 && bytes < 12 * 1280 * 720 * 4 / 10, `${bytes} bytes`);
    for (let i = 0; i < 12; i++) {
      const a = sent[i] as VideoFrame;
      const b = got[i] as VideoFrame;
      assert.equal(b.format, "RGBA");
      assert.equal(b.codedWidth, 1280);
      assert.equal(b.position, a.position);
      const diff = meanAbsDiff(a, b);
      assert.ok(diff < tolerance, `${codec} frame ${i}: mean difference ${diff.toFixed(2)}`);
    }
  });
}

Deno.test("the H.264 decoder yields each frame before the next picture arrives", async () => {
  const encoder = await _makeEncoder("h264", 75);
  const decoder = await _makeDecoder("h264");
  const frames: Message[] = [];
  let arrived = (): void => {};
  decoder.output = (m) => {
    frames.push(m);
    arrived();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const source = new Pipeline({ mode: "offline" });
    const made = new Collect<Message>();
    source.pipe(new TestPattern({ pattern: "ball", width: 320, height: 240, frames: 3 }), made);
    await source.run();
    for (const [i, frame] of made.messages.entries()) {
      const [make] = await encoder.encode(frame);
      const shown = new Promise<boolean>((resolve) => {
        arrived = () => resolve(true);
        // Not a timing: a decoder that holds a frame would never yield it without the next.
        timer = setTimeout(() => resolve(false), 10_000);
      });
      await decoder.decode(make!(i) as _Delivery);
      assert.ok(await shown, `frame ${i} was held until the next picture`);
      clearTimeout(timer);
      assert.equal(frames.length, i + 1);
      assert.equal(frames[i]!.timestamp, frame.timestamp);
    }
  } finally {
    clearTimeout(timer);
    await encoder.close();
    await decoder.close();
  }
});

Deno.test("opus audio arrives as float buffers with the tone's level and pitch", async () => {
  const { sent, got, src } = await roundTrip(
    "opus",
    () => new AudioTestSource({ frequency: 440, volume: 0.5, channels: 2, buffers: 50 }),
  );
  assert.equal(src.remoteLink().codec, "opus");
  const total = (ms: Message[]): number =>
    (ms as AudioBuffer[]).reduce((n, b) => n + b.numberOfFrames, 0);
  const frames = total(got);
  // Whole 20 ms packets: at most one short, never more than sent.
  assert.ok(frames <= total(sent) + 960 && frames >= total(sent) - 960, `${frames}`);
  const left: number[] = [];
  for (const b of got as AudioBuffer[]) {
    assert.equal(b.sampleRate, 48_000);
    assert.equal(b.numberOfChannels, 2);
    left.push(...b.data.subarray(0, b.numberOfFrames));
  }
  const steady = left.slice(4_800, left.length - 4_800);
  const rms = Math.sqrt(steady.reduce((n, v) => n + v * v, 0) / steady.length);
  assert.ok(Math.abs(rms - 0.5 / Math.SQRT2) < 0.03, `rms ${rms}`);
  let crossings = 0;
  for (let i = 1; i < steady.length; i++) if (steady[i - 1]! < 0 && steady[i]! >= 0) crossings++;
  const hz = crossings / (steady.length / 48_000);
  assert.ok(Math.abs(hz - 440) < 5, `pitch ${hz} Hz`);
});

Deno.test("an unknown codec is a coded parameter error", () => {
  assert.throws(
    () => new NetSink({ to: "tcp://127.0.0.1:9", codec: "vp9" as "raw" }),
    (e) => isStreamlibError(e) && e.code === "SL_PARAM_INVALID",
  );
});

Deno.test("a node's codecs pick what its remote links carry, by the kind that reaches them", async () => {
  const node = await startNetNode({
    name: "codecs-test",
    codecs: { video: "jpeg", audio: "opus" },
    install: false,
    peers: { edge: "127.0.0.1:9" }, // a way to the node (links to nowhere are refused)
  });
  try {
    const remote = parseRemoteEndpoint("actor://edge/compositor/mix.layer_1");
    const codec = (kind: "video" | "audio" | "data"): unknown =>
      (node.resolve({ direction: "out", remote, kind, local: "src.out" }) as NetSink).params.codec;
    assert.equal(codec("video"), "jpeg");
    assert.equal(codec("audio"), "opus");
    assert.equal(codec("data"), "raw");
  } finally {
    await node.close();
  }
  // An unknown codec, or one of the other kind (it would go raw without a word), is refused
  // when the node starts.
  for (
    const [codecs, message] of [
      [{ video: "av1" }, /Unknown link codec "av1"/],
      [{ video: "opus" }, /opus is not a codec for video links/],
      [{ audio: "h264" }, /h264 is not a codec for audio links/],
    ] as const
  ) {
    await assert.rejects(
      startNetNode({ name: "codecs-wrong", codecs, install: false }),
      (e) => isStreamlibError(e, "SL_PARAM_INVALID") && message.test((e as Error).message),
    );
  }
});
