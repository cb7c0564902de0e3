/**
 * "Did you mean": the known names closest to a word that is not one of them, by edit distance.
 * Internal to core (types in the catalogue, parameters of a contract).
 *
 * @module
 */

import { _gstreamerParamHint } from "./_gstreamer_names.ts";

/**
 * What follows an unknown parameter `key`'s name in its error, ` (…)` or nothing: GStreamer's
 * name's counterpart (`num-buffers` → use "frames"), else the closest names
 * (`did you mean "frequency"?`).
 */
export function _paramHint(key: string, valid: readonly string[]): string {
  const gstreamer = _gstreamerParamHint(key, valid);
  if (gstreamer !== undefined) return ` (${gstreamer})`;
  const close = _closest(key, valid);
  return close.length ? ` (did you mean ${close.map((n) => `"${n}"`).join(" or ")}?)` : "";
}

/**
 * The names in `known` at most a third of `word`'s length (at least 1) of edits from it. A name
 * whose length differs by more is not measured: the distance is at least that difference, so a
 * huge word costs nothing.
 */
export function _closest(word: string, known: readonly string[]): string[] {
  const most = Math.max(1, Math.floor(word.length / 3));
  return known.filter((k) =>
    Math.abs(k.length - word.length) <= most && _distance(k, word) <= most
  );
}

/** Edit distance counting a swap of neighbours as one edit (OSA). */
function _distance(a: string, b: string): number {
  const d: number[][] = Array.from(
    { length: a.length + 1 },
    (_, i) => [i, ...Array(b.length).fill(0)],
  );
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
