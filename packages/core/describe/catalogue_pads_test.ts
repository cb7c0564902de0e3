import assert from "node:assert/strict";
import type { Collect } from "../actors/collect.ts";
import { Actor } from "../graph/actor.ts";
import { Catalogue } from "./catalogue.ts";
import { isStreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";
import { validatePipelineSpec } from "./pipeline_spec.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

/** Core's actors and `weigh`, whose request inputs `in_%u` take weight, mute and lag. */
async function catalogue(): Promise<Catalogue> {
  return await Catalogue.withCore().load(new URL("../testdata/pads_plugin.json", import.meta.url));
}

Deno.test("Catalogue.padParams() checks port parameters against the manifest and converts quantities", async () => {
  const c = await catalogue();
  assert.deepEqual(c.padParams("weigh", { in_1: { lag: "20ms", weight: 2 }, in_0: {} }), {
    in_1: { lag: 0.02, weight: 2 },
    in_0: {},
  });
  assert.throws(() => c.padParams("weigh", { out_0: { weight: 1 } }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PORT_NOT_FOUND"));
    assert.match(e.message, /"weigh" has no port "out_0" with parameters.*"in_%u"/);
    return true;
  });
  assert.throws(() => c.padParams("weigh", { in_1: { wieght: 1 } }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_UNKNOWN"));
    assert.match(e.message, /its parameters: weight \(number \(default 1\)\), mute/);
    assert.deepEqual([e.details.pad, e.details.param], ["in_1", "wieght"]);
    return true;
  });
  assert.throws(() => c.padParams("weigh", { in_1: { mute: "yes" } }), code("SL_PARAM_INVALID"));
  assert.throws(() => c.padParams("weigh", { in_1: { weight: "2s" } }), /takes a plain number/);
  assert.throws(() => c.padParams("weigh", { in_1: { lag: "2Hz" } }), code("SL_PARAM_INVALID"));
});

Deno.test("Catalogue.build() gives port parameters from text and from JSON to the actor", async () => {
  const c = await catalogue();
  const text =
    "datasrc count=3 ! w.in_0\nweigh name=w in_0::weight=3 in_0::lag=1.5s ! collect name=out";
  const parsed = (await import("./parse_pipeline.ts")).parsePipeline(text).spec;
  for (const input of [text, parsed, JSON.parse(JSON.stringify(parsed))]) {
    const pipeline = await c.build(input, { mode: "offline" });
    const weigh = pipeline.actor("w") as Actor;
    assert.deepEqual(weigh.padParams("in_0"), { weight: 3, mute: false, lag: 1.5 });
    await pipeline.run();
    const out = pipeline.actor("out") as Collect<DataMessage>;
    assert.deepEqual(out.messages.map((m) => m.value), [0, 3, 6]);
  }
});

Deno.test("Catalogue.build() points at the port parameter that is wrong, with a caret", async () => {
  const c = await catalogue();
  const cases: Array<[string, string, string, RegExp]> = [
    ["weigh in_0::weight=heavy", "SL_PARAM_INVALID", "1:7", /"weight" of port "in_0".*a number/],
    ["weigh mute=1\n  in_0::wieght=1", "SL_PARAM_UNKNOWN", "1:7", /Unknown parameter "mute"/],
    ["weigh\n  in_0::wieght=1", "SL_PARAM_UNKNOWN", "2:3", /Unknown parameter "wieght"/],
    ["weigh in_2::mute=true out_1::mute=true", "SL_PORT_NOT_FOUND", "1:23", /no port "out_1"/],
    ["weigh in_x::mute=true", "SL_PORT_NOT_FOUND", "1:7", /no port "in_x"/],
  ];
  for (const [text, errorCode, at, message] of cases) {
    await assert.rejects(c.build(text), (e: unknown) => {
      assert.ok(isStreamlibError(e, errorCode), `${text}: ${e}`);
      assert.equal(`${e.details.line}:${e.details.column}`, at, e.message);
      assert.match(e.message, message);
      assert.match(e.message, /\n {2}.*\n {2} *\^/);
      return true;
    });
  }
});

Deno.test("validatePipelineSpec() checks the pads of each actor and names the bad field", () => {
  const actors = (pads: unknown): unknown => ({
    actors: [{ name: "w", type: "weigh", pads }],
    links: [],
  });
  validatePipelineSpec(actors({ in_0: { weight: 2 } }));
  const cases: Array<[unknown, RegExp]> = [
    [[], /actors\[0\]\.pads: expected an object of port parameters/],
    [{ "in 0": {} }, /actors\[0\]\.pads: expected port names/],
    [{ in_0: 3 }, /actors\[0\]\.pads\.in_0: expected an object of parameter values/],
    [{ in_0: { "a b": 1 } }, /actors\[0\]\.pads\.in_0: expected parameter names/],
    [{ in_0: { weight: Infinity } }, /actors\[0\]\.pads\.in_0\.weight: expected a JSON value/],
  ];
  for (const [pads, message] of cases) {
    assert.throws(() => validatePipelineSpec(actors(pads)), (e: unknown) => {
      assert.ok(isStreamlibError(e, "SL_PIPELINE_INVALID"));
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("Catalogue.verify() compares the parameters of request ports too", async () => {
  const url = new URL("../testdata/pads_plugin.json", import.meta.url);
  await (await catalogue()).verify("weigh");
  const manifest = JSON.parse(await Deno.readTextFile(url));
  const params = manifest.actors[0].inputs["in_%u"].params;
  params.weight.default = 2;
  delete params.lag;
  const changed = new Catalogue().add(manifest, url);
  await assert.rejects(changed.verify("weigh"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_MANIFEST_MISMATCH"));
    assert.deepEqual(e.details.differences, [
      'inputs.in_%u.params.weight: the manifest says {"default":2,"type":"number"}, the class ' +
      '{"default":1,"type":"number"}',
      "inputs.in_%u.params.lag: the class has it, the manifest does not",
    ]);
    return true;
  });
});

Deno.test("Catalogue.build() reads a quoted value of an object or array parameter as its JSON", async () => {
  const shaped = {
    type: "shaped",
    description: "Holds shaped parameters",
    classification: "Source/Data",
    outputs: { out: { kind: "data" } },
    params: {
      layout: { type: "object", default: {} },
      list: { type: "array", default: [] },
      label: { type: "string", default: "" },
    },
  } as const;
  class Shaped extends Actor<typeof shaped> {
    static override contract = shaped;
    process(): void {
      this.end();
    }
  }
  const manifest = {
    name: "@test/shaped",
    version: "0.1.0",
    streamlib: "*",
    actors: [{ ...shaped, module: "./shaped.ts", export: "Shaped" }],
  };
  const c = Catalogue.withCore().add(manifest, "file:///shaped/manifest.json", { Shaped });
  const quoted = `shaped name=s layout='{"a": {"b": 0.5}}' list="[1, 2]" label='{"not": "json"}'`;
  const bare = `shaped name=s layout={"a":{"b":0.5}} list=[1,2] label='{"not": "json"}'`;
  for (const text of [quoted, bare]) {
    const actor = (await c.build(text)).actor("s") as Actor;
    assert.deepEqual(actor.params, {
      layout: { a: { b: 0.5 } },
      list: [1, 2],
      label: '{"not": "json"}',
    });
  }
  await assert.rejects(c.build(`shaped layout='{"a": '`), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_INVALID"), String(e));
    assert.match(e.message, /is not valid JSON/);
    return true;
  });
});
