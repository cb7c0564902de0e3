/**
 * What the fuzz suite's runner does with each input, target by target, and how it tells a coded
 * error from a defect. A check returns when the product accepted the input, throws what the
 * product threw otherwise, and throws {@linkcode _Broken} when the product accepted it but broke
 * one of its own promises (text it formats does not parse back to the same pipeline, say).
 * Internal to the scripts.
 *
 * @module
 */

import {
  Catalogue,
  formatPipeline,
  isStreamlibError,
  parsePipeline,
  type PipelineSpec,
  resolveEndpoint,
  type SpecValue,
  validateManifest,
  validatePipelineSpec,
} from "@streamlib/core";
import { formatInspect, formatList, inspectJson, listJson, permissionFlags } from "@streamlib/cli";
import { _running } from "../packages/ffmpeg/_ffmpeg_running.ts";
import type { _Input, _Outcome, _Twist } from "./_fuzz_case.ts";

/** The product accepted an input but broke a promise of its own: a defect, like a crash. */
export class _Broken extends Error {
  override name = "Broken";
}

/** Where manifests under test say they come from: module paths resolve under it, to nothing. */
const _MANIFEST_URL = "file:///streamlib-fuzz/plugin/manifest.json";

/**
 * Runs one input against `catalogue` (every package's types). Resolves when it was accepted.
 *
 * @param input The case.
 * @param catalogue Core's, the packages' and the motion plugin's actor types.
 */
export async function _check(input: _Input, catalogue: Catalogue): Promise<void> {
  switch (input.target) {
    case "pipeline":
      return input.form === "text"
        ? _checkText(input.text)
        : _checkSpec(_twisted(JSON.parse(input.text), input.twist));
    case "catalogue":
      return await _checkBuild(
        input.form === "text" ? input.text : JSON.parse(input.text),
        catalogue,
      );
    case "manifest":
      return _checkManifest(_twisted(JSON.parse(input.text), input.twist));
    case "media":
      return await _checkMedia(input.pipeline, catalogue);
  }
}

/**
 * `coded` for a `StreamlibError` with an `SL_` code (an actor's failure counts as what it
 * wraps), `other` for anything else.
 */
export function _classify(error: unknown): { outcome: _Outcome; code?: string } {
  let e: unknown = error;
  while (isStreamlibError(e, "SL_ACTOR_FAILED") && e.cause !== undefined) e = e.cause;
  if (isStreamlibError(e) && /^SL_[A-Z0-9_]+$/.test(e.code)) {
    return { outcome: "coded", code: e.code };
  }
  return { outcome: "other" };
}

function _checkText(text: string): void {
  const { spec } = parsePipeline(text);
  _accepted("parsePipeline", spec);
  _roundTrip(spec);
}

function _checkSpec(value: unknown): void {
  const spec = validatePipelineSpec(value);
  _roundTrip(spec);
}

/**
 * The spec, written as text and read back, is the same graph; and writing it again is stable.
 */
function _roundTrip(spec: PipelineSpec): void {
  const text = formatPipeline(spec);
  // The empty pipeline is written as empty text, which the parser refuses (there is nothing to
  // run); the JSON form may still hold it.
  if (spec.actors.length === 0 && spec.links.length === 0) {
    if (text !== "") throw new _Broken(`formatPipeline() of the empty pipeline wrote:\n${text}`);
    return;
  }
  let back: PipelineSpec;
  try {
    back = parsePipeline(text).spec;
  } catch (error) {
    throw new _Broken(
      `formatPipeline() wrote text that parsePipeline() refuses:\n${text}\n${String(error)}`,
    );
  }
  const difference = _graphDifference(spec, back);
  if (difference !== undefined) {
    throw new _Broken(`formatPipeline() then parsePipeline() changed ${difference}:\n${text}`);
  }
  if (formatPipeline(back) !== text) {
    throw new _Broken(`formatPipeline() writes a pipeline it read back differently:\n${text}`);
  }
}

/** A spec that parsePipeline produced passes validatePipelineSpec. */
function _accepted(what: string, spec: PipelineSpec): void {
  try {
    validatePipelineSpec(spec);
  } catch (error) {
    throw new _Broken(`validatePipelineSpec() refuses what ${what}() returned: ${String(error)}`);
  }
}

