import assert from "node:assert/strict";
import fc from "fast-check";
import { negotiate } from "./caps.ts";
import { describePort } from "./contract.ts";
import type { Capability, PortSpec } from "./spec.ts";
import { StreamlibError } from "../errors.ts";

/** Calls `negotiate` and returns the `StreamlibError` it throws (failing when it does not). */
function negotiateError(
  from: PortSpec,
  to: PortSpec,
  fromName?: string,
  toName?: string,
): StreamlibError {
  try {
    negotiate(from, to, fromName, toName);
  } catch (error) {
    assert.ok(error instanceof StreamlibError, `expected a StreamlibError, got ${error}`);
    return error;
  }
  throw new assert.AssertionError({ message: "negotiate() did not throw" });
}

Deno.test("describePort() shows kind, formats and capabilities", () => {
  assert.equal(describePort({ kind: "video", formats: ["RGBA"] }), "video: RGBA; cpu");
  assert.equal(
    describePort({ kind: "video", formats: ["RGBA", "BGRA"], capabilities: ["gpu", "cpu"] }),
    "video: RGBA, BGRA; gpu, cpu",
  );
});

Deno.test("describePort() shows absent formats as any and absent capabilities as cpu", () => {
  assert.equal(describePort({ kind: "data" }), "data: any; cpu");
  assert.equal(describePort({ kind: "any" }), "any: any; cpu");
  assert.equal(describePort({ kind: "audio", capabilities: ["gpu"] }), "audio: any; gpu");
});

Deno.test("negotiate() connects two identical ports and reports their kind, formats and capabilities", () => {
  const spec: PortSpec = { kind: "video", formats: ["RGBA"], capabilities: ["cpu"] };
  assert.deepEqual(negotiate(spec, spec), {
    kind: "video",
    formats: ["RGBA"],
    capabilities: ["cpu"],
  });
});

Deno.test("negotiate() keeps the output's order when intersecting formats", () => {
  const caps = negotiate(
    { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] },
    { kind: "video", formats: ["NV12", "I420", "RGBA"] },
  );
  assert.deepEqual(caps.formats, ["RGBA", "I420", "NV12"]);
});

Deno.test("negotiate() picks the single format both sides share", () => {
  const caps = negotiate(
    { kind: "video", formats: ["RGBA", "BGRA"] },
    { kind: "video", formats: ["BGRA"] },
  );
  assert.deepEqual(caps.formats, ["BGRA"]);
});

Deno.test("negotiate() treats absent formats as any on either side", () => {
  assert.deepEqual(
    negotiate({ kind: "video" }, { kind: "video", formats: ["I420", "RGBA"] }).formats,
    ["I420", "RGBA"],
  );
  assert.deepEqual(
    negotiate({ kind: "video", formats: ["RGBA", "BGRA"] }, { kind: "video" }).formats,
    ["RGBA", "BGRA"],
  );
  assert.equal(negotiate({ kind: "data" }, { kind: "data" }).formats, undefined);
});

Deno.test("negotiate() defaults capabilities to cpu and intersects them in the output's order", () => {
  assert.deepEqual(negotiate({ kind: "data" }, { kind: "data" }).capabilities, ["cpu"]);
  assert.deepEqual(
    negotiate(
      { kind: "video", capabilities: ["gpu", "cpu"] },
      { kind: "video", capabilities: ["cpu", "gpu"] },
    ).capabilities,
    ["gpu", "cpu"],
  );
  assert.deepEqual(
    negotiate({ kind: "video", capabilities: ["gpu", "cpu"] }, { kind: "video" }).capabilities,
    ["cpu"],
  );
  assert.deepEqual(
    negotiate({ kind: "video", capabilities: ["gpu"] }, { kind: "video", capabilities: ["gpu"] })
      .capabilities,
    ["gpu"],
  );
});

Deno.test("negotiate() refuses to connect different kinds with SL_KIND_MISMATCH", () => {
  const error = negotiateError({ kind: "video" }, { kind: "audio" }, "cam.out", "mix.in");
  assert.equal(error.code, "SL_KIND_MISMATCH");
  assert.equal(
    error.message,
    'Cannot connect "cam.out" (video: any; cpu) to "mix.in" (audio: any; cpu): ' +
      "video cannot flow into audio",
  );
  assert.equal(error.details.fromKind, "video");
  assert.equal(error.details.toKind, "audio");
});

Deno.test("negotiate() reports a kind mismatch before a format mismatch", () => {
  const error = negotiateError(
    { kind: "event", formats: ["key"] },
    { kind: "data", formats: ["json"] },
  );
  assert.equal(error.code, "SL_KIND_MISMATCH");
});

