import assert from "node:assert/strict";
import { validateManifest } from "./validate_manifest.ts";
import {
  base,
  build,
  INVALID,
  problemPaths,
  rejection,
  SECOND_ACTOR,
  SEMANTIC_ONLY,
  VALID,
} from "./_manifest_testing.ts";

Deno.test("validateManifest() accepts every valid manifest and returns it unchanged", () => {
  assert.ok(Object.keys(VALID).length >= 6);
  for (const [name, manifest] of Object.entries(VALID)) {
    const snapshot = structuredClone(manifest);
    assert.deepEqual(problemPaths(manifest), [], name);
    assert.equal(validateManifest(manifest), manifest, name);
    assert.deepEqual(manifest, snapshot, name);
  }
});

Deno.test("validateManifest() accepts the base manifest the invalid cases change", () => {
  assert.deepEqual(problemPaths(base()), []);
});

Deno.test("validateManifest() rejects each invalid manifest at exactly the expected path", () => {
  const cases = { ...INVALID, ...SEMANTIC_ONLY };
  assert.ok(Object.keys(cases).length >= 25);
  for (const [name, c] of Object.entries(cases)) {
    assert.deepEqual(problemPaths(build(c)), [c.path], name);
  }
});

Deno.test("validateManifest() lists every problem, each on its own line, in one error", () => {
  const manifest = build({
    set: {
      author: "me",
      version: "1.0",
      "actors[0].inputs.in.kind": "smell",
      "actors[0].params.fps.default": 0,
      "actors[0].params.gain.step": 1,
      "actors[1]": { ...SECOND_ACTOR, type: "gain", colour: "red" },
    },
    path: "",
  });
  const error = rejection(manifest, "plugins/gain/streamlib.json");
  const paths = [
    "author",
    "version",
    "actors[0].inputs.in.kind",
    "actors[0].params.gain.step",
    "actors[0].params.fps.default",
    "actors[1].colour",
    "actors[1].type",
  ];
  assert.deepEqual(
    (error.details.errors as { path: string }[]).map((e) => e.path),
    paths,
  );
  const lines = error.message.split("\n");
  assert.equal(lines.length, paths.length);
  lines.forEach((line, i) => {
    assert.ok(line.startsWith(`plugins/gain/streamlib.json: ${paths[i]}: `), line);
  });
  assert.equal(error.details.file, "plugins/gain/streamlib.json");
});

Deno.test("validateManifest() writes each problem as path, what was expected and what was there", () => {
  const unknown = rejection(build({ set: { "actors[0].colour": "red" }, path: "" }), "gain.json");
  assert.equal(
    unknown.message,
    "gain.json: actors[0].colour: unknown key; expected one of type, description, " +
      "classification, module, export, inputs, outputs, params, schedule, clock, permissions",
  );
  const kind = rejection(build({ set: { "actors[0].inputs.in.kind": "smell" }, path: "" }));
  assert.equal(
    kind.message,
    'manifest: actors[0].inputs.in.kind: expected one of "video", "audio", "event", "data", ' +
      '"any", got "smell"',
  );
  assert.deepEqual(kind.details.errors, [{
    path: "actors[0].inputs.in.kind",
    expected: 'one of "video", "audio", "event", "data", "any"',
    got: '"smell"',
  }]);
  assert.equal(kind.details.file, undefined);
  // formatParam belongs to outputs: an input with one has an unknown key.
  const formatParam = rejection(
    build({ set: { "actors[0].inputs.in.formatParam": "format" }, path: "" }),
  );
  assert.match(formatParam.message, /actors\[0\]\.inputs\.in\.formatParam: unknown key/);
  const notText = rejection(build({ set: { "actors[0].outputs.out.formatParam": 5 }, path: "" }));
  assert.match(notText.message, /actors\[0\]\.outputs\.out\.formatParam: expected .*, got 5/);
  const from = rejection(build({ set: { "actors[0].outputs.out.formatFrom": 5 }, path: "" }));
  assert.match(from.message, /actors\[0\]\.outputs\.out\.formatFrom: expected .*, got 5/);
  const missing = rejection(build({ set: { "actors[0].module": undefined }, path: "" }));
  assert.match(missing.message, /^manifest: actors\[0\]\.module: expected .*, got nothing$/);
  const root = rejection([], "x.json");
  assert.match(root.message, /^x\.json: expected a manifest object .*, got \[\]$/);
});

