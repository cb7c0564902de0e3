/**
 * What a fuzz run sets up before its cases: its options from the command line, the packages'
 * manifests and the types they declare, and the ffmpeg binaries its media cases take turns
 * with. Internal to the scripts.
 *
 * @module
 */

import { type FfmpegLocation, findFfmpeg } from "@streamlib/ffmpeg";
import { _TARGETS } from "./_fuzz_case.ts";
import type { _Json } from "./_fuzz_json.ts";
import type { _TypeInfo } from "./_fuzz_pipelines.ts";

/** The options and their defaults. */
export const _DEFAULTS = {
  /** Cases of each target, unless a target's own option says otherwise. */
  count: 10_000,
  seed: 20261207,
  /** The number of each target's first case: `--first=N --count=1` runs case N alone. */
  first: 0,
  /** Runner processes for the pipeline, catalogue and manifest targets. */
  runners: Math.max(1, Math.min(4, navigator.hardwareConcurrency)),
  /** Runner processes for the media target, of each ffmpeg. */
  "media-runners": 4,
  /** The longest a case may take. */
  "limit-ms": 5_000,
  /**
   * The longest a media case may take: more than `filesrc` gives ffmpeg to describe a file
   * (30 s), so that the product has its say first. ffmpeg 4.1 spends 15 s of CPU on some broken
   * Ogg files before it gives up.
   */
  "media-limit-ms": 40_000,
};

/** The usage line, for a wrong argument. */
export const _USAGE = `fuzz [--count=N] [--seed=N] [--first=N] [--${
  _TARGETS.join("=N] [--")
}=N] [--runners=N] [--media-runners=N] [--limit-ms=N] [--media-limit-ms=N]`;

/** `--name=N` arguments over the defaults; the first argument that is no option, if any. */
export function _parseOptions(args: readonly string[]): Record<string, number> | string {
  const options: Record<string, number> = { ..._DEFAULTS };
  for (const arg of args) {
    const match = /^--([a-z-]+)=(\d+)$/.exec(arg);
    const name = match?.[1];
    if (
      name === undefined || !(name in _DEFAULTS || (_TARGETS as readonly string[]).includes(name))
    ) {
      return arg;
    }
    options[name] = Number(match![2]);
  }
  return options;
}

/** The manifest of each package and plugin under `root`, in an order that does not vary. */
export async function _manifests(root: string): Promise<_Json[]> {
  const manifests: _Json[] = [];
  for (const folder of ["packages", "plugins"]) {
    for await (const entry of Deno.readDir(`${root}/${folder}`)) {
      if (!entry.isDirectory) continue;
      try {
        const text = await Deno.readTextFile(`${root}/${folder}/${entry.name}/manifest.json`);
        manifests.push(JSON.parse(text));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  }
  return manifests.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
}

/** What the generators need of each actor type the manifests declare. */
export function _types(manifests: readonly _Json[]): _TypeInfo[] {
  return manifests.flatMap((m) =>
    (m as { actors: Array<Record<string, _Json>> }).actors.map((actor) => {
      const inputs = (actor.inputs ?? {}) as Record<string, Record<string, _Json>>;
      const pads = Object.entries(inputs)
        .filter(([, port]) => port.params !== undefined)
        .map(([name, port]) => [name, port.params]);
      return {
        type: actor.type as string,
        inputs: Object.keys(inputs),
        outputs: Object.keys(actor.outputs ?? {}),
        params: (actor.params ?? {}) as _TypeInfo["params"],
        pads: Object.fromEntries(pads) as _TypeInfo["pads"],
      };
    })
  );
}

/**
 * The ffmpeg binaries media cases use: the one `findFfmpeg()` finds (`STREAMLIB_FFMPEG`, `PATH`),
 * and the npm package's static build when that is another, so that both ways streamlib finds
 * ffmpeg are fuzzed, and the static build's quick start (a few ms, where Debian's, linked to 215
 * libraries, takes 60) keeps the run short.
 */
export async function _ffmpegs(): Promise<FfmpegLocation[]> {
  const found = await findFfmpeg();
  let npm: FfmpegLocation | undefined;
  try {
    npm = await findFfmpeg({ env: false, path: false });
  } catch {
    // No npm package for this platform, or no way to fetch it: the one found will do.
  }
  return npm === undefined || npm.path === found.path ? [found] : [found, npm];
}
