/**
 * The fuzz suite's pipeline inputs: texts of the language (from examples and from the real
 * catalogue's types, ports and parameters), mutated at the byte and the token level, pushed
 * to extremes (deep JSON values, long chains, long names, huge numbers), and JSON forms, valid
 * and broken. Internal to the scripts.
 *
 * @module
 */

import type { _Input } from "./_fuzz_case.ts";
import { _TWISTS } from "./_fuzz_case.ts";
import { type _Json, _jsonText, _mutateJson, _randomJson, _randomString } from "./_fuzz_json.ts";
import { _mutateText, type _Random } from "./_fuzz_random.ts";

/** What the generators need of a manifest's actor entry. */
export interface _TypeInfo {
  readonly type: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Request templates' own parameters, by template (`layer_%u`). */
  readonly pads: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>
  >;
}

/** Pipelines as people and the tests write them: the seeds of mutation. */
const _CORPUS = [
  "datasrc",
  "datasrc count=3 name=src ! log  src. ! nullsink",
  "testsrc pattern=smpte fps=30 ! blur radius=4 ! filesink path=out.mp4",
  "# a scene\ntestsrc ! compositor name=c width=1280 ! display name=disp   # the main chain\n" +
  "draw code=overlay.ts ! c.layer_1\ndisp.keyboard ! log\nc. ! nullsink",
  "src. ! sink.  datasrc name=src  log name=sink",
  `a s="two words" q='it\\'s' e="tab\\tnew\\nline" n=-1.5e3 i=42 t=true f=false z=null d=10s ` +
  `r=48kHz arr=[0,0,640,480] obj={"k":[1,"x y"]} hex=#ff0000 path=/tmp/a=b`,
  "a ! mix.in_1 ! b  mix name=mix",
  "cam name=my.cam ! log  my.cam.out ! nullsink  my.cam. ! nullsink",
  "datasrc ! blur dispatch=worker radius=2 ! log dispatch=main",
  "compositor name=c layer_1::opacity=0.5 width=640 layer_1::x=10 layer_0::visible=false ! log\n" +
  "datasrc ! c.layer_1",
  "blur name=blur1 ! blur",
  "videotestsrc pattern=ball ! videoscale width=320 height=180 ! videoconvert format=I420 ! nullsink",
  'videotestsrc frames=3 ! compositor name=c layers=\'{"layer_0":{"x":4}}\' ! nullsink\n' +
  "videotestsrc pattern=ball ! c.layer_1",
  "audiotestsrc duration=2 frequency=1000 ! volume volume=0.5 ! level ! nullsink",
  "audiotestsrc wave=sweep sweepTo=8kHz sweepDuration=500ms ! audioresample rate=16kHz ! " +
  "audiopanorama panorama=-0.5 ! channelmix channels=1 ! nullsink",
  "audiotestsrc ! audiomixer name=m sink_0::gain=0.5 sink_1::mute=true ! nullsink\n" +
  "audiotestsrc wave=pink-noise ! m.sink_1",
  "filesrc name=s location=in.mp4 width=640 ! videoflip method=clockwise ! nullsink\n" +
  "s.audio ! nullsink\ns.info ! log",
  "datasrc count=4 name=src ! ratelimit rate=15Hz ! queue capacity=2 leaky=downstream ! " +
  "tee name=t ! collect name=out  t. ! identity ! nullsink  src. ! log every=2 prefix=x",
  "videotestsrc ! videocrop left=8 right=8 ! videobalance contrast=1.2 hue=0.1 ! " +
  "motion step=2 sensitivity=0.05 region=[0,0,16,16] name=m ! nullsink  m.motion ! log",
];

/** A pipeline text from the catalogue's types: real ports and parameters, some values odd. */
export function _randomPipeline(random: _Random, types: readonly _TypeInfo[]): string {
  const chains: string[] = [];
  const named: _TypeInfo[] = [];
  const names: string[] = [];
  for (let c = random.small(3); c > 0; c--) {
    const parts: string[] = [];
    if (names.length && random.chance(0.3)) {
      const i = random.int(names.length);
      const port = random.chance(0.5) ? random.pick(["", ...named[i]!.outputs]) : "";
      parts.push(`${names[i]}.${port}`);
    }
    for (let n = random.small(5); n > 0; n--) {
      if (names.length && random.chance(0.15)) {
        const i = random.int(names.length);
        const port = random.chance(0.6) ? _port(random, named[i]!.inputs) : "";
        parts.push(`${names[i]}.${port}`);
        continue;
      }
      const info = random.pick(types);
      const words = [info.type];
      if (random.chance(0.4)) {
        const name = `n${names.length}`;
        names.push(name);
        named.push(info);
        words.push(`name=${name}`);
      }
      if (random.chance(0.1)) words.push(`dispatch=${random.pick(["main", "worker"])}`);
      parts.push([...words, ..._settings(random, info)].join(" "));
    }
    chains.push(parts.join(" ! "));
  }
  return chains.join(random.chance(0.5) ? "\n" : "  ");
}

