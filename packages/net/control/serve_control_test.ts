import assert from "node:assert/strict";
import {
  Catalogue,
  type ControlEvent,
  isStreamlibError,
  ManualClock,
  Pipeline,
  PipelineControl,
} from "@streamlib/core";
import { decodePng } from "@streamlib/video";
import { ControlClient } from "./control_client.ts";
import { listNodes } from "./node_entry.ts";
import { serveControl } from "./serve_control.ts";
import { testNode } from "./_control_testing.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

/** Moves the node's clock on, 10 ms at a time, until `promise` settles (at most `maxMs`). */
async function whileAdvancing<T>(
  clock: ManualClock,
  promise: Promise<T>,
  maxMs = 5_000,
): Promise<T> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  for (let ms = 0; !settled && ms < maxMs; ms += 10) {
    await clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return await promise;
}

Deno.test("serveControl() serves on a socket of mode 0600 in a folder of mode 0700, with a registry entry", async () => {
  await using node = await testNode("videotestsrc width=64 height=36 ! nullsink", {
    summary: "videotestsrc ! nullsink",
  });
  const { server, dir } = node;
  assert.equal(server.name, "videotestsrc-1");
  assert.equal(server.socket, `${dir}/videotestsrc-1.sock`);
  assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
  assert.equal(Deno.statSync(server.socket!).mode! & 0o777, 0o600);
  const entry = JSON.parse(Deno.readTextFileSync(`${dir}/videotestsrc-1.json`));
  assert.equal(Deno.statSync(`${dir}/videotestsrc-1.json`).mode! & 0o777, 0o600);
  assert.deepEqual(entry, {
    name: "videotestsrc-1",
    pid: Deno.pid,
    startedAt: server.entry.startedAt,
    socket: server.socket,
    summary: "videotestsrc ! nullsink",
    actors: 2,
    version: "0.1.0",
  });
  assert.deepEqual(await listNodes({ dir }), [entry]);
});

Deno.test("listNodes() takes an entry whose pid lives but whose socket answers nothing for a dead node's (a reused pid), and keeps a reservation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // This process lives; the node that wrote the entries did not get to remove them.
    const stale = (name: string, extra: Record<string, unknown>) =>
      Deno.writeTextFileSync(
        `${dir}/${name}.json`,
        JSON.stringify({ name, pid: Deno.pid, startedAt: 0, ...extra }),
      );
    stale("gone", { socket: `${dir}/gone.sock` });
    // A socket file left behind by a listener that closed.
    const listener = Deno.listen({ transport: "unix", path: `${dir}/left.sock` });
    listener.close();
    stale("left", { socket: `${dir}/left.sock` });
    stale("starting", { reserved: true });
    assert.deepEqual(await listNodes({ dir }), []);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["starting.json"]);
    // A live node with a socket is listed as before.
    await using node = await testNode("videotestsrc width=64 height=36 ! nullsink", { dir });
    assert.deepEqual((await listNodes({ dir })).map((e) => e.name), [node.server.name]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ControlClient round-trips graph, dot, stats, info and events over the socket", async () => {
  await using node = await testNode("videotestsrc name=src width=64 height=36 ! nullsink name=out");
  await using client = await ControlClient.connect("videotestsrc-1", { dir: node.dir });
  assert.equal(client.socket, node.server.socket);
  const info = await client.info();
  assert.equal(info.name, "videotestsrc-1");
  assert.equal(info.pid, Deno.pid);
  assert.equal(info.state, "running");
  assert.equal(info.actors, 2);
  const graph = await client.graph();
  assert.deepEqual(graph, node.server.control.graph());
  assert.match(await client.dot(), /^digraph/);
  assert.equal((await client.stats()).actors.length, 2);
  const events = await client.events({ types: ["state"] });
  assert.deepEqual(events, node.server.control.events({ types: ["state"] }));
  await assert.rejects(client.events({ types: ["nope" as "log"] }), code("SL_PARAM_INVALID"));
});

