import assert from "node:assert/strict";
import { Catalogue, isStreamlibError, validateManifest } from "@streamlib/core";
import * as ffmpeg from "./mod.ts";

const url = new URL("./manifest.json", import.meta.url);

Deno.test("The ffmpeg manifest is valid and each of its types matches its implementation", async () => {
  const text = await Deno.readTextFile(url);
  validateManifest(JSON.parse(text), "manifest.json");
  const catalogue = await new Catalogue().load(url);
  const types = catalogue.list().map((e) => e.type);
  assert.deepEqual(types.toSorted(), ["filesink", "filesrc"]);
  for (const type of types) await catalogue.verify(type);
});

Deno.test("Every actor class the ffmpeg package exports is in its manifest", async () => {
  const catalogue = await new Catalogue().load(url);
  const exported = Object.entries(ffmpeg).filter(([, value]) =>
    typeof value === "function" &&
    typeof (value as { contract?: unknown }).contract === "object" &&
    typeof (value as { prototype?: { process?: unknown } }).prototype?.process === "function"
  );
  assert.ok(exported.length >= 2);
  for (const [name, value] of exported) {
    const type = (value as unknown as { contract: { type: string } }).contract.type;
    assert.ok(catalogue.has(type), `${name} (${type}) is missing from manifest.json`);
    assert.equal(catalogue.describe(type).actor.export, name);
  }
});

Deno.test("filesrc refuses sizes over 16384 pixels, over 64 channels, rates over 768 kHz and buffers over 2^20 samples", () => {
  const limits = { width: 16_384, height: 16_384, channels: 64, sampleRate: 768_000 };
  for (const [param, limit] of Object.entries({ ...limits, samplesPerBuffer: 1_048_576 })) {
    new ffmpeg.FileReader({ [param]: limit });
    assert.throws(
      () => new ffmpeg.FileReader({ [param]: limit + 1 }),
      (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID") && e.message.includes(`≤ ${limit}`),
      `${param}=${limit + 1}`,
    );
  }
});
