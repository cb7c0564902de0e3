import assert from "node:assert/strict";
import { isStreamlibError, StreamlibError } from "./errors.ts";

Deno.test("StreamlibError carries its code and message", () => {
  const error = new StreamlibError("SL_CAPS_MISMATCH", "no common format");
  assert.equal(error.code, "SL_CAPS_MISMATCH");
  assert.equal(error.message, "no common format");
  assert.equal(String(error), "StreamlibError: no common format");
});

Deno.test("StreamlibError is an Error named StreamlibError, with a stack", () => {
  const error = new StreamlibError("SL_STATE", "already started");
  assert.ok(error instanceof Error);
  assert.ok(error instanceof StreamlibError);
  assert.equal(error.name, "StreamlibError");
  assert.equal(typeof error.stack, "string");
  assert.match(error.stack!, /StreamlibError: already started/);
});

Deno.test("StreamlibError's details default to an empty object", () => {
  const error = new StreamlibError("SL_STATE", "x");
  assert.deepEqual(error.details, {});
  assert.deepEqual(new StreamlibError("SL_STATE", "x", {}).details, {});
  assert.deepEqual(new StreamlibError("SL_STATE", "x", { cause: 1 }).details, {});
  // Each error gets its own object.
  assert.notEqual(new StreamlibError("A", "a").details, new StreamlibError("B", "b").details);
});

Deno.test("StreamlibError keeps the details it is given", () => {
  const details = { from: "src.out", to: "sink.in", formats: ["RGBA"] };
  const error = new StreamlibError("SL_CAPS_MISMATCH", "x", { details });
  assert.deepEqual(error.details, { from: "src.out", to: "sink.in", formats: ["RGBA"] });
});

Deno.test("StreamlibError passes its cause through", () => {
  const cause = new Error("disk full");
  const error = new StreamlibError("SL_ACTOR_FAILED", "writer failed", { cause });
  assert.equal(error.cause, cause);
  assert.equal(new StreamlibError("SL_ABORTED", "x", { cause: "reason" }).cause, "reason");
  // Any value but undefined counts as a cause, falsy ones included.
  assert.equal(new StreamlibError("SL_ABORTED", "x", { cause: null }).cause, null);
  assert.equal(new StreamlibError("SL_ABORTED", "x", { cause: 0 }).cause, 0);
  assert.ok("cause" in new StreamlibError("SL_ABORTED", "x", { cause: false }));
});

Deno.test("StreamlibError has no cause when none is given", () => {
  assert.ok(!Object.hasOwn(new StreamlibError("SL_STATE", "x"), "cause"));
  assert.ok(!Object.hasOwn(new StreamlibError("SL_STATE", "x", { cause: undefined }), "cause"));
  assert.equal(new StreamlibError("SL_STATE", "x").cause, undefined);
});

Deno.test("StreamlibError takes codes of other packages too", () => {
  const error = new StreamlibError("SL_FFMPEG_EXITED", "ffmpeg exited with 1", {
    details: { exitCode: 1 },
  });
  assert.equal(error.code, "SL_FFMPEG_EXITED");
  assert.equal(error.details.exitCode, 1);
});

Deno.test("StreamlibError can be thrown and caught by code", () => {
  assert.throws(
    () => {
      throw new StreamlibError("SL_PARAM_INVALID", 'Parameter "fps" must be > 0, got -1');
    },
    (e: unknown) => {
      assert.ok(e instanceof StreamlibError);
      assert.equal(e.code, "SL_PARAM_INVALID");
      assert.equal(e.message, 'Parameter "fps" must be > 0, got -1');
      return true;
    },
  );
});

Deno.test("StreamlibError can be subclassed", () => {
  class FileError extends StreamlibError {
    constructor(path: string) {
      super("SL_FILE", `Cannot open ${path}`, { details: { path } });
    }
  }
  const error = new FileError("/tmp/x");
  assert.ok(error instanceof StreamlibError);
  assert.ok(isStreamlibError(error, "SL_FILE"));
  assert.equal(error.name, "StreamlibError");
});

Deno.test("isStreamlibError without a code accepts any StreamlibError", () => {
  assert.equal(isStreamlibError(new StreamlibError("SL_STATE", "x")), true);
  assert.equal(isStreamlibError(new StreamlibError("SL_WHATEVER", "x")), true);
});

Deno.test("isStreamlibError with a code checks the code", () => {
  const error = new StreamlibError("SL_STATE", "x");
  assert.equal(isStreamlibError(error, "SL_STATE"), true);
  assert.equal(isStreamlibError(error, "SL_ABORTED"), false);
  assert.equal(isStreamlibError(error, "sl_state"), false);
  assert.equal(isStreamlibError(error, ""), false);
});

Deno.test("isStreamlibError rejects everything that is not a StreamlibError", () => {
  const lookalike = Object.assign(new Error("x"), { code: "SL_STATE", name: "StreamlibError" });
  for (
    const value of [
      new Error("x"),
      new TypeError("x"),
      lookalike,
      { code: "SL_STATE", message: "x", name: "StreamlibError" },
      "SL_STATE",
      null,
      undefined,
      0,
    ]
  ) {
    assert.equal(isStreamlibError(value), false, `${String(value)}`);
    assert.equal(isStreamlibError(value, "SL_STATE"), false, `${String(value)}`);
  }
});

Deno.test("isStreamlibError narrows the type to reach code and details", () => {
  const value: unknown = new StreamlibError("SL_DEADLINE", "late", { details: { ms: 5 } });
  if (!isStreamlibError(value, "SL_DEADLINE")) throw new Error("expected a StreamlibError");
  assert.equal(value.code, "SL_DEADLINE");
  assert.equal(value.details.ms, 5);
});
