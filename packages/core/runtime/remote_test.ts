import assert from "node:assert/strict";
import {
  Actor,
  Collect,
  DataSource,
  defineContract,
  Identity,
  isStreamlibError,
  parsePipeline,
  parseRemoteEndpoint,
  Pipeline,
  type RemoteLinkInfo,
  type RemoteLinkRequest,
  type RemoteLinkResolver,
  type TimedTick,
  validatePipelineSpec,
} from "../mod.ts";

const standInContract = defineContract({
  type: "standin",
  inputs: { in: { kind: "any" } },
  outputs: { out: { kind: "any" } },
  schedule: "input",
});

/** A stand-in that reports a remote link, as net's netsink and netsrc do. */
class StandIn extends Actor<typeof standInContract> {
  static override contract = standInContract;
  request: RemoteLinkRequest | undefined;
  process(_tick: TimedTick): void {
    this.inputs.in.read();
  }
  remoteLink(): RemoteLinkInfo {
    return {
      actor: this.name,
      direction: this.request!.direction,
      remote: this.request!.remote.address,
      transport: "nats",
      codec: "raw",
      state: "up",
      sent: 1,
      received: 0,
      dropped: 2,
      gaps: 0,
      missing: 1,
      reconnects: 0,
      latencyUs: { p50: 1500, p99: 2000, samples: 3 },
    };
  }
}

function resolver(requests: RemoteLinkRequest[]): RemoteLinkResolver {
  return {
    resolve(request): Actor {
      requests.push(request);
      const actor = new StandIn();
      actor.request = request;
      return actor;
    },
  };
}

Deno.test("parseRemoteEndpoint() reads the node, the optional type, the actor and the port", () => {
  assert.deepEqual(parseRemoteEndpoint("actor://edge/compositor/mix.layer_1"), {
    host: "edge",
    type: "compositor",
    actor: "mix",
    port: "layer_1",
    address: "actor://edge/compositor/mix.layer_1",
  });
  assert.deepEqual(parseRemoteEndpoint("actor://[::1]:7400/my.cam"), {
    host: "[::1]:7400",
    actor: "my",
    port: "cam",
    address: "actor://[::1]:7400/my.cam",
  });
  for (const bad of ["actor://local/x.in", "actor:///x.in", "actor://e/a/b/c.in", "x.in"]) {
    assert.throws(() => parseRemoteEndpoint(bad), (e) => isStreamlibError(e, "SL_ADDRESS_INVALID"));
  }
});

Deno.test("A remote link from an output of any kind (identity) asks for the kind that reaches it", () => {
  const requests: RemoteLinkRequest[] = [];
  const pipeline = new Pipeline({ remote: resolver(requests) });
  pipeline.add(new DataSource({ count: 1 }), { name: "cam" });
  pipeline.add(new Identity(), { name: "pass" });
  pipeline.link("cam", "pass");
  pipeline.connect("pass.out", "actor://edge/compositor/mix.layer_2");
  assert.equal(requests[0]!.kind, "data");
  // Unlinked, it says any: nothing tells yet.
  pipeline.add(new Identity(), { name: "loose" });
  pipeline.connect("loose.out", "actor://edge/compositor/mix.layer_3");
  assert.equal(requests[1]!.kind, "any");
});

Deno.test("Pipeline.connect() to a remote input adds the resolver's stand-in and links it", () => {
  const requests: RemoteLinkRequest[] = [];
  const pipeline = new Pipeline({ remote: resolver(requests) });
  pipeline.add(new DataSource({ count: 1 }), { name: "cam" });
  const link = pipeline.connect("cam.out", "actor://edge/compositor/mix.layer_1", {
    policy: "latest",
  });
  assert.equal(link.remote, "actor://edge/compositor/mix.layer_1");
  assert.equal(link.from, "cam.out");
  assert.equal(link.to, "standin0.in");
  assert.equal(link.policy, "latest");
  assert.equal(requests[0]!.direction, "out");
  assert.equal(requests[0]!.kind, "data");
  assert.equal(requests[0]!.local, "cam.out");
  assert.equal(requests[0]!.remote.port, "layer_1");
  const json = pipeline.toJSON();
  assert.equal(json.remote?.length, 1);
  assert.match(
    pipeline.toDot(),
    /"standin0" -> "~remote0" \[style=dashed, label="nats · raw · up · 1\.5 ms · 3 lost"\]/,
  );
  // What the link's sender dropped counts in its stats, as an input's drops do.
  const stats = pipeline.stats().actors.find((a) => a.name === "standin0")!;
  assert.equal(stats.dropped, 2);
});

Deno.test("Pipeline.link() from a remote output feeds a local input through a stand-in", () => {
  const requests: RemoteLinkRequest[] = [];
  const pipeline = new Pipeline({ remote: resolver(requests) });
  pipeline.add(new Collect(), { name: "sink" });
  const link = pipeline.link("actor://cam-node/cam.out", "sink");
  assert.equal(link.to, "sink.in");
  assert.equal(link.from, "standin0.out");
  assert.equal(requests[0]!.direction, "in");
  assert.equal(requests[0]!.local, "sink");
});

Deno.test("a remote link without a resolver is refused with SL_REMOTE_UNRESOLVED and adds nothing", () => {
  const pipeline = new Pipeline();
  pipeline.add(new DataSource({ count: 1 }), { name: "cam" });
  assert.throws(
    () => pipeline.connect("cam.out", "actor://edge/mix.layer_1"),
    (e) => isStreamlibError(e, "SL_REMOTE_UNRESOLVED"),
  );
  assert.deepEqual(pipeline.actors.map((a) => a.name), ["cam"]);
});

Deno.test("pipeline text takes remote ports at either end of a chain, and its JSON form keeps them", async () => {
  const { spec } = parsePipeline("datasrc name=cam ! actor://edge/mix.layer_1");
  assert.deepEqual(spec.links, [{ from: "cam", to: "actor://edge/mix.layer_1" }]);
  validatePipelineSpec(spec);
  assert.throws(
    () => parsePipeline("datasrc ! actor://edge/x.in ! log"),
    (e) => isStreamlibError(e, "SL_PIPELINE_SYNTAX") && /ends a chain/.test(e.message),
  );
  assert.throws(
    () => validatePipelineSpec({ actors: [], links: [{ from: "actor://local/a/b", to: "x" }] }),
    (e) => isStreamlibError(e, "SL_PIPELINE_INVALID"),
  );
  const requests: RemoteLinkRequest[] = [];
  const { Catalogue } = await import("../mod.ts");
  const pipeline = await Catalogue.withCore().build(
    "datasrc name=cam count=2 ! actor://edge/mix.in",
    {
      remote: resolver(requests),
    },
  );
  assert.equal(requests.length, 1);
  assert.equal(pipeline.toJSON().links[0]!.to, "standin0.in");
});
