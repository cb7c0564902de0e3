import assert from "node:assert/strict";
import {
  Collect,
  type DataMessage,
  DataSource,
  isStreamlibError,
  Logger,
  Pipeline,
  type StreamlibError,
} from "@streamlib/core";
import { type NetNode, NetSink, NetSrc, startNetNode } from "./mod.ts";

/** A receiving node "edge" whose pipeline has a collect "sink" fed by a source "busy" into log. */
async function edge(): Promise<
  { pipeline: Pipeline; node: NetNode; sink: Collect<DataMessage> } & AsyncDisposable
> {
  const pipeline = new Pipeline();
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  pipeline.pipe(
    pipeline.add(new DataSource({ fps: 1 }), { name: "busy" }),
    pipeline.add(new Logger(), { name: "rx" }),
  );
  const node = await startNetNode({ name: "edge", pipeline, install: false });
  await pipeline.start();
  return {
    pipeline,
    node,
    sink,
    async [Symbol.asyncDispose](): Promise<void> {
      await pipeline.stop({ mode: "abort" });
      await node.close();
    },
  };
}

/** Runs a node "studio" that sends three values to `target` on edge; how its run ended. */
async function send(target: string, peers: Record<string, string>): Promise<unknown> {
  const node = await startNetNode({ name: "studio", install: false, peers });
  try {
    const studio = new Pipeline({ remote: node });
    studio.add(new DataSource({ count: 3, fps: 100 }), { name: "src" });
    studio.connect("src.out", target as `${string}.${string}`);
    return await studio.run().then(() => undefined, (error: unknown) => error);
  } finally {
    await node.close();
  }
}

/** The coded cause of a failed run. */
function causeOf(error: unknown): StreamlibError {
  assert.ok(isStreamlibError(error, "SL_ACTOR_FAILED"), String(error));
  return (error as StreamlibError).cause as StreamlibError;
}

Deno.test("a link to an actor, port or input that is not there fails the sender at once with the receiver's code, not a silent run", async () => {
  await using receiver = await edge();
  const peers = { edge: receiver.node.address! };
  const cases: Array<[string, string, RegExp]> = [
    ["actor://edge/ghost.in", "SL_ACTOR_NOT_FOUND", /no actor for "ghost\.in"; its actors: /],
    ["actor://edge/compositor/sink.in", "SL_ACTOR_NOT_FOUND", /is a collect, not a compositor/],
    ["actor://edge/sink.nope", "SL_PORT_NOT_FOUND", /Cannot link into "sink\.nope"/],
    ["actor://edge/rx.in", "SL_ALREADY_CONNECTED", /Cannot link into "rx\.in"/],
  ];
  for (const [target, code, message] of cases) {
    const cause = causeOf(await send(target, peers));
    assert.ok(isStreamlibError(cause, code), `${target}: ${cause}`);
    assert.match(cause.message, message);
    assert.match(cause.message, /The other node refused the link/);
  }
  assert.equal(receiver.pipeline.actors.filter((a) => a instanceof NetSrc).length, 0);
  assert.equal(receiver.pipeline.state, "running");
});

Deno.test("a link to a node nothing could reach (no NATS, no peer, no host:port) is refused when made: SL_NODE_NOT_FOUND", async () => {
  const node = await startNetNode({ name: "studio", install: false });
  try {
    const studio = new Pipeline({ remote: node });
    studio.add(new DataSource({ count: 3 }), { name: "src" });
    assert.throws(
      () => studio.connect("src.out", "actor://nowhere/sink.in"),
      (e) =>
        isStreamlibError(e, "SL_NODE_NOT_FOUND") &&
        /No way to node "nowhere" from node "studio": .*--peer nowhere=HOST:PORT/.test(e.message),
    );
  } finally {
    await node.close();
  }
});

Deno.test("a node with no pipeline yet says 'not now' (SL_LINK_REFUSED): the sender dials again and links once it has one", async () => {
  const node = await startNetNode({ name: "edge", install: false });
  const pipeline = new Pipeline();
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  const studioNode = await startNetNode({
    name: "studio",
    install: false,
    peers: { edge: node.address! },
  });
  try {
    const studio = new Pipeline({ remote: studioNode });
    studio.add(new DataSource({ count: 3, fps: 100 }), { name: "src" });
    studio.connect("src.out", "actor://edge/sink.in");
    const sender = studio.actors.find((a): a is NetSink => a instanceof NetSink)!;
    const ran = studio.run();
    for (let i = 0; sender.remoteLink().error === undefined && i < 500; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.match(sender.remoteLink().error ?? "", /^SL_LINK_REFUSED: .*has no pipeline/);
    node.attach(pipeline);
    await pipeline.start();
    await ran;
    await pipeline.done;
    assert.deepEqual(sink.messages.map((m) => m.value), [0, 1, 2]);
  } finally {
    await pipeline.stop({ mode: "abort" }).catch(() => {});
    await studioNode.close();
    await node.close();
  }
});

Deno.test("a netsink to= or netsrc listen= of another scheme is refused when made, and a taken port says so with its code", async () => {
  for (
    const make of [
      () => new NetSink({ to: "http://127.0.0.1:1" }),
      () => new NetSrc({ listen: "127.0.0.1:1" }),
    ]
  ) {
    assert.throws(make, (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  }
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const pipeline = new Pipeline();
    const src = pipeline.add(
      new NetSrc({ listen: `tcp://127.0.0.1:${(taken.addr as Deno.NetAddr).port}` }),
    );
    pipeline.pipe(src, new Collect());
    const error = await pipeline.run().then(() => undefined, (e: unknown) => e);
    assert.ok(isStreamlibError((error as Error)?.cause, "SL_NET_ADDRESS_IN_USE"), String(error));
  } finally {
    taken.close();
  }
});
