import assert from "node:assert/strict";
import { formatActorAddress, parseActorAddress, Registry } from "./registry.ts";

const hasCode = (code: string) => (e: unknown): boolean => (e as { code?: string }).code === code;
const invalidAddress = hasCode("SL_ADDRESS_INVALID");

Deno.test("parseActorAddress() splits host, type and id", () => {
  assert.deepEqual(parseActorAddress("actor://local/blur/b0"), {
    host: "local",
    type: "blur",
    id: "b0",
  });
  assert.deepEqual(parseActorAddress("actor://cam.lan/testsrc/cam_1.main~x-y"), {
    host: "cam.lan",
    type: "testsrc",
    id: "cam_1.main~x-y",
  });
});

Deno.test("parseActorAddress() keeps the port in the host", () => {
  assert.deepEqual(parseActorAddress("actor://192.168.1.20:7000/testsrc/cam"), {
    host: "192.168.1.20:7000",
    type: "testsrc",
    id: "cam",
  });
  assert.equal(parseActorAddress("actor://cam.lan:7000/blur/b0").host, "cam.lan:7000");
});

Deno.test("parseActorAddress() keeps IPv6 brackets in the host", () => {
  assert.deepEqual(parseActorAddress("actor://[::1]:7000/blur/b0"), {
    host: "[::1]:7000",
    type: "blur",
    id: "b0",
  });
  assert.equal(parseActorAddress("actor://[::1]/blur/b0").host, "[::1]");
});

Deno.test("parseActorAddress() rejects a missing or different scheme", () => {
  for (
    const address of ["local/blur/b0", "//local/blur/b0", "http://local/blur/b0", "actor:/x/y"]
  ) {
    assert.throws(() => parseActorAddress(address), invalidAddress, address);
  }
  assert.throws(() => parseActorAddress(42 as unknown as string), invalidAddress);
});

Deno.test("parseActorAddress() rejects a missing host", () => {
  assert.throws(() => parseActorAddress("actor:///blur/b0"), invalidAddress);
});

Deno.test("parseActorAddress() rejects paths that are not exactly /Type/id", () => {
  for (
    const address of [
      "actor://local/blur",
      "actor://local/blur/b0/extra",
      "actor://local/blur/b0/",
      "actor://local",
      "actor://local//b0",
      "actor://local/blur/",
    ]
  ) {
    assert.throws(() => parseActorAddress(address), invalidAddress, address);
  }
});

Deno.test("parseActorAddress() rejects a query, a fragment or user info", () => {
  for (
    const address of [
      "actor://local/blur/b0?x=1",
      "actor://local/blur/b0#frag",
      "actor://user@local/blur/b0",
      "actor://user:pw@local/blur/b0",
    ]
  ) {
    assert.throws(() => parseActorAddress(address), invalidAddress, address);
  }
});

Deno.test("parseActorAddress() rejects characters outside the allowed set in type or id", () => {
  for (
    const address of [
      "actor://local/bl%20ur/b0",
      "actor://local/blur/b%41",
      "actor://local/blur/b 0",
      "actor://local/blür/b0",
      "actor://local/blur/b:0",
    ]
  ) {
    assert.throws(() => parseActorAddress(address), invalidAddress, address);
  }
});

Deno.test("parseActorAddress() rejects text that is not a URL", () => {
  assert.throws(() => parseActorAddress("actor://local:99999/blur/b0"), invalidAddress);
});

Deno.test("formatActorAddress() builds an address that parses back to its parts", () => {
  const parts = { host: "[::1]:7000", type: "blur", id: "b0" };
  const text = formatActorAddress(parts);
  assert.equal(text, "actor://[::1]:7000/blur/b0");
  assert.deepEqual(parseActorAddress(text), parts);
  assert.equal(
    formatActorAddress({ host: "local", type: "blur", id: "b0" }),
    "actor://local/blur/b0",
  );
});

Deno.test("formatActorAddress() rejects parts that make an invalid address", () => {
  assert.throws(() => formatActorAddress({ host: "local", type: "a/b", id: "c" }), invalidAddress);
  assert.throws(() => formatActorAddress({ host: "local", type: "blur", id: "" }), invalidAddress);
  assert.throws(() => formatActorAddress({ host: "", type: "blur", id: "b0" }), invalidAddress);
});

