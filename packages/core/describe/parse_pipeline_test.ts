import assert from "node:assert/strict";
import { isStreamlibError } from "../errors.ts";
import { parsePipeline } from "./parse_pipeline.ts";
import { type PipelineSpec, validatePipelineSpec } from "./pipeline_spec.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { DataSource } from "../actors/data_source.ts";

const valid: Array<[string, PipelineSpec]> = [
  ["datasrc", { actors: [{ name: "datasrc0", type: "datasrc" }], links: [] }],
  [
    "testsrc pattern=smpte fps=30 ! blur radius=4 ! filesink path=out.mp4",
    {
      actors: [
        { name: "testsrc0", type: "testsrc", params: { pattern: "smpte", fps: 30 } },
        { name: "blur0", type: "blur", params: { radius: 4 } },
        { name: "filesink0", type: "filesink", params: { path: "out.mp4" } },
      ],
      links: [{ from: "testsrc0", to: "blur0" }, { from: "blur0", to: "filesink0" }],
    },
  ],
  [
    // named actors, port references, branches, forward references, comments
    `# a scene
testsrc ! compositor name=c width=1280 ! display name=disp   # the main chain
draw code=overlay.ts ! c.layer_1
disp.keyboard ! log
c. ! nullsink`,
    {
      actors: [
        { name: "testsrc0", type: "testsrc" },
        { name: "c", type: "compositor", params: { width: 1280 } },
        { name: "disp", type: "display" },
        { name: "draw0", type: "draw", params: { code: "overlay.ts" } },
        { name: "log0", type: "log" },
        { name: "nullsink0", type: "nullsink" },
      ],
      links: [
        { from: "testsrc0", to: "c" },
        { from: "c", to: "disp" },
        { from: "draw0", to: "c.layer_1" },
        { from: "disp.keyboard", to: "log0" },
        { from: "c", to: "nullsink0" },
      ],
    },
  ],
  [
    "src. ! sink.  datasrc name=src  log name=sink",
    {
      actors: [{ name: "src", type: "datasrc" }, { name: "sink", type: "log" }],
      links: [{ from: "src", to: "sink" }],
    },
  ],
  [
    // values of every form
    `a s="two words" q='it\\'s' e="tab\\tnew\\nline" n=-1.5e3 i=42 t=true f=false z=null d=10s r=48kHz ` +
    `arr=[0,0,640,480] obj={"k":[1,"x y"]} hex=#ff0000 path=/tmp/a=b`,
    {
      actors: [{
        name: "a0",
        type: "a",
        params: {
          s: "two words",
          q: "it's",
          e: "tab\tnew\nline",
          n: -1500,
          i: 42,
          t: true,
          f: false,
          z: null,
          d: "10s",
          r: "48kHz",
          arr: [0, 0, 640, 480],
          obj: { k: [1, "x y"] },
          hex: "#ff0000",
          path: "/tmp/a=b",
        },
      }],
      links: [],
    },
  ],
  [
    // a reference in the middle: the incoming link takes its port, the outgoing one the actor
    "a ! mix.in_1 ! b  mix name=mix",
    {
      actors: [{ name: "a0", type: "a" }, { name: "b0", type: "b" }, { name: "mix", type: "mix" }],
      links: [{ from: "a0", to: "mix.in_1" }, { from: "mix", to: "b0" }],
    },
  ],
  [
    // dotted names: the whole name wins, a trailing dot means "no port"
    "cam name=my.cam ! log  my.cam.out ! nullsink  my.cam. ! nullsink",
    {
      actors: [
        { name: "my.cam", type: "cam" },
        { name: "log0", type: "log" },
        { name: "nullsink0", type: "nullsink" },
        { name: "nullsink1", type: "nullsink" },
      ],
      links: [
        { from: "my.cam", to: "log0" },
        { from: "my.cam.out", to: "nullsink0" },
        { from: "my.cam", to: "nullsink1" },
      ],
    },
  ],
  [
    "datasrc ! blur dispatch=worker radius=2 ! log dispatch=main",
    {
      actors: [
        { name: "datasrc0", type: "datasrc" },
        { name: "blur0", type: "blur", params: { radius: 2 }, dispatch: "worker" },
        { name: "log0", type: "log", dispatch: "main" },
      ],
      links: [{ from: "datasrc0", to: "blur0" }, { from: "blur0", to: "log0" }],
    },
  ],
  [
    "compositor name=c layer_1::opacity=0.5 width=640 layer_1::x=10 layer_0::visible=false ! log\n" +
    "datasrc ! c.layer_1",
    {
      actors: [
        {
          name: "c",
          type: "compositor",
          params: { width: 640 },
          pads: { layer_1: { opacity: 0.5, x: 10 }, layer_0: { visible: false } },
        },
        { name: "log0", type: "log" },
        { name: "datasrc0", type: "datasrc" },
      ],
      links: [{ from: "c", to: "log0" }, { from: "datasrc0", to: "c.layer_1" }],
    },
  ],
  [
    "blur name=blur1 ! blur",
    {
      actors: [{ name: "blur1", type: "blur" }, { name: "blur0", type: "blur" }],
      links: [{ from: "blur1", to: "blur0" }],
    },
  ],
];

