import assert from "node:assert/strict";
import { Actor, defineActor } from "./actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "./spec.ts";
import { isStreamlibError } from "../errors.ts";
import type { AudioBuffer, DataMessage, VideoFrame } from "../messages.ts";
import type { Input } from "./ports.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

const contract = {
  type: "blur",
  inputs: {
    in: { kind: "video", formats: ["RGBA"] },
    "mask_%u": { kind: "video", presence: "request" },
  },
  outputs: { out: { kind: "video", formats: ["RGBA"] }, level: { kind: "audio" } },
  params: {
    radius: { type: "number", default: 4, minimum: 0, maximum: 64 },
    mode: { type: "string", enum: ["box", "gaussian"], default: "box" },
  },
} as const satisfies Contract;

class Blur extends Actor<typeof contract> {
  static override contract = contract;
  process(_tick: TimedTick): void {}
}

Deno.test("An actor builds its always-present ports from its contract and fills defaults", () => {
  const blur = new Blur({ radius: 8 });
  assert.deepEqual(Object.keys(blur.inputs), ["in"]);
  assert.deepEqual(Object.keys(blur.outputs), ["out", "level"]);
  assert.equal(blur.params.radius, 8);
  assert.equal(blur.params.mode, "box");
  assert.equal(blur.inputs.in.policy, "latest"); // live video default
  assert.equal(blur.name, "blur");
  // Types follow the contract.
  const video: Input<VideoFrame> = blur.inputs.in;
  const _audio: AudioBuffer | undefined =
    undefined as ReturnType<typeof blur.outputs.level.write> extends void ? AudioBuffer | undefined
      : never;
  assert.equal(video.name, "in");
});

Deno.test("An actor rejects unknown and invalid parameters with the valid ones listed", () => {
  assert.throws(() => new Blur({ radus: 3 } as never), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_UNKNOWN"));
    assert.match(
      e.message,
      /Unknown parameter "radus" for "blur" \(did you mean "radius"\?\); valid parameters: radius \(number ≥ 0 ≤ 64 \(default 4\)\), mode/,
    );
    return true;
  });
  assert.throws(() => new Blur({ radius: 100 }), code("SL_PARAM_INVALID"));
  assert.throws(() => new Blur({ mode: "median" as "box" }), code("SL_PARAM_INVALID"));
});

Deno.test("An actor class without its own contract fails clearly", () => {
  class NoContract extends Actor {
    process(): void {}
  }
  assert.throws(() => new NoContract(), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_CONTRACT_INVALID"));
    assert.match(e.message, /NoContract has no contract/);
    return true;
  });
});

Deno.test("A malformed contract is caught when the first actor is made", () => {
  class Bad extends Actor {
    static override contract: Contract = { type: "bad", outputs: { "out put": { kind: "data" } } };
    process(): void {}
  }
  assert.throws(() => new Bad(), code("SL_CONTRACT_INVALID"));
});

Deno.test("Actor.requestInput() names ports from the template, lowest free index first", () => {
  const blur = new Blur();
  assert.equal(blur.requestInput("mask_%u").name, "mask_0");
  assert.equal(blur.requestInput("mask_%u", "mask_5").name, "mask_5");
  assert.equal(blur.requestInput("mask_%u").name, "mask_1");
  assert.throws(() => blur.requestInput("in" as "mask_%u"), code("SL_PORT_NOT_FOUND"));
  assert.ok((blur.inputs as Record<string, Input>).mask_5);
});

Deno.test("Actor.address and Actor.clock need a pipeline", () => {
  const blur = new Blur();
  assert.throws(() => blur.address, code("SL_STATE"));
  assert.throws(() => blur.clock, code("SL_STATE"));
});

Deno.test("defineActor() gives a typed base class with the contract attached", () => {
  class Double extends defineActor({
    type: "double",
    inputs: { in: { kind: "data" } },
    outputs: { out: { kind: "data" } },
    params: { factor: { type: "integer", default: 2 } },
  }) {
    process(): void {
      const m: DataMessage | undefined = this.inputs.in.read();
      if (m) this.outputs.out.write({ ...m, value: (m.value as number) * this.params.factor });
    }
  }
  const d = new Double({ factor: 3 });
  assert.equal(d.contract.type, "double");
  assert.equal(Double.contract.type, "double");
  assert.equal(d.params.factor, 3);
});

Deno.test("Actor.fps reads the fps parameter, else 30", () => {
  class WithFps extends defineActor({
    type: "f",
    outputs: { out: { kind: "data" } },
    params: { fps: { type: "number", default: 12.5 } },
  }) {
    process(): void {}
  }
  assert.equal(new WithFps().fps, 12.5);
  assert.equal(new Blur().fps, 30);
});