Deno.test("Registry registers, looks up and reports addresses", () => {
  const registry = new Registry<string>();
  registry.register("actor://local/blur/b0", "the blur");
  assert.equal(registry.lookup("actor://local/blur/b0"), "the blur");
  assert.equal(registry.has("actor://local/blur/b0"), true);
  assert.equal(registry.lookup("actor://local/blur/b1"), undefined);
  assert.equal(registry.has("actor://local/blur/b1"), false);
});

Deno.test("Registry refuses to register the same address twice", () => {
  const registry = new Registry<number>();
  registry.register("actor://local/blur/b0", 1);
  assert.throws(() => registry.register("actor://local/blur/b0", 2), hasCode("SL_NAME_TAKEN"));
  assert.equal(registry.lookup("actor://local/blur/b0"), 1);
});

Deno.test("Registry matches hosts case-insensitively", () => {
  const registry = new Registry<number>();
  registry.register("actor://Cam.LAN:7000/blur/b0", 1);
  assert.equal(registry.lookup("actor://cam.lan:7000/blur/b0"), 1);
  assert.equal(registry.has("actor://CAM.lan:7000/blur/b0"), true);
  assert.throws(
    () => registry.register("actor://cam.lan:7000/blur/b0", 2),
    hasCode("SL_NAME_TAKEN"),
  );
  assert.deepEqual(registry.list(), ["actor://cam.lan:7000/blur/b0"]);
});

Deno.test("Registry keeps type and id case-sensitive", () => {
  const registry = new Registry<number>();
  registry.register("actor://local/blur/b0", 1);
  registry.register("actor://local/Blur/B0", 2);
  assert.equal(registry.lookup("actor://local/blur/b0"), 1);
  assert.equal(registry.lookup("actor://local/Blur/B0"), 2);
});

Deno.test("Registry lists addresses in registration order, filtered by host and type", () => {
  const registry = new Registry<number>();
  registry.register("actor://local/blur/b0", 1);
  registry.register("actor://cam.lan:7000/testsrc/cam", 2);
  registry.register("actor://local/testsrc/src", 3);
  registry.register("actor://cam.lan:7000/blur/b1", 4);
  assert.deepEqual(registry.list(), [
    "actor://local/blur/b0",
    "actor://cam.lan:7000/testsrc/cam",
    "actor://local/testsrc/src",
    "actor://cam.lan:7000/blur/b1",
  ]);
  assert.deepEqual(registry.list({ host: "local" }), [
    "actor://local/blur/b0",
    "actor://local/testsrc/src",
  ]);
  assert.deepEqual(registry.list({ type: "blur" }), [
    "actor://local/blur/b0",
    "actor://cam.lan:7000/blur/b1",
  ]);
  assert.deepEqual(registry.list({ host: "cam.lan:7000", type: "testsrc" }), [
    "actor://cam.lan:7000/testsrc/cam",
  ]);
  assert.deepEqual(registry.list({ host: "elsewhere" }), []);
});

Deno.test({
  name: "Registry lists by host case-insensitively, as lookup matches",
  fn(): void {
    const registry = new Registry<number>();
    registry.register("actor://CAM.lan/blur/b0", 1);
    assert.equal(registry.lookup("actor://cam.lan/blur/b0"), 1);
    assert.deepEqual(registry.list({ host: "cam.lan" }), ["actor://cam.lan/blur/b0"]);
  },
});

Deno.test("Registry unregisters an address so it can be registered again", () => {
  const registry = new Registry<number>();
  registry.register("actor://local/blur/b0", 1);
  assert.equal(registry.unregister("actor://LOCAL/blur/b0"), true);
  assert.equal(registry.unregister("actor://local/blur/b0"), false);
  assert.equal(registry.lookup("actor://local/blur/b0"), undefined);
  assert.deepEqual(registry.list(), []);
  registry.register("actor://local/blur/b0", 2);
  assert.equal(registry.lookup("actor://local/blur/b0"), 2);
});

Deno.test("Registry rejects malformed addresses in every method", () => {
  const registry = new Registry();
  const bad = "local/blur/b0";
  assert.throws(() => registry.register(bad, 1), invalidAddress);
  assert.throws(() => registry.lookup(bad), invalidAddress);
  assert.throws(() => registry.has(bad), invalidAddress);
  assert.throws(() => registry.unregister(bad), invalidAddress);
});
