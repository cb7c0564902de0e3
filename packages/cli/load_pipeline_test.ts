import assert from "node:assert/strict";
import { Catalogue, isStreamlibError } from "@streamlib/core";
import { loadPipeline } from "./load_pipeline.ts";

const catalogue = Catalogue.withCore();

Deno.test("loadPipeline() parses text and keeps it for errors found later", async () => {
  const loaded = await loadPipeline("datasrc count=5 name=src ! log", catalogue);
  assert.deepEqual(loaded.spec.actors.map((a) => a.name), ["src", "log0"]);
  assert.equal(loaded.text, "datasrc count=5 name=src ! log");
  assert.ok(loaded.parsed?.spans.has("actors[0].params.count"));
});

Deno.test("loadPipeline() points at a bad parameter or type with a caret", async () => {
  await assert.rejects(loadPipeline("datasrc fps=10s ! log", catalogue), (e) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_INVALID"));
    assert.match(e.message, /^line 1, column 9: Parameter "fps" of "datasrc"/);
    assert.match(e.message, /\n {2}datasrc fps=10s ! log\n {10}\^{7}$/);
    return true;
  });
  await assert.rejects(loadPipeline("datasrc bogus=1 ! log", catalogue), (e) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_UNKNOWN"));
    assert.match(e.message, /column 9: Unknown parameter "bogus" for "datasrc"/);
    return true;
  });
  await assert.rejects(
    loadPipeline("datasrc !", catalogue),
    (e) => isStreamlibError(e, "SL_PIPELINE_SYNTAX") && /\^/.test(e.message),
  );
});

Deno.test("loadPipeline() points at a bad port parameter with a caret", async () => {
  const video = await Catalogue.withCore().load(
    import.meta.resolve("@streamlib/video/manifest.json"),
  );
  const loaded = await loadPipeline("compositor layer_1::opacity=0.5 ! nullsink", video);
  assert.deepEqual(loaded.spec.actors[0]?.pads, { layer_1: { opacity: 0.5 } });
  await assert.rejects(loadPipeline("compositor layer_1::opacity=2 ! nullsink", video), (e) => {
    assert.ok(isStreamlibError(e, "SL_PARAM_INVALID"));
    assert.match(e.message, /^line 1, column 12: Parameter "opacity" of port "layer_1"/);
    assert.match(e.message, /\n {2}compositor layer_1::opacity=2 ! nullsink\n {13}\^{18}$/);
    return true;
  });
  await assert.rejects(loadPipeline("compositor\n  overlay_1::x=4", video), (e) => {
    assert.ok(isStreamlibError(e, "SL_PORT_NOT_FOUND"));
    assert.match(e.message, /^line 2, column 3: "compositor" has no port "overlay_1"/);
    return true;
  });
});

Deno.test("loadPipeline() reads a .json file and names the file in its errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.json`;
    const actors = [{ name: "a", type: "datasrc", params: { count: 2 } }, {
      name: "b",
      type: "log",
    }];
    await Deno.writeTextFile(file, JSON.stringify({ actors, links: [{ from: "a", to: "b" }] }));
    const loaded = await loadPipeline(file, catalogue);
    assert.equal(loaded.text, undefined);
    assert.equal(loaded.source, file);
    assert.deepEqual(loaded.spec.actors, actors);

    await Deno.writeTextFile(
      file,
      JSON.stringify({
        actors: [{ name: "a", type: "datasrc", params: { count: -1 } }],
        links: [],
      }),
    );
    await assert.rejects(
      loadPipeline(file, catalogue),
      (e) =>
        isStreamlibError(e, "SL_PARAM_INVALID") &&
        e.message.startsWith(`${file}: actors[0]: Parameter "count"`),
    );
    await Deno.writeTextFile(file, "{ actors");
    await assert.rejects(
      loadPipeline(file, catalogue),
      (e) =>
        isStreamlibError(e, "SL_PIPELINE_INVALID") && e.message.startsWith(`${file} is not JSON`),
    );
    await assert.rejects(
      loadPipeline(`${dir}/missing.json`, catalogue),
      (e) => isStreamlibError(e, "SL_USAGE") && /Cannot read the pipeline file/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadPipeline() takes text whose last value ends in .json as text, not as a file", async () => {
  const text = "datasrc count=2 ! log name=out.json";
  const loaded = await loadPipeline(text, catalogue);
  assert.equal(loaded.text, text);
  assert.deepEqual(loaded.spec.actors.map((a) => a.name), ["datasrc0", "out.json"]);
  // A link and nothing else: still text, with its caret, not a file that cannot be read.
  await assert.rejects(
    loadPipeline("datasrc ! nosuch.json", catalogue),
    (e) => isStreamlibError(e, "SL_PIPELINE_SYNTAX") && /\^{11}$/.test(e.message),
  );
});

Deno.test("loadPipeline() refuses a file name alone, saying how to run what the file holds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.txt`;
    await Deno.writeTextFile(file, "datasrc count=2 ! log  # kept in a file\n");
    await assert.rejects(loadPipeline(file, catalogue), (e) => {
      assert.ok(isStreamlibError(e, "SL_PIPELINE_SYNTAX"), String(e));
      assert.match(e.message, /^line 1, column 1: ".*p\.txt" is a file that holds pipeline text/);
      assert.match(e.message, /streamlib run "\$\(cat .*p\.txt\)"/);
      return true;
    });
    // A file whose text is no pipeline, or none at all: the parser's own message.
    await Deno.writeTextFile(file, "shopping list: ! milk");
    await assert.rejects(
      loadPipeline(file, catalogue),
      (e) =>
        isStreamlibError(e, "SL_PIPELINE_SYNTAX") && /the pipeline's text itself/.test(e.message),
    );
    await assert.rejects(
      loadPipeline("in.mp4", catalogue),
      (e) =>
        isStreamlibError(e, "SL_PIPELINE_SYNTAX") &&
        /expected pipeline text that reads the file: "filesrc location=in\.mp4 ! …"/.test(
          e.message,
        ),
    );
    await Deno.writeTextFile(`${dir}/empty.json`, JSON.stringify({ actors: [], links: [] }));
    await assert.rejects(
      loadPipeline(`${dir}/empty.json`, catalogue),
      (e) => isStreamlibError(e, "SL_PIPELINE_INVALID") && /has no actors/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
