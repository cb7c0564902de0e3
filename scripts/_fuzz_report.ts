/**
 * How the fuzz suite counts and reports: per-target tallies, the saved copy of each input that
 * caused a defect, and the lines a run prints. Internal to the scripts.
 *
 * @module
 */

import type { _Input, _Target } from "./_fuzz_case.ts";
import type { _Result } from "./_fuzz_pool.ts";

/** One target's counts. */
export class _Tally {
  inputs = 0;
  accepted = 0;
  coded = 0;
  other = 0;
  hangs = 0;
  ms = 0;
  readonly codes = new Map<string, number>();

  add(result: _Result): void {
    this.inputs++;
    if (result.outcome === "ok") this.accepted++;
    else if (result.outcome === "coded") {
      this.coded++;
      this.codes.set(result.code!, (this.codes.get(result.code!) ?? 0) + 1);
    } else if (result.outcome === "other") this.other++;
    else this.hangs++;
  }

  /** A case counted as `from` turned out to be a defect (an error escaped it later). */
  reclassify(from: _Result): void {
    if (from.outcome === "ok") this.accepted--;
    else if (from.outcome === "coded") {
      this.coded--;
      this.codes.set(from.code!, this.codes.get(from.code!)! - 1);
    } else return;
    this.other++;
  }

  /** `target: N inputs, N accepted, N coded errors (SL_X N, …), N other exceptions, N hangs, T s`. */
  line(target: string): string {
    const codes = [...this.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`);
    return `${target}: ${this.inputs} inputs, ${this.accepted} accepted, ${this.coded} coded errors` +
      `${codes.length ? ` (${codes.join(", ")})` : ""}, ${this.other} other exceptions, ` +
      `${this.hangs} hangs, ${(this.ms / 1000).toFixed(1)} s`;
  }
}

/** The summary line: `fuzz: N inputs, N coded errors, N other exceptions, N hangs`. */
export function _summary(tallies: Iterable<_Tally>): string {
  let inputs = 0, coded = 0, other = 0, hangs = 0;
  for (const t of tallies) {
    inputs += t.inputs;
    coded += t.coded;
    other += t.other;
    hangs += t.hangs;
  }
  return `fuzz: ${inputs} inputs, ${coded} coded errors, ${other} other exceptions, ${hangs} hangs`;
}

/**
 * Saves the input of a defect, case `number` of `target`, under `dir` (the text as it was, a
 * media file's bytes with its pipeline beside it, and what happened) and returns the lines to
 * print: what was thrown, the input (whole when short), and `again`, the command that runs the
 * case alone.
 */
export async function _saveFailure(
  dir: string,
  target: _Target,
  number: number,
  input: _Input,
  result: _Result,
  again: string,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const base = `${dir}/${target}-${number}`;
  let preview: string;
  if (input.target === "media") {
    const saved = `${base}${input.file.slice(input.file.lastIndexOf("."))}`;
    await Deno.copyFile(input.file, saved);
    const pipeline = input.pipeline.replaceAll(input.file, saved);
    await Deno.writeTextFile(`${base}.pipeline.txt`, pipeline + "\n");
    const ffmpeg = input.ffmpeg ? ` with STREAMLIB_FFMPEG=${input.ffmpeg}` : "";
    preview = `${saved}, read by: ${pipeline.replaceAll("\n", "  ")}${ffmpeg}`;
  } else {
    const form = "form" in input ? input.form : "json";
    const saved = `${base}.${form === "text" ? "txt" : "json"}`;
    await Deno.writeTextFile(saved, input.text);
    const short = input.text.length <= 300;
    const twist = "twist" in input && input.twist
      ? ` with the JavaScript value ${JSON.stringify(input.twist)} put in`
      : "";
    preview = `${form} ${JSON.stringify(short ? input.text : input.text.slice(0, 300) + "…")} ` +
      `(${input.text.length} characters${short ? "" : `, all in ${saved}`})${twist}`;
  }
  await Deno.writeTextFile(`${base}.error.txt`, `${result.outcome}: ${result.error ?? ""}\n`);
  const what = (result.error ?? "").split("\n").slice(0, 6).join("\n    ");
  return [
    `${result.outcome === "hang" ? "HANG" : "OTHER"} ${target} #${number}: ${what}`,
    `  input: ${preview}`,
    `  again: ${again}`,
  ];
}