/**
 * Types that are cheap and safe to run for a moment: they read no files, open no sockets, play
 * no sound, print nothing and import no code a parameter names.
 */
const _RUNNABLE = new Set([
  "audiomixer",
  "audiopanorama",
  "audioresample",
  "audiotestsrc",
  "blur",
  "channelmix",
  "collect",
  "compositor",
  "datasrc",
  "identity",
  "level",
  "motion",
  "nullsink",
  "queue",
  "ratelimit",
  "tee",
  "videobalance",
  "videoconvert",
  "videocrop",
  "videoflip",
  "videoscale",
  "videotestsrc",
  "volume",
]);

/** How long a built pipeline of runnable types runs before it is stopped, in ms. */
const _RUN_MS = 50;

/**
 * The range a run allows these parameters: frames up to 1080p, blurs of sigma up to 4, audio of
 * 8 to 192 kHz. Others are allowed, but cost time a moment's run has not got: a Gaussian blur
 * of sigma 30 takes 3 s a 720p frame, 1 Hz audio resampled to 48 kHz gives 48,000 samples for
 * each one in; slow, not stuck.
 */
const _CHEAP: Readonly<Record<string, readonly [number, number]>> = {
  width: [0, 1920],
  height: [0, 1080],
  sigma: [0, 4],
  sampleRate: [8_000, 192_000],
  rate: [8_000, 192_000],
  channels: [0, 8],
  samplesPerBuffer: [0, 65_536],
};

/** Whether every actor is of a runnable type, on the main thread, with cheap parameters. */
function _runnable(spec: PipelineSpec, catalogue: Catalogue): boolean {
  return spec.actors.every((a) => {
    if (!_RUNNABLE.has(a.type) || a.dispatch === "worker") return false;
    const values = [
      catalogue.params(a.type, a.params ?? {}),
      ...Object.values(catalogue.padParams(a.type, a.pads ?? {})),
    ];
    return values.every((v) =>
      Object.entries(v).every(([key, value]) =>
        !(key in _CHEAP) || typeof value !== "number" || value === 0 ||
        (value >= _CHEAP[key]![0] && value <= _CHEAP[key]![1])
      )
    );
  });
}

async function _checkBuild(input: string | PipelineSpec, catalogue: Catalogue): Promise<void> {
  const pipeline = await catalogue.build(input, { mode: "offline" });
  const spec = typeof input === "string" ? parsePipeline(input).spec : input;
  permissionFlags(catalogue.permissions(spec));
  pipeline.toJSON();
  pipeline.toDot();
  if (_runnable(spec, catalogue)) {
    // Runs until it ends or for a moment, then is aborted: either way it must settle.
    await pipeline.start();
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), _RUN_MS));
    if (!await Promise.race([pipeline.done.then(() => true), timeout])) {
      await pipeline.stop({ mode: "abort" });
    }
    await pipeline.done;
  }
}

function _checkManifest(value: unknown): void {
  validateManifest(value, _MANIFEST_URL);
  const catalogue = new Catalogue().add(value, _MANIFEST_URL);
  const entries = catalogue.list();
  formatList(entries);
  listJson(entries);
  for (const entry of entries) {
    formatInspect(entry);
    inspectJson(entry);
    catalogue.params(entry.type, {});
    catalogue.padParams(entry.type, {});
    permissionFlags(catalogue.permissions({
      actors: [{ name: "fuzzed", type: entry.type }],
      links: [],
    }));
    // Values for each parameter, its port's too, checked against the schemas under test.
    for (const [name] of Object.entries(entry.actor.params ?? {})) {
      for (const v of _VALUES) _coded(() => catalogue.params(entry.type, { [name]: v }));
    }
    for (const [template, port] of Object.entries(entry.actor.inputs ?? {})) {
      const pad = template.replace("%u", "1");
      for (const name of Object.keys(port.params ?? {})) {
        for (const v of _VALUES) {
          _coded(() => catalogue.padParams(entry.type, { [pad]: { [name]: v } }));
        }
      }
    }
  }
  // Beside core's types: accepted, or refused for a type core has.
  Catalogue.withCore().add(value, _MANIFEST_URL);
}

/** Values to give a parameter under test: of each type, quantities, a regex's bad day. */
const _VALUES: readonly SpecValue[] = [
  0,
  -1,
  1e308,
  0.5,
  "",
  "10s",
  "48kHz",
  "1e400ms",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
  true,
  null,
  [],
  [1, "a"],
  {},
  { layer_1: { x: 1 } },
  '{"a":1}',
];

