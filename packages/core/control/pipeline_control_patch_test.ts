import assert from "node:assert/strict";
import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import { defineContract } from "../graph/contract.ts";
import { Catalogue } from "../describe/catalogue.ts";
import type { Collect } from "../actors/collect.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { isStreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { turns } from "../_testing.ts";
import { PipelineControl } from "./pipeline_control.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

/** Core's actors, `weigh` (request inputs `in_%u`) and the test plugin's `writer` (permissions). */
async function catalogue(): Promise<Catalogue> {
  const c = Catalogue.withCore();
  await c.load(new URL("../testdata/pads_plugin.json", import.meta.url));
  return await c.load(new URL("../testdata/plugin.json", import.meta.url));
}

/** `datasrc name=src fps=10 ! weigh name=w ! collect name=out`, live on a manual clock. */
async function live(
  options: { granted?: PipelineControl["granted"] } = {},
): Promise<
  { pipeline: Pipeline; control: PipelineControl; clock: ManualClock; out: Collect<DataMessage> }
> {
  const clock = new ManualClock();
  const c = await catalogue();
  const pipeline = await c.build(
    "datasrc name=src fps=10 ! w.in_0  weigh name=w ! collect name=out",
    { clock },
  );
  const control = new PipelineControl(pipeline, { catalogue: c, ...options });
  await pipeline.start();
  return { pipeline, control, clock, out: pipeline.actor("out") as Collect<DataMessage> };
}

async function end(pipeline: Pipeline, control: PipelineControl): Promise<void> {
  control.close();
  await pipeline.stop({ mode: "abort" }).catch(() => {});
}

Deno.test("PipelineControl.patch() adds a source as a new layer of a running actor and links it", async () => {
  const { pipeline, control, clock, out } = await live();
  await clock.advance(100_000);
  const result = await control.patch("datasrc name=b fps=10 pattern=counter ! w.  # a layer");
  assert.deepEqual(result, {
    applied: true,
    actors: [{ name: "b", type: "datasrc" }],
    links: [{
      from: "b.out",
      to: "w.in_1",
      kind: "data",
      policy: "queue:8:block",
      formats: ["number"],
    }],
  });
  await clock.advance(200_000);
  await turns();
  const topics = out.messages.map((m) => m.topic?.split("|")[0]);
  assert.ok(topics.includes("in_1"), topics.join());
  assert.equal(control.graph().actors.find((a) => a.name === "w")!.inputs.length, 2);
  const event = control.events({ types: ["control"] }).at(-1)!;
  assert.ok(event.type === "control" && event.op === "patch");
  assert.equal(event.text, "patch datasrc name=b fps=10 pattern=counter ! w. # a layer");
  await end(pipeline, control);
});

Deno.test("PipelineControl.patch() names new actors past the running ones, and sets port parameters", async () => {
  const { pipeline, control } = await live();
  const result = await control.patch("datasrc ! w.in_3  datasrc ! nullsink", { dryRun: false });
  assert.deepEqual(result.actors.map((a) => a.name), ["datasrc0", "datasrc1", "nullsink0"]);
  await control.patch("datasrc name=c ! w.in_5", {});
  assert.equal(pipeline.actor("w")!.padParams("in_3").weight, 1);
  const patched = await control.patch("weigh name=w2 in_0::weight=4 ! nullsink");
  assert.equal(patched.links[0]!.to, "nullsink1.in");
  assert.equal(pipeline.actor("w2")!.padParams("in_0").weight, 4);
  await end(pipeline, control);
});

Deno.test("PipelineControl.patch() with dryRun validates, says what it would add, and changes nothing", async () => {
  const { pipeline, control } = await live();
  const before = control.graph();
  const result = await control.patch("datasrc name=b ! w.", { dryRun: true });
  assert.equal(result.applied, false);
  assert.deepEqual(result.actors, [{ name: "b", type: "datasrc" }]);
  assert.equal(result.links[0]!.to, "w.in_1");
  assert.deepEqual(control.graph(), before);
  assert.equal(control.events({ types: ["control"] }).length, 0);
  await end(pipeline, control);
});

