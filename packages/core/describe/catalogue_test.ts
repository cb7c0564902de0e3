import assert from "node:assert/strict";
import * as core from "../mod.ts";
import type { Collect } from "../actors/collect.ts";
import { Catalogue } from "./catalogue.ts";
import { isStreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);
const plugin = new URL("../testdata/plugin.json", import.meta.url);

Deno.test("The core catalogue lists every built-in actor, and each matches its implementation", async () => {
  const catalogue = Catalogue.withCore();
  const types = catalogue.list().map((e) => e.type);
  assert.deepEqual(types, [
    "collect",
    "datasrc",
    "identity",
    "log",
    "nullsink",
    "queue",
    "ratelimit",
    "tee",
  ]);
  for (const type of types) await catalogue.verify(type);
});

Deno.test("Every actor class core exports is in core's manifest", () => {
  const catalogue = Catalogue.withCore();
  const exported = Object.entries(core).filter(([name, value]) =>
    typeof value === "function" && name !== "Actor" &&
    typeof (value as { contract?: unknown }).contract === "object" &&
    typeof (value as { prototype?: { process?: unknown } }).prototype?.process === "function"
  );
  assert.ok(exported.length >= 8);
  for (const [name, value] of exported) {
    const type = (value as unknown as { contract: { type: string } }).contract.type;
    assert.ok(catalogue.has(type), `${name} (${type}) is missing from manifest.json`);
    assert.equal(catalogue.describe(type).actor.export, name);
  }
});

Deno.test("Listing and describing a plugin's types does not import their code", async () => {
  const catalogue = await new Catalogue().load(plugin);
  assert.equal(catalogue.describe("lazy").actor.description, "Its module throws when imported");
  assert.equal(
    catalogue.describe("lazy").moduleUrl,
    new URL("../testdata/throws_on_import.ts", import.meta.url).href,
  );
  // Only creating one imports the module, and then its error is reported clearly.
  await assert.rejects(catalogue.create("lazy"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_MANIFEST_MISMATCH"));
    assert.match(
      e.message,
      /Cannot import .*throws_on_import\.ts for actor type "lazy": imported too early/,
    );
    return true;
  });
});

Deno.test("Catalogue.verify() lists every way a manifest differs from its implementation", async () => {
  const catalogue = await new Catalogue().load(plugin);
  await assert.rejects(catalogue.verify("wrongports"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_MANIFEST_MISMATCH"));
    assert.deepEqual(e.details.differences, [
      'type: the manifest says "wrongports", the class "identity"',
      'inputs.in.kind: the manifest says "video", the class "any"',
      'outputs.out.formatFrom: the manifest says null, the class "in"',
      "outputs.extra: the manifest has it, the class does not",
      "params.gain: the manifest has it, the class does not",
      'classification: the manifest says "Filter/Video", the class "Filter/Any"',
    ]);
    return true;
  });
});

