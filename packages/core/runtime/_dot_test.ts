import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { Identity } from "../actors/identity.ts";
import { NullSink } from "../actors/null_sink.ts";
import type { TimedTick } from "../clock/clock.ts";
import { defineContract } from "../graph/contract.ts";
import type { Contract } from "../graph/spec.ts";
import { isStreamlibError } from "../errors.ts";
import { _toDot } from "./_dot.ts";
import { Pipeline } from "./pipeline.ts";

const allKindsContract = {
  type: "allkinds",
  outputs: {
    video: { kind: "video" },
    audio: { kind: "audio" },
    event: { kind: "event" },
    data: { kind: "data" },
  },
} as const satisfies Contract;

/** A source with one output of each kind. */
class AllKinds extends Actor<typeof allKindsContract> {
  static override contract: typeof allKindsContract = allKindsContract;
  process(_tick: TimedTick): void {}
}

const mixerContract = {
  type: "mixer",
  inputs: { "in_%u": { kind: "data", presence: "request" } },
  outputs: { out: { kind: "data" } },
} as const satisfies Contract;

/** An actor whose inputs are made on request from the template `in_%u`. */
class Mixer extends Actor<typeof mixerContract> {
  static override contract: typeof mixerContract = mixerContract;
  process(_tick: TimedTick): void {}
}

const configuredContract = {
  type: "configured",
  outputs: { out: { kind: "data" } },
  params: {
    rect: { type: "array", items: { type: "integer" }, default: [0, 0, 4, 4] },
    options: { type: "object", default: { mode: "fast", nested: { level: 1 } } },
    label: { type: "string", default: "x" },
  },
} as const satisfies Contract;

/** A source with array and object parameters. */
class Configured extends Actor<typeof configuredContract> {
  static override contract: typeof configuredContract = configuredContract;
  process(_tick: TimedTick): void {}
}

/** The lines of the DOT text that describe nodes and edges (without the fixed header). */
function body(dot: string): string[] {
  return dot.split("\n").slice(4, -2);
}

Deno.test("Pipeline.toDot() draws one record per actor and one edge per link", () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(new DataSource(), new Identity(), new Collect());
  assert.equal(
    pipeline.toDot(),
    [
      "digraph pipeline {",
      "  rankdir=LR;",
      '  node [shape=Mrecord, fontname="Helvetica", fontsize=10];',
      '  edge [fontname="Helvetica", fontsize=9];',
      '  "datasrc0" [label="{datasrc0\\ndatasrc|{<out> out}}"];',
      '  "identity0" [label="{{<in> in}|identity0\\nidentity|{<out> out}}"];',
      '  "collect0" [label="{{<in> in}|collect0\\ncollect}"];',
      '  "datasrc0":"out" -> "identity0":"in" [label="data · queue:8:block", color="#7f7f7f"];',
      '  "identity0":"out" -> "collect0":"in" [label="any · queue:8:block", color="black"];',
      "}",
      "",
    ].join("\n"),
  );
});

Deno.test("Pipeline.toDot() of an empty pipeline is an empty graph", () => {
  assert.equal(
    new Pipeline().toDot(),
    "digraph pipeline {\n  rankdir=LR;\n" +
      '  node [shape=Mrecord, fontname="Helvetica", fontsize=10];\n' +
      '  edge [fontname="Helvetica", fontsize=9];\n}\n',
  );
});

Deno.test("Actor names may hold '.', '~', '-' and '_', which toDot() keeps as they are", () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource(), { name: "cam.front.v2" });
  const pass = pipeline.add(new Identity(), { name: "~pass-1_" });
  const sink = pipeline.add(new NullSink(), { name: "a.b" });
  pipeline.connect(src.outputs.out, pass.inputs.in);
  pipeline.connect("~pass-1_.out", "a.b.in");
  assert.deepEqual(body(pipeline.toDot()), [
    '  "cam.front.v2" [label="{cam.front.v2\\ndatasrc|{<out> out}}"];',
    '  "~pass-1_" [label="{{<in> in}|~pass-1_\\nidentity|{<out> out}}"];',
    '  "a.b" [label="{{<in> in}|a.b\\nnullsink}"];',
    // A dotted actor name is split from its port at the last dot.
    '  "cam.front.v2":"out" -> "~pass-1_":"in" [label="data · queue:8:block", color="#7f7f7f"];',
    '  "~pass-1_":"out" -> "a.b":"in" [label="any · queue:8:block", color="black"];',
  ]);
  assert.equal(sink.name, "a.b");
});

