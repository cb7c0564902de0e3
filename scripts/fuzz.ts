/**
 * The reliability suite: feeds streamlib bad input at every door that takes it, and checks that
 * each is either accepted or refused with a `StreamlibError` carrying a stable `SL_` code —
 * never another exception, a crash, or a hang.
 *
 * - `pipeline`: `parsePipeline` and `formatPipeline` of mutated pipeline texts (bytes, tokens,
 *   deep JSON values, long chains, huge numbers, unicode), `validatePipelineSpec` of JSON forms
 *   and random JSON; what parses must format back to the same graph.
 * - `catalogue`: `Catalogue.build` of pipelines of real types, ports and parameters, mutated,
 *   against the catalogue of every package and the motion plugin, and the permissions they ask
 *   for; built, never run.
 * - `manifest`: `validateManifest`, `Catalogue.add`, `streamlib list` and `inspect` of every
 *   package's manifest mutated (structure, text, parameter schemas) and random JSON.
 * - `media`: small real files (MP4/H.264, WebM/VP9, MKV/FFV1, AVI/MJPEG, TS, Ogg, GIF, PNG, WAV,
 *   MP3, FLAC, M4A) with mutated bytes, read by `filesrc` in offline pipelines into `nullsink`;
 *   every ffmpeg must have exited when a pipeline settles, and none may be left at the end.
 *
 * Cases run in runner processes (`_fuzz_runner.ts`) that may write only in the run's temporary
 * folder. A case past its time limit is a hang; its runner is killed with its ffmpeg children
 * and replaced. A `StreamlibError` with an `SL_` code is a coded error (an `SL_ACTOR_FAILED`
 * counts as what it wraps); anything else thrown, an error escaping a case, a runner that dies,
 * or a broken promise of the product (text that does not read back) is an other exception.
 *
 * Each case comes from the seed, the target and its number alone, so a run is reproducible; the
 * input of each other exception or hang is printed and saved in a folder under the temporary
 * directory, whose path is printed. Per-target lines, then one summary line:
 * `fuzz: N inputs, N coded errors, N other exceptions, N hangs`. Exits 1 when the last two are
 * not 0.
 *
 * Run: `deno task fuzz [--count=10000] [--seed=20261207] [--pipeline=N] [--catalogue=N]
 * [--manifest=N] [--media=N] [--runners=2] [--media-runners=4] [--limit-ms=5000]
 * [--media-limit-ms=20000]`
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findFfmpeg } from "@streamlib/ffmpeg";
import { type _Input, type _Target, _TARGETS } from "./_fuzz_case.ts";
import type { _Json } from "./_fuzz_json.ts";
import { _makeFixtures, _mediaInput } from "./_fuzz_media.ts";
import { _manifestInput } from "./_fuzz_manifests.ts";
import { _catalogueInput, _pipelineInput, type _TypeInfo } from "./_fuzz_pipelines.ts";
import { _kill, _Pool, _processes, type _Result } from "./_fuzz_pool.ts";
import { _Random } from "./_fuzz_random.ts";
import { _saveFailure, _summary, _Tally } from "./_fuzz_report.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULTS = {
  count: 10_000,
  seed: 20261207,
  first: 0,
  runners: Math.max(1, Math.min(4, navigator.hardwareConcurrency)),
  "media-runners": 4,
  "limit-ms": 5_000,
  "media-limit-ms": 20_000,
};
const options: Record<string, number> = { ...DEFAULTS };
for (const arg of Deno.args) {
  const match = /^--([a-z-]+)=(\d+)$/.exec(arg);
  if (
    match === null ||
    !(match[1]! in DEFAULTS || (_TARGETS as readonly string[]).includes(match[1]!))
  ) {
    console.error(
      `fuzz: unknown argument ${arg}; usage: fuzz [--count=N] [--seed=N] [--first=N] ` +
        `[--${
          _TARGETS.join("=N] [--")
        }=N] [--runners=N] [--media-runners=N] [--limit-ms=N] [--media-limit-ms=N]`,
    );
    Deno.exit(2);
  }
  options[match[1]!] = Number(match[2]);
}
const seed = options.seed!;
const counts = Object.fromEntries(_TARGETS.map((t) => [t, options[t] ?? options.count!])) as Record<
  _Target,
  number
>;

const dir = await Deno.makeTempDir({ prefix: "streamlib-fuzz-" });
const failures = `${dir}/failures`;
await Deno.mkdir(`${dir}/media`);
await Deno.mkdir(`${dir}/fixtures`);
const ffmpeg = await findFfmpeg();
console.log(
  `fuzz: seed ${seed}; ${_TARGETS.map((t) => `${t} ${counts[t]}`).join(", ")}; ` +
    `${options.runners} runners (media ${options["media-runners"]}); ffmpeg ${ffmpeg.version} ` +
    `(${ffmpeg.source}); inputs that fail are saved in ${failures}`,
);

const manifests: _Json[] = [];
for (const folder of ["packages", "plugins"]) {
  for await (const entry of Deno.readDir(`${ROOT}/${folder}`)) {
    if (!entry.isDirectory) continue;
    try {
      manifests.push(
        JSON.parse(await Deno.readTextFile(`${ROOT}/${folder}/${entry.name}/manifest.json`)),
      );
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
manifests.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
const types = manifests.flatMap((m) =>
  (m as { actors: Array<Record<string, _Json>> }).actors.map(_typeInfo)
);
const fixtures = counts.media > 0 ? await _makeFixtures(ffmpeg.path, `${dir}/fixtures`) : [];

const tallies = new Map(_TARGETS.map((t) => [t, new _Tally()]));
/** Outcomes and inputs of recent cases, for errors that escape a case after it answered. */
const recent = new Map<
  number,
  { target: _Target; number: number; input: _Input; result: _Result }
