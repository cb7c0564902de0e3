import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { Identity } from "../actors/identity.ts";
import { NullSink } from "../actors/null_sink.ts";
import type { Contract } from "../graph/spec.ts";
import { isStreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "./pipeline.ts";
import { Registry } from "./registry.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

Deno.test("Pipeline.connect() explains a format mismatch naming both ports and both sides", () => {
  const out = {
    type: "enc",
    outputs: { out: { kind: "video", formats: ["RGBA"] } },
  } as const satisfies Contract;
  const inp = {
    type: "sink",
    inputs: { in: { kind: "video", formats: ["I420"] } },
  } as const satisfies Contract;
  class A extends Actor<typeof out> {
    static override contract = out;
    process(): void {}
  }
  class B extends Actor<typeof inp> {
    static override contract = inp;
    process(): void {}
  }
  const pipeline = new Pipeline();
  pipeline.add(new A(), { name: "blur" });
  pipeline.add(new B(), { name: "enc" });
  assert.throws(() => pipeline.connect("blur.out", "enc.in"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CAPS_MISMATCH"));
    assert.equal(
      e.message,
      'Cannot connect "blur.out" (video: RGBA; cpu) to "enc.in" (video: I420; cpu): no common format',
    );
    return true;
  });
});

Deno.test("An output whose format is a parameter is linked with that format: a mismatch fails when linking", () => {
  const src = {
    type: "fsrc",
    outputs: { out: { kind: "video", formats: ["RGBA", "I420"], formatParam: "format" } },
    params: { format: { type: "string", enum: ["RGBA", "I420"], default: "RGBA" } },
  } as const satisfies Contract;
  const sink = {
    type: "rgbasink",
    inputs: { in: { kind: "video", formats: ["RGBA"] } },
  } as const satisfies Contract;
  class Src extends Actor<typeof src> {
    static override contract = src;
    process(): void {}
  }
  class Sink extends Actor<typeof sink> {
    static override contract = sink;
    process(): void {}
  }
  const pipeline = new Pipeline();
  pipeline.add(new Src({ format: "I420" }), { name: "yuv" });
  pipeline.add(new Src(), { name: "rgb" });
  pipeline.add(new Sink(), { name: "a" });
  pipeline.add(new Sink(), { name: "b" });
  assert.throws(() => pipeline.connect("yuv.out", "a.in"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CAPS_MISMATCH"));
    assert.match(e.message, /"yuv.out" \(video: I420; cpu\) to "a.in" \(video: RGBA; cpu\)/);
    return true;
  });
  assert.deepEqual(pipeline.connect("rgb.out", "b.in").formats, ["RGBA"]);
  // Linking by actor (`!` in pipeline text) says which parameter picked the format.
  assert.throws(() => pipeline.link("yuv", "a"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_NO_MATCH"));
    assert.match(e.message, /out \(video: I420, as format=I420 says\)/);
    return true;
  });
  // An output that passes its input's format on (formatFrom) is checked with what comes in,
  // down a chain; one not linked yet, or fed anything, is checked with all its formats.
  const pass = {
    type: "pass",
    inputs: { in: { kind: "video", formats: ["RGBA", "I420"] } },
    outputs: { out: { kind: "video", formats: ["RGBA", "I420"], formatFrom: "in" } },
  } as const satisfies Contract;
  class Pass extends Actor<typeof pass> {
    static override contract = pass;
    process(): void {}
  }
  pipeline.add(new Pass(), { name: "p1" });
  pipeline.add(new Pass(), { name: "p2" });
  pipeline.add(new Pass(), { name: "loose" });
  pipeline.add(new Sink(), { name: "c" });
  pipeline.add(new Sink(), { name: "d" });
  pipeline.link("yuv", "p1");
  pipeline.link("p1", "p2");
  assert.throws(() => pipeline.link("p2", "c"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_NO_MATCH"));
    assert.match(e.message, /out \(video: I420, as yuv's format=I420 says\)/);
    return true;
  });
  assert.equal(pipeline.link("loose", "d").to, "d.in");
  // Linked the other way round (the filter to the sink first, then the source to the filter),
  // the mismatch is found as well, and the last link is not made.
  pipeline.add(new Pass(), { name: "p3" });
  pipeline.add(new Pass(), { name: "p4" });
  pipeline.add(new Sink(), { name: "e" });
  pipeline.link("p4", "e");
  pipeline.link("p3", "p4");
  assert.throws(() => pipeline.link("yuv", "p3"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CAPS_MISMATCH"));
    assert.match(e.message, /^Cannot connect "yuv.out" to "p3.in": what it carries goes on/);
    assert.match(e.message, /"p4.out" \(video: I420; cpu\) to "e.in" \(video: RGBA; cpu\)/);
    return true;
  });
  assert.equal(pipeline.toJSON().links.some((l) => l.to === "p3.in"), false);
  assert.ok(pipeline.toJSON().links.some((l) => l.to === "p4.in"));
  pipeline.link("rgb", "p3");
});

Deno.test("Pipeline.connect() refuses a kind mismatch, a duplicate link and a second video link", () => {
  const contract = {
    type: "vsink",
    inputs: { in: { kind: "video" } },
  } as const satisfies Contract;
  const vsrc = { type: "vsrc", outputs: { out: { kind: "video" } } } as const satisfies Contract;
  class VSink extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {}
  }
  class VSrc extends Actor<typeof vsrc> {
    static override contract = vsrc;
    process(): void {}
  }
  const pipeline = new Pipeline();
  const data = pipeline.add(new DataSource());
  const sink = pipeline.add(new VSink());
  const v1 = pipeline.add(new VSrc());
  const v2 = pipeline.add(new VSrc());
  assert.throws(() => pipeline.connect(data.outputs.out, sink.inputs.in), code("SL_KIND_MISMATCH"));
  pipeline.connect(v1.outputs.out, sink.inputs.in);
  assert.throws(
    () => pipeline.connect(v1.outputs.out, sink.inputs.in),
    code("SL_ALREADY_CONNECTED"),
  );
  assert.throws(() => pipeline.connect(v2.outputs.out, sink.inputs.in), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_ALREADY_CONNECTED"));
    assert.match(e.message, /already takes "vsrc0.out"/);
    return true;
  });
  assert.throws(() => pipeline.connect("vsrc0.nope", "vsink0.in"), code("SL_PORT_NOT_FOUND"));
  assert.throws(() => pipeline.connect("ghost.out", "vsink0.in"), code("SL_ACTOR_NOT_FOUND"));
  assert.throws(() => pipeline.connect("nodot" as "a.b", "vsink0.in"), code("SL_PORT_NOT_FOUND"));
});

Deno.test("Pipeline lets several data outputs feed one data input, interleaved", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(new Collect<DataMessage>());
  const a = pipeline.add(new DataSource({ count: 3, topic: "a" }));
  const b = pipeline.add(new DataSource({ count: 4, topic: "b" }));
  pipeline.connect(a.outputs.out, sink.inputs.in);
  pipeline.connect(b.outputs.out, sink.inputs.in);
  await pipeline.run();
  const byTopic = (t: string) => sink.messages.filter((m) => m.topic === t).map((m) => m.value);
  assert.deepEqual(byTopic("a"), [0, 1, 2]);
  assert.deepEqual(byTopic("b"), [0, 1, 2, 3]);
});