Deno.test("negotiate() refuses ports with no common format with SL_CAPS_MISMATCH naming both ports and sides", () => {
  const error = negotiateError(
    { kind: "video", formats: ["RGBA"] },
    { kind: "video", formats: ["I420"] },
    "blur.out",
    "enc.in",
  );
  assert.equal(error.code, "SL_CAPS_MISMATCH");
  assert.ok(error.message.includes('"blur.out" (video: RGBA; cpu)'), error.message);
  assert.ok(error.message.includes('"enc.in" (video: I420; cpu)'), error.message);
  assert.equal(
    error.message,
    'Cannot connect "blur.out" (video: RGBA; cpu) to "enc.in" (video: I420; cpu): no common format',
  );
  assert.deepEqual({ ...error.details }, {
    from: "blur.out",
    to: "enc.in",
    fromKind: "video",
    toKind: "video",
    fromFormats: ["RGBA"],
    toFormats: ["I420"],
    fromCapabilities: ["cpu"],
    toCapabilities: ["cpu"],
  });
});

Deno.test("negotiate() names the ports output and input in errors when no names are given", () => {
  const error = negotiateError(
    { kind: "audio", formats: ["f32-planar"] },
    { kind: "audio", formats: ["s16"] },
  );
  assert.ok(
    error.message.startsWith('Cannot connect "output" (audio: f32-planar; cpu) to "input"'),
  );
  assert.equal(error.details.from, "output");
  assert.equal(error.details.to, "input");
});

Deno.test("negotiate() refuses a gpu-only output into a cpu-only input with SL_CAPS_MISMATCH about capability", () => {
  const error = negotiateError(
    { kind: "video", formats: ["RGBA"], capabilities: ["gpu"] },
    { kind: "video", formats: ["RGBA"], capabilities: ["cpu"] },
    "up.out",
    "dl.in",
  );
  assert.equal(error.code, "SL_CAPS_MISMATCH");
  assert.ok(error.message.includes("capability"), error.message);
  assert.ok(error.message.includes('"up.out" (video: RGBA; gpu)'), error.message);
  assert.ok(error.message.includes('"dl.in" (video: RGBA; cpu)'), error.message);
  assert.deepEqual(error.details.fromCapabilities, ["gpu"]);
  assert.deepEqual(error.details.toCapabilities, ["cpu"]);
});

Deno.test("negotiate() refuses a gpu-only output into an input with default capabilities", () => {
  const error = negotiateError({ kind: "video", capabilities: ["gpu"] }, { kind: "video" });
  assert.equal(error.code, "SL_CAPS_MISMATCH");
  assert.deepEqual(error.details.toCapabilities, ["cpu"]);
  assert.equal(error.details.fromFormats, "any");
  assert.equal(error.details.toFormats, "any");
});

Deno.test("negotiate() connects an any output to a specific input and reports the input's kind", () => {
  assert.equal(negotiate({ kind: "any" }, { kind: "video" }).kind, "video");
  assert.equal(negotiate({ kind: "any" }, { kind: "audio" }).kind, "audio");
});

Deno.test("negotiate() connects a specific output to an any input and reports the output's kind", () => {
  assert.equal(negotiate({ kind: "event" }, { kind: "any" }).kind, "event");
  assert.equal(negotiate({ kind: "data" }, { kind: "any" }).kind, "data");
});

Deno.test("negotiate() connects any to any and reports any", () => {
  assert.equal(negotiate({ kind: "any" }, { kind: "any" }).kind, "any");
});

Deno.test("negotiate() still intersects formats when one side's kind is any", () => {
  assert.deepEqual(
    negotiate({ kind: "video", formats: ["RGBA", "I420"] }, { kind: "any", formats: ["I420"] }),
    { kind: "video", formats: ["I420"], capabilities: ["cpu"] },
  );
  assert.equal(
    negotiateError({ kind: "any", formats: ["x"] }, { kind: "data", formats: ["y"] }).code,
    "SL_CAPS_MISMATCH",
  );
});

Deno.test("negotiate() result is the output-ordered intersection, or SL_CAPS_MISMATCH when empty (model)", () => {
  const FORMATS = ["RGBA", "BGRA", "I420", "NV12", "YUY2"];
  const formats = fc.option(fc.shuffledSubarray(FORMATS, { minLength: 1 }), { nil: undefined });
  const caps = fc.option(
    fc.shuffledSubarray<Capability>(["cpu", "gpu"], { minLength: 1 }),
    { nil: undefined },
  );
  fc.assert(
    fc.property(formats, caps, formats, caps, (fromF, fromC, toF, toC) => {
      const from: PortSpec = { kind: "video", formats: fromF, capabilities: fromC };
      const to: PortSpec = { kind: "video", formats: toF, capabilities: toC };
      const expectedFormats = fromF === undefined
        ? toF
        : toF === undefined
        ? fromF
        : fromF.filter((f) => toF.includes(f));
      const toCaps = toC ?? ["cpu"];
      const expectedCaps = (fromC ?? ["cpu"]).filter((c) => toCaps.includes(c));
      if (expectedFormats?.length === 0 || expectedCaps.length === 0) {
        assert.equal(negotiateError(from, to).code, "SL_CAPS_MISMATCH");
      } else {
        assert.deepEqual(negotiate(from, to), {
          kind: "video",
          formats: expectedFormats,
          capabilities: expectedCaps,
        });
      }
    }),
    { seed: 777, numRuns: 300 },
  );
});
