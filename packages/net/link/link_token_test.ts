import assert from "node:assert/strict";
import {
  Collect,
  type DataMessage,
  DataSource,
  isStreamlibError,
  Pipeline,
  type StreamlibError,
} from "@streamlib/core";
import {
  type NetNode,
  NetSink,
  NetSrc,
  startNetNode,
  WireDecoder,
  type WireMessage,
} from "./mod.ts";
import { needsNats, TestNats } from "./_nats_testing.ts";
import { helloBody, helloFrame, poke, wireFrame } from "./_hello_testing.ts";
import { _admit, _linkGate, _PROOF_WINDOW_MS, _sealed } from "./_link_token.ts";

/** The first message a receiver answers `frame` with, on a connection left open meanwhile. */
async function firstAnswer(port: number, frame: Uint8Array): Promise<WireMessage> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(frame);
    const decoder = new WireDecoder();
    const buffer = new Uint8Array(65_536);
    for (;;) {
      const n = await conn.read(buffer);
      assert.ok(n !== null, "the receiver closed without an answer");
      const messages = decoder.push(buffer.slice(0, n));
      if (messages.length !== 0) return messages[0]!;
    }
  } finally {
    conn.close();
  }
}

const TOKEN = "s3cret-link-token";

/** A receiving node and its pipeline. */
interface Edge extends AsyncDisposable {
  readonly pipeline: Pipeline;
  readonly sink: Collect<DataMessage>;
  readonly node: NetNode;
  /** The netsrcs that links made in its pipeline. */
  links(): NetSrc[];
}

/** A receiving node "edge" with a collect named "sink", started. */
async function edge(
  options: { token?: string; nats?: string; listen?: string } = {},
): Promise<Edge> {
  const pipeline = new Pipeline();
  const sink = pipeline.add(new Collect<DataMessage>(), { name: "sink" });
  const node = await startNetNode({ name: "edge", pipeline, install: false, ...options });
  await pipeline.start();
  return {
    pipeline,
    sink,
    node,
    links: (): NetSrc[] => pipeline.actors.filter((a): a is NetSrc => a instanceof NetSrc),
    async [Symbol.asyncDispose](): Promise<void> {
      await pipeline.stop({ mode: "abort" });
      await node.close();
    },
  };
}

/** A node "studio" sending three values to edge's sink; resolves how its run ended. */
async function send(
  options: { token?: string; nats?: string; peers?: Record<string, string>; listen?: string },
): Promise<unknown> {
  const node: NetNode = await startNetNode({ name: "studio", install: false, ...options });
  try {
    const studio = new Pipeline({ remote: node });
    studio.add(new DataSource({ count: 3, fps: 100 }), { name: "src" });
    studio.connect("src.out", "actor://edge/collect/sink.in");
    return await studio.run().then(() => undefined, (error: unknown) => error);
  } finally {
    await node.close();
  }
}

/** Whether `error` is a failed run whose cause is `SL_UNAUTHORIZED`, the token not in it. */
function unauthorized(error: unknown, token?: string): void {
  assert.ok(isStreamlibError(error, "SL_ACTOR_FAILED"), String(error));
  const cause = (error as StreamlibError).cause;
  assert.ok(isStreamlibError(cause, "SL_UNAUTHORIZED"), String(cause));
  assert.match((cause as StreamlibError).message, /Node "edge" refused a link from node "studio"/);
  if (token !== undefined) assert.ok(!(error as Error).message.includes(token));
}

Deno.test("nodes that share a link token link directly, and the frames arrive", async () => {
  await using receiver = await edge({ token: TOKEN });
  const ended = await send({ token: TOKEN, peers: { edge: receiver.node.address! } });
  assert.equal(ended, undefined);
  await receiver.pipeline.done;
  assert.deepEqual(receiver.sink.messages.map((m) => m.value), [0, 1, 2]);
});

Deno.test("a node with a link token refuses a direct link without it or with another: SL_UNAUTHORIZED, nothing delivered", async () => {
  await using receiver = await edge({ token: TOKEN });
  const logs: string[] = [];
  receiver.pipeline.bus.on("log", (event) => logs.push(`${event.actor}: ${event.text}`));
  const peers = { edge: receiver.node.address! };
  unauthorized(await send({ peers }));
  unauthorized(await send({ peers, token: "not-the-token" }), "not-the-token");
  assert.equal(receiver.sink.messages.length, 0);
  // The receiving node logs them in its pipeline, never the token.
  assert.equal(logs.length, 2, logs.join("\n"));
  assert.match(logs[0]!, /^actor:\/\/edge\/node: SL_UNAUTHORIZED Node "edge" refused .*"studio"/);
  assert.match(logs[1]!, /made with another access token/);
  assert.ok(!logs.join("\n").includes(TOKEN));
  // No link was made into the pipeline: the refusal comes before any netsrc.
  assert.equal(receiver.links().length, 0);
  assert.equal(receiver.pipeline.state, "running");
});

