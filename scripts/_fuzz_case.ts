/**
 * What the fuzz suite's driver sends its runner processes, one case a line of JSON, and what
 * comes back. Inputs travel as text (JSON values as their JSON text, so that deep nesting is
 * built by the runner's `JSON.parse`, not by a recursive `JSON.stringify` here). Internal to
 * the scripts.
 *
 * @module
 */

/** The four targets, in the order a run visits them. */
export const _TARGETS = ["pipeline", "catalogue", "manifest", "media"] as const;

/** One of {@linkcode _TARGETS}. */
export type _Target = typeof _TARGETS[number];

/**
 * Values JSON cannot carry that a JavaScript caller may still hand a validator: the runner
 * puts one into the parsed value, at the `at`-th object or array met depth first.
 */
export const _TWISTS = [
  "cycle",
  "bigint",
  "undefined",
  "symbol",
  "function",
  "nan",
  "infinity",
  "sparse",
  "null-prototype",
  "date",
  "map",
  "typed-array",
] as const;

/** One of {@linkcode _TWISTS}. */
export type _Twist = typeof _TWISTS[number];

/** A case's input. */
export type _Input =
  /** `parsePipeline` and `formatPipeline` of pipeline text. */
  | { readonly target: "pipeline"; readonly form: "text"; readonly text: string }
  /** `validatePipelineSpec` and `formatPipeline` of a JSON value, maybe twisted. */
  | {
    readonly target: "pipeline";
    readonly form: "json";
    readonly text: string;
    readonly twist?: { readonly kind: _Twist; readonly at: number };
  }
  /** `Catalogue.build` of pipeline text or its JSON form against every package's catalogue. */
  | { readonly target: "catalogue"; readonly form: "text" | "json"; readonly text: string }
  /** `validateManifest`, `Catalogue.add` and what lists and inspects types, of a JSON value. */
  | {
    readonly target: "manifest";
    readonly text: string;
    readonly twist?: { readonly kind: _Twist; readonly at: number };
  }
  /**
   * An offline pipeline (text) whose `filesrc` reads a mutated media file, with the ffmpeg at
   * `ffmpeg` (its runner's `STREAMLIB_FFMPEG`), or the one `findFfmpeg()` finds when `""`.
   */
  | {
    readonly target: "media";
    readonly file: string;
    readonly pipeline: string;
    readonly ffmpeg: string;
  };

/** A case as sent to a runner. */
export interface _Request {
  readonly id: number;
  readonly input: _Input;
}

/**
 * How a case ended: `ok` (accepted), `coded` (a `StreamlibError` with an `SL_` code), `other`
 * (anything else thrown, a broken invariant, a process crash).
 */
export type _Outcome = "ok" | "coded" | "other";

/** A runner's answer. */
export interface _Reply {
  readonly id: number;
  readonly outcome: _Outcome;
  /** The `SL_` code, for `coded`. */
  readonly code?: string;
  /** What was thrown (name, message and stack), for `other`. */
  readonly error?: string;
}

/** The lines of a stream of text, each without its newline (a long line costs linear time). */
export async function* _lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pieces: string[] = [];
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    let start = 0;
    for (let end = chunk.indexOf("\n"); end >= 0; end = chunk.indexOf("\n", start)) {
      pieces.push(chunk.slice(start, end));
      yield pieces.join("");
      pieces = [];
      start = end + 1;
    }
    if (start < chunk.length) pieces.push(chunk.slice(start));
  }
}