Deno.test("Pipeline.pipe() connects the single compatible pair and reports ambiguity", () => {
  const two = {
    type: "split",
    inputs: { in: { kind: "data" } },
    outputs: { even: { kind: "data" }, odd: { kind: "data" } },
  } as const satisfies Contract;
  class Split extends Actor<typeof two> {
    static override contract = two;
    process(): void {}
  }
  const pipeline = new Pipeline();
  pipeline.pipe(new DataSource(), new Split());
  assert.equal(pipeline.toJSON().links.length, 1);
  assert.throws(() => pipeline.pipe(pipeline.actor("split0")!, new NullSink()), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_AMBIGUOUS"));
    assert.match(e.message, /split0\.even → nullsink0\.in/);
    assert.match(e.message, /split0\.odd → nullsink0\.in/);
    assert.match(e.message, /pipeline\.connect\("split0\.even", "nullsink0\.in"\)/);
    return true;
  });
  const vcontract = {
    type: "vsink",
    inputs: { in: { kind: "video" } },
  } as const satisfies Contract;
  class VSink extends Actor<typeof vcontract> {
    static override contract = vcontract;
    process(): void {}
  }
  assert.throws(() => pipeline.pipe(new DataSource(), new VSink()), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_NO_MATCH"));
    assert.match(e.message, /outputs: out \(data: number\)/);
    assert.match(e.message, /free inputs: in \(video: any\)/);
    return true;
  });
});

