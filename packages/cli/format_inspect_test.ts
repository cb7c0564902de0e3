import assert from "node:assert/strict";
import { Catalogue } from "@streamlib/core";
import { formatInspect } from "./format_inspect.ts";

const catalogue = Catalogue.withCore();
await catalogue.load(new URL("./testdata/files/manifest.json", import.meta.url));

Deno.test("formatInspect() starts with where a type comes from and what it is", () => {
  const text = formatInspect(catalogue.describe("readfile"));
  const head = text.split("\n\n")[0]!.split("\n");
  assert.deepEqual(head.map((l) => l.split(":")[0]), [
    "Type",
    "Description",
    "Classification",
    "Package",
    "Manifest",
    "Module",
    "Schedule",
  ]);
  assert.match(text, /^Package: +@streamlib\/test-files 0\.1\.0$/m);
  assert.match(text, /^Module: +file:\/\/.*\/testdata\/files\/read_file\.ts \(export ReadFile\)$/m);
  assert.match(text, /^Schedule: +tick$/m);
});

Deno.test("formatInspect() lists request ports with their presence and default policy", () => {
  const text = formatInspect(catalogue.describe("join"));
  assert.match(
    text,
    /Ports:\n {2}in_%u\n {4}direction: +input\n {4}presence: +request\n {4}kind: +data\n {4}formats: +any\n {4}capabilities: +cpu\n {4}policy: +queue:8:block \(default\)\n {4}description: +One input per source\n {2}out\n {4}direction: +output\n/,
  );
  assert.match(text, /Parameters:\n {2}none\n/);
});

Deno.test("formatInspect() shows parameters with default, range, allowed values and unit", () => {
  const text = formatInspect(catalogue.describe("datasrc"));
  assert.match(
    text,
    / {2}fps\n {4}type: +number\n {4}default: +30\n {4}range: +> 0\n {4}unit: +Hz\n/,
  );
  assert.match(
    text,
    / {2}pattern\n {4}type: +string\n {4}default: +"counter"\n {4}one of: +"counter", "sine", "random"\n/,
  );
  const queue = formatInspect(catalogue.describe("queue"));
  assert.match(queue, / {2}leaky\n {4}type: +string\n/);
});

Deno.test("formatInspect() shows each permission's reach and reason", () => {
  const text = formatInspect(catalogue.describe("sendfile"));
  assert.match(
    text,
    /Permissions:\n {2}write\n {4}allows: +the value of parameter "path"\n {4}reason: +writes the output file\n {2}net\n {4}allows: +"monitor\.lan:9000"\n {4}reason: +reports to the monitor\n {2}env\n {4}allows: +everything \(unrestricted\)\n/,
  );
  assert.match(formatInspect(catalogue.describe("peek")), /Permissions:\n {2}none\n$/);
});

Deno.test("formatInspect() lists request ports' parameters as template::name after the parameters", async () => {
  const video = await Catalogue.withCore().load(
    import.meta.resolve("@streamlib/video/manifest.json"),
  );
  const text = formatInspect(video.describe("compositor"));
  assert.match(
    text,
    / {4}parameters: +x, y, width, height, opacity, zorder, visible, repeatAfterEos\n/,
  );
  assert.match(text, / {2}layers\n {4}type: +object\n {4}default: +\{\}\n {4}ports: +layer_%u: /);
  const section = text.slice(text.indexOf("\nPort parameters:\n"), text.indexOf("\nPermissions:"));
  assert.ok(text.indexOf("\nParameters:\n") < text.indexOf("\nPort parameters:\n"));
  assert.match(
    section,
    /\n {2}layer_%u::opacity\n {4}type: +number\n {4}default: +1\n {4}range: +≥ 0, ≤ 1\n {4}description: /,
  );
  assert.match(section, /\n {2}layer_%u::zorder\n {4}type: +integer\n {4}description: /);
  // Types without port parameters have no such section.
  assert.ok(!formatInspect(catalogue.describe("join")).includes("Port parameters:"));
});