Deno.test("Catalogue.create() checks parameters and converts quantities to their unit", async () => {
  const catalogue = Catalogue.withCore();
  const src = await catalogue.create("datasrc", { fps: "25Hz", count: 2 });
  assert.equal((src as core.DataSource).params.fps, 25);
  const limit = await catalogue.create("ratelimit", { rate: "0.5kHz" });
  assert.equal((limit as core.RateLimit).params.rate, 500);
  await assert.rejects(catalogue.create("datasrc", { fps: "2s" }), code("SL_PARAM_INVALID"));
  await assert.rejects(catalogue.create("datasrc", { count: "2s" }), /takes a plain number/);
  await assert.rejects(catalogue.create("datasrc", { count: -1 }), code("SL_PARAM_INVALID"));
  await assert.rejects(catalogue.create("datasrc", { cout: 1 }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_UNKNOWN"));
    assert.match(
      e.message,
      /valid parameters: count \(integer ≥ 0 \(default 0\)\), fps \(number > 0/,
    );
    // A misspelt parameter gets the closest names, as a misspelt type does.
    assert.match(e.message, /^Unknown parameter "cout" for "datasrc" \(did you mean "count"\?\);/);
    return true;
  });
  await assert.rejects(catalogue.create("datsrc"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_UNKNOWN_TYPE"));
    assert.match(e.message, /did you mean "datasrc"\?/);
    return true;
  });
  // A huge word (an agent's runaway text) is not compared letter by letter with every type:
  // no suggestion, and no seconds spent finding none.
  assert.throws(() => catalogue.describe("x".repeat(1_000_000)), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_UNKNOWN_TYPE"));
    assert.doesNotMatch(e.message, /did you mean/);
    assert.match(e.message, /^Unknown actor type "x{60}…" \(1000000 characters"\. Known/);
    return true;
  });
  await assert.rejects(catalogue.create("appsink"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_UNKNOWN_TYPE"));
    assert.deepEqual(e.details.suggestions, ["collect"]);
    return true;
  });
  await assert.rejects(catalogue.create("datasrc", { "num-buffers": 3 }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_UNKNOWN"));
    assert.match(e.message, /for GStreamer's num-buffers, use "count" here/);
    return true;
  });
});

Deno.test("Catalogue.build() runs pipeline text and its JSON form alike", async () => {
  const catalogue = Catalogue.withCore();
  const text = "datasrc count=4 name=src ! ratelimit rate=15Hz ! collect name=out  src. ! nullsink";
  for (const input of [text, core.parsePipeline(text).spec]) {
    const pipeline = await catalogue.build(input, { mode: "offline" });
    await pipeline.run();
    const out = pipeline.actor("out") as Collect<DataMessage>;
    assert.deepEqual(out.messages.map((m) => m.value), [0, 2]);
  }
});

Deno.test("Catalogue.build() runs an actor with dispatch=worker in a Worker, from its manifest", async () => {
  const catalogue = Catalogue.withCore();
  const text = "datasrc count=5 ! identity dispatch=worker name=id ! collect name=out";
  const pipeline = await catalogue.build(text, { mode: "offline" });
  await pipeline.start();
  const worker = pipeline.stats().actors.find((a) => a.name === "id")!.worker;
  await pipeline.done;
  assert.equal(typeof worker, "number", "it ran in a Worker");
  const out = pipeline.actor("out") as Collect<DataMessage>;
  assert.deepEqual(out.messages.map((m) => m.value), [0, 1, 2, 3, 4]);
  assert.equal(pipeline.stats().actors.find((a) => a.name === "out")!.worker, undefined);
});

Deno.test("Catalogue.build() points build errors at the text", async () => {
  const catalogue = Catalogue.withCore();
  const cases: Array<[string, string, RegExp]> = [
    ["datasrc ! lgo", "1:11", /Unknown actor type "lgo"; did you mean "log"\?/],
    // GStreamer's names get streamlib's, not the closest spelling.
    ["datasrc ! fakesink", "1:11", /"fakesink"; for GStreamer's fakesink, use "nullsink" here\./],
    ["datasrc num-buffers=3 ! log", "1:9", /\(for GStreamer's num-buffers, use "count" here\)/],
    [
      "datasrc ! log sync=false",
      "1:15",
      /\(GStreamer's sync has no counterpart here: leave it out\)/,
    ],
    ["datasrc ! nosuch", "1:11", /Unknown actor type "nosuch"\. Known types: /],
    ["fakesrc ! log", "1:1", /"fakesrc"; for GStreamer's fakesrc, use "datasrc" here\./],
    [
      "datasrc ! queue max-size-buffers=1 ! log",
      "1:17",
      /for GStreamer's max-size-buffers, use "capacity" here \(how many messages it holds; leaky=/,
    ],
    ["datasrc ! queue max-size-time=1000000 ! log", "1:17", /"capacity" here \(.*not a time/],
    ["datasrc ! queue max-size-bytes=0 ! log", "1:17", /"capacity" here \(.*not bytes/],
    ["datasrc ! queue leaky=2 ! log", "1:17", /\(GStreamer's leaky=2 is leaky=downstream here\)/],
    ["! log", "1:1", /expected an actor type \(like videotestsrc or datasrc\)/],
    ["datasrc\n  ! log every=0", "2:9", /Parameter "every" of "log" must be ≥ 1/],
    ["datasrc ! log ! nullsink", "1:15", /Cannot link "log0" to "nullsink0"/],
    ["datasrc name=a ! log  a. ! log name=a", "1:32", /Two actors are named "a"/],
    ["datasrc ! log  ghost. ! log", "1:16", /No actor is named "ghost"/],
  ];
  for (const [text, at, message] of cases) {
    await assert.rejects(catalogue.build(text), (e: unknown) => {
      assert.ok(isStreamlibError(e), String(e));
      assert.equal(`${e.details.line}:${e.details.column}`, at, e.message);
      assert.match(e.message, message);
      assert.match(e.message, /\n {2}.*\n {2} *\^/);
      return true;
    });
  }
});

Deno.test("Catalogue.parse() gives a bare null, true or number to a string parameter as its text", async () => {
  const catalogue = Catalogue.withCore();
  const text =
    "datasrc count=2 fps=10 topic=null ! log prefix=1e3  datasrc name=b topic=true ! nullsink";
  const { spec } = catalogue.parse(text);
  assert.deepEqual(spec.actors.map((a) => a.params), [
    { count: 2, fps: 10, topic: "null" },
    { prefix: "1e3" },
    { topic: "true" },
    undefined,
  ]);
  // Quoted values, typed parameters and the JSON form keep their values.
  assert.deepEqual(catalogue.parse('log prefix="null" every=2').spec.actors[0]!.params, {
    prefix: "null",
    every: 2,
  });
  await assert.rejects(
    catalogue.build({ actors: [{ name: "l", type: "log", params: { prefix: null } }], links: [] }),
    code("SL_PARAM_INVALID"),
  );
  // An enum takes the word only where it is one of its values.
  const leaky = new Catalogue().add({
    name: "q",
    version: "0.1.0",
    streamlib: "^0.1.0",
    actors: [{
      type: "q",
      description: "Takes a mode",
      classification: "Filter/Data",
      module: "./q.ts",
      export: "Q",
      params: { mode: { type: "string", enum: ["null", "auto"], default: "auto" } },
    }],
  }, "file:///plugins/q/manifest.json");
  assert.equal(leaky.parse("q mode=null").spec.actors[0]!.params!.mode, "null");
  assert.equal(leaky.parse("q mode=1").spec.actors[0]!.params!.mode, 1);
  await assert.rejects(catalogue.build("datasrc pattern=1 ! log"), code("SL_PARAM_INVALID"));
  // Building from text does the same.
  const pipeline = await catalogue.build("datasrc count=1 ! log prefix=null", { mode: "offline" });
  assert.deepEqual(pipeline.actor("log0")!.params.prefix, "null");
});

Deno.test("Catalogue.build() checks a JSON description and names the bad field", async () => {
  await assert.rejects(
    Catalogue.withCore().build({
      actors: [{ name: "a", type: "datasrc" }],
      links: [{ from: "a", to: "b" }],
    }),
    (e: unknown) => isStreamlibError(e, "SL_PIPELINE_INVALID") && /links\[0\]\.to/.test(e.message),
  );
  await assert.rejects(
    Catalogue.withCore().build({
      actors: [{ name: "a", type: "datasrc", dispatch: "gpu" as "worker" }],
      links: [],
    }),
    (e: unknown) =>
      isStreamlibError(e, "SL_PIPELINE_INVALID") && /actors\[0\]\.dispatch/.test(e.message),
  );
});

Deno.test("Catalogue.permissions() gathers what a pipeline needs, with the parameter values", async () => {
  const catalogue = (await new Catalogue().load(plugin)).add(
    {
      name: "core-bits",
      version: "1.0.0",
      streamlib: "*",
      actors: [Catalogue.withCore().describe("datasrc").actor],
    },
    Catalogue.coreManifestUrl,
  );
  const spec =
    core.parsePipeline("datasrc ! writer path=/tmp/a.bin  datasrc0. ! writer name=w2").spec;
  assert.deepEqual(catalogue.permissions(spec), {
    write: {
      all: false,
      values: ["/tmp/a.bin", "out.bin"],
      reasons: ["writer0 (writer): writes the output file", "w2 (writer): writes the output file"],
    },
    net: {
      all: false,
      values: ["monitor.lan:9000"],
      reasons: ["writer0 (writer): reports to the monitor", "w2 (writer): reports to the monitor"],
    },
    env: {
      all: true,
      values: [],
      reasons: [
        "writer0 (writer): reads its settings from the environment",
        "w2 (writer): reads its settings from the environment",
      ],
    },
  });
  assert.deepEqual(Catalogue.withCore().permissions(core.parsePipeline("datasrc ! log").spec), {});
});

Deno.test("Catalogue.permissions() lets a Worker read core's and the actor's package", async () => {
  const catalogue = await Catalogue.withCore().load(plugin);
  const spec = core.parsePipeline("datasrc dispatch=worker ! writer dispatch=worker").spec;
  const read = catalogue.permissions(spec).read!;
  const folder = (url: string): string =>
    decodeURIComponent(new URL(".", url).pathname).slice(0, -1);
  assert.deepEqual(read.values, [folder(Catalogue.coreManifestUrl), folder(plugin.href)]);
  assert.equal(read.all, false);
  assert.match(read.reasons[0]!, /^datasrc0 \(datasrc\): runs in a Worker/);
  assert.equal(catalogue.permissions(core.parsePipeline("datasrc ! writer").spec).read, undefined);
});

Deno.test("Catalogue.permissions() grants a file pattern's folder and skips empty values", async () => {
  const catalogue = await new Catalogue().load(plugin);
  const spec = core.parsePipeline(
    'writer path="shots/frame-%05d.png"  writer name=b path="f%d.png"  writer name=c path=""',
  ).spec;
  assert.deepEqual(catalogue.permissions(spec).write?.values, ["shots", "."]);
});

Deno.test("Catalogue.add() refuses a taken type, an incompatible streamlib range and a broken manifest", async () => {
  const catalogue = await new Catalogue().load(plugin);
  const json = JSON.parse(await Deno.readTextFile(plugin));
  assert.throws(() => catalogue.add(json, plugin), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_NAME_TAKEN"));
    assert.match(e.message, /actor type "lazy" of test-plugin is already provided by test-plugin/);
    return true;
  });
  assert.throws(
    () => new Catalogue().add({ ...json, streamlib: "^2.0.0" }, plugin),
    (e: unknown) =>
      isStreamlibError(e, "SL_MANIFEST_INVALID") &&
      /needs streamlib \^2\.0\.0; this is streamlib 0\.1\.0/.test(e.message),
  );
  assert.throws(
    () => new Catalogue().add({ ...json, colour: "red" }, plugin),
    code("SL_MANIFEST_INVALID"),
  );
  await assert.rejects(
    new Catalogue().load(new URL("./testdata/missing.json", import.meta.url)),
    (e: unknown) =>
      isStreamlibError(e, "SL_MANIFEST_INVALID") && /Cannot read the manifest/.test(e.message),
  );
});

Deno.test("Catalogue.build() refuses a description that is no object, or only looks parsed, as invalid", async () => {
  const catalogue = Catalogue.withCore();
  const forged = { spec: undefined, spans: {}, text: "" };
  for (const input of [null, true, 3, [], forged, { actors: [], links: [], spans: new Map() }]) {
    await assert.rejects(
      () => catalogue.build(input as unknown as core.PipelineSpec),
      code("SL_PIPELINE_INVALID"),
      JSON.stringify(input),
    );
  }
  // What parsePipeline() returns is used as it is.
  const parsed = core.parsePipeline("datasrc count=1 ! nullsink");
  assert.equal((await catalogue.build(parsed)).actors.length, 2);
});
