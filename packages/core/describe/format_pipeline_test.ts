import assert from "node:assert/strict";
import { ACTOR_NAME } from "../graph/names.ts";
import fc from "fast-check";
import { formatPipeline, formatValue } from "./format_pipeline.ts";
import { parsePipeline } from "./parse_pipeline.ts";
import type { ActorSpec, LinkSpec, PipelineSpec, SpecValue } from "./pipeline_spec.ts";

/** The same graph: actors compared by name, links as a multiset. */
function sameGraph(a: PipelineSpec, b: PipelineSpec): void {
  // Through JSON: fast-check builds objects without a prototype, the parser plain ones.
  const actors = (s: PipelineSpec): ActorSpec[] =>
    (JSON.parse(
      JSON.stringify(s.actors.map((x) => ({ ...x, params: x.params ?? {} }))),
    ) as ActorSpec[])
      .sort((x, y) => x.name < y.name ? -1 : 1);
  const links = (s: PipelineSpec): string[] => s.links.map((l) => `${l.from} > ${l.to}`).sort();
  assert.deepEqual(actors(a), actors(b));
  assert.deepEqual(links(a), links(b));
}

Deno.test("formatValue() writes values the parser reads back unchanged", () => {
  const values: SpecValue[] = [
    0,
    -1.5,
    1e21,
    true,
    false,
    null,
    "smpte",
    "out.mp4",
    "10s",
    "48kHz",
    "#ff0000",
    "/tmp/a=b",
    "",
    "30",
    "true",
    "null",
    "two words",
    'say "hi"',
    "it's",
    "tab\there",
    "line\nbreak",
    "!",
    "a!b",
    "[not json",
    "{",
    "=",
    "x=y",
    "back\\slash",
    [1, "a b", [2]],
    { k: { v: [null] } },
  ];
  for (const value of values) {
    const { spec } = parsePipeline(`a v=${formatValue(value)}`);
    assert.deepEqual(
      spec.actors[0]!.params!.v,
      value,
      `${JSON.stringify(value)} → ${formatValue(value)}`,
    );
  }
});

Deno.test("formatPipeline() writes chains, branches and references like a person would", () => {
  const text = [
    "testsrc pattern=smpte ! compositor name=c ! display name=disp",
    "draw code=overlay.ts ! c.layer_1",
    "disp.keyboard ! log",
    "c. ! nullsink",
  ].join("\n");
  const spec = parsePipeline(text).spec;
  assert.equal(formatPipeline(spec), text);
  assert.deepEqual(parsePipeline(formatPipeline(spec)).spec, spec);
});

Deno.test("formatPipeline() writes port parameters as port::key=value after the parameters", () => {
  const text =
    'compositor name=c layer_1::x=10 width=640 layer_1::opacity=0.5 layer_2::label="a b"';
  const spec = parsePipeline(text).spec;
  assert.equal(
    formatPipeline(spec),
    'compositor name=c width=640 layer_1::x=10 layer_1::opacity=0.5 layer_2::label="a b"',
  );
  assert.deepEqual(parsePipeline(formatPipeline(spec)).spec, spec);
});

Deno.test("formatPipeline() of an empty pipeline is empty text", () => {
  assert.equal(formatPipeline({ actors: [], links: [] }), "");
});

Deno.test("formatPipeline() names actors only where the automatic name would differ", () => {
  const spec: PipelineSpec = {
    actors: [
      { name: "blur1", type: "blur" },
      { name: "blur0", type: "blur" },
      { name: "blur2", type: "blur" },
    ],
    links: [],
  };
  assert.equal(formatPipeline(spec), "blur name=blur1\nblur\nblur name=blur2");
  assert.deepEqual(parsePipeline(formatPipeline(spec)).spec, spec);
});