Deno.test("validateManifest() turns contract problems into manifest problems with values", () => {
  const fps = rejection(build({ set: { "actors[0].params.fps.default": 0 }, path: "" }));
  assert.equal(
    fps.message,
    "manifest: actors[0].params.fps.default: expected a default that fits its schema " +
      "(must be ≥ 1), got 0",
  );
  const layer = rejection(
    build({ set: { "actors[0].inputs.layer": { kind: "video", presence: "request" } }, path: "" }),
  );
  assert.equal(
    layer.message,
    "manifest: actors[0].inputs.layer: expected a request template name containing %u, like " +
      '"layer_%u", got "layer"',
  );
});

Deno.test("validateManifest() reports every contract problem of an actor, not only the first", () => {
  const paths = problemPaths(build({
    set: {
      "actors[0].inputs.layer": { kind: "video", presence: "request" },
      'actors[0].outputs["src_%u"]': { kind: "video" },
      "actors[0].params.fps.default": 0,
      "actors[0].params.mode.default": "log",
    },
    path: "",
  }));
  assert.deepEqual(paths, [
    "actors[0].inputs.layer",
    "actors[0].outputs.src_%u",
    "actors[0].params.fps.default",
    "actors[0].params.mode.default",
  ]);
  // A malformed type, schedule or clock does not hide the other parts' problems.
  assert.deepEqual(
    problemPaths(build({
      set: {
        "actors[0].type": "9lives",
        "actors[0].schedule": "never",
        "actors[0].params.fps.default": 0,
      },
      path: "",
    })),
    ["actors[0].type", "actors[0].schedule", "actors[0].params.fps.default"],
  );
});

Deno.test("validateManifest() names the earlier actor that declares a duplicate type", () => {
  const error = rejection(
    build({ set: { "actors[1]": { ...SECOND_ACTOR, type: "gain" } }, path: "" }),
  );
  assert.match(
    error.message,
    /actors\[1\]\.type: expected a type that no other actor declares \(actors\[0\] has it\), got "gain"$/,
  );
});

Deno.test("validateManifest() lists the parameters a permission may name", () => {
  const error = rejection(
    build({ set: { "actors[0].permissions.read.params": ["file"] }, path: "" }),
  );
  assert.match(error.message, /\(one of mode, path\), got "file"$/);
});

Deno.test("validateManifest() refuses holes in its arrays, where a JavaScript caller leaves them", () => {
  const actors = base().actors as unknown[];
  const holey = { ...base(), actors: [actors[0], , SECOND_ACTOR] };
  assert.deepEqual(problemPaths(holey), ["actors[1]"]);
  const formats = base();
  const actor = (formats.actors as Array<{ inputs: { in: Record<string, unknown> } }>)[0]!;
  actor.inputs.in.formats = ["a", , "b"];
  assert.deepEqual(problemPaths(formats), ["actors[0].inputs.in.formats[1]"]);
});

Deno.test("validateManifest() refuses a pattern with a backreference or lookaround, which cannot run in linear time", () => {
  for (const pattern of ["(a)\\1", "a(?!b)"]) {
    const manifest = base();
    const actor = (manifest.actors as Array<{ params: Record<string, unknown> }>)[0]!;
    actor.params = { ...actor.params, label: { type: "string", default: "", pattern } };
    assert.deepEqual(problemPaths(manifest), ["actors[0].params.label.pattern"], pattern);
  }
});
