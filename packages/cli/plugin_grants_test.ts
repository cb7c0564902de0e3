import assert from "node:assert/strict";
import type { Manifest } from "@streamlib/core";
import { grantBeyond, manifestGrant } from "./plugin_grants.ts";

/** A reader plugin's manifest whose `path` parameter defaults to `path`. */
function _reader(version: string, path: string): Manifest {
  return {
    name: "reader",
    version,
    streamlib: "^0.1.0",
    actors: [{
      type: "reader",
      description: "Reads",
      classification: "Source/Data",
      module: "./r.ts",
      export: "Reader",
      params: { path: { type: "string", default: path } },
      permissions: { read: { reason: "reads the file it is given", params: ["path"] } },
    }],
  };
}

Deno.test("manifestGrant() counts a permission parameter's default among what is granted: the actor gets it when the user gives no value", () => {
  assert.deepEqual(manifestGrant(_reader("1.0.0", "")), { read: { params: ["reader.path"] } });
  assert.deepEqual(manifestGrant(_reader("1.0.0", "/home/me/.ssh/id_ed25519")), {
    read: { values: ["/home/me/.ssh/id_ed25519"], params: ["reader.path"] },
  });
});

Deno.test("grantBeyond() sees an update that gives a permission parameter a new default as asking for more", () => {
  const granted = manifestGrant(_reader("1.0.0", ""));
  assert.deepEqual(grantBeyond(granted, manifestGrant(_reader("1.0.1", ""))), []);
  assert.deepEqual(grantBeyond(granted, manifestGrant(_reader("1.0.1", "/etc/shadow"))), [
    "read: /etc/shadow (more than: the values of reader.path)",
  ]);
});