>();
const pool = new _Pool({
  runners: Math.max(options.runners!, options["media-runners"]!),
  dir,
  root: ROOT,
  onLate: (id, error) => {
    const entry = recent.get(id);
    if (
      entry === undefined || entry.result.outcome === "other" || entry.result.outcome === "hang"
    ) return;
    tallies.get(entry.target)!.reclassify(entry.result.outcome);
    entry.result = { outcome: "other", error };
    void report(entry.target, entry.number, entry.input, entry.result);
  },
});

let id = 0;
let reporting = Promise.resolve();
/** Prints and saves the input of case `number` of `target`, a defect. */
function report(target: _Target, number: number, input: _Input, result: _Result): Promise<void> {
  reporting = reporting.then(async () => {
    const again = `deno task fuzz --seed=${seed} --first=${number} --count=0 --${target}=1`;
    for (const line of await _saveFailure(failures, target, number, input, result, again)) {
      console.log(line);
    }
  });
  return reporting;
}

for (const target of _TARGETS) {
  const tally = tallies.get(target)!;
  const media = target === "media";
  const parallel = media ? options["media-runners"]! : options.runners!;
  const limitMs = media ? options["media-limit-ms"]! : options["limit-ms"]!;
  const started = performance.now();
  const inflight = new Set<Promise<void>>();
  for (let i = options.first!; i < options.first! + counts[target]; i++) {
    const random = new _Random(seed, target, i);
    const caseId = id++;
    const input = target === "pipeline"
      ? _pipelineInput(random, types)
      : target === "catalogue"
      ? _catalogueInput(random, types)
      : target === "manifest"
      ? _manifestInput(random, manifests)
      : await _mediaInput(random, fixtures, `${dir}/media`, i);
    const done = pool.run(caseId, input, limitMs).then(async (result) => {
      tally.add(result);
      recent.set(caseId, { target, number: i, input, result });
      if (recent.size > 256) recent.delete(recent.keys().next().value!);
      if (result.outcome === "other" || result.outcome === "hang") {
        await report(target, i, input, result);
      }
      if (input.target === "media") await Deno.remove(input.file);
    });
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
    if (inflight.size >= parallel) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  tally.ms = performance.now() - started;
  await reporting;
  console.log(tally.line(target));
}
await pool.close();

// No ffmpeg may outlive the run: any process that names the run's folder is a leak.
const left = (await _processes()).filter((p) =>
  p.args.includes(dir) && !p.args.includes("_fuzz_runner.ts") && p.pid !== Deno.pid
);
for (const p of left) {
  console.log(`OTHER media: a process was left running: ${p.pid} ${p.args}`);
  _kill(p.pid);
}
tallies.get("media")!.other += left.length;

await reporting;
await Deno.remove(`${dir}/media`, { recursive: true });
await Deno.remove(`${dir}/fixtures`, { recursive: true });
const defects = [...tallies.values()].reduce((n, t) => n + t.other + t.hangs, 0);
if (defects === 0) await Deno.remove(dir, { recursive: true });
else console.log(`fuzz: the inputs of the ${defects} defects are in ${failures}`);
console.log(_summary(tallies.values()));
Deno.exit(defects === 0 ? 0 : 1);

/** What the generators need of a manifest's actor entry. */
function _typeInfo(actor: Record<string, _Json>): _TypeInfo {
  const inputs = (actor.inputs ?? {}) as Record<string, Record<string, _Json>>;
  const pads = Object.fromEntries(
    Object.entries(inputs).filter(([, port]) => port.params !== undefined).map((
      [name, port],
    ) => [name, port.params]),
  );
  return {
    type: actor.type as string,
    inputs: Object.keys(inputs),
    outputs: Object.keys(actor.outputs ?? {}),
    params: (actor.params ?? {}) as _TypeInfo["params"],
    pads: pads as _TypeInfo["pads"],
  };
}
