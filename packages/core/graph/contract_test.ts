import assert from "node:assert/strict";
import { defineContract, validateContract } from "./contract.ts";
import type { Contract } from "./spec.ts";
import { StreamlibError } from "../errors.ts";

/** Asserts that the contract is rejected with `SL_CONTRACT_INVALID` naming `field`. */
function assertInvalid(contract: unknown, field: string): StreamlibError {
  try {
    validateContract(contract as Contract);
  } catch (error) {
    assert.ok(error instanceof StreamlibError, `expected a StreamlibError, got ${error}`);
    assert.equal(error.code, "SL_CONTRACT_INVALID");
    assert.ok(error.message.includes(field), `"${error.message}" should name ${field}`);
    assert.equal(error.details.field, field);
    return error;
  }
  return assert.fail(`expected ${JSON.stringify(contract)} to be rejected at ${field}`);
}

Deno.test("defineContract() returns a valid contract unchanged", () => {
  const contract = {
    type: "gain",
    description: "Multiplies numbers by a gain",
    inputs: {
      in: { kind: "data", policy: "queue:16:drop-oldest", multiple: true },
      "layer_%u": { kind: "video", formats: ["RGBA"], presence: "request" },
    },
    outputs: { out: { kind: "data", capabilities: ["cpu", "gpu"] }, log: { kind: "any" } },
    params: {
      gain: { type: "number", default: 2, minimum: 0 },
      mode: { type: "string", enum: ["a", "b"], default: "a" },
    },
    schedule: "input",
    clock: "graph",
  } as const;
  const snapshot = structuredClone(contract);
  assert.equal(defineContract(contract), contract);
  assert.deepEqual(contract, snapshot);
});

Deno.test("validateContract() accepts a minimal contract and every schedule and clock", () => {
  validateContract({ type: "x" });
  for (const schedule of ["tick", "input", "external"] as const) {
    validateContract({ type: "x", schedule });
  }
  for (const clock of ["graph", "upstream"] as const) validateContract({ type: "x", clock });
  validateContract({ type: "Name_with-digits9" });
});

Deno.test("validateContract() rejects something that is not an object", () => {
  assertInvalid(null, "contract");
  assertInvalid("testsrc", "contract");
});

Deno.test("validateContract() rejects invalid type names", () => {
  for (const type of ["", "9lives", "has space", "a/b", "a.b", "a%u", 42, undefined]) {
    assertInvalid({ type }, "type");
  }
});

Deno.test("validateContract() rejects bad port names on both sides", () => {
  for (const name of ["in put", "1in", "in.x", ""]) {
    assertInvalid({ type: "x", inputs: { [name]: { kind: "data" } } }, `inputs.${name}`);
    assertInvalid({ type: "x", outputs: { [name]: { kind: "data" } } }, `outputs.${name}`);
  }
  // A template name is only valid on a request port.
  assertInvalid({ type: "x", inputs: { "in_%u": { kind: "data" } } }, "inputs.in_%u");
});

Deno.test("validateContract() rejects a request port whose name has no %u", () => {
  const error = assertInvalid(
    { type: "mix", inputs: { layer: { kind: "video", presence: "request" } } },
    "inputs.layer",
  );
  assert.match(error.message, /%u/);
  assertInvalid(
    { type: "mix", outputs: { "src_%x": { kind: "video", presence: "request" } } },
    "outputs.src_%x",
  );
});

Deno.test("validateContract() rejects an unknown presence", () => {
  assertInvalid(
    { type: "x", inputs: { in: { kind: "data", presence: "sometimes" } } },
    "inputs.in.presence",
  );
});

Deno.test("validateContract() rejects an unknown port kind", () => {
  const error = assertInvalid(
    { type: "x", outputs: { out: { kind: "smell" } } },
    "outputs.out.kind",
  );
  assert.match(error.message, /"smell"/);
  assertInvalid({ type: "x", inputs: { in: {} } }, "inputs.in.kind");
});

Deno.test("validateContract() rejects an empty or non-array formats list", () => {
  assertInvalid({ type: "x", inputs: { in: { kind: "video", formats: [] } } }, "inputs.in.formats");
  assertInvalid(
    { type: "x", outputs: { out: { kind: "video", formats: "RGBA" } } },
    "outputs.out.formats",
  );
});

Deno.test("validateContract() rejects capabilities other than a non-empty list of cpu and gpu", () => {
  for (const capabilities of [[], ["tpu"], ["cpu", "disk"], "cpu"]) {
    assertInvalid(
      { type: "x", outputs: { out: { kind: "video", capabilities } } },
      "outputs.out.capabilities",
    );
  }
});

Deno.test("validateContract() rejects a malformed input policy with the policy's reason", () => {
  for (const policy of ["fifo", "queue:0", "queue:4:drop-all", { type: "queue", capacity: 1.5 }]) {
    const error = assertInvalid(
      { type: "x", inputs: { in: { kind: "data", policy } } },
      "inputs.in.policy",
    );
    assert.match(error.message, /policy|capacity|behaviour/i);
  }
});

