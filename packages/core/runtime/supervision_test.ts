import assert from "node:assert/strict";
import { backoffDelayMs, resolveSupervision, type SupervisionPolicy } from "./supervision.ts";

const invalid = (e: unknown): boolean => (e as { code?: string }).code === "SL_PARAM_INVALID";

const DEFAULTS = {
  maxRestarts: 5,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
};

Deno.test("resolveSupervision() defaults to stop with the default backoff", () => {
  assert.deepEqual(resolveSupervision(undefined), { policy: "stop", ...DEFAULTS });
});

Deno.test("resolveSupervision() accepts each policy in string form", () => {
  for (const policy of ["stop", "skip", "restart"] as const) {
    assert.deepEqual(resolveSupervision(policy), { policy, ...DEFAULTS });
  }
});

Deno.test("resolveSupervision() fills unset fields of the object form", () => {
  assert.deepEqual(resolveSupervision({ policy: "restart", maxRestarts: 3, factor: 3 }), {
    policy: "restart",
    maxRestarts: 3,
    initialDelayMs: 100,
    maxDelayMs: 10_000,
    factor: 3,
  });
  assert.deepEqual(resolveSupervision({ policy: "skip" }), { policy: "skip", ...DEFAULTS });
});

Deno.test("resolveSupervision() accepts the smallest allowed values", () => {
  const s = resolveSupervision({
    policy: "restart",
    maxRestarts: 0,
    initialDelayMs: 0,
    maxDelayMs: 0,
    factor: 1,
  });
  assert.equal(s.maxRestarts, 0);
  assert.equal(s.factor, 1);
});

Deno.test("resolveSupervision() rejects an unknown policy", () => {
  assert.throws(() => resolveSupervision("retry" as SupervisionPolicy), invalid);
  assert.throws(
    () => resolveSupervision({ policy: "ignore" } as unknown as SupervisionPolicy),
    invalid,
  );
});

Deno.test("resolveSupervision() rejects negative, NaN and non-numeric backoff fields", () => {
  const bad: Array<Record<string, unknown>> = [
    { maxRestarts: -1 },
    { initialDelayMs: -5 },
    { maxDelayMs: NaN },
    { factor: 0.5 },
    { factor: "2" },
    { maxRestarts: null },
  ];
  for (const fields of bad) {
    assert.throws(
      () => resolveSupervision({ policy: "restart", ...fields } as SupervisionPolicy),
      invalid,
      JSON.stringify(fields),
    );
  }
});

Deno.test({
  name: "resolveSupervision() treats a field given as undefined as unset",
  fn(): void {
    const s = resolveSupervision({ policy: "restart", maxRestarts: undefined });
    assert.equal(s.maxRestarts, 5);
  },
});

Deno.test("backoffDelayMs() grows by the factor from the initial delay", () => {
  const s = resolveSupervision({ policy: "restart", initialDelayMs: 100, factor: 3 });
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(s, n)), [100, 300, 900, 2700]);
});

Deno.test("backoffDelayMs() is capped at maxDelayMs", () => {
  const s = resolveSupervision({ policy: "restart", initialDelayMs: 100, maxDelayMs: 350 });
  assert.deepEqual([1, 2, 3, 4, 50].map((n) => backoffDelayMs(s, n)), [100, 200, 350, 350, 350]);
  const d = resolveSupervision("restart");
  assert.equal(backoffDelayMs(d, 8), 10_000);
  assert.equal(backoffDelayMs(d, 1_000), 10_000);
});

Deno.test("backoffDelayMs() stays constant with a factor of 1", () => {
  const s = resolveSupervision({ policy: "restart", initialDelayMs: 250, factor: 1 });
  assert.deepEqual([1, 2, 10].map((n) => backoffDelayMs(s, n)), [250, 250, 250]);
});
