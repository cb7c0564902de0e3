import assert from "node:assert/strict";
import { Catalogue, isStreamlibError, validateManifest } from "@streamlib/core";
import * as video from "./mod.ts";

const url = new URL("./manifest.json", import.meta.url);

Deno.test("The video manifest is valid and each of its types matches its implementation", async () => {
  const text = await Deno.readTextFile(url);
  validateManifest(JSON.parse(text), "manifest.json");
  const catalogue = await new Catalogue().load(url);
  const types = catalogue.list().map((e) => e.type);
  assert.ok(types.length >= 10, types.join());
  for (const type of types) await catalogue.verify(type);
});

Deno.test("Every actor class the video package exports is in its manifest", async () => {
  const catalogue = await new Catalogue().load(url);
  const exported = Object.entries(video).filter(([, value]) =>
    typeof value === "function" &&
    typeof (value as { contract?: unknown }).contract === "object" &&
    typeof (value as { prototype?: { process?: unknown } }).prototype?.process === "function"
  );
  assert.ok(exported.length >= 10);
  for (const [name, value] of exported) {
    const type = (value as unknown as { contract: { type: string } }).contract.type;
    assert.ok(catalogue.has(type), `${name} (${type}) is missing from manifest.json`);
    assert.equal(catalogue.describe(type).actor.export, name);
  }
});

Deno.test("Video actors refuse frames wider or taller than 16384 pixels, before allocating them", () => {
  const classes: Array<new (params: Record<string, unknown>) => unknown> = [
    video.TestPattern,
    video.Compositor,
    video.Draw,
    video.VideoScale,
  ];
  for (const Class of classes) {
    for (const param of ["width", "height"]) {
      new Class({ [param]: 16_384 });
      // Unbounded, width=1000000000 was taken, and drawing a frame never came back.
      for (const value of [16_385, 1e9]) {
        assert.throws(
          () => new Class({ [param]: value }),
          (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID") && e.message.includes("≤ 16384"),
          `${Class.name} ${param}=${value}`,
        );
      }
    }
  }
  const compositor = new video.Compositor();
  assert.throws(
    () => compositor.setPadParams("layer_1", { width: 16_385 }),
    (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});