/**
 * A pipeline-language case, from `random` (made from the seed and the case's number): mutated
 * texts, texts at the extremes, catalogue pipelines as they are, and JSON forms (some mutated,
 * some random, a few with a JavaScript-only value put in).
 */
export function _pipelineInput(random: _Random, types: readonly _TypeInfo[]): _Input {
  const roll = random.float();
  if (roll < 0.45) return { target: "pipeline", form: "text", text: _mutated(random, types) };
  if (roll < 0.55) return { target: "pipeline", form: "text", text: _extreme(random, types) };
  if (roll < 0.65) {
    return { target: "pipeline", form: "text", text: _randomPipeline(random, types) };
  }
  const spec = _specOf(random, types);
  const value: _Json = random.chance(0.15)
    ? _randomJson(random)
    : random.chance(0.7)
    ? _mutateJson(random, spec)
    : spec;
  return {
    target: "pipeline",
    form: "json",
    text: _jsonText(value),
    ...(random.chance(0.1) ? { twist: { kind: random.pick(_TWISTS), at: random.int(8) } } : {}),
  };
}

/** Some of an actor's parameters and port parameters, as `key=value` words. */
function _settings(random: _Random, info: _TypeInfo): string[] {
  const words: string[] = [];
  for (const [key, schema] of Object.entries(info.params)) {
    if (random.chance(0.3)) words.push(`${key}=${_value(random, schema)}`);
  }
  for (const [template, params] of Object.entries(info.pads)) {
    if (!random.chance(0.3)) continue;
    const pad = template.replace("%u", String(random.int(3)));
    for (const [key, schema] of Object.entries(params)) {
      if (random.chance(0.4)) words.push(`${pad}::${key}=${_value(random, schema)}`);
    }
  }
  return words;
}

/** Chains that link, by kind: a source, filters, and the mixer that takes a second source. */
const _CHAINS = {
  video: {
    sources: ["videotestsrc"],
    filters: [
      "blur",
      "videobalance",
      "videoconvert",
      "videocrop",
      "videoflip",
      "videoscale",
      "motion",
      "queue",
      "tee",
      "identity",
    ],
    mixer: ["compositor", "layer_1"],
  },
  audio: {
    sources: ["audiotestsrc"],
    filters: ["audioresample", "audiopanorama", "channelmix", "level", "volume", "queue", "tee"],
    mixer: ["audiomixer", "sink_1"],
  },
  data: {
    sources: ["datasrc"],
    filters: ["identity", "queue", "ratelimit", "tee"],
    mixer: undefined,
  },
} as const;

/**
 * A pipeline that builds more often than a random one: a source, filters of its kind, maybe a
 * mixer with a second source, a sink; parameters as {@linkcode _randomPipeline} sets them. The
 * catalogue target runs such pipelines for a moment.
 */
function _linkedPipeline(random: _Random, types: readonly _TypeInfo[]): string {
  const chain = _CHAINS[random.pick(["video", "audio", "data"] as const)];
  const info = (type: string): _TypeInfo => types.find((t) => t.type === type)!;
  const actor = (type: string): string => [type, ..._settings(random, info(type))].join(" ");
  const parts = [actor(random.pick(chain.sources))];
  const lines: string[] = [];
  for (let n = random.int(4); n > 0; n--) {
    if (chain.mixer !== undefined && random.chance(0.2) && lines.length === 0) {
      parts.push(`${actor(chain.mixer[0])} name=mix`);
      lines.push(`${actor(random.pick(chain.sources))} ! mix.${chain.mixer[1]}`);
    } else parts.push(actor(random.pick(chain.filters)));
  }
  parts.push(random.pick(["nullsink", "collect limit=3", "collect"]));
  return [parts.join(" ! "), ...lines].join("\n");
}

/** The catalogue target's input: pipelines of real types, mutated or not, text or JSON. */
export function _catalogueInput(random: _Random, types: readonly _TypeInfo[]): _Input {
  if (random.chance(0.3)) {
    const text = _linkedPipeline(random, types);
    return {
      target: "catalogue",
      form: "text",
      text: random.chance(0.8) ? text : _mutateText(random, text),
    };
  }
  const roll = random.float();
  if (roll < 0.15) {
    const spec = _specOf(random, types);
    return {
      target: "catalogue",
      form: "json",
      text: _jsonText(random.chance(0.5) ? _mutateJson(random, spec, random.small(2)) : spec),
    };
  }
  const text = _randomPipeline(random, types);
  return {
    target: "catalogue",
    form: "text",
    text: roll < 0.4 ? text : _mutateText(random, text, random.pick(_CORPUS)),
  };
}

/** A corpus text or a catalogue pipeline, mutated. */
function _mutated(random: _Random, types: readonly _TypeInfo[]): string {
  const seed = random.chance(0.5) ? random.pick(_CORPUS) : _randomPipeline(random, types);
  return _mutateText(random, seed, random.pick(_CORPUS));
}