Deno.test("a hello without a proof of the token is answered SL_UNAUTHORIZED, naming the node and never the token, and the connection closes", async () => {
  await using receiver = await edge({ token: TOKEN });
  const port = Number(receiver.node.address!.split(":").at(-1));
  const sealed = (fields: Record<string, unknown>, key: string, now?: number) =>
    wireFrame({
      type: "hello",
      body: _sealed({ ...helloBody({ target: "collect/sink.in", ...fields }), key }, now),
    });
  // The token itself is refused too: the secret, which also guards the control API, never
  // travels; hellos carry a proof made for each.
  const good = _sealed({ ...helloBody({ target: "collect/sink.in" }), key: TOKEN });
  assert.ok(!JSON.stringify(good).includes(TOKEN), JSON.stringify(good));
  const tries: Array<[Uint8Array, RegExp]> = [
    [helloFrame({ target: "collect/sink.in" }), /carries no access token proof/],
    [helloFrame({ target: "collect/sink.in", token: TOKEN }), /no valid access token proof/],
    [helloFrame({ target: "collect/sink.in", proof: 42 }), /no valid access token proof/],
    [helloFrame({ target: "collect/sink.in", proof: "v2.1.2" }), /no valid access token proof/],
    [sealed({}, "guess"), /made with another access token/],
    // A proof moved to another hello (another target) does not hold.
    [wireFrame({ type: "hello", body: { ...good, target: "collect/other.in" } }), /another/],
    [sealed({}, TOKEN, Date.now() - 6 * 60_000), /dated 360 s before this machine's clock/],
    [sealed({}, TOKEN, Date.now() + 6 * 60_000), /dated 360 s after this machine's clock/],
  ];
  for (const [frame, why] of tries) {
    const got = await poke(port, frame);
    assert.equal(got.length, 1, JSON.stringify(got));
    const refusal = got[0] as { type: string; code: string; message: string };
    assert.equal(refusal.type, "refuse");
    assert.equal(refusal.code, "SL_UNAUTHORIZED");
    assert.match(refusal.message, /Node "edge" refused a link from node "poke"/);
    assert.match(refusal.message, why);
    assert.ok(!refusal.message.includes(TOKEN.slice(0, 6)), refusal.message);
  }
  assert.equal(receiver.links().length, 0);
  // A proof of the token gets an accept, once: the same hello again is a replay.
  const frame = wireFrame({ type: "hello", body: good });
  assert.equal((await firstAnswer(port, frame)).type, "accept");
  const replayed = await poke(port, frame);
  assert.equal(replayed[0]?.type, "refuse");
  assert.match((replayed[0] as { message: string }).message, /used before \(a replay\)/);
});

Deno.test("a receiver's gate takes a proof once within the window, forgets it after, and refuses one dated out of the window", () => {
  let now = 1_000_000_000_000;
  const refused: string[] = [];
  const gate = _linkGate({
    token: TOKEN,
    who: 'netsrc "t"',
    now: () => now,
    refused: (e) => refused.push(e.message),
  });
  const hello = helloBody({ target: "a.in" });
  const first = _sealed({ ...hello, key: TOKEN }, now);
  _admit(first, gate);
  assert.throws(() => _admit(first, gate), /used before/);
  // Another proof of the same hello (a redial) is taken.
  _admit(_sealed({ ...hello, key: TOKEN }, now + 1), gate);
  assert.equal(gate.seen.size, 2);
  // Ten minutes on, both are out of the window and forgotten at the next hello.
  now += 2 * _PROOF_WINDOW_MS + 1;
  assert.throws(() => _admit(first, gate), /dated 600 s before/);
  _admit(_sealed({ ...hello, key: TOKEN }, now), gate);
  assert.equal(gate.seen.size, 1);
  assert.equal(refused.length, 2);
  // Without a token, every hello is taken, proof or none.
  const open = _linkGate({ token: undefined, who: "x" });
  _admit({ ...helloBody({}) }, open);
  _admit(first, open);
});

Deno.test("nodes without tokens link as before, and a token sent to a node without one is not needed", async () => {
  {
    await using receiver = await edge();
    assert.equal(await send({ peers: { edge: receiver.node.address! } }), undefined);
    await receiver.pipeline.done;
    assert.deepEqual(receiver.sink.messages.map((m) => m.value), [0, 1, 2]);
  }
  {
    await using receiver = await edge();
    assert.equal(await send({ token: TOKEN, peers: { edge: receiver.node.address! } }), undefined);
    await receiver.pipeline.done;
    assert.deepEqual(receiver.sink.messages.map((m) => m.value), [0, 1, 2]);
  }
});

Deno.test("a lone netsrc with token= takes a netsink with the same token= and refuses one without it", async () => {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0", token: TOKEN }));
  const got = receiver.add(new Collect<DataMessage>());
  receiver.link(src, got);
  const logs: string[] = [];
  receiver.bus.on("log", (event) => logs.push(event.text));
  await receiver.start();

  const intruder = new Pipeline({ mode: "offline" });
  const bad = new NetSink({ to: src.url!, token: "wrong" });
  intruder.pipe(new DataSource({ count: 3 }), bad);
  const error = await intruder.run().then(() => undefined, (e: unknown) => e);
  assert.ok(isStreamlibError((error as Error)?.cause, "SL_UNAUTHORIZED"), String(error));
  assert.match(bad.remoteLink().error ?? "", /^SL_UNAUTHORIZED: .*netsrc "netsrc[^"]*" refused/);
  assert.equal(got.messages.length, 0);
  assert.ok(logs.some((line) => line.startsWith("SL_UNAUTHORIZED")), logs.join("\n"));
  assert.ok(!logs.join("\n").includes(TOKEN));

  const sender = new Pipeline({ mode: "offline" });
  sender.pipe(new DataSource({ count: 3 }), new NetSink({ to: src.url!, token: TOKEN }));
  await sender.run();
  await receiver.done;
  assert.deepEqual(got.messages.map((m) => m.value), [0, 1, 2]);
});

Deno.test("a lone netsrc listening off loopback without token= makes one up, says it, and refuses senders without it", async () => {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://0.0.0.0:0" }));
  const got = receiver.add(new Collect<DataMessage>());
  receiver.link(src, got);
  const logs: string[] = [];
  receiver.bus.on("log", (event) => logs.push(event.text));
  await receiver.start();
  const said = logs.map((line) => /takes links only with the access token (\S+):/.exec(line))
    .find((match) => match !== null);
  assert.ok(said, logs.join("\n"));
  const made = said[1]!;
  const local = `tcp://127.0.0.1:${src.url!.split(":").at(-1)}`;

  const intruder = new Pipeline({ mode: "offline" });
  intruder.pipe(new DataSource({ count: 3 }), new NetSink({ to: local }));
  const error = await intruder.run().then(() => undefined, (e: unknown) => e);
  assert.ok(isStreamlibError((error as Error)?.cause, "SL_UNAUTHORIZED"), String(error));
  assert.equal(got.messages.length, 0);

  const sender = new Pipeline({ mode: "offline" });
  sender.pipe(new DataSource({ count: 3 }), new NetSink({ to: local, token: made }));
  await sender.run();
  await receiver.done;
  assert.deepEqual(got.messages.map((m) => m.value), [0, 1, 2]);
});

Deno.test(needsNats({
  name:
    "over NATS a node with a link token takes the same token and refuses none or another: SL_UNAUTHORIZED, nothing delivered",
  fn: async () => {
    await using nats = await TestNats.start();
    await using receiver = await edge({ token: TOKEN, nats: nats.url, listen: "" });
    // Without a direct port, a refusal over NATS is the end: no fallback to try.
    unauthorized(await send({ nats: nats.url, listen: "" }));
    unauthorized(
      await send({ nats: nats.url, listen: "", token: "wrong-nats-token" }),
      "wrong-nats-token",
    );
    assert.equal(receiver.sink.messages.length, 0);
    assert.equal(receiver.links().length, 0);
    assert.equal(await send({ nats: nats.url, listen: "", token: TOKEN }), undefined);
    await receiver.pipeline.done;
    assert.deepEqual(receiver.sink.messages.map((m) => m.value), [0, 1, 2]);
    assert.equal(receiver.links()[0]!.remoteLink().transport, "nats");
    // What the node announces on NATS (what `streamlib nodes` lists) carries no token.
    assert.ok(!JSON.stringify(receiver.node.nodes()).includes(TOKEN));
  },
}));

Deno.test(needsNats({
  name: "a lone netsrc on a NATS subject with token= refuses a netsink without it",
  fn: async () => {
    await using nats = await TestNats.start();
    const receiver = new Pipeline();
    const src = receiver.add(new NetSrc({ listen: `${nats.url}/cams.a`, token: TOKEN }));
    const got = receiver.add(new Collect<DataMessage>());
    receiver.link(src, got);
    await receiver.start();
    const intruder = new Pipeline({ mode: "offline" });
    intruder.pipe(new DataSource({ count: 3 }), new NetSink({ to: `${nats.url}/cams.a` }));
    const error = await intruder.run().then(() => undefined, (e: unknown) => e);
    assert.ok(isStreamlibError((error as Error)?.cause, "SL_UNAUTHORIZED"), String(error));
    assert.equal(got.messages.length, 0);
    const sender = new Pipeline({ mode: "offline" });
    sender.pipe(
      new DataSource({ count: 3 }),
      new NetSink({ to: `${nats.url}/cams.a`, token: TOKEN }),
    );
    await sender.run();
    await receiver.done;
    assert.deepEqual(got.messages.map((m) => m.value), [0, 1, 2]);
  },
}));
