import assert from "node:assert/strict";
import { freePort, needsNats, TestNats } from "../net/link/_nats_testing.ts";
import { cli, RunningCli } from "./_testing.ts";

Deno.test("streamlib run links to an actor on another node with --peer and an actor:// address", async () => {
  const port = freePort();
  await using edge = new RunningCli([
    "run",
    "--name",
    "edge-peer",
    "--listen",
    `127.0.0.1:${port}`,
    "log name=show",
  ]);
  await edge.waitFor("stderr", /serves control/);
  const cam = await cli([
    "run",
    "--name",
    "cam-peer",
    "--peer",
    `edge-peer=127.0.0.1:${port}`,
    "datasrc count=3 fps=20 ! actor://edge-peer/show.in",
  ]);
  assert.equal(cam.code, 0, cam.stderr);
  // End-of-stream crossed the link: the receiving node ends by itself.
  const ended = await edge.ended();
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(ended.stdout, /show: .*#0 data 0\n.*#1 data 1\n.*#2 data 2/);
});

Deno.test("streamlib run --print-permissions adds what a node's links need", async () => {
  const { code, stdout } = await cli([
    "run",
    "--no-control",
    "--print-permissions",
    "--peer",
    "edge=127.0.0.1:9",
    "datasrc ! actor://edge/show.in",
  ]);
  assert.equal(code, 0);
  assert.match(stdout, /--allow-net/);
});

Deno.test(needsNats({
  name: "streamlib nodes --nats lists the nodes on a NATS server; actor:// links go over it",
  fn: async () => {
    await using nats = await TestNats.start();
    await using edge = new RunningCli([
      "run",
      "--name",
      "edge-nats",
      "--nats",
      nats.url,
      "log name=show",
    ]);
    await edge.waitFor("stderr", /serves control/);
    // The node announces itself once it is on NATS: ask until it shows.
    let listed = "";
    for (let i = 0; i < 20 && !listed.includes("edge-nats"); i++) {
      const nodes = await cli(["nodes", "--nats", nats.url]);
      assert.equal(nodes.code, 0, nodes.stderr);
      listed = nodes.stdout;
    }
    assert.match(listed, /edge-nats .*nats:\/\/127\.0\.0\.1:\d+/);
    assert.match(listed, /show \(log\)/);
    const json = JSON.parse((await cli(["nodes", "--nats", nats.url, "--json"])).stdout);
    assert.ok(json.some((n: { name: string }) => n.name === "edge-nats"));
    const cam = await cli([
      "run",
      "--name",
      "cam-nats",
      "--nats",
      nats.url,
      "datasrc count=2 fps=20 ! actor://edge-nats/show.in",
    ]);
    assert.equal(cam.code, 0, cam.stderr);
    const ended = await edge.ended();
    assert.match(ended.stdout, /#0 data 0\n.*#1 data 1/);
  },
}));

Deno.test("streamlib run --link-codec takes video=CODEC and audio=CODEC, and refuses anything else", async () => {
  const run = (codec: string) =>
    cli([
      "run",
      "--no-control",
      "--print-permissions",
      "--link-codec",
      codec,
      "--peer",
      "edge=127.0.0.1:9",
      "videotestsrc ! actor://edge/show.in",
    ]);
  const h264 = await run("video=h264");
  assert.equal(h264.code, 0, h264.stderr);
  // A link may run ffmpeg and nothing else, as filesrc and filesink may.
  assert.match(h264.stdout, /--allow-run=\S*ffmpeg\b/);
  assert.doesNotMatch(h264.stdout, /--allow-run(?!=)/);
  for (const bad of ["video", "h264", "data=raw", "video=H 264", "video=av1", "audio=h264"]) {
    const refused = await run(bad);
    assert.notEqual(refused.code, 0, bad);
    assert.match(refused.stderr, /SL_USAGE: --link-codec takes video=CODEC or audio=CODEC/, bad);
  }
});

Deno.test("streamlib run prints what actors log (a link that cannot reach its node), but not the log actor's lines twice", async () => {
  const port = await freePort(); // nothing listens there
  const { code, stdout, stderr } = await cli([
    "run",
    "--no-control",
    "--peer",
    `ghost=127.0.0.1:${port}`,
    "datasrc count=1 ! actor://ghost/q.in  datasrc name=d count=1 ! log name=shown",
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^streamlib: netsink0: link q\.in: SL_LINK_UNREACHABLE /m);
  assert.match(stdout, /^shown: t=0\.000000s #0 data 0$/m);
  assert.doesNotMatch(stderr, /shown:/);
});
