import assert from "node:assert/strict";
import { Catalogue } from "../describe/catalogue.ts";
import type { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { Logger } from "../actors/logger.ts";
import { ManualClock } from "../clock/manual_clock.ts";
import { isStreamlibError } from "../errors.ts";
import type { DataMessage } from "../messages.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { Faulty, turns } from "../_testing.ts";
import { PipelineControl } from "./pipeline_control.ts";
import type { ControlEvent } from "./control_types.ts";

const code = (c: string) => (e: unknown): boolean => isStreamlibError(e, c);

/** Core's actors and `weigh`, whose request inputs `in_%u` take weight, mute and lag. */
async function catalogue(): Promise<Catalogue> {
  return await Catalogue.withCore().load(new URL("../testdata/pads_plugin.json", import.meta.url));
}

/** `datasrc name=src fps=10 ! w.in_0` into `weigh name=w ! collect name=out`, live, manual clock. */
async function live(): Promise<
  { pipeline: Pipeline; control: PipelineControl; clock: ManualClock; out: Collect<DataMessage> }
> {
  const clock = new ManualClock();
  const c = await catalogue();
  const pipeline = await c.build(
    "datasrc name=src fps=10 ! w.in_0  weigh name=w in_0::weight=2 ! collect name=out",
    { clock },
  );
  const control = new PipelineControl(pipeline, { catalogue: c, now: () => 1_000 });
  await pipeline.start();
  return { pipeline, control, clock, out: pipeline.actor("out") as Collect<DataMessage> };
}

async function end(pipeline: Pipeline, control: PipelineControl): Promise<void> {
  control.close();
  await pipeline.stop({ mode: "abort" }).catch(() => {});
}

Deno.test("PipelineControl.graph() shows actors with state, parameters, ports and request ports' parameters", async () => {
  const { pipeline, control, clock } = await live();
  await clock.advance(200_000);
  const graph = control.graph();
  assert.equal(graph.state, "running");
  assert.deepEqual(graph.actors.map((a) => `${a.name}:${a.type}:${a.state}`), [
    "src:datasrc:running",
    "w:weigh:running",
    "out:collect:running",
  ]);
  const src = graph.actors[0]!;
  assert.equal(src.address, "actor://local/datasrc/src");
  assert.equal(src.params.fps, 10);
  assert.deepEqual(src.outputs, [{
    name: "out",
    kind: "data",
    formats: ["number"],
    capabilities: ["cpu"],
    written: 3,
    links: 1,
    waiting: 0,
  }]);
  const w = graph.actors[1]!;
  assert.deepEqual(w.templates, [{
    name: "in_%u",
    kind: "data",
    formats: "any",
    params: ["weight", "mute", "lag"],
  }]);
  assert.deepEqual(w.inputs, [{
    name: "in_0",
    kind: "data",
    formats: "any",
    capabilities: ["cpu"],
    template: "in_%u",
    params: { weight: 2, mute: false, lag: 0 },
    policy: "queue:8:block",
    depth: 0,
    capacity: 8,
    received: 3,
    dropped: 0,
    links: 1,
  }]);
  assert.deepEqual(graph.links, [
    {
      from: "src.out",
      to: "w.in_0",
      kind: "data",
      policy: "queue:8:block",
      formats: ["number"],
      depth: 0,
      capacity: 8,
      dropped: 0,
    },
    {
      from: "w.out",
      to: "out.in",
      kind: "data",
      policy: "queue:8:block",
      formats: "any",
      depth: 0,
      capacity: 8,
      dropped: 0,
    },
  ]);
  // Plain JSON: it survives a round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
  await end(pipeline, control);
});

Deno.test("PipelineControl.events() keeps errors with codes, state changes and log lines, numbered", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const control = new PipelineControl(pipeline, { now: () => 42 });
  const lines: string[] = [];
  pipeline.pipe(
    pipeline.add(new DataSource({ count: 3, fps: 10 }), { name: "src" }),
    pipeline.add(new Faulty([1]), { name: "f", supervision: { policy: "skip" } }),
    pipeline.add(new Logger({}, (line) => lines.push(line)), { name: "log" }),
  );
  await pipeline.start();
  await clock.advance(300_000);
  await pipeline.done;
  const events = control.events();
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
  assert.ok(events.every((e) => e.time === 42));
  const error = events.find((e) => e.type === "error") as Extract<ControlEvent, { type: "error" }>;
  assert.equal(error.actor, "actor://local/faulty/f");
  assert.equal(error.code, "Error");
  assert.equal(error.message, "bad value 1");
  assert.equal(error.action, "skip");
  assert.deepEqual(
    control.events({ types: ["log"] }).map((e) => e.type === "log" && e.text),
    lines,
  );
  assert.deepEqual(control.events({ types: ["eos"], actor: "log" }).map((e) => e.type), ["eos"]);
  assert.deepEqual(
    control.events({ types: ["state"] }).map((e) => e.type === "state" && e.state),
    ["starting", "running", "done"],
  );
  const last = events.at(-1)!.seq;
  assert.deepEqual(control.events({ since: last - 2 }).map((e) => e.seq), [last - 1, last]);
  assert.deepEqual(control.events({ limit: 1 }).map((e) => e.seq), [last]);
  assert.throws(() => control.events({ types: ["nope" as "log"] }), code("SL_PARAM_INVALID"));
  control.close();
});