Deno.test("ControlClient sets, patches, links, unlinks and removes, with the node's codes on errors", async () => {
  await using node = await testNode(
    "videotestsrc name=src width=64 height=36 ! compositor name=mix width=64 height=36 ! nullsink",
  );
  await using client = await ControlClient.connect(node.server.socket!);
  assert.deepEqual(await client.set("src", { pattern: "solid", fps: "15Hz" }), {
    actor: "src",
    params: { pattern: "solid", fps: 15 },
    pads: {},
  });
  await assert.rejects(client.set("src", { pattern: "zigzag" }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_INVALID"));
    assert.match(e.message, /"pattern" of "videotestsrc"/);
    assert.equal(e.details.param, "pattern");
    return true;
  });
  await assert.rejects(client.set("nope", {}), code("SL_ACTOR_NOT_FOUND"));
  const dry = await client.patch("videotestsrc name=b width=32 height=18 ! mix.", { dryRun: true });
  assert.equal(dry.applied, false);
  assert.equal((await client.graph()).actors.length, 3);
  const patched = await client.patch("videotestsrc name=b width=32 height=18 ! mix.");
  assert.deepEqual(patched.links.map((l) => `${l.from} ${l.to}`), ["b.out mix.layer_1"]);
  assert.deepEqual(
    (await client.set("mix", {}, { layer_1: { x: 8, opacity: 0.5 } })).pads,
    { layer_1: { x: 8, opacity: 0.5 } },
  );
  await assert.rejects(client.patch("videotestsrc ! mix. ! lgo"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_UNKNOWN_TYPE"));
    assert.match(e.message, /\n {2}videotestsrc ! mix\. ! lgo\n {24}\^\^\^$/);
    return true;
  });
  assert.equal((await client.disconnect("b", "mix")).to, "mix.layer_1");
  assert.equal((await client.connect("b", "mix")).to, "mix.layer_1");
  await client.remove("b");
  assert.deepEqual((await client.graph()).actors.map((a) => a.name), ["src", "mix", "nullsink0"]);
  const ops = (await client.events({ types: ["control"] })).map((e) =>
    e.type === "control" ? e.op : ""
  );
  assert.deepEqual(ops, ["set", "patch", "set", "disconnect", "connect", "remove"]);
});

Deno.test("ControlClient.tap() gets a PNG of the frame, scaled on request", async () => {
  await using node = await testNode(
    "videotestsrc name=src pattern=solid foreground=#ff0000 width=64 height=36 ! nullsink",
  );
  await using client = await ControlClient.connect("videotestsrc-1", { dir: node.dir });
  const reply = await whileAdvancing(node.clock, client.tap("src.out", { count: 2 }));
  assert.equal(reply.reason, "count");
  assert.equal(reply.messages.length, 2);
  const first = reply.messages[0]!;
  assert.ok(first.kind === "video");
  assert.equal(first.format, "RGBA");
  const picture = decodePng(first.png);
  assert.equal(picture.codedWidth, 64);
  assert.equal(picture.codedHeight, 36);
  assert.deepEqual([...picture.data.subarray(0, 4)], [255, 0, 0, 255]);
  const small = await whileAdvancing(node.clock, client.tap("src.out", { width: 16 }));
  const scaled = small.messages[0]!;
  assert.ok(scaled.kind === "video");
  assert.deepEqual([scaled.width, scaled.height], [16, 9]);
  assert.deepEqual(scaled.scaledFrom, { width: 64, height: 36 });
  assert.equal(decodePng(scaled.png).codedWidth, 16);
  await assert.rejects(client.tap("src.out", { width: 0 }), code("SL_PARAM_INVALID"));
  await assert.rejects(client.tap("src.nope"), code("SL_PORT_NOT_FOUND"));
});

Deno.test("ControlClient.tap() on a quiet link returns what came within its time limit", async () => {
  await using node = await testNode("datasrc name=src fps=1 ! nullsink");
  await using client = await ControlClient.connect("datasrc-1", { dir: node.dir });
  // Frame 0 went at the start; the next comes in 1 s, after the tap's 50 ms.
  const quiet = await whileAdvancing(node.clock, client.tap("src.out", { timeoutMs: 50 }));
  assert.equal(quiet.reason, "timeout");
  assert.deepEqual(quiet.messages, []);
  const data = await whileAdvancing(node.clock, client.tap("src.out", { timeoutMs: 5_000 }));
  assert.equal(data.reason, "count");
  assert.deepEqual(data.messages.map((m) => m.kind === "data" && m.value), [1]);
});

Deno.test("a tap whose client goes away ends at once and takes its sink out", async () => {
  await using node = await testNode("datasrc name=src fps=1 ! nullsink");
  const entry = (await listNodes({ dir: node.dir }))[0]!;
  using http = Deno.createHttpClient({ proxy: { transport: "unix", path: entry.socket! } });
  const taps = (): string[] =>
    node.pipeline.toJSON().actors.map((a) => a.name).filter((n) => n.startsWith("~tap"));
  const abort = new AbortController();
  // The clock stands still: nothing comes, and the tap would wait its full minute.
  // A tap under way is answered 200 at once; its JSON comes when it ends.
  const asked = fetch("http://node/v1/tap", {
    method: "POST",
    client: http,
    signal: abort.signal,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ port: "src.out", timeoutMs: 60_000 }),
  }).then((response) => response.text());
  for (let i = 0; taps().length === 0 && i < 2_000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.equal(taps().length, 1, "the tap is under way");
  abort.abort();
  await assert.rejects(asked);
  for (let i = 0; taps().length > 0 && i < 2_000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.deepEqual(taps(), [], "the tap ended with its client");
});

