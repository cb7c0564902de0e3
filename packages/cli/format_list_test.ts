import assert from "node:assert/strict";
import { Catalogue } from "@streamlib/core";
import { formatList } from "./format_list.ts";

Deno.test("formatList() prints type, classification and description in aligned columns", async () => {
  const catalogue = Catalogue.withCore();
  await catalogue.load(new URL("./testdata/files/manifest.json", import.meta.url));
  const lines = formatList(catalogue.list()).split("\n");
  assert.equal(lines.pop(), "", "every line ends with a newline");
  assert.equal(lines.length, catalogue.list().length);
  assert.equal(
    lines.find((l) => l.startsWith("readfile")),
    "readfile   Source/Data  Reads the file named by path when it starts, then sends its text once",
  );
  assert.equal(
    lines.find((l) => l.startsWith("log ")),
    "log        Sink/Any     Prints a one-line summary of each message",
  );
});

Deno.test("formatList() of nothing is empty", () => {
  assert.equal(formatList([]), "");
});
