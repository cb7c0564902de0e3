import assert from "node:assert/strict";
import { needs } from "./_needs.ts";

const test: Deno.TestDefinition = { name: "uses a browser", fn: () => {} };

Deno.test("needs() leaves a test alone when what it needs is there", () => {
  assert.equal(needs("Chromium", true, "apt-get install chromium", true)(test), test);
});

Deno.test("needs() skips with the install hint when something is missing", () => {
  const skipped = needs("Chromium", false, "apt-get install chromium", false)(test);
  assert.equal(skipped.ignore, true);
  assert.match(skipped.name, /skipped: needs Chromium.*apt-get install chromium/);
});

Deno.test("needs() fails instead of skipping under STREAMLIB_REQUIRE_ALL", async () => {
  const failing = needs("Chromium", false, "apt-get install chromium", true)(test);
  assert.notEqual(failing.ignore, true);
  await assert.rejects(
    async () => await failing.fn!({} as Deno.TestContext),
    /needs Chromium.*STREAMLIB_REQUIRE_ALL=1/,
  );
});