Deno.test("PipelineControl keeps only eventCapacity events; the oldest make room", async () => {
  const pipeline = new Pipeline({ mode: "offline" });
  const control = new PipelineControl(pipeline, { eventCapacity: 3 });
  pipeline.pipe(new DataSource({ count: 5 }), new Logger({}, () => {}));
  await pipeline.run();
  const events = control.events();
  assert.equal(events.length, 3);
  assert.equal(events[2]!.seq - events[0]!.seq, 2);
  assert.ok(events[0]!.seq > 1);
  control.close();
});

Deno.test("PipelineControl.follow() gives new events as they come and ends with its signal", async () => {
  const { pipeline, control, clock } = await live();
  const abort = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (const event of control.follow({ types: ["control"] }, { signal: abort.signal })) {
      seen.push(event.type === "control" ? event.text : event.type);
      if (seen.length === 2) abort.abort();
    }
  })();
  control.set("src", { pattern: "sine" });
  await clock.advance(100_000);
  control.set("w", {}, { in_0: { weight: 3 } });
  await following;
  assert.deepEqual(seen, ["set src pattern=sine", "set w in_0::weight=3"]);
  // With `since`, the kept events come first.
  const again: number[] = [];
  const stop = new AbortController();
  for await (
    const event of control.follow({ types: ["control"], since: 0 }, { signal: stop.signal })
  ) {
    again.push(event.seq);
    if (again.length === 2) stop.abort();
  }
  assert.equal(again.length, 2);
  await end(pipeline, control);
});

Deno.test("A follower still gets what came before the control closed, then ends", async () => {
  const { pipeline, control } = await live();
  const iterator = control.follow({ types: ["control"] });
  const first = iterator.next();
  control.set("src", { pattern: "sine" });
  control.set("w", {}, { in_0: { weight: 3 } });
  const text = (r: IteratorResult<ControlEvent>): string =>
    r.done || r.value.type !== "control" ? "end" : r.value.text;
  assert.equal(text(await first), "set src pattern=sine");
  // Closed while the follower waits at its second event, with a third after it.
  control.set("src", { pattern: "random" });
  control.close();
  assert.equal(text(await iterator.next()), "set w in_0::weight=3");
  assert.equal(text(await iterator.next()), "set src pattern=random");
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  await pipeline.stop({ mode: "abort" });
});

Deno.test("PipelineControl.close() ends every follower", async () => {
  const { pipeline, control } = await live();
  const iterator = control.follow();
  const next = iterator.next();
  control.close();
  assert.deepEqual(await next, { value: undefined, done: true });
  await pipeline.stop({ mode: "abort" });
});

Deno.test("PipelineControl.tap() on a quiet output returns what came within its time limit", async () => {
  const { pipeline, control, clock } = await live();
  await clock.advance(50_000); // tick 0 has gone; the next is at 100 ms
  const tap = control.tap("src.out", { count: 5, timeoutMs: 30 });
  await clock.advance(30_000);
  const result = await tap;
  assert.equal(result.reason, "timeout");
  assert.deepEqual(result.messages, []);
  assert.equal(result.port, "src.out");
  assert.equal(result.kind, "data");
  await end(pipeline, control);
});

Deno.test("PipelineControl.tap() never holds a busy pipeline back: messages keep flowing before, during and after", async () => {
  const { pipeline, control, clock, out } = await live();
  await clock.advance(1_000_000);
  const before = out.messages.length;
  assert.equal(before, 11); // ticks 0 … 1 s
  const graphBefore = control.graph().actors.map((a) => a.name);
  const tap = control.tap("w.out", { count: 4, timeoutMs: 10_000 });
  assert.deepEqual(control.graph().actors.map((a) => a.name), graphBefore); // the sink is hidden
  assert.ok(pipeline.actors.length === 4);
  await clock.advance(1_000_000);
  const result = await tap;
  assert.equal(out.messages.length, before + 10); // during: every tick reached the sink
  assert.equal(result.reason, "count");
  assert.deepEqual(
    result.messages.map((m) => (m as DataMessage).value),
    out.messages.slice(before, before + 4).map((m) => m.value),
  );
  await turns();
  assert.equal(pipeline.actors.length, 3); // the sink is gone
  await clock.advance(1_000_000);
  assert.equal(out.messages.length, before + 20); // after: the same rate
  assert.deepEqual(control.stats().actors.map((a) => a.name), ["src", "w", "out"]);
  await end(pipeline, control);
});