Deno.test("ControlClient.follow() streams events as server-sent events until its signal", async () => {
  await using node = await testNode("videotestsrc name=src width=64 height=36 ! nullsink");
  await using client = await ControlClient.connect("videotestsrc-1", { dir: node.dir });
  const abort = new AbortController();
  const seen: ControlEvent[] = [];
  const following = (async () => {
    for await (const event of client.follow({ types: ["control"] }, { signal: abort.signal })) {
      seen.push(event);
      if (seen.length === 2) abort.abort();
    }
  })();
  // The stream is open once the node counts a follower: its first change comes through.
  for (let i = 0; seen.length === 0 && i < 500; i++) {
    await client.set("src", { pattern: i % 2 ? "smpte" : "solid" });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await client.set("src", { pattern: "ball" });
  await following;
  assert.equal(seen.length, 2);
  assert.ok(seen.every((e) => e.type === "control" && e.op === "set"));
  assert.equal(seen[1]!.seq, seen[0]!.seq + 1);
  // With since, the kept events come first; the stream ends when the node stops serving.
  const all: number[] = [];
  const tail = (async () => {
    for await (const event of client.follow({ since: 0 })) all.push(event.seq);
  })();
  await client.stop({ mode: "abort" });
  await node.server.closed;
  await tail;
  assert.ok(all.length >= 3);
});

Deno.test("serveControl() removes its socket and entry when the pipeline ends, and on close()", async () => {
  await using node = await testNode("videotestsrc width=64 height=36 frames=2 ! nullsink");
  const { dir, server } = node;
  assert.equal((await listNodes({ dir })).length, 1);
  await node.clock.advance(100_000);
  await node.pipeline.done;
  await server.closed;
  assert.deepEqual(await listNodes({ dir }), []);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  // A script's own close.
  const pipeline = new Pipeline({ clock: new ManualClock() });
  const control = new PipelineControl(pipeline);
  const other = await serveControl(control, { dir, name: "mine", exitOnSignal: false });
  assert.deepEqual((await listNodes({ dir })).map((n) => n.name), ["mine"]);
  await other.close();
  assert.deepEqual(await listNodes({ dir }), []);
  control.close();
});

Deno.test("serveControl() names nodes uniquely and refuses a name a live node has", async () => {
  await using node = await testNode("videotestsrc width=64 height=36 ! nullsink", {
    name: "studio",
  });
  const pipeline = await Catalogue.withCore().build("datasrc ! nullsink");
  await assert.rejects(
    serveControl(pipeline, { dir: node.dir, name: "studio", exitOnSignal: false }),
    (e: unknown) => {
      assert.ok(isStreamlibError(e, "SL_NAME_TAKEN"));
      assert.match(e.message, new RegExp(`pid ${Deno.pid}`));
      return true;
    },
  );
  await assert.rejects(
    serveControl(pipeline, { dir: node.dir, name: "a/b", exitOnSignal: false }),
    code("SL_PARAM_INVALID"),
  );
  await using a = await serveControl(pipeline, { dir: node.dir, exitOnSignal: false });
  await using b = await serveControl(pipeline, { dir: node.dir, exitOnSignal: false });
  assert.deepEqual([a.name, b.name], ["datasrc-1", "datasrc-2"]);
  assert.deepEqual((await listNodes({ dir: node.dir })).map((n) => n.name), [
    "datasrc-1",
    "datasrc-2",
    "studio",
  ]);
});

Deno.test("listNodes() ignores and removes the entry of a node whose process has gone", async () => {
  const dir = await Deno.makeTempDir();
  const gone = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" }).spawn();
  await gone.status;
  const stale = { name: "ghost", pid: gone.pid, startedAt: 0, socket: `${dir}/ghost.sock` };
  Deno.writeTextFileSync(`${dir}/ghost.json`, JSON.stringify(stale));
  Deno.writeTextFileSync(`${dir}/ghost.sock`, "");
  assert.deepEqual(await listNodes({ dir, clean: false }), []);
  assert.ok(Deno.statSync(`${dir}/ghost.json`).isFile);
  assert.deepEqual(await listNodes({ dir }), []);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  // Its name is free again.
  const pipeline = await Catalogue.withCore().build("datasrc ! nullsink");
  Deno.writeTextFileSync(`${dir}/ghost.json`, JSON.stringify(stale));
  await using server = await serveControl(pipeline, { dir, name: "ghost", exitOnSignal: false });
  assert.equal(server.name, "ghost");
  await assert.rejects(ControlClient.connect("nobody-here", { dir }), code("SL_NODE_NOT_FOUND"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("serveControl() refuses a control folder others may enter or another user owns", async () => {
  const dir = await Deno.makeTempDir();
  Deno.chmodSync(dir, 0o755);
  const pipeline = await Catalogue.withCore().build("datasrc ! nullsink");
  await assert.rejects(serveControl(pipeline, { dir, exitOnSignal: false }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CONTROL_FOLDER"));
    assert.match(e.message, /may be entered by others \(mode 755\)/);
    return true;
  });
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.remove(dir, { recursive: true });
});
