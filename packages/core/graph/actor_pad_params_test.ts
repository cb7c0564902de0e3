import assert from "node:assert/strict";
import { Actor } from "./actor.ts";
import { defineContract, validateContract } from "./contract.ts";
import type { Contract } from "./spec.ts";
import type { Input } from "./ports.ts";
import type { TimedTick } from "../clock/clock.ts";
import { isStreamlibError } from "../errors.ts";
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { _liveWorkers } from "../threads/_worker_thread.ts";
import { Weigh } from "../testdata/worker_actors.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

const contract = defineContract({
  type: "mixer",
  inputs: {
    "layer_%u": {
      kind: "data",
      presence: "request",
      params: {
        x: { type: "integer", default: 0 },
        alpha: { type: "number", default: 1, minimum: 0, maximum: 1 },
        zorder: { type: "integer" },
      },
    },
    control: { kind: "event" },
  },
  outputs: { out: { kind: "data" } },
  params: {
    layers: { type: "object", default: {}, pads: "layer_%u" },
    gain: { type: "number", default: 1 },
  },
});

/** An actor with per-port parameters that records what it is told. */
class Mixer extends Actor<typeof contract> {
  static override contract = contract;
  told: string[] = [];
  override paramsChanged(changed: readonly string[]): void {
    this.told.push(`params ${changed.join()}`);
  }
  override padParamsChanged(pad: string, changed: readonly string[]): void {
    this.told.push(`${pad} ${changed.join()}`);
  }
  process(_tick: TimedTick): void {}
}

Deno.test("validateContract() accepts port parameters on request input templates only", () => {
  validateContract(contract);
  const invalid = (c: unknown, field: string): void => {
    assert.throws(
      () => validateContract(c as Contract),
      (e: unknown) => isStreamlibError(e, "SL_CONTRACT_INVALID") && e.details.field === field,
      field,
    );
  };
  const params = { x: { type: "integer" } };
  invalid({ type: "a", inputs: { in: { kind: "data", params } } }, "inputs.in.params");
  invalid(
    { type: "a", outputs: { "src_%u": { kind: "data", presence: "request", params } } },
    "outputs.src_%u.params",
  );
  const template = (p: unknown) => ({
    type: "a",
    inputs: { "in_%u": { kind: "data", presence: "request", params: p } },
  });
  invalid(template({ x: { type: "integer", default: 0.5 } }), "inputs.in_%u.params.x.default");
  invalid(template({ "a b": { type: "integer" } }), "inputs.in_%u.params.a b");
  invalid(template({ x: { type: "float" } }), "inputs.in_%u.params.x");
});

Deno.test("validateContract() requires a pads parameter to name a template with parameters, and checks its default", () => {
  const base = {
    type: "a",
    inputs: {
      "in_%u": { kind: "data", presence: "request", params: { x: { type: "integer" } } },
      "raw_%u": { kind: "data", presence: "request" },
    },
  } as const;
  validateContract({ ...base, params: { ins: { type: "object", pads: "in_%u" } } });
  for (const pads of ["raw_%u", "out_%u", "in"]) {
    assert.throws(
      () => validateContract({ ...base, params: { ins: { type: "object", pads } } }),
      (e: unknown) =>
        isStreamlibError(e, "SL_CONTRACT_INVALID") && e.details.field === "params.ins.pads" &&
        /\(in_%u\)/.test(e.message),
      pads,
    );
  }
  assert.throws(
    () =>
      validateContract({
        ...base,
        params: { ins: { type: "object", pads: "in_%u", default: { in_0: { x: "1" } } } },
      }),
    (e: unknown) =>
      isStreamlibError(e, "SL_CONTRACT_INVALID") && e.details.field === "params.ins.default",
  );
});

