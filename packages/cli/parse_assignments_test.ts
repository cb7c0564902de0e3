import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { parseAssignments } from "./parse_assignments.ts";

Deno.test("parseAssignments() reads values as pipeline text does: numbers, quantities, JSON, text", () => {
  assert.deepEqual(
    parseAssignments([
      "fps=25",
      "duration=10s",
      "on=true",
      'layers={"layer_1": {"x": 4}}',
      "rect=[0,0,640,480]",
      "foreground=#ff0000",
      "title=hello world",
      'quoted="a b"',
      "layer_1::x=40",
      "layer_1::opacity=0.5",
    ]),
    {
      params: {
        fps: 25,
        duration: "10s",
        on: true,
        layers: { layer_1: { x: 4 } },
        rect: [0, 0, 640, 480],
        foreground: "#ff0000",
        title: "hello world",
        quoted: "a b",
      },
      pads: { layer_1: { x: 40, opacity: 0.5 } },
    },
  );
});

Deno.test("parseAssignments() refuses words that set nothing, and name or dispatch", () => {
  for (const word of ["fps", "=5", "name=x", "dispatch=worker"]) {
    assert.throws(() => parseAssignments([word]), (e: unknown) => isStreamlibError(e, "SL_USAGE"));
  }
  assert.throws(
    () => parseAssignments(["rect=[1,"]),
    (e: unknown) => isStreamlibError(e, "SL_PIPELINE_SYNTAX"),
  );
});
