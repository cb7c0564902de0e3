import assert from "node:assert/strict";
import { isStreamlibError } from "../errors.ts";
import { formatPipeline } from "./format_pipeline.ts";
import { parsePipeline } from "./parse_pipeline.ts";
import { validatePipelineSpec } from "./pipeline_spec.ts";

/** Asserts `SL_PIPELINE_INVALID` whose message names `path` and matches `expected`. */
function refused(value: unknown, path: string, expected: RegExp): void {
  assert.throws(() => validatePipelineSpec(value), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PIPELINE_INVALID"), String(e));
    assert.ok(e.message.includes(`${path}: expected`), e.message);
    assert.match(e.message, expected);
    return true;
  });
}

Deno.test("validatePipelineSpec() refuses parameter names the text form cannot write", () => {
  for (const key of ["é", "", " ", "0", "6", "x::y", "a b", "a=b", "\u0000"]) {
    refused(
      { actors: [{ name: "a", type: "datasrc", params: { [key]: 1 } }], links: [] },
      "actors[0].params",
      /parameter names of letters, digits, _ and -/,
    );
  }
  // What it accepts, the text form writes and reads back.
  const spec = validatePipelineSpec({
    actors: [{ name: "a", type: "datasrc", params: { _x: 1, "count-2": 2 } }],
    links: [],
  });
  assert.deepEqual(parsePipeline(formatPipeline(spec)).spec, spec);
});

Deno.test("validatePipelineSpec() refuses a value nested too deep to check, without a stack overflow", () => {
  const deep: unknown[] = [];
  let inner = deep;
  for (let i = 0; i < 200_000; i++) inner.push(inner = []);
  refused(
    { actors: [{ name: "a", type: "datasrc", params: { x: deep } }], links: [] },
    "actors[0].params.x",
    /a JSON value nested at most 1000 deep/,
  );
  const nested = JSON.parse("[".repeat(1000) + "]".repeat(1000));
  const spec = { actors: [{ name: "a", type: "datasrc", params: { x: nested } }], links: [] };
  assert.equal(validatePipelineSpec(spec), spec);
});

Deno.test("validatePipelineSpec() refuses values JSON cannot hold: cycles, bigints, functions", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  for (const value of [cycle, [cycle], 1n, () => 1, Symbol("x"), NaN, undefined, new Date(0)]) {
    refused(
      { actors: [{ name: "a", type: "datasrc", params: { x: value } }], links: [] },
      "actors[0].params.x",
      /a JSON value/,
    );
  }
});

Deno.test("validatePipelineSpec() describes any value it refuses, deep, cyclic or without a prototype", () => {
  const deep: unknown[] = [];
  let inner = deep;
  for (let i = 0; i < 100_000; i++) inner.push(inner = []);
  inner.push(1n);
  const bare = Object.assign(Object.create(null), { big: 1n });
  const cycle: unknown[] = [];
  cycle.push(cycle, 1n);
  for (const value of [deep, cycle, [bare], Symbol("s")]) {
    refused(value, "(top)", /an object with actors and links, got /);
  }
  refused({ actors: bare, links: [] }, "actors", /an array of actors, got an object/);
});

Deno.test("validatePipelineSpec() refuses holes in the actors and links arrays", () => {
  const actor = { name: "a", type: "datasrc" };
  refused({ actors: [actor, , { name: "b", type: "log" }], links: [] }, "actors[1]", /an object/);
  refused({ actors: [actor], links: [, { from: "a", to: "a" }] }, "links[0]", /an object/);
});

Deno.test("validatePipelineSpec() takes only plain objects where JSON has objects", () => {
  // Found by the fuzz suite: a Date as params passed, with no parameters text could write.
  const actor = { name: "a", type: "datasrc" };
  for (const odd of [new Date(0), new Map([["count", 1]]), new Uint8Array(2)]) {
    refused({ actors: [{ ...actor, params: odd }], links: [] }, "actors[0].params", /an object/);
    refused({ actors: [{ ...actor, pads: odd }], links: [] }, "actors[0].pads", /an object/);
    refused({ actors: [odd], links: [] }, "actors[0]", /an object/);
    refused(odd, "(top)", /an object with actors and links/);
  }
  const bare = Object.assign(Object.create(null), { actors: [], links: [] });
  assert.equal(validatePipelineSpec(bare), bare);
});