Deno.test("padParams() gives defaults, before and after the port is requested, and the same object for good", () => {
  const mixer = new Mixer();
  const early = mixer.padParams("layer_3");
  assert.deepEqual(early, { x: 0, alpha: 1, zorder: undefined });
  mixer.setPadParams("layer_3", { x: 10 });
  const input = mixer.requestInput("layer_%u", "layer_3");
  assert.equal(input.params, early);
  assert.equal(input.params.x, 10);
  input.setParams({ alpha: 0.5, zorder: -2 });
  assert.deepEqual(mixer.padParams("layer_3"), { x: 10, alpha: 0.5, zorder: -2 });
  assert.equal(mixer.padParams("layer_3"), early);
  // undefined restores the default.
  input.setParams({ x: undefined, zorder: undefined });
  assert.deepEqual(input.params, { x: 0, alpha: 0.5, zorder: undefined });
  assert.deepEqual(mixer.inputs.control.params, {});
});

Deno.test("setPadParams() refuses unknown ports, unknown names and bad values with stable codes", () => {
  const mixer = new Mixer();
  for (const pad of ["control", "layer_x", "out", "layer_1x"]) {
    assert.throws(() => mixer.setPadParams(pad, { x: 1 }), code("SL_PORT_NOT_FOUND"), pad);
  }
  assert.throws(() => mixer.padParams("control"), code("SL_PORT_NOT_FOUND"));
  assert.throws(() => mixer.inputs.control.setParams({ x: 1 }), code("SL_PORT_NOT_FOUND"));
  assert.throws(() => mixer.setPadParams("layer_1", { offset: 1 }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_UNKNOWN"));
    assert.match(e.message, /port "layer_1" of "mixer"; its parameters: x \(integer/);
    assert.doesNotMatch(e.message, /did you mean/); // "offset" is close to none
    assert.equal(e.details.pad, "layer_1");
    return true;
  });
  assert.throws(() => mixer.setPadParams("layer_1", { alpah: 1 }), (e: unknown) => {
    assert.match(
      (e as Error).message,
      /^Unknown parameter "alpah" of port "layer_1" of "mixer" \(did you mean "alpha"\?\);/,
    );
    return true;
  });
  assert.throws(() => mixer.setPadParams("layer_1", { alpha: 2 }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_INVALID"));
    assert.match(e.message, /"alpha" of port "layer_1" of "mixer" must be ≤ 1, got 2/);
    return true;
  });
  assert.throws(() => mixer.setPadParams("layer_1", { x: 1.5 }), code("SL_PARAM_INVALID"));
  // Nothing was applied.
  assert.deepEqual(mixer.padParams("layer_1"), { x: 0, alpha: 1, zorder: undefined });
  assert.deepEqual(mixer.told, []);
});

Deno.test("setPadParams() tells the actor which port and names changed, and keeps the shorthand in step", () => {
  const mixer = new Mixer({ layers: { layer_1: { alpha: 0.25 } } });
  assert.equal(mixer.padParams("layer_1").alpha, 0.25);
  mixer.setPadParams("layer_2", { x: 5 });
  mixer.setPadParams("layer_1", { x: -1 });
  assert.deepEqual(mixer.told, ["layer_2 x", "layer_1 x"]);
  assert.deepEqual(mixer.params.layers, {
    layer_1: { alpha: 0.25, x: -1 },
    layer_2: { x: 5 },
  });
  mixer.setPadParams("layer_2", { x: undefined });
  assert.deepEqual(mixer.params.layers, { layer_1: { alpha: 0.25, x: -1 } });
});

Deno.test("setParams() with a pads shorthand replaces every port's values, as the old object parameters did", () => {
  const mixer = new Mixer({ layers: { layer_1: { alpha: 0.25, x: 3 }, layer_2: { x: 7 } } });
  mixer.setParams({ layers: { layer_1: { x: 4 } }, gain: 2 });
  assert.deepEqual(mixer.padParams("layer_1"), { x: 4, alpha: 1, zorder: undefined });
  assert.deepEqual(mixer.padParams("layer_2"), { x: 0, alpha: 1, zorder: undefined });
  assert.deepEqual(mixer.told, ["params layers,gain", "layer_1 alpha,x", "layer_2 x"]);
  assert.deepEqual(mixer.params.layers, { layer_1: { x: 4 } });
});

Deno.test("A pads shorthand is checked entry by entry with SL_PARAM_INVALID naming the parameter", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ overlay: { x: 1 } }, /has an entry "overlay"; keys are input names such as "layer_0"/],
    [{ layer_1: 3 }, /entry "layer_1" must be an object/],
    [{ layer_1: { alpha: 2 } }, /"layer_1" property "alpha" must be ≤ 1, got 2/],
    [{ layer_1: { size: 2 } }, /"layer_1" has unknown property "size"; known: x, alpha, zorder/],
  ];
  for (const [layers, message] of cases) {
    for (
      const attempt of [
        () => new Mixer({ layers: layers as Record<string, unknown> }),
        () => new Mixer().setParams({ layers: layers as Record<string, unknown> }),
      ]
    ) {
      assert.throws(attempt, (e: unknown) => {
        assert.ok(isStreamlibError(e, "SL_PARAM_INVALID"), String(e));
        assert.equal(e.details.param, "layers");
        assert.match(e.message, message);
        return true;
      });
    }
  }
});

