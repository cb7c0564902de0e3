import assert from "node:assert/strict";
import { Actor } from "./actor.ts";
import { defineContract } from "./contract.ts";
import { isStreamlibError } from "../errors.ts";
import { Collect } from "../actors/collect.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { PipelineControl } from "../control/pipeline_control.ts";
import { validateManifest } from "../describe/validate_manifest.ts";

const contract = defineContract({
  type: "ticker",
  outputs: { out: { kind: "data" } },
  params: {
    fps: { type: "number", default: 30, exclusiveMinimum: 0, fixed: true },
    label: { type: "string", default: "" },
  },
});

class Ticker extends Actor<typeof contract> {
  static override contract = contract;
  process(): void {}
}

Deno.test("a fixed parameter changes freely before the actor is in a pipeline, then only to its own value", async () => {
  const ticker = new Ticker({ fps: 10 });
  ticker.setParams({ fps: 25 });
  assert.equal(ticker.params.fps, 25);
  const pipeline = new Pipeline();
  pipeline.pipe(pipeline.add(ticker, { name: "t" }), new Collect());
  assert.throws(
    () => ticker.setParams({ fps: 5, label: "x" }),
    (e) =>
      isStreamlibError(e, "SL_PARAM_FIXED") &&
      /Parameter "fps" of "t" \(ticker\) is read when it starts .* \(it is 25\)/.test(e.message),
  );
  // Nothing of a refused change is applied, the parameters beside it neither.
  assert.deepEqual([ticker.params.fps, ticker.params.label], [25, ""]);
  ticker.setParams({ fps: 25, label: "same fps" });
  assert.equal(ticker.params.label, "same fps");
  // Through the control, as `streamlib set` and MCP do.
  const control = new PipelineControl(pipeline);
  assert.throws(() => control.set("t", { fps: 5 }), (e) => isStreamlibError(e, "SL_PARAM_FIXED"));
  assert.deepEqual(control.set("t", { label: "live" }).params, { label: "live" });
  await pipeline.stop({ mode: "abort" }).catch(() => {});
});

Deno.test("a manifest may mark a parameter fixed, with a boolean only", () => {
  const manifest = (fixed: unknown) => ({
    name: "p",
    version: "1.0.0",
    streamlib: ">=0.1.0",
    actors: [{
      type: "ticker",
      description: "Ticks",
      classification: "Source/Data",
      module: "./mod.ts",
      export: "Ticker",
      outputs: { out: { kind: "data" } },
      params: { fps: { type: "number", default: 30, fixed } },
    }],
  });
  validateManifest(manifest(true));
  assert.throws(() => validateManifest(manifest("yes")), /params\.fps\.fixed/);
});