Deno.test("Pipeline.pipe() and connect() create request ports from templates", async () => {
  const contract = {
    type: "mix",
    inputs: { "in_%u": { kind: "data", presence: "request" } },
    outputs: { out: { kind: "data" } },
  } as const satisfies Contract;
  class Mix extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {
      for (
        const input of Object.values(this.inputs) as Array<{ read(): DataMessage | undefined }>
      ) {
        for (let m = input.read(); m; m = input.read()) this.outputs.out.write(m);
      }
    }
  }
  const pipeline = new Pipeline({ mode: "offline" });
  const mix = new Mix();
  const sink = new Collect<DataMessage>();
  pipeline.pipe(new DataSource({ count: 2, topic: "x" }), mix, sink);
  pipeline.add(new DataSource({ count: 3, topic: "y" }), { name: "y" });
  pipeline.connect("y.out", "mix0.in_7");
  assert.deepEqual(Object.keys(mix.inputs).sort(), ["in_0", "in_7"]);
  assert.throws(() => mix.requestInput("in_%u", "in_7"), code("SL_NAME_TAKEN"));
  assert.throws(() => mix.requestInput("in_%u", "out_1"), code("SL_PORT_NOT_FOUND"));
  await pipeline.run();
  assert.equal(sink.messages.length, 5);
});

Deno.test("Pipeline names actors, registers their addresses and refuses duplicates", () => {
  const registry = new Registry<Actor>();
  const pipeline = new Pipeline({ registry });
  const a = pipeline.add(new DataSource());
  const b = pipeline.add(new DataSource());
  const c = pipeline.add(new NullSink(), { name: "sink" });
  assert.equal(a.name, "datasrc0");
  assert.equal(b.address, "actor://local/datasrc/datasrc1");
  assert.equal(registry.lookup("actor://local/nullsink/sink"), c);
  assert.deepEqual(registry.list({ type: "datasrc" }), [a.address, b.address]);
  assert.throws(() => pipeline.add(new NullSink(), { name: "sink" }), code("SL_NAME_TAKEN"));
  assert.throws(() => pipeline.add(new NullSink(), { name: "bad name" }), code("SL_PARAM_INVALID"));
  assert.throws(() => pipeline.add(a), code("SL_STATE"));
  assert.throws(() => new Pipeline().add(c), code("SL_STATE"));
});