for (const [text, spec] of valid) {
  Deno.test(`parsePipeline() reads ${JSON.stringify(text.slice(0, 60))}`, () => {
    assert.deepEqual(parsePipeline(text).spec, spec);
  });
}

const invalid: Array<[text: string, line: number, column: number, expected: RegExp]> = [
  ["a ! ! b", 1, 5, /after "!"/],
  ["! a", 1, 1, /an actor type/],
  ["a !", 1, 4, /after "!"/],
  ["a ! b x=", 1, 9, /a value/],
  ["a x= y", 1, 5, /a value/],
  ["x=1 a", 1, 1, /an actor type before its parameters/],
  ["a.b x=1", 1, 5, /"!" or a new chain/],
  ["a =1", 1, 3, /a name of letters/],
  ["a 1x=2", 1, 3, /a name of letters/],
  ["9a ! b", 1, 1, /a type of letters/],
  ['a s="open', 1, 5, /a closing "/],
  ["a s='x'y", 1, 8, /a space or "!"/],
  ['a s="\\q"', 1, 6, /\\n/],
  ["a arr=[1,2", 1, 7, /a closing \]/],
  ["a arr=[1,,2]", 1, 7, /a JSON array/],
  ["a x=1 x=2", 1, 7, /each parameter once/],
  ["a p_1::x=1 p_1::x=2", 1, 12, /"p_1::x" is given twice; expected each parameter once/],
  ["a p_1::=1", 1, 3, /or port::name for a port's parameter/],
  ["a ::x=1", 1, 3, /or port::name/],
  ["a p:x=1", 1, 3, /or port::name/],
  ["a p::x::y=1", 1, 3, /or port::name/],
  ["a p_1::x= b", 1, 10, /a value/],
  ["a name=one name=two", 1, 12, /one name/],
  ["a name=b/c", 1, 3, /a name of letters, digits/],
  ["a dispatch=gpu", 1, 3, /dispatch=main or dispatch=worker/],
  ["a dispatch=worker dispatch=main", 1, 19, /one dispatch/],
  ["a name=x  b name=x", 1, 13, /unique names/],
  ["blur ! blur name=blur0", 1, 1, /name= for one of them/],
  ["a ! b\n  ! c ! ghost.in", 2, 9, /a name given with name=/],
  ["a\n\n   ghost. ! b", 3, 4, /a name given with name=/],
  ['a ! b\nc x="one\ntwo"', 2, 5, /on the same line/],
  ["a ! video/x-raw,width=640 ! b", 1, 5, /a GStreamer caps filter.*videoscale width=640/],
  ["a ! audio/x-raw ! b", 1, 5, /"audio\/x-raw" is a GStreamer caps filter/],
  // Nothing to run, or a reference that links nothing and names no actor.
  ["", 1, 1, /The pipeline text is empty.*an actor type/],
  ["  # only a comment\n", 2, 1, /The pipeline text is empty/],
  ["datasrc ! log  nosuch.port", 1, 16, /No actor is named "nosuch", and this reference links/],
  ["a.b", 1, 1, /No actor is named "a".*"a\.b ! log"/],
  ["in.mp4", 1, 1, /"in\.mp4" reads as a file name.*"filesrc location=in\.mp4 ! …"/],
  ["clip.WAV", 1, 1, /"filesrc location=clip\.WAV ! …"/],
  ["p.txt", 1, 1, /"p\.txt" reads as a file name.*the pipeline's text itself/],
  ["actor://edge/mix.layer_1", 1, 1, /is linked to nothing/],
];

for (const [text, line, column, expected] of invalid) {
  Deno.test(`parsePipeline() points at ${line}:${column} in ${JSON.stringify(text)}`, () => {
    assert.throws(() => parsePipeline(text), (e: unknown) => {
      assert.ok(isStreamlibError(e, "SL_PIPELINE_SYNTAX"), String(e));
      assert.equal(`${e.details.line}:${e.details.column}`, `${line}:${column}`, e.message);
      assert.match(e.message, expected);
      assert.match(e.message, new RegExp(`^line ${line}, column ${column}: `));
      // The caret sits under the column on the quoted line.
      const [, quoted, caret] = e.message.split("\n");
      assert.equal(caret!.indexOf("^"), column + 1);
      assert.equal(quoted!.slice(2), text.split("\n")[line - 1]);
      return true;
    });
  });
}

Deno.test("parsePipeline() takes a reference alone to an actor that exists, which links nothing", () => {
  assert.deepEqual(parsePipeline("datasrc name=s ! log  s.").spec.links, [{
    from: "s",
    to: "log0",
  }]);
  assert.deepEqual(parsePipeline("mix.", { existing: ["mix"] }).spec, { actors: [], links: [] });
});

Deno.test("parsePipeline() records where each actor, parameter and link end stands", () => {
  const { spans } = parsePipeline("datasrc count=3 ! log\n  src. ! b  datasrc name=src");
  assert.deepEqual(spans.get("actors[0]"), { offset: 0, line: 1, column: 1, length: 7 });
  assert.deepEqual(spans.get("actors[0].params.count"), {
    offset: 8,
    line: 1,
    column: 9,
    length: 7,
  });
  assert.deepEqual(spans.get("links[0]"), { offset: 16, line: 1, column: 17, length: 1 });
  assert.deepEqual(spans.get("links[1].from"), { offset: 24, line: 2, column: 3, length: 4 });
  assert.deepEqual(spans.get("actors[3].name"), { offset: 42, line: 2, column: 21, length: 8 });
});

Deno.test("parsePipeline() records where each port parameter stands", () => {
  const { spans } = parsePipeline("c layer_1::x=10 layer_1::alpha=0.5");
  assert.deepEqual(spans.get("actors[0].pads.layer_1.x"), {
    offset: 2,
    line: 1,
    column: 3,
    length: 13,
  });
  assert.deepEqual(spans.get("actors[0].pads.layer_1.alpha"), {
    offset: 16,
    line: 1,
    column: 17,
    length: 18,
  });
  // The port itself: where its first parameter's name is.
  assert.deepEqual(spans.get("actors[0].pads.layer_1"), {
    offset: 2,
    line: 1,
    column: 3,
    length: 10,
  });
});

Deno.test("parsePipeline() refuses numbers too large to be finite, bare or in JSON", () => {
  for (
    const [text, column] of [["datasrc count=1e999", 15], ["datasrc list=[1, -1e400]", 14]] as const
  ) {
    assert.throws(() => parsePipeline(text), (e: unknown) => {
      assert.ok(isStreamlibError(e, "SL_PIPELINE_SYNTAX"), String(e));
      assert.match(e.message, new RegExp(`^line 1, column ${column}: `));
      assert.match(e.message, /too large/);
      return true;
    });
  }
  assert.equal(parsePipeline("datasrc count=1e308").spec.actors[0]!.params!.count, 1e308);
});

Deno.test("An actor name may not end with a dot, which would read as a reference to the actor", () => {
  assert.throws(() => parsePipeline("datasrc name=sr. ! nullsink"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPELINE_SYNTAX"), String(e));
    assert.match(e.message, /Invalid actor name "sr\."; expected a name of .*not ending with "\."/);
    return true;
  });
  assert.throws(
    () => validatePipelineSpec({ actors: [{ name: "sr.", type: "datasrc" }], links: [] }),
    (e: unknown) =>
      isStreamlibError(e, "SL_PIPELINE_INVALID") && /actors\[0\]\.name/.test(e.message),
  );
  assert.throws(
    () => new Pipeline().add(new DataSource(), { name: "sr." }),
    (e: unknown) =>
      isStreamlibError(e, "SL_PARAM_INVALID") && /not ending with "\."/.test(e.message),
  );
  assert.equal(parsePipeline("datasrc name=my.cam ! nullsink").spec.actors[0]!.name, "my.cam");
});

Deno.test("parsePipeline() with existing actors lets references name them and skips their names", () => {
  const { spec } = parsePipeline("datasrc ! mix.in_1  datasrc name=b ! mix.", {
    existing: ["mix", "datasrc0"],
  });
  assert.deepEqual(spec.actors.map((a) => a.name), ["datasrc1", "b"]);
  assert.deepEqual(spec.links, [{ from: "datasrc1", to: "mix.in_1" }, { from: "b", to: "mix" }]);
  assert.throws(
    () => parsePipeline("datasrc ! nix.", { existing: ["mix"] }),
    /No actor is named "nix"; expected a name given with name=, a running actor's or an automatic one \(mix, datasrc0\)/,
  );
});

Deno.test("parsePipeline() refuses a reference whose port is no port name, as the JSON form does", () => {
  for (
    const [text, column] of [
      ["datasrc name=m ! m.sin쬤_1", 18],
      ["datasrc name=m\nm.out\u0001 ! log", 1],
    ] as const
  ) {
    assert.throws(() => parsePipeline(text), (e: unknown) => {
      assert.ok(isStreamlibError(e, "SL_PIPELINE_SYNTAX"), String(e));
      assert.match(e.message, new RegExp(`column ${column}: `));
      assert.match(
        e.message,
        /is not a port name; expected a port name of letters, digits, _ and -/,
      );
      return true;
    });
  }
  const { spec } = parsePipeline("datasrc name=m ! m.in_1  m.out-2 ! log");
  assert.deepEqual(validatePipelineSpec(spec), spec);
});

Deno.test("parsePipeline() refuses a JSON value nested deeper than 1000, without a stack overflow", () => {
  const deep = (n: number): string => `datasrc x=${"[".repeat(n)}${"]".repeat(n)} y={"a":1}`;
  assert.throws(() => parsePipeline(deep(100_000)), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPELINE_SYNTAX"), String(e));
    assert.match(e.message, /^line 1, column 11: The value of "x" nests deeper than 1000/);
    return true;
  });
  const { spec } = parsePipeline(deep(1000));
  assert.deepEqual(validatePipelineSpec(spec), spec);
});