Deno.test("Names with characters special in Graphviz record labels are refused", () => {
  const pipeline = new Pipeline();
  for (const name of ["a|b", "a{b", "a}b", "a<b", "a>b", 'a"b', "a\\b", "a b", "a\nb", ""]) {
    assert.throws(
      () => pipeline.add(new NullSink(), { name }),
      (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
      JSON.stringify(name),
    );
  }
  for (const type of ["a|b", "a.b", "a{b", "a<b", 'a"b', "a b"]) {
    assert.throws(
      () => defineContract({ type }),
      (e: unknown) => isStreamlibError(e, "SL_CONTRACT_INVALID"),
      JSON.stringify(type),
    );
  }
  assert.throws(
    () => defineContract({ type: "t", inputs: { "a|b": { kind: "data" } } }),
    (e: unknown) => isStreamlibError(e, "SL_CONTRACT_INVALID"),
  );
  assert.equal(pipeline.actors.length, 0);
});

Deno.test("Pipeline.toDot() shows a request input once it has been requested", () => {
  const pipeline = new Pipeline();
  const mixer = pipeline.add(new Mixer(), { name: "mix" });
  const line = (): string => body(pipeline.toDot()).find((l) => l.startsWith('  "mix"'))!;
  // The template is not a port: no input field yet.
  assert.equal(line(), '  "mix" [label="{mix\\nmixer|{<out> out}}"];');
  const a = pipeline.add(new DataSource(), { name: "a" });
  const b = pipeline.add(new DataSource(), { name: "b" });
  pipeline.connect(a.outputs.out, "mix.in_0");
  pipeline.connect(b.outputs.out, "mix.in_3");
  assert.equal(line(), '  "mix" [label="{{<in_0> in_0|<in_3> in_3}|mix\\nmixer|{<out> out}}"];');
  assert.ok(
    body(pipeline.toDot()).includes(
      '  "b":"out" -> "mix":"in_3" [label="data · queue:8:block", color="#7f7f7f"];',
    ),
  );
  // Requested without a link, it is drawn too.
  mixer.requestInput("in_%u");
  assert.equal(
    line(),
    '  "mix" [label="{{<in_0> in_0|<in_3> in_3|<in_1> in_1}|mix\\nmixer|{<out> out}}"];',
  );
  assert.ok(!pipeline.toDot().includes("%u"));
});

Deno.test("Pipeline.toDot() colours each edge by the kind of its output", () => {
  const pipeline = new Pipeline();
  const src = pipeline.add(new AllKinds(), { name: "src" });
  for (const kind of ["video", "audio", "event", "data"] as const) {
    pipeline.connect(src.outputs[kind], pipeline.add(new NullSink(), { name: kind }).inputs.in);
  }
  const anyOut = pipeline.add(new Identity(), { name: "pass" });
  pipeline.connect(anyOut.outputs.out, pipeline.add(new NullSink(), { name: "rest" }).inputs.in);
  const edges = body(pipeline.toDot()).filter((l) => l.includes("->"));
  assert.deepEqual(edges, [
    '  "src":"video" -> "video":"in" [label="video · queue:8:block", color="#1f77b4"];',
    '  "src":"audio" -> "audio":"in" [label="audio · queue:8:block", color="#2ca02c"];',
    '  "src":"event" -> "event":"in" [label="event · queue:8:block", color="#d62728"];',
    '  "src":"data" -> "data":"in" [label="data · queue:8:block", color="#7f7f7f"];',
    '  "pass":"out" -> "rest":"in" [label="any · queue:8:block", color="black"];',
  ]);
});

Deno.test("Pipeline.toDot() labels each edge with the input's policy", () => {
  const pipeline = new Pipeline();
  const src = pipeline.add(new DataSource(), { name: "src" });
  pipeline.connect(src.outputs.out, pipeline.add(new NullSink(), { name: "a" }).inputs.in, {
    policy: "latest",
  });
  pipeline.connect(src.outputs.out, pipeline.add(new NullSink(), { name: "b" }).inputs.in, {
    policy: "queue:16:drop-oldest",
  });
  const labels = body(pipeline.toDot()).filter((l) => l.includes("->"))
    .map((l) => l.match(/label="([^"]*)"/)![1]);
  assert.deepEqual(labels, ["data · latest", "data · queue:16:drop-oldest"]);
});

Deno.test("Pipeline.toJSON() lists actors with their parameters and links with their policies", () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const src = pipeline.add(new DataSource({ count: 3, topic: "t" }), { name: "src" });
  const sink = pipeline.add(new Collect({ limit: 2 }), { name: "sink" });
  pipeline.connect(src.outputs.out, sink.inputs.in);
  assert.deepEqual(pipeline.toJSON(), {
    mode: "offline",
    actors: [
      {
        name: "src",
        type: "datasrc",
        address: "actor://local/datasrc/src",
        params: { count: 3, fps: 30, pattern: "counter", frequency: 1, seed: 1, topic: "t" },
      },
      {
        name: "sink",
        type: "collect",
        address: "actor://local/collect/sink",
        params: { limit: 2 },
      },
    ],
    links: [{
      from: "src.out",
      to: "sink.in",
      kind: "data",
      policy: "queue:8:block",
      formats: ["number"],
    }],
  });
});