Deno.test("Pipeline.toJSON() and toDot() describe actors, parameters, links and policies", () => {
  const pipeline = new Pipeline();
  pipeline.add(new DataSource({ count: 3 }), { name: "src" });
  pipeline.add(new Identity(), { name: "id", inputs: { in: { policy: "queue:4:drop-oldest" } } });
  pipeline.add(new NullSink(), { name: "sink" });
  pipeline.connect("src.out", "id.in");
  pipeline.connect("id.out", "sink.in");
  const json = pipeline.toJSON();
  assert.equal(json.mode, "live");
  assert.deepEqual(json.actors.map((a) => [a.name, a.type]), [
    ["src", "datasrc"],
    ["id", "identity"],
    ["sink", "nullsink"],
  ]);
  assert.equal(json.actors[0]!.params.count, 3);
  assert.deepEqual(json.links, [
    {
      from: "src.out",
      to: "id.in",
      kind: "data",
      policy: "queue:4:drop-oldest",
      formats: ["number"],
    },
    { from: "id.out", to: "sink.in", kind: "any", policy: "queue:8:block", formats: "any" },
  ]);
  const dot = pipeline.toDot();
  assert.match(dot, /^digraph pipeline \{/);
  assert.match(dot, /"src" \[label="\{src\\ndatasrc\|\{<out> out\}\}"\];/);
  assert.match(dot, /"src":"out" -> "id":"in" \[label="data · queue:4:drop-oldest"/);
  assert.match(dot, /"id":"out" -> "sink":"in"/);
});

Deno.test("Pipeline.add() rejects an unknown input in its options and a bad fps", () => {
  const pipeline = new Pipeline();
  assert.throws(
    () => pipeline.add(new NullSink(), { inputs: { video: { policy: "latest" } } }),
    code("SL_PORT_NOT_FOUND"),
  );
  assert.throws(() => pipeline.add(new DataSource(), { fps: 0 }), code("SL_PARAM_INVALID"));
  assert.throws(
    () => pipeline.add(new NullSink(), { inputs: { in: { policy: "queue:0" } } }),
    code("SL_POLICY_INVALID"),
  );
});

Deno.test("Pipeline.link() connects with ports named on either side, both or neither", () => {
  const contract = {
    type: "split",
    inputs: { in: { kind: "data" } },
    outputs: { even: { kind: "data" }, odd: { kind: "data" } },
  } as const satisfies Contract;
  class Split extends Actor<typeof contract> {
    static override contract = contract;
    process(): void {}
  }
  const mixContract = {
    type: "mix",
    inputs: { "in_%u": { kind: "data", presence: "request" } },
  } as const satisfies Contract;
  class Mix extends Actor<typeof mixContract> {
    static override contract = mixContract;
    process(): void {}
  }
  const pipeline = new Pipeline();
  pipeline.add(new DataSource(), { name: "my.src" });
  pipeline.add(new Split(), { name: "split" });
  pipeline.add(new Mix(), { name: "mix" });
  assert.equal(pipeline.link("my.src", "split").to, "split.in");
  assert.throws(() => pipeline.link("split", "mix"), code("SL_PIPE_AMBIGUOUS"));
  assert.deepEqual(pipeline.link("split.odd", "mix"), {
    from: "split.odd",
    to: "mix.in_0",
    kind: "data",
    policy: "queue:8:block",
    formats: "any",
  });
  assert.equal(pipeline.link("split.even", "mix.in_5").to, "mix.in_5");
  assert.throws(() => pipeline.link("split", "mix.nope"), code("SL_PORT_NOT_FOUND"));
  assert.throws(() => pipeline.link("split.nope", "mix"), code("SL_PORT_NOT_FOUND"));
  assert.throws(() => pipeline.link("ghost", "mix"), code("SL_ACTOR_NOT_FOUND"));
});

Deno.test("Linking into a request input of another kind says that the kinds do not fit", () => {
  const comp = {
    type: "comp",
    inputs: { "layer_%u": { kind: "video", formats: ["RGBA"], presence: "request" } },
    outputs: { out: { kind: "video", formats: ["RGBA"] } },
  } as const satisfies Contract;
  class Comp extends Actor<typeof comp> {
    static override contract = comp;
    process(): void {}
  }
  const tone = { type: "tone", outputs: { out: { kind: "audio" } } } as const satisfies Contract;
  class Tone extends Actor<typeof tone> {
    static override contract = tone;
    process(): void {}
  }
  const both = {
    type: "both",
    outputs: { sound: { kind: "audio" }, keys: { kind: "event" } },
  } as const satisfies Contract;
  class Both extends Actor<typeof both> {
    static override contract = both;
    process(): void {}
  }
  const pipeline = new Pipeline();
  pipeline.add(new Comp(), { name: "c" });
  pipeline.add(new Tone(), { name: "a" });
  pipeline.add(new Both(), { name: "b" });
  assert.throws(() => pipeline.link("a", "c.layer_0"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_NO_MATCH"), String(e));
    assert.match(e.message, /"c" input: layer_0 \(video: RGBA\) — audio cannot flow into video$/);
    return true;
  });
  assert.throws(() => pipeline.link("a", "c"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_NO_MATCH"), String(e));
    assert.match(e.message, /"c" free inputs: none, request inputs: layer_%u \(video: RGBA\)/);
    assert.match(e.message, / — audio cannot flow into video$/);
    return true;
  });
  assert.throws(() => pipeline.link("b", "c"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPE_NO_MATCH"), String(e));
    assert.match(e.message, /free inputs: none, request inputs: layer_%u \(video: RGBA\)/);
    assert.match(e.message, /no input of "c" takes audio or event/);
    return true;
  });
  assert.deepEqual(pipeline.toJSON().links, []);
});