// Random graphs: any actors, names (automatic-looking, custom, dotted), parameter values, and
// links with or without ports, including several links between the same actors.
const name = fc.oneof(
  fc.constantFrom("a", "cam", "my.cam", "x.y.z", "src", "t", "blur0", "blur1", "log0"),
  fc.constantFrom("a.out", "cam.in", "t.", ".x", "x..y", "1", "1e3", "~", "-", "a.out."),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/),
  fc.stringMatching(/^[A-Za-z0-9_.~-]{1,6}$/),
).filter((n) => ACTOR_NAME.test(n));
const value: fc.Arbitrary<SpecValue> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.constantFrom("10s", "48kHz", "smpte", "30", "a b", "#x", "=", "!"),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.integer(), { maxKeys: 2 }),
);
const graph: fc.Arbitrary<PipelineSpec> = fc
  .uniqueArray(
    fc.record({
      name,
      type: fc.constantFrom("blur", "log", "mix", "cam"),
      params: fc.dictionary(
        fc.stringMatching(/^[a-z][a-z_]{0,4}$/).filter((k) => k !== "name" && k !== "dispatch"),
        value,
        {
          maxKeys: 3,
        },
      ),
      dispatch: fc.option(fc.constantFrom("main" as const, "worker" as const), { nil: undefined }),
      pads: fc.dictionary(
        fc.constantFrom("layer_0", "layer_1", "sink_12"),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,4}$/), value, { minKeys: 1, maxKeys: 2 }),
        { maxKeys: 2 },
      ),
    }),
    { selector: (a) => a.name, minLength: 1, maxLength: 6 },
  )
  .chain((actors) =>
    fc.record({
      actors: fc.constant(
        actors.map((a): ActorSpec => ({
          name: a.name,
          type: a.type,
          ...(Object.keys(a.params).length ? { params: a.params } : {}),
          ...(Object.keys(a.pads).length ? { pads: a.pads } : {}),
          ...(a.dispatch === undefined ? {} : { dispatch: a.dispatch }),
        })),
      ),
      links: fc.array(
        fc.record({
          from: fc.constantFrom(...actors.map((a) => a.name)),
          fromPort: fc.option(fc.constantFrom("out", "keyboard"), { nil: undefined }),
          to: fc.constantFrom(...actors.map((a) => a.name)),
          toPort: fc.option(fc.constantFrom("in", "layer_1"), { nil: undefined }),
        }).map((l): LinkSpec => ({
          from: l.fromPort ? `${l.from}.${l.fromPort}` : l.from,
          to: l.toPort ? `${l.to}.${l.toPort}` : l.to,
        })),
        { maxLength: 7 },
      ),
    })
  );

Deno.test("JSON → text → JSON gives back the same graph for random pipelines", () => {
  fc.assert(
    fc.property(graph, (spec) => {
      const text = formatPipeline(spec);
      sameGraph(parsePipeline(text).spec, spec);
    }),
    { seed: 20261122, numRuns: 400 },
  );
});

Deno.test("text → JSON → text → JSON is stable for random pipelines", () => {
  fc.assert(
    fc.property(graph, (spec) => {
      const once = parsePipeline(formatPipeline(spec)).spec;
      const twice = parsePipeline(formatPipeline(once)).spec;
      assert.deepEqual(JSON.parse(JSON.stringify(twice)), JSON.parse(JSON.stringify(once)));
    }),
    { seed: 7, numRuns: 300 },
  );
});

Deno.test("formatPipeline() writes 60,000 links in linear time, a chain and a star alike", () => {
  const n = 60_000;
  const chain = parsePipeline(Array.from({ length: n }, () => "identity").join(" ! ")).spec;
  const star: PipelineSpec = {
    actors: [
      { name: "t", type: "tee" },
      ...Array.from({ length: n }, (_, i) => ({ name: `s${i}`, type: "nullsink" })),
    ],
    links: Array.from({ length: n }, (_, i) => ({ from: "t", to: `s${i}` })),
  };
  for (const spec of [chain, star]) {
    const started = performance.now();
    const text = formatPipeline(spec);
    // Quadratic, this took over a minute; linear, it takes tens of milliseconds.
    assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
    sameGraph(parsePipeline(text).spec, spec);
  }
});
