import assert from "node:assert/strict";
import { freePort } from "../net/link/_nats_testing.ts";
import { _linkToken } from "./_link_token.ts";
import { cli, RunningCli } from "./_testing.ts";

Deno.test("a node's link token is STREAMLIB_TOKEN, else made up off loopback, else none", () => {
  assert.equal(_linkToken(undefined, undefined), undefined);
  assert.equal(_linkToken("127.0.0.1:7400", undefined), undefined);
  assert.equal(_linkToken("[::1]:7400", ""), undefined);
  assert.equal(_linkToken("localhost:0", undefined), undefined);
  assert.equal(_linkToken("127.0.0.1:7400", "s3cret"), "s3cret");
  assert.equal(_linkToken(undefined, "s3cret"), "s3cret");
  assert.equal(_linkToken("0.0.0.0:7400", "s3cret"), "s3cret");
  const made = _linkToken("0.0.0.0:7400", undefined);
  assert.match(made!, /^[0-9a-f]{32}$/);
  assert.notEqual(_linkToken("10.0.0.5:7400", ""), made);
  assert.match(_linkToken("[::]:7400", undefined)!, /^[0-9a-f]{32}$/);
  // A NATS server off loopback lets other machines send hellos: a token is made up then too.
  assert.equal(_linkToken(undefined, undefined, "nats://127.0.0.1:4222"), undefined);
  assert.equal(_linkToken(undefined, undefined, "localhost:4222"), undefined);
  assert.match(_linkToken(undefined, undefined, "nats://10.0.0.5:4222")!, /^[0-9a-f]{32}$/);
  assert.equal(_linkToken(undefined, "s3cret", "nats://10.0.0.5:4222"), "s3cret");
});

Deno.test("streamlib run --listen 0.0.0.0 without STREAMLIB_TOKEN prints a made-up link token: a node without it is refused, one with it links", async () => {
  const port = freePort();
  await using edge = new RunningCli(
    ["run", "--name", "edge-tok", "--listen", `0.0.0.0:${port}`, "log name=show"],
    { env: { STREAMLIB_TOKEN: "" } },
  );
  const [line, token] = await edge.waitFor(
    "stderr",
    /^streamlib: node edge-tok takes links on 0\.0\.0\.0:\d+ only with the access token ([0-9a-f]{32}): start the nodes that link to it with STREAMLIB_TOKEN=\1$/m,
  );
  assert.ok(line !== undefined && token !== undefined);
  await edge.waitFor("stderr", /serves control/);
  const pipeline = "datasrc count=3 fps=20 ! actor://edge-tok/show.in";
  const peer = ["--peer", `edge-tok=127.0.0.1:${port}`];
  const refused = await cli(["run", "--name", "cam-tok", ...peer, pipeline], {
    env: { STREAMLIB_TOKEN: "" },
  });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /SL_ACTOR_FAILED ← SL_UNAUTHORIZED/);
  assert.match(refused.stderr, /Node "edge-tok" refused a link from node "cam-tok"/);
  assert.ok(!edge.stdout.includes("data 0"), edge.stdout);
  const cam = await cli(["run", "--name", "cam-tok", ...peer, pipeline], {
    env: { STREAMLIB_TOKEN: token },
  });
  assert.equal(cam.code, 0, cam.stderr);
  const ended = await edge.ended();
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(ended.stdout, /show: .*#0 data 0\n.*#1 data 1\n.*#2 data 2/);
  // The node logged the refusal, and did not fail for it.
  assert.match(
    ended.stderr,
    /^streamlib: node: SL_UNAUTHORIZED Node "edge-tok" refused a link from node "cam-tok"/m,
  );
  assert.doesNotMatch(ended.stderr, /error SL_/);
});

Deno.test("streamlib run with STREAMLIB_TOKEN uses it for links and prints none made up", async () => {
  const port = freePort();
  const env = { STREAMLIB_TOKEN: "shared-link-token" };
  await using edge = new RunningCli(
    ["run", "--name", "edge-env", "--listen", `0.0.0.0:${port}`, "log name=show"],
    { env },
  );
  await edge.waitFor("stderr", /serves control/);
  const peer = ["--peer", `edge-env=127.0.0.1:${port}`];
  const pipeline = "datasrc count=2 fps=20 ! actor://edge-env/show.in";
  const wrong = await cli(["run", "--name", "cam-env", ...peer, pipeline], {
    env: { STREAMLIB_TOKEN: "another-one" },
  });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /SL_ACTOR_FAILED ← SL_UNAUTHORIZED/);
  assert.match(wrong.stderr, /Node "edge-env" refused a link from node "cam-env"/);
  assert.ok(!wrong.stderr.includes("shared-link-token"), wrong.stderr);
  const cam = await cli(["run", "--name", "cam-env", ...peer, pipeline], { env });
  assert.equal(cam.code, 0, cam.stderr);
  const ended = await edge.ended();
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(ended.stdout, /#0 data 0\n.*#1 data 1/);
  assert.doesNotMatch(ended.stderr, /access token [0-9a-f]{32}/);
});

Deno.test("under streamlib run with STREAMLIB_TOKEN a lone netsrc requires the token and a netsink sends it", async () => {
  const port = freePort();
  const env = { STREAMLIB_TOKEN: "lone-netsrc-token" };
  await using receiver = new RunningCli(
    ["run", "--name", "recv-lone", `netsrc listen=tcp://127.0.0.1:${port} ! log name=show`],
    { env },
  );
  await receiver.waitFor("stderr", /serves control/);
  const sender = `datasrc count=2 fps=20 ! netsink to=tcp://127.0.0.1:${port}`;
  const refused = await cli(["run", "--no-control", sender], { env: { STREAMLIB_TOKEN: "" } });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /SL_ACTOR_FAILED ← SL_UNAUTHORIZED: .*netsrc "netsrc\d*" refused/);
  const sent = await cli(["run", "--no-control", sender], { env });
  assert.equal(sent.code, 0, sent.stderr);
  const ended = await receiver.ended();
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(ended.stdout, /#0 data 0\n.*#1 data 1/);
});