/** Inputs at the limits: deep JSON values, long chains and names, huge numbers, many lines. */
function _extreme(random: _Random, types: readonly _TypeInfo[]): string {
  const n = random.pick([10, 1_000, 10_000, 100_000]);
  const type = random.pick(types).type;
  switch (random.int(10)) {
    case 0:
      return `${type} x=${"[".repeat(n)}${"]".repeat(n)}`;
    case 1:
      return `${type} x=${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    case 2:
      return Array.from({ length: Math.min(n, 20_000) }, () => type).join(" ! ");
    case 3:
      return `${type} name=${"a".repeat(n)} ! ${"b".repeat(n)}`;
    case 4:
      return `${type} x=${"9".repeat(Math.min(n, 5_000))} y=1e${"9".repeat(random.small(6))} z=-${
        "0".repeat(n)
      }.5`;
    case 5:
      return `${type}${" x=1".repeat(Math.min(n, 20_000))}`;
    case 6:
      return Array.from({ length: Math.min(n, 20_000) }, (_, i) => `${type} name=a${i}`).join("\n");
    case 7:
      return `${type} x="${"\\n".repeat(n)}" ${"#".repeat(n)}\n${"\n".repeat(n)}!`;
    case 8:
      return `${type} ${"p::".repeat(Math.min(n, 10_000))}x=1 ${"a.".repeat(n)}b ! c`;
    default:
      return `${type} x=${_randomString(random, 40)} ! ${"😀".repeat(Math.min(n, 10_000))}.${
        "\ud800".repeat(3)
      }`;
  }
}

/** A pipeline's JSON form from the catalogue's types. */
function _specOf(random: _Random, types: readonly _TypeInfo[]): _Json {
  const actors: _Json[] = [];
  const count = random.small(5);
  for (let i = 0; i < count; i++) {
    const info = random.pick(types);
    const params: Record<string, _Json> = {};
    for (const [key, schema] of Object.entries(info.params)) {
      if (random.chance(0.3)) params[key] = _jsonValue(random, schema);
    }
    actors.push({
      name: random.chance(0.8) ? `${info.type}${i}` : random.pick(["a.b", "x~1", "-", "1e3", "a"]),
      type: info.type,
      ...(Object.keys(params).length ? { params } : {}),
      ...(random.chance(0.1) ? { dispatch: random.pick(["main", "worker"]) } : {}),
    });
  }
  const names = actors.map((a) => (a as { name: string }).name);
  const links: _Json[] = [];
  for (let i = random.int(count + 1); i > 0; i--) {
    links.push({
      from: random.pick(names) + (random.chance(0.3) ? random.pick([".out", ".", ".audio"]) : ""),
      to: random.pick(names) + (random.chance(0.3) ? random.pick([".in", ".layer_1", "."]) : ""),
    });
  }
  return { actors, links };
}

/** A value for a parameter as text: fitting, at its bounds, past them, of another type. */
function _value(random: _Random, schema: Readonly<Record<string, unknown>>): string {
  const v = _jsonValue(random, schema);
  if (typeof v === "string") {
    return /^[^\s!"'=[{#][^\s!]*$/.test(v) && random.chance(0.7) ? v : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function _jsonValue(random: _Random, schema: Readonly<Record<string, unknown>>): _Json {
  if (random.chance(0.1)) return _randomJson(random, 1);
  const unit = typeof schema.unit === "string" ? schema.unit : undefined;
  switch (schema.type) {
    case "integer":
    case "number": {
      const bounds = [
        schema.minimum,
        schema.maximum,
        schema.exclusiveMinimum,
        schema.exclusiveMaximum,
      ]
        .filter((b): b is number => typeof b === "number");
      const base = random.chance(0.5) && bounds.length
        ? random.pick(bounds) + random.pick([-1, 0, 0, 1, 0.5])
        : random.pick([0, 1, 2, 30, 64, -1, 1e9, 0.25]);
      if (random.chance(0.25)) {
        return `${base}${
          random.pick(
            unit === "Hz" ? ["Hz", "kHz", "MHz", "s"] : ["s", "ms", "us", "min", "h", "Hz"],
          )
        }`;
      }
      return base;
    }
    case "string":
      if (Array.isArray(schema.enum) && random.chance(0.7)) {
        return random.pick(schema.enum as string[]);
      }
      return random.pick([
        "",
        "x",
        "a b",
        "/tmp/streamlib-fuzz/x.mp4",
        "#ff0000",
        "red",
        "%05d.png",
        "auto",
      ]);
    case "boolean":
      return random.chance(0.9) ? random.chance(0.5) : "yes";
    case "array":
      return random.pick<_Json>([[], [0, 0, 8, 8], [1, 2], ["a"], [-1, 0, 1e9, 5]]);
    case "object":
      return random.pick<_Json>([{}, { layer_0: { x: 1 } }, { sink_0: { gain: 0.5 } }, { a: 1 }, {
        layer_1: { bogus: 1 },
      }]);
    default:
      return null;
  }
}

/** A port of `names`, a request template made a port (`layer_%u` → `layer_2`). */
function _port(random: _Random, names: readonly string[]): string {
  if (names.length === 0) return random.pick(["in", "out"]);
  return random.pick(names).replace("%u", String(random.int(3)));
}