Deno.test("PipelineControl.patch() refuses a bad patch with a code and a caret, and changes nothing", async () => {
  const { pipeline, control, clock } = await live();
  await clock.advance(100_000);
  const before = control.graph();
  const cases: Array<[string, string, RegExp]> = [
    ["datasrc ! ! w.", "SL_PIPELINE_SYNTAX", /column 11: "!" has nothing on its left/],
    ["datasrc ! nix.", "SL_PIPELINE_SYNTAX", /No actor is named "nix"/],
    ["datasrc ! lgo", "SL_UNKNOWN_TYPE", /column 11: Unknown actor type "lgo"; did you mean "log"/],
    ["datasrc fps=fast ! w.", "SL_PARAM_INVALID", /column 9: Parameter "fps"/],
    ["datasrc fsp=5 ! w.", "SL_PARAM_UNKNOWN", /column 9: Unknown parameter "fsp"/],
    ["datasrc name=src ! w.", "SL_NAME_TAKEN", /column 9: The pipeline already has an actor "src"/],
    ["datasrc ! w.out", "SL_PORT_NOT_FOUND", /"w" has no input "out"/],
    ["datasrc name=a ! out.", "SL_PIPE_NO_MATCH", /column 16: Cannot link "a" to "out"/],
    ["datasrc name=a ! nullsink  datasrc name=b ! src.", "SL_PIPE_NO_MATCH", /column 43/],
    [
      "weigh name=x in_0::wieght=2 ! out.",
      "SL_PARAM_UNKNOWN",
      /column 14: Unknown parameter "wieght"/,
    ],
    ["", "SL_PIPELINE_SYNTAX", /empty/],
  ];
  for (const [text, c, message] of cases) {
    await assert.rejects(control.patch(text), (e: unknown) => {
      assert.ok(isStreamlibError(e, c), `${text}: ${c}, got ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
  // The caret sits under the spot, as the command line shows it.
  await assert.rejects(control.patch("datasrc ! lgo"), (e: unknown) => {
    assert.ok(isStreamlibError(e));
    assert.equal(e.message.split("\n").slice(1).join("\n"), "  datasrc ! lgo\n            ^^^");
    return true;
  });
  assert.deepEqual(control.graph(), before);
  assert.equal(pipeline.actors.length, 3);
  assert.equal(control.events({ types: ["control"] }).length, 0);
  await end(pipeline, control);
});

Deno.test("PipelineControl.patch() refuses actors that need permissions the node was not granted", async () => {
  const { pipeline, control } = await live({
    granted: { write: { all: false, values: ["out"], reasons: [] } },
  });
  const before = control.graph();
  await assert.rejects(control.patch("datasrc ! writer path=/etc/passwd"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PERMISSION_NOT_GRANTED"));
    assert.match(e.message, /column 11: "writer0" \(writer\) needs write access to \/etc\/passwd/);
    assert.match(e.message, /net access to monitor\.lan:9000/);
    assert.match(e.message, /env \(writer0 \(writer\): reads its settings/);
    return true;
  });
  assert.deepEqual(control.graph(), before);
  // Within what was granted (a file in the granted folder, net and env too), it is taken.
  const wide = new PipelineControl(pipeline, {
    catalogue: control.catalogue,
    granted: {
      write: { all: false, values: ["out", "./out.bin"], reasons: [] },
      net: { all: false, values: ["monitor.lan"], reasons: [] },
      env: { all: true, values: [], reasons: [] },
    },
  });
  const result = await wide.patch("datasrc ! writer", { dryRun: true });
  assert.equal(result.actors[1]!.type, "writer");
  wide.close();
  await end(pipeline, control);
});

Deno.test("PipelineControl.set() refuses parameters that would need permissions the node was not granted", async () => {
  const contract = defineContract({
    type: "pathsink",
    description: "Writes to a path",
    classification: "Sink/Any",
    inputs: { in: { kind: "any" } },
    params: { path: { type: "string", default: "out.bin" } },
    permissions: { write: { reason: "writes the file", params: ["path"] } },
  });
  class PathSink extends Actor<typeof contract> {
    static override contract = contract;
    process(_tick: TimedTick): void {}
  }
  const c = Catalogue.withCore().add(
    {
      name: "paths",
      version: "1.0.0",
      streamlib: "^0.1.0",
      actors: [{ ...contract, module: "./paths.ts", export: "PathSink" }],
    },
    "file:///plugins/paths/manifest.json",
    { PathSink },
  );
  const pipeline = await c.build("datasrc ! pathsink name=p", { mode: "offline" });
  const control = new PipelineControl(pipeline, {
    catalogue: c,
    granted: { write: { all: false, values: ["out.bin", "out"], reasons: [] } },
  });
  const before = control.graph();
  assert.throws(() => control.set("p", { path: "/etc/z.bin" }), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_PERMISSION_NOT_GRANTED"));
    assert.match(e.message, /"p" would need write access to \/etc\/z\.bin/);
    return true;
  });
  assert.deepEqual(control.graph(), before);
  control.set("p", { path: "out/z.bin" });
  assert.equal(pipeline.actor("p")!.params.path, "out/z.bin");
  control.close();
});

Deno.test("PipelineControl.patch() takes out again what it added when linking still fails", async () => {
  const clock = new ManualClock();
  const c = await catalogue();
  const pipeline = await c.build(
    "datasrc name=a count=1 fps=10 ! collect name=done  datasrc name=keep ! nullsink",
    { clock },
  );
  const control = new PipelineControl(pipeline, { catalogue: c });
  await pipeline.start();
  await clock.advance(100_000);
  await turns();
  assert.equal(control.graph().actors.find((a) => a.name === "done")!.state, "finished");
  const before = control.graph();
  // Every check passes (the ports fit), but the actor has finished: it takes no new links.
  await assert.rejects(control.patch("datasrc name=late ! done.in"), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_STATE"), String(e));
    assert.match(e.message, /column 19: .*has finished/);
    return true;
  });
  await turns();
  assert.deepEqual(control.graph().actors, before.actors);
  assert.equal(pipeline.actor("late"), undefined);
  await end(pipeline, control);
});

Deno.test("PipelineControl.patch() refuses a pipeline that has ended", async () => {
  const c = await catalogue();
  const pipeline = await c.build("datasrc count=1 ! nullsink", { mode: "offline" });
  const control = new PipelineControl(pipeline, { catalogue: c });
  await pipeline.run();
  await assert.rejects(control.patch("datasrc ! nullsink"), code("SL_STATE"));
  control.close();
});

Deno.test("PipelineControl.connect(), disconnect() and remove() change the graph and say so in events", async () => {
  const { pipeline, control, clock, out } = await live();
  await control.patch("datasrc name=b fps=10 ! nullsink name=n");
  const link = control.connect("b", "w");
  assert.equal(link.to, "w.in_1");
  assert.throws(() => control.disconnect("b", "nope"), code("SL_PORT_NOT_FOUND"));
  assert.throws(() => control.disconnect("b", "."), code("SL_PORT_NOT_FOUND"));
  assert.deepEqual(control.disconnect("b", "w"), link);
  assert.throws(() => control.connect("b.out", "src.out"), code("SL_PORT_NOT_FOUND"));
  await control.remove("n");
  assert.equal(pipeline.actor("n"), undefined);
  await assert.rejects(control.remove("n"), code("SL_ACTOR_NOT_FOUND"));
  const ops = control.events({ types: ["control"] }).map((e) => e.type === "control" && e.text);
  assert.deepEqual(ops, [
    "patch datasrc name=b fps=10 ! nullsink name=n",
    "connect b.out w.in_1",
    "disconnect b.out w.in_1",
    "remove n",
  ]);
  await clock.advance(100_000);
  assert.ok(out.messages.length > 0);
  await end(pipeline, control);
});

Deno.test("PipelineControl.stop() drains or aborts the pipeline and records who asked", async () => {
  const { pipeline, control, clock } = await live();
  const stopping = control.stop({ mode: "drain" });
  await clock.advance(100_000);
  assert.equal((await stopping).status, "eos");
  assert.equal(pipeline.state, "done");
  const event = control.events({ types: ["control"] })[0]!;
  assert.ok(event.type === "control" && event.text === "stop drain");
  const other = await live();
  assert.equal((await other.control.stop({ mode: "abort" })).status, "aborted");
  control.close();
  other.control.close();
});