/** Runs `check`; a coded error is an answer, anything else is thrown on. */
function _coded(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (_classify(error).outcome !== "coded") throw error;
  }
}

async function _checkMedia(text: string, catalogue: Catalogue): Promise<void> {
  try {
    const pipeline = await catalogue.build(text, { mode: "offline" });
    await pipeline.run();
  } finally {
    await _noFfmpegLeft();
  }
}

/** Every ffmpeg a case started has exited once its pipeline settled (a moment's grace). */
async function _noFfmpegLeft(): Promise<void> {
  for (let i = 0; i < 20 && _running.size > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (_running.size > 0) {
    throw new _Broken(
      `ffmpeg is still running after its pipeline settled (pids ${[..._running].join(", ")})`,
    );
  }
}

/**
 * Where two specs differ as graphs (actors by name with their type, parameters, port
 * parameters and dispatch; links as a multiset), or `undefined`.
 */
function _graphDifference(a: PipelineSpec, b: PipelineSpec): string | undefined {
  const actors = (s: PipelineSpec): Map<string, string> =>
    new Map(s.actors.map((x) => [
      x.name,
      _canonical([x.type, x.params ?? {}, x.pads ?? {}, x.dispatch ?? "main"]),
    ]));
  const [left, right] = [actors(a), actors(b)];
  if (left.size !== right.size) return `the actor count (${left.size} → ${right.size})`;
  for (const [name, value] of left) {
    if (right.get(name) !== value) {
      return `actor ${JSON.stringify(name)}: ${value} → ${right.get(name) ?? "missing"}`;
    }
  }
  // An endpoint as the pipeline resolves it: "a." and "a" are both the actor a.
  const links = (s: PipelineSpec): string => {
    const names = new Set(s.actors.map((x) => x.name));
    const end = (ref: string): string => {
      const [name, port] = resolveEndpoint(ref, (n) => names.has(n));
      return port === undefined ? JSON.stringify(name) : JSON.stringify([name, port]);
    };
    return s.links.map((l) => `${end(l.from)} > ${end(l.to)}`).sort().join(", ");
  };
  if (links(a) !== links(b)) return `the links: ${links(a)} → ${links(b)}`;
  return undefined;
}

/**
 * JSON with sorted keys. `-0` reads as `0`, as JSON writes it: the text form keeps no sign on
 * zero, and the project's property tests leave it out too.
 */
function _canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x < y ? -1 : x > y ? 1 : 0))
        : v,
  );
}

/** `value` with a JavaScript-only value put in at its `at`-th object or array (depth first). */
function _twisted(value: unknown, twist?: { kind: _Twist; at: number }): unknown {
  if (twist === undefined) return value;
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const stack: unknown[] = [value];
  while (stack.length && containers.length <= twist.at) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    containers.push(v as Record<string, unknown>);
    stack.push(...Object.values(v));
  }
  const target = containers[twist.at % Math.max(1, containers.length)];
  if (target === undefined) return _odd(twist.kind, value);
  const keys = Object.keys(target);
  const key = Array.isArray(target)
    ? String(twist.at % (target.length + 1))
    : keys.length
    ? keys[twist.at % keys.length]!
    : "twist";
  if (twist.kind === "sparse" && Array.isArray(target)) {
    target.length += 3;
    return value;
  }
  (target as Record<string, unknown>)[key] = _odd(twist.kind, target);
  return value;
}

/** A value JSON cannot hold; a cycle points back at `parent`. */
function _odd(kind: _Twist, parent: unknown): unknown {
  switch (kind) {
    case "cycle":
      return parent;
    case "bigint":
      return 12345678901234567890n;
    case "undefined":
      return undefined;
    case "symbol":
      return Symbol("fuzz");
    case "function":
      return () => "fuzz";
    case "nan":
      return NaN;
    case "infinity":
      return -Infinity;
    case "sparse":
      return [1, , 3];
    case "null-prototype":
      return Object.assign(Object.create(null), { type: "datasrc", name: "x" });
    case "date":
      return new Date(0);
    case "map":
      return new Map([["a", 1]]);
    case "typed-array":
      return new Uint8Array(3);
  }
}
