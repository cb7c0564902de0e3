import assert from "node:assert/strict";
import { StreamlibError } from "@streamlib/core";
import { deniedPermission } from "./_child.ts";

Deno.test("deniedPermission() finds Deno's refusal inside an actor failure", () => {
  const refusal = new Deno.errors.NotCapable(
    'Requires read access to "/etc/hostname", run again with the --allow-read flag',
  );
  const failure = new StreamlibError(
    "SL_ACTOR_FAILED",
    `Actor "actor://local/peek/peek0" failed in start(): ${refusal.message}`,
    { cause: refusal, details: { actor: "actor://local/peek/peek0" } },
  );
  assert.deepEqual(deniedPermission(failure), {
    permission: "read",
    target: '"/etc/hostname"',
    message: refusal.message,
  });
});

Deno.test("deniedPermission() reads refusals that name nothing, and refused imports", () => {
  assert.deepEqual(
    deniedPermission(
      new Deno.errors.NotCapable("Requires sys access, run again with the --allow-sys flag"),
    ),
    { permission: "sys", message: "Requires sys access, run again with the --allow-sys flag" },
  );
  const imported = new TypeError(
    'Requires net access to "example.com:443", run again with the --allow-net flag',
  );
  assert.equal(deniedPermission(imported)?.permission, "net");
});

Deno.test("deniedPermission() finds nothing in other errors", () => {
  assert.equal(deniedPermission(new Error("Requires read access to x")), undefined);
  assert.equal(deniedPermission(new Deno.errors.NotFound("no such file")), undefined);
  assert.equal(deniedPermission("a string"), undefined);
});