/** Runs two counters into a Weigh actor, the Weigh where `options` says. */
async function weigh(
  options: Parameters<Pipeline["add"]>[1],
  change: (actor: Weigh, step: number) => void,
): Promise<string[]> {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const actor = new Weigh();
  actor.setPadParams("in_0", { weight: 2 });
  actor.setPadParams("in_1", { weight: 10 });
  const sink = new Collect<DataMessage<number>>();
  pipeline.add(actor, { name: "weigh", ...options });
  pipeline.add(new DataSource({ fps: 100 }), { name: "a" });
  pipeline.add(new DataSource({ fps: 100 }), { name: "b" });
  pipeline.link("a", "weigh.in_0");
  pipeline.link("b", "weigh.in_1");
  pipeline.link("weigh", pipeline.add(sink));
  await pipeline.start();
  const until = async (n: number): Promise<void> => {
    for (let i = 0; sink.messages.length < n; i++) {
      if (i === 2_000) throw new Error(`timed out at ${sink.messages.length} of ${n} messages`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await until(2);
  for (const [step, total] of [[1, 4], [2, 5]] as const) {
    change(actor, step);
    await clock.advance(10_000);
    await until(total);
  }
  await pipeline.stop();
  // The topic is `input|changes told so far`: count the changes from the first message on.
  const first = Math.min(...sink.messages.map((m) => Number(m.topic.split("|")[1])));
  return sink.messages.map((m) => {
    const [input, told] = m.topic.split("|");
    return `${input} +${Number(told) - first}=${m.value}`;
  }).sort();
}

/** Step 1 changes in_1 through its input; step 2 restores in_0's default and mutes in_1. */
function changes(actor: Weigh, step: number): void {
  if (step === 1) (actor.inputs as Record<string, Input>).in_1!.setParams({ weight: 3 });
  else {
    actor.setPadParams("in_0", { weight: undefined });
    actor.setPadParams("in_1", { mute: true });
  }
}

const EXPECTED = [
  // Tick 0 (counters at 0) and tick 1 with the weights given before the run, but in_1's
  // changed (one change told); tick 2: in_0 back to weight 1, in_1 muted (two more).
  "in_0 +0=0",
  "in_0 +1=2",
  "in_0 +3=2",
  "in_1 +0=0",
  "in_1 +1=3",
];

Deno.test("Port parameters change while running, and the actor is told", async () => {
  assert.deepEqual(await weigh({}, changes), EXPECTED);
});

Deno.test("Port parameters given before the run and changed during it reach an actor in a Worker", async () => {
  const module = new URL("../testdata/worker_actors.ts", import.meta.url).href;
  assert.deepEqual(await weigh({ dispatch: "worker", module }, changes), EXPECTED);
  assert.equal(_liveWorkers(), 0);
});
