import assert from "node:assert/strict";
import { shellQuote } from "./shell_quote.ts";

Deno.test("shellQuote() leaves plain words alone and single-quotes the rest", () => {
  assert.equal(shellQuote("--allow-net=monitor.lan:9000"), "--allow-net=monitor.lan:9000");
  assert.equal(shellQuote("/tmp/a b"), "'/tmp/a b'");
  assert.equal(shellQuote("$HOME"), "'$HOME'");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("don't"), "'don'\\''t'");
});
