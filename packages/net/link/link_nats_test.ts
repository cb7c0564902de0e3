import assert from "node:assert/strict";
import { Collect, type DataMessage, DataSource, Pipeline, type VideoFrame } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { NetSink, NetSrc, startNetNode } from "./mod.ts";
import { needsNats, TestNats } from "./_nats_testing.ts";

Deno.test(needsNats({
  name: "a 720p frame over the server's max payload crosses NATS in chunks, exactly",
  fn: async () => {
    await using nats = await TestNats.start({ maxPayload: 256 * 1024 });
    const receiver = new Pipeline();
    const src = receiver.add(new NetSrc({ listen: `${nats.url}/cams.a` }));
    const got = receiver.add(new Collect<VideoFrame>());
    receiver.link(src, got);
    await receiver.start();
    const sender = new Pipeline({ mode: "offline" });
    const sink = new NetSink({ to: `${nats.url}/cams.a`, policy: "queue:4" });
    const pattern = () =>
      new TestPattern({ pattern: "smpte", width: 1280, height: 720, frames: 4 });
    sender.pipe(pattern(), sink);
    await sender.run();
    await receiver.done;
    const expected = new Collect<VideoFrame>();
    await new Pipeline({ mode: "offline" }).pipe(pattern(), expected).run();
    assert.equal(got.messages.length, 4);
    got.messages.forEach((frame, i) => assert.deepEqual(frame.data, expected.messages[i]!.data));
    assert.equal(src.remoteLink().transport, "nats");
    assert.equal(src.remoteLink().gaps, 0);
  },
}));

Deno.test(needsNats({
  name: "nodes link by address over NATS, and the link comes back after nats-server restarts",
  fn: async () => {
    await using nats = await TestNats.start();
    const edge = new Pipeline();
    const sink = edge.add(new Collect<DataMessage>(), { name: "sink" });
    const edgeNode = await startNetNode({
      name: "edge",
      pipeline: edge,
      nats: nats.url,
      install: false,
      listen: "",
    });
    await edge.start();
    const studioNode = await startNetNode({ name: "studio", nats: nats.url, install: false });
    const studio = new Pipeline({ remote: studioNode });
    studio.add(new DataSource({ count: 100_000, fps: 50 }), { name: "src" });
    studio.connect("src.out", "actor://edge/collect/sink.in");
    await studio.start();
    const until = async (what: () => boolean): Promise<void> => {
      while (!what()) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await until(() => sink.messages.length >= 5);
    const link = () => studio.actors.find((a) => a instanceof NetSink) as NetSink;
    assert.equal(link().remoteLink().transport, "nats");
    await nats.stop();
    await until(() => link().remoteLink().state !== "up");
    const before = sink.messages.length;
    await nats.restart();
    await until(() => sink.messages.length >= before + 5);
    assert.equal(link().remoteLink().state, "up");
    assert.ok(link().remoteLink().reconnects >= 1);
    await studio.stop();
    await edge.stop();
    await studioNode.close();
    await edgeNode.close();
    // What came is in order, each value once; what was lost while NATS was down is counted:
    // dropped at the sender, and as missing at the receiver (which also counts what was lost
    // on the way). A live source may skip ticks under load: those are no link's loss.
    const values = sink.messages.map((m) => m.value as number);
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!);
    const src = edge.actors.find((a) => a instanceof NetSrc) as NetSrc;
    const info = src.remoteLink();
    assert.ok(info.gaps >= 1 && info.missing >= 1, JSON.stringify(info));
    assert.ok(info.missing >= link().remoteLink().dropped, JSON.stringify(info));
    assert.ok(info.missing <= values.at(-1)! + 1 - values.length, JSON.stringify(info));
  },
}));
