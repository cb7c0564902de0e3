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
 *   for; those of cheap, harmless types (no files, sockets, sound) run for 50 ms and are aborted.
 * - `manifest`: `validateManifest`, `Catalogue.add`, `streamlib list` and `inspect` of every
 *   package's manifest mutated (structure, text, parameter schemas) and random JSON, and values
 *   checked against each parameter of the manifests accepted.
 * - `media`: small real files (MP4/H.264, WebM/VP9, MKV/FFV1, AVI/MJPEG, TS, Ogg, GIF, PNG, WAV,
 *   MP3, FLAC, M4A) with mutated bytes, read by `filesrc` in offline pipelines into `nullsink`;
 *   every ffmpeg must have exited when a pipeline settles, and none may be left at the end.
 *   One case in four uses the ffmpeg `findFfmpeg()` finds, the others the npm package's static
 *   build when that is another (it starts in a few ms, where Debian's takes 60).
 *
 * Cases run in runner processes (`_fuzz_runner.ts`) that may write only in the run's temporary
 * folder. A case past its time limit is a hang; its runner is killed with its ffmpeg children
 * and replaced. A `StreamlibError` with an `SL_` code is a coded error (an `SL_ACTOR_FAILED`
 * counts as what it wraps); anything else thrown, an error escaping a case, a runner that dies,
 * or a broken promise of the product (text that does not read back) is an other exception.
 *
 * Each case comes from the seed, the target and its number alone, so a run is reproducible; the
 * input of each other exception or hang is printed with the command that runs it alone, and
 * saved in a folder under the temporary directory, whose path is printed. Per-target lines,
 * then one summary line: `fuzz: N inputs, N coded errors, N other exceptions, N hangs`. Exits 1
 * when the last two are not 0.
 *
 * Run: `deno task fuzz [--count=10000] [--seed=20261207] [--first=0] [--pipeline=N]
 * [--catalogue=N] [--manifest=N] [--media=N] [--runners=2] [--media-runners=4]
 * [--limit-ms=5000] [--media-limit-ms=40000]`
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type _Input, type _Target, _TARGETS } from "./_fuzz_case.ts";
import { _makeFixtures, _mediaInput } from "./_fuzz_media.ts";
import { _manifestInput } from "./_fuzz_manifests.ts";
import { _catalogueInput, _pipelineInput } from "./_fuzz_pipelines.ts";
import { _kill, _Pool, _processes, type _Result } from "./_fuzz_pool.ts";
import { _Random } from "./_fuzz_random.ts";
import { _saveFailure, _summary, _Tally } from "./_fuzz_report.ts";
import { _ffmpegs, _manifests, _parseOptions, _types, _USAGE } from "./_fuzz_setup.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const options = _parseOptions(Deno.args);
if (typeof options === "string") {
  console.error(`fuzz: unknown argument ${options}; usage: ${_USAGE}`);
  Deno.exit(2);
}
const seed = options.seed!;
const counts = Object.fromEntries(
  _TARGETS.map((t) => [t, options[t] ?? options.count!]),
) as Record<_Target, number>;

const dir = await Deno.makeTempDir({ prefix: "streamlib-fuzz-" });
const failures = `${dir}/failures`;
await Deno.mkdir(`${dir}/media`);
await Deno.mkdir(`${dir}/fixtures`);
const ffmpegs = await _ffmpegs();
console.log(
  `fuzz: seed ${seed}; ${_TARGETS.map((t) => `${t} ${counts[t]}`).join(", ")}; ` +
    `${options.runners} runners (media ${options["media-runners"]} an ffmpeg); ffmpeg ` +
    ffmpegs.map((f) => `${f.version} (${f.source})`).join(" and ") +
    `; inputs that fail are saved in ${failures}`,
);
const manifests = await _manifests(ROOT);
const types = _types(manifests);
const fixtures = counts.media > 0 ? await _makeFixtures(ffmpegs[0]!.path, `${dir}/fixtures`) : [];

const tallies = new Map(_TARGETS.map((t) => [t, new _Tally()]));
/** Outcomes and inputs of recent cases, for errors that escape a case after it answered. */
const recent = new Map<
  number,
  { target: _Target; number: number; input: _Input; result: _Result }
>();
/**
 * Runner processes: the media target's by the ffmpeg they use (`""`: the one `findFfmpeg()`
 * finds), the other targets' apart.
 */
const pools = new Map<string, _Pool>();
function poolFor(target: _Target, ffmpeg: string, runners: number): _Pool {
  const key = target === "media" ? `media ${ffmpeg}` : "";
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new _Pool({
      runners,
      dir,
      root: ROOT,
      env: ffmpeg === "" ? {} : { STREAMLIB_FFMPEG: ffmpeg },
      onLate: (id, error) => {
        const entry = recent.get(id);
        if (entry === undefined || !(entry.result.outcome in { ok: 1, coded: 1 })) return;
        tallies.get(entry.target)!.reclassify(entry.result);
        entry.result = { outcome: "other", error };
        void report(entry.target, entry.number, entry.input, entry.result);
      },
    });
    pools.set(key, pool);
  }
  return pool;
}

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

let id = 0;
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
    // One media case in four uses findFfmpeg()'s own choice, the others the static build.
    const ffmpeg = media && ffmpegs.length > 1 && i % 4 !== 0 ? ffmpegs[1]!.path : "";
    const input = target === "pipeline"
      ? _pipelineInput(random, types)
      : target === "catalogue"
      ? _catalogueInput(random, types)
      : target === "manifest"
      ? _manifestInput(random, manifests)
      : await _mediaInput(random, fixtures, `${dir}/media`, i, ffmpeg);
    const pool = poolFor(target, ffmpeg, parallel);
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
await Promise.all([...pools.values()].map((pool) => pool.close()));

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