Deno.test("PipelineControl.tap() returns early when the output ends, and refuses what is not an output", async () => {
  const clock = new ManualClock();
  const pipeline = await Catalogue.withCore().build("datasrc name=src count=2 fps=10 ! nullsink", {
    clock,
  });
  const control = new PipelineControl(pipeline);
  const tap = control.tap("src.out", { count: 5, timeoutMs: 60_000 }); // also before the start
  await pipeline.start();
  await clock.advance(200_000);
  const result = await tap;
  assert.equal(result.reason, "eos");
  assert.equal(result.messages.length, 2);
  await assert.rejects(control.tap("src.in"), code("SL_PORT_NOT_FOUND"));
  await assert.rejects(control.tap("nope.out"), code("SL_ACTOR_NOT_FOUND"));
  await assert.rejects(control.tap("src"), code("SL_PORT_NOT_FOUND"));
  await assert.rejects(control.tap("src.out", { count: 0 }), code("SL_PARAM_INVALID"));
  await assert.rejects(control.tap("src.out", { count: 101 }), code("SL_PARAM_INVALID"));
  await pipeline.done;
  assert.equal(control.events({ actor: "~tap0" }).length, 0); // a tap leaves no trace
  control.close();
});

Deno.test("PipelineControl.tap() ends with its signal or when the control closes", async () => {
  const { pipeline, control } = await live();
  const abort = new AbortController();
  const tap = control.tap("src.out", { count: 5, timeoutMs: 60_000, signal: abort.signal });
  abort.abort();
  assert.equal((await tap).reason, "aborted");
  const other = control.tap("src.out", { count: 5, timeoutMs: 60_000 });
  await end(pipeline, control);
  assert.equal((await other).reason, "aborted");
});

Deno.test("PipelineControl.set() converts quantities and sets parameters and port parameters live", async () => {
  const { pipeline, control, clock, out } = await live();
  const result = control.set("src", { fps: "20Hz", pattern: "counter" }, {});
  assert.deepEqual(result, { actor: "src", params: { fps: 20, pattern: "counter" }, pads: {} });
  assert.deepEqual(control.set("w", {}, { in_0: { weight: 10, lag: "20ms" } }).pads, {
    in_0: { weight: 10, lag: 0.02 },
  });
  await clock.advance(100_000);
  assert.equal(out.messages.at(-1)!.value, 10); // tick 1 × weight 10
  const event = control.events({ types: ["control"] }).at(-1)!;
  assert.ok(event.type === "control" && event.op === "set");
  assert.equal(event.text, "set w in_0::weight=10 in_0::lag=20ms");
  assert.equal(event.actor, "actor://local/weigh/w");
  await end(pipeline, control);
});

Deno.test("PipelineControl.set() with a bad value changes nothing and says why, with a code", async () => {
  const { pipeline, control, clock } = await live();
  await clock.advance(100_000);
  const before = control.graph();
  const cases: Array<[() => unknown, string, RegExp]> = [
    [() => control.set("src", { fps: -1 }), "SL_PARAM_INVALID", /"fps" of "datasrc"/],
    [() => control.set("src", { fps: 5, pattern: "zigzag" }), "SL_PARAM_INVALID", /pattern/],
    [() => control.set("src", { fsp: 5 }), "SL_PARAM_UNKNOWN", /Unknown parameter "fsp"/],
    [() => control.set("src", { fps: "2s" }), "SL_PARAM_INVALID", /is a time/],
    [() => control.set("w", {}, { in_0: { weight: "heavy" } }), "SL_PARAM_INVALID", /weight/],
    [() => control.set("w", {}, { out_1: { weight: 1 } }), "SL_PORT_NOT_FOUND", /out_1/],
    [() => control.set("nope", { fps: 1 }), "SL_ACTOR_NOT_FOUND", /actors: src, w, out/],
  ];
  for (const [call, c, message] of cases) {
    assert.throws(call, (e: unknown) => {
      assert.ok(isStreamlibError(e, c), `${c}: ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
  assert.deepEqual(control.graph(), before);
  assert.equal(control.events({ types: ["control"] }).length, 0);
  await end(pipeline, control);
});

Deno.test("PipelineControl.set() checks an actor unknown to the catalogue against its own contract", () => {
  const pipeline = new Pipeline({ mode: "offline" });
  pipeline.add(new Faulty(), { name: "f" });
  const control = new PipelineControl(pipeline);
  assert.throws(() => control.set("f", { gain: 1 }), code("SL_PARAM_UNKNOWN"));
  control.close();
});