Deno.test("Pipeline.toJSON() params are deep copies: changing the JSON leaves the actor alone", () => {
  const pipeline = new Pipeline();
  const actor = pipeline.add(new Configured(), { name: "c" });
  const json = pipeline.toJSON();
  const params = json.actors[0]!.params as {
    rect: number[];
    options: { mode: string; nested: { level: number } };
    label: string;
  };
  assert.deepEqual(params, actor.params);
  assert.notEqual(params, actor.params);
  assert.notEqual(params.rect, actor.params.rect);
  assert.notEqual(params.options, actor.params.options);
  params.rect.push(99);
  params.rect[0] = -1;
  params.options.mode = "slow";
  params.options.nested.level = 7;
  params.label = "changed";
  assert.deepEqual(actor.params, {
    rect: [0, 0, 4, 4],
    options: { mode: "fast", nested: { level: 1 } },
    label: "x",
  });
  // A later export is not affected either.
  assert.deepEqual(pipeline.toJSON().actors[0]!.params, actor.params);
});

Deno.test("Pipeline.toJSON() round-trips through JSON text", () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.pipe(new Configured(), new NullSink());
  const json = pipeline.toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
});

Deno.test("Pipeline.toJSON() shows the parameters as they are now", () => {
  const pipeline = new Pipeline();
  const src = pipeline.add(new DataSource(), { name: "src" });
  src.setParams({ fps: 12, topic: "late" });
  const params = pipeline.toJSON().actors[0]!.params;
  assert.equal(params.fps, 12);
  assert.equal(params.topic, "late");
});

Deno.test("The DOT writer escapes record-label characters, should a name ever hold them", () => {
  // Pipeline names cannot hold these (see above); _toDot() escapes them all the same.
  const actor = new NullSink();
  actor._name = 'a|b{c}<d>"e';
  const dot = _toDot({ mode: "live", actors: [], links: [] }, [actor]);
  assert.deepEqual(body(dot), [
    '  "a|b{c}<d>\\"e" [label="{{<in> in}|a\\|b\\{c\\}\\<d\\>\\\\"e\\nnullsink}"];',
  ]);
});
