import assert from "node:assert/strict";
import { Catalogue, isStreamlibError, validateManifest } from "@streamlib/core";
import * as audio from "./mod.ts";

const url = new URL("./manifest.json", import.meta.url);

Deno.test("The audio manifest is valid and each of its types matches its implementation", async () => {
  const text = await Deno.readTextFile(url);
  validateManifest(JSON.parse(text), "manifest.json");
  const catalogue = await new Catalogue().load(url);
  const types = catalogue.list().map((e) => e.type);
  assert.ok(types.length >= 7, types.join());
  for (const type of types) await catalogue.verify(type);
});

Deno.test("Every actor class the audio package exports is in its manifest", async () => {
  const catalogue = await new Catalogue().load(url);
  const exported = Object.entries(audio).filter(([, value]) =>
    typeof value === "function" &&
    typeof (value as { contract?: unknown }).contract === "object" &&
    typeof (value as { prototype?: { process?: unknown } }).prototype?.process === "function"
  );
  assert.ok(exported.length >= 7);
  for (const [name, value] of exported) {
    const type = (value as unknown as { contract: { type: string } }).contract.type;
    assert.ok(catalogue.has(type), `${name} (${type}) is missing from manifest.json`);
    assert.equal(catalogue.describe(type).actor.export, name);
  }
});

Deno.test("Audio actors refuse over 64 channels, rates over 768 kHz and buffers over 2^20 samples, before allocating them", () => {
  const cases: Array<[new (params: Record<string, number>) => unknown, string, number]> = [
    [audio.AudioTestSource, "channels", 64],
    [audio.AudioTestSource, "sampleRate", 768_000],
    [audio.AudioTestSource, "samplesPerBuffer", 1_048_576],
    [audio.AudioMixer, "channels", 64],
    [audio.AudioMixer, "sampleRate", 768_000],
    [audio.AudioMixer, "samplesPerBuffer", 1_048_576],
    [audio.Resampler, "rate", 768_000],
  ];
  for (const [Class, param, limit] of cases) {
    new Class({ [param]: limit });
    // Unbounded, channels=1000000000 failed while running with "Array buffer allocation failed".
    for (const value of [limit + 1, 1e9]) {
      assert.throws(
        () => new Class({ [param]: value }),
        (e: unknown) => isStreamlibError(e, "SL_PARAM_INVALID") && e.message.includes(`≤ ${limit}`),
        `${Class.name} ${param}=${value}`,
      );
    }
  }
});

Deno.test("Pipeline text takes audiosink device=null as the README says, and answers GStreamer's names", async () => {
  const catalogue = await new Catalogue().load(url);
  const { spec } = catalogue.parse("audiotestsrc buffers=3 ! audiosink device=null");
  assert.deepEqual(spec.actors[1]!.params, { device: "null" });
  assert.deepEqual(catalogue.params("audiosink", spec.actors[1]!.params), { device: "null" });
  for (
    const [text, hint] of [
      ["audiotestsrc num-buffers=3", /for GStreamer's num-buffers, use "buffers" here/],
      ["audiotestsrc freq=440", /for GStreamer's freq, use "frequency" here/],
    ] as const
  ) {
    const actor = catalogue.parse(text).spec.actors[0]!;
    assert.throws(
      () => catalogue.params(actor.type, actor.params),
      (e: unknown) => isStreamlibError(e, "SL_PARAM_UNKNOWN") && hint.test(e.message),
      text,
    );
  }
});