Deno.test("validateContract() rejects a parameter default that fails its own schema", () => {
  const error = assertInvalid(
    { type: "x", params: { radius: { type: "number", minimum: 0, default: -1 } } },
    "params.radius.default",
  );
  assert.match(error.message, /must be ≥ 0, got -1/);
  assertInvalid(
    { type: "x", params: { mode: { type: "string", enum: ["a"], default: "b" } } },
    "params.mode.default",
  );
  assertInvalid(
    { type: "x", params: { n: { type: "integer", default: 0.5 } } },
    "params.n.default",
  );
});

Deno.test("validateContract() rejects an invalid parameter name", () => {
  assertInvalid({ type: "x", params: { "bad name": { type: "number" } } }, "params.bad name");
});

Deno.test("validateContract() rejects an unknown schedule or clock", () => {
  assertInvalid({ type: "x", schedule: "often" }, "schedule");
  assertInvalid({ type: "x", clock: "wall" }, "clock");
});

Deno.test("validateContract() accepts a classification and permissions, and rejects malformed ones", () => {
  const reader: Contract = {
    type: "reader",
    classification: "Source/File/Video",
    params: { path: { type: "string" }, mirrors: { type: "array", items: { type: "string" } } },
    permissions: {
      read: { reason: "Reads the file", params: ["path", "mirrors"] },
      env: { reason: "Finds its helper", values: ["HELPER"] },
      run: { reason: "Runs the helper" },
    },
  };
  validateContract(reader);
  assertInvalid({ ...reader, classification: "source/video" }, "classification");
  assertInvalid({ ...reader, classification: "Source" }, "classification");
  assertInvalid({ ...reader, permissions: [] }, "permissions");
  assertInvalid({ ...reader, permissions: { camera: { reason: "Films" } } }, "permissions.camera");
  assertInvalid({ ...reader, permissions: { net: {} } }, "permissions.net.reason");
  assertInvalid({ ...reader, permissions: { net: { reason: "" } } }, "permissions.net.reason");
  assertInvalid(
    { ...reader, permissions: { net: { reason: "Fetches", values: [] } } },
    "permissions.net.values",
  );
  const error = assertInvalid(
    {
      ...reader,
      params: { ...reader.params, n: { type: "number" } },
      permissions: { read: { reason: "Reads", params: ["n"] } },
    },
    "permissions.read.params",
  );
  assert.match(error.message, /\(path, mirrors\), got "n"$/);
});

Deno.test("validateContract() names the contract type in its message", () => {
  const error = assertInvalid({ type: "blur", clock: "wall" }, "clock");
  assert.match(error.message, /^Contract of "blur": clock /);
  assert.equal(error.details.type, "blur");
});

Deno.test({
  name: "validateContract() rejects a parameter schema of an unknown type",
  fn(): void {
    assertInvalid({ type: "x", params: { when: { type: "date" } } }, "params.when");
  },
});

Deno.test("validateContract() takes formatParam on an output naming a string parameter within its formats", () => {
  const ok = {
    type: "src",
    outputs: { out: { kind: "video", formats: ["RGBA", "I420"], formatParam: "format" } },
    params: { format: { type: "string", enum: ["RGBA", "I420"], default: "RGBA" } },
  } as const;
  validateContract(ok);
  assertInvalid(
    { ...ok, inputs: { in: { kind: "video", formatParam: "format" } } },
    "inputs.in.formatParam",
  );
  assertInvalid(
    { ...ok, outputs: { out: { kind: "video", formatParam: "nope" } } },
    "outputs.out.formatParam",
  );
  assertInvalid(
    { ...ok, params: { format: { type: "integer", default: 1 } } },
    "outputs.out.formatParam",
  );
  const outside = assertInvalid(
    { ...ok, params: { format: { type: "string", enum: ["RGBA", "NV12"], default: "RGBA" } } },
    "outputs.out.formatParam",
  );
  assert.match(outside.message, /\["NV12"\] are not among the port's formats/);
});

Deno.test("validateContract() takes formatFrom on an output naming one of the contract's inputs", () => {
  const ok = {
    type: "flip",
    inputs: { in: { kind: "video" }, "side_%u": { kind: "video", presence: "request" } },
    outputs: { out: { kind: "video", formatFrom: "in" } },
  } as const;
  validateContract(ok);
  assertInvalid(
    { ...ok, outputs: { out: { kind: "video", formatFrom: "nope" } } },
    "outputs.out.formatFrom",
  );
  assertInvalid(
    { ...ok, outputs: { out: { kind: "video", formatFrom: "side_%u" } } },
    "outputs.out.formatFrom",
  );
  assertInvalid(
    { ...ok, inputs: { ...ok.inputs, more: { kind: "video", formatFrom: "in" } } },
    "inputs.more.formatFrom",
  );
});
