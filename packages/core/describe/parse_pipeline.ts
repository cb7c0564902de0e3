import { StreamlibError } from "../errors.ts";
import { pointAt, type SourceSpan } from "./point_at.ts";
import { _fileNameHint } from "./_file_name_hint.ts";
import type { ActorSpec, LinkSpec, PipelineSpec, SpecValue } from "./pipeline_spec.ts";
import { _NUMBER } from "./_number.ts";
import { _MAX_DEPTH } from "./_json_value.ts";
import { ACTOR_NAME, ACTOR_NAME_RULE, resolveEndpoint } from "../graph/names.ts";
import { isRemoteAddress, parseRemoteEndpoint } from "../runtime/remote.ts";

/**
 * What {@linkcode parsePipeline} returns: the JSON form, and where each part came from, so
 * that later validation errors can point at the text too. Span keys are paths into the spec:
 * `actors[0]` (the type), `actors[0].name`, `actors[0].params.fps`, `actors[0].pads.layer_1`
 * (its first parameter's name), `actors[0].pads.layer_1.x`, `links[1]` (the `!`),
 * `links[1].from`, `links[1].to`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePipeline } from "@streamlib/core";
 * const { spec, spans } = parsePipeline("datasrc count=3 ! log");
 * assert.ok(spec.actors.length === 2);
 * assert.ok(spans.get("actors[0].params.count")?.column === 9);
 * ```
 */
export interface ParsedPipeline {
  /** The JSON form. */
  readonly spec: PipelineSpec;
  /** Where each actor, parameter and link end stands in the text. */
  readonly spans: ReadonlyMap<string, SourceSpan>;
  /** The text that was parsed. */
  readonly text: string;
}

type _Token =
  | { kind: "word"; text: string; span: SourceSpan }
  | { kind: "prop"; key: string; value: SpecValue; span: SourceSpan; keySpan: SourceSpan }
  | { kind: "bang"; span: SourceSpan }
  | { kind: "end"; span: SourceSpan };

const TYPE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A gst-launch caps filter such as `video/x-raw,width=640` (a media type, then anything). */
const _CAPS_FILTER = /^(?:video|audio|image|text|application)\/[^\s!]*/;

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const PORT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A port's parameter: `layer_1::alpha`. */
const PAD_KEY = /^([A-Za-z_][A-Za-z0-9_-]*)::([A-Za-z_][A-Za-z0-9_-]*)$/;
/** Numbers with the units the catalogue converts: times, frequencies. */
export const QUANTITY: RegExp =
  /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:us|µs|ms|s|min|h|Hz|kHz|MHz)$/;

/**
 * Options of {@linkcode parsePipeline}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParseOptions } from "@streamlib/core";
 * const options: ParseOptions = { existing: ["mix", "src"] };
 * assert.ok([...options.existing!].includes("mix"));
 * ```
 */
export interface ParseOptions {
  /**
   * Names of actors that exist outside the text, in a running pipeline the text is a patch
   * for: references may name them (`videotestsrc ! mix.`), and automatic names skip them (a
   * second `videotestsrc` is `videotestsrc1` when `videotestsrc0` runs).
   */
  readonly existing?: Iterable<string>;
}

/**
 * Parses pipeline text — the gst-launch syntax media engineers and agents know — into its JSON
 * form.
 *
 * ```text
 * # comments run to the end of the line
 * videotestsrc pattern=smpte fps=30 ! compositor name=c ! filesink location="my video.mp4"
 * draw module=overlay.js duration=10 ! c.layer_1    # a reference: actor c, input layer_1
 * c. ! display                                      # a branch: another chain from c
 * ```
 *
 * - An actor is a type followed by `key=value` parameters; `name=` names it (else it is
 *   `<type><n>`, counting unnamed actors of that type from 0). `dispatch=worker` runs it in a
 *   Worker thread of its own (`dispatch=main`, the default, on the main thread).
 *   `port::key=value` sets a parameter of one of its request ports, as in gst-launch
 *   (`compositor layer_1::opacity=0.5 layer_1::x=10`; the JSON form's `pads`).
 * - `!` links the actor on its left to the one on its right; with no ports given, the single
 *   compatible pair is used when the pipeline is built. `name.port` refers to a port of a named
 *   actor, `name.` to the actor (any port); references may come before the actor is defined.
 * - A reference alone, linking nothing, must still name an actor (`datasrc ! log  nosuch.port` is
 *   refused; a lone word that reads as a file name, `in.mp4`, is refused with what to write
 *   instead), and text with no actor nor link at all is refused: there is nothing to run.
 * - A reference in the middle of a chain (`a ! c.layer_1 ! b`) takes the incoming link on that
 *   input and sends the outgoing one from any output of `c`.
 * - `actor://node/name.port` (or `actor://node/type/name.port`) is a port of an actor on
 *   another node, at the start or the end of a chain: `cam ! actor://edge/mix.layer_1` sends
 *   there, `actor://edge/cam.out ! mix.` receives from there (see `RemoteLinkResolver`).
 * - Values: `"quoted"` or `'quoted'` strings (with `\` escapes), numbers, `true`/`false`,
 *   `null`, quantities with a unit (`10s`, `500ms`, `48kHz`, kept as text for the catalogue to
 *   convert), JSON arrays and objects (`rect=[0,0,640,480]`), anything else a bare string.
 *   `Catalogue.parse` then gives a bare `null`, `true`, `false` or number to a parameter of
 *   type string as the word written (`audiosink device=null`).
 *
 * Errors are `SL_PIPELINE_SYNTAX`, pointing at the line and column with a caret and saying
 * what was expected there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePipeline } from "@streamlib/core";
 * const { spec } = parsePipeline("datasrc count=3 name=src ! log  src. ! nullsink");
 * assert.ok(spec.actors.map((a) => a.name).join() === "src,log0,nullsink0");
 * assert.ok(spec.links.map((l) => `${l.from}>${l.to}`).join() === "src>log0,src>nullsink0");
 * ```
 *
 * @param text The pipeline text.
 * @param options Actors that exist outside the text (for a patch to a running pipeline).
 * @returns The JSON form and where each part stands in the text.
 */
export function parsePipeline(text: string, options: ParseOptions = {}): ParsedPipeline {
  return new _Parser(text, new Set(options.existing ?? [])).parse();
}

interface _Node {
  /** The actor's index when this node defines it. */
  actor?: number;
  /** The reference text when this node refers to an actor. */
  ref?: string;
  /** Use the referenced actor, not the port the reference names. */
  whole?: boolean;
  /** The reference is a port on another node (`actor://edge/mix.layer_1`). */
  remote?: boolean;
  span: SourceSpan;
}

/** An actor as the parser collects it. */
interface _ParsedActor {
  type: string;
  name?: string;
  params: Record<string, SpecValue>;
  pads: Record<string, Record<string, SpecValue>>;
  dispatch?: "main" | "worker";
}

class _Parser {
  readonly #text: string;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #token!: _Token;
  readonly #actors: _ParsedActor[] = [];
  readonly #links: Array<{ from: _Node; to: _Node; incoming: boolean; bang: SourceSpan }> = [];
  readonly #spans = new Map<string, SourceSpan>();
  /** References that stand alone, linking nothing: checked like any other. */
  readonly #lone: _Node[] = [];
  /** Actors outside the text that references may name. */
  readonly #existing: ReadonlySet<string>;

  constructor(text: string, existing: ReadonlySet<string>) {
    this.#text = text;
    this.#existing = existing;
  }

  parse(): ParsedPipeline {
    this.#next();
    const first: _Token = this.#token; // a copy: the loop below must not see it narrowed
    if (first.kind === "end") {
      this.#fail(
        first.span,
        "The pipeline text is empty (empty pipelines are not allowed)",
        'an actor type, as in "videotestsrc ! display"',
      );
    }
    while (this.#token.kind !== "end") this.#chain();
    return { spec: this.#finish(), spans: this.#spans, text: this.#text };
  }

  // ---- Grammar ----------------------------------------------------------------------------

  #chain(): void {
    let left = this.#node(
      "an actor type (like videotestsrc or datasrc) or a reference (like name.port)",
    );
    let leftIsTarget = false;
    if (left.ref !== undefined && this.#token.kind !== "bang") this.#lone.push(left);
    while (this.#token.kind === "bang") {
      const bang = this.#token.span;
      this.#next();
      if (leftIsTarget && left.remote) {
        this.#fail(
          left.span,
          "A port on another node ends a chain; it cannot pass messages on",
          "a new chain from a local actor",
        );
      }
      const right = this.#node('an actor type or a reference like "name.port" after "!"');
      if (left.remote && right.remote) {
        this.#fail(right.span, "Both ends of this link are on other nodes", "a local actor");
      }
      // A reference in the middle of a chain: its port took the incoming link; the outgoing one
      // leaves from the actor.
      const from = leftIsTarget && left.ref !== undefined ? { ...left, whole: true } : left;
      this.#links.push({ from, to: right, incoming: true, bang });
      left = right;
      leftIsTarget = true;
    }
  }

  #node(expected: string): _Node {
    const token = this.#token;
    if (token.kind === "word") {
      this.#next();
      if (token.text.startsWith("actor://")) {
        try {
          parseRemoteEndpoint(token.text);
        } catch (error) {
          this.#fail(token.span, (error as Error).message.split(";")[0]!, "actor://node/name.port");
        }
        if (!isRemoteAddress(token.text)) {
          this.#fail(token.span, "actor://local/… is this pipeline", "name.port");
        }
        if (this.#token.kind === "prop") {
          this.#fail(this.#token.span, "A remote port takes no parameters", '"!" or a new chain');
        }
        return { ref: token.text, remote: true, span: token.span };
      }
      if (token.text.includes(".")) {
        if (this.#token.kind === "prop") {
          this.#fail(
            this.#token.span,
            `A reference ("${token.text}") takes no parameters`,
            '"!" or a new chain',
          );
        }
        return { ref: token.text, span: token.span };
      }
      if (!TYPE.test(token.text)) {
        this.#fail(
          token.span,
          `"${token.text}" is not an actor type`,
          "a type of letters, digits, _ and -, starting with a letter",
        );
      }
      const index = this.#actors.length;
      const actor: _ParsedActor = {
        type: token.text,
        params: {},
        pads: {},
      };
      this.#actors.push(actor);
      this.#spans.set(`actors[${index}]`, token.span);
      while (this.#token.kind === "prop") {
        const prop = this.#token;
        if (prop.key === "name") {
          if (actor.name !== undefined) {
            this.#fail(prop.keySpan, "name= is given twice", "one name");
          }
          if (typeof prop.value !== "string" || !ACTOR_NAME.test(prop.value)) {
            this.#fail(
              prop.span,
              `Invalid actor name ${JSON.stringify(prop.value)}`,
              `a name of ${ACTOR_NAME_RULE}`,
            );
          }
          actor.name = prop.value as string;
          this.#spans.set(`actors[${index}].name`, prop.span);
        } else if (prop.key === "dispatch") {
          if (actor.dispatch !== undefined) {
            this.#fail(prop.keySpan, "dispatch= is given twice", "one dispatch");
          }
          if (prop.value !== "main" && prop.value !== "worker") {
            this.#fail(
              prop.span,
              `Invalid dispatch ${JSON.stringify(prop.value)}`,
              "dispatch=main or dispatch=worker",
            );
          }
          actor.dispatch = prop.value as "main" | "worker";
          this.#spans.set(`actors[${index}].dispatch`, prop.span);
        } else if (PAD_KEY.test(prop.key)) {
          const [, pad, key] = PAD_KEY.exec(prop.key) as unknown as [string, string, string];
          const values = actor.pads[pad] ??= {};
          if (Object.hasOwn(values, key)) {
            this.#fail(
              prop.keySpan,
              `Parameter "${prop.key}" is given twice`,
              "each parameter once",
            );
          }
          values[key] = prop.value;
          this.#spans.set(`actors[${index}].pads.${pad}.${key}`, prop.span);
          if (!this.#spans.has(`actors[${index}].pads.${pad}`)) {
            this.#spans.set(`actors[${index}].pads.${pad}`, prop.keySpan);
          }
        } else {
          if (Object.hasOwn(actor.params, prop.key)) {
            this.#fail(
              prop.keySpan,
              `Parameter "${prop.key}" is given twice`,
              "each parameter once",
            );
          }
          actor.params[prop.key] = prop.value;
          this.#spans.set(`actors[${index}].params.${prop.key}`, prop.span);
        }
        this.#next();
      }
      return { actor: index, span: token.span };
    }
    if (token.kind === "prop") {
      this.#fail(
        token.keySpan,
        `Parameter "${token.key}=" has no actor before it`,
        "an actor type before its parameters",
      );
    }
    if (token.kind === "bang") this.#fail(token.span, '"!" has nothing on its left', expected);
    return this.#fail(token.span, "The pipeline ends here", expected);
  }

  /** Names the unnamed actors and turns node links into the JSON form. */
  #finish(): PipelineSpec {
    const explicit = new Map<string, number>();
    this.#actors.forEach((a, i) => {
      if (a.name === undefined) return;
      if (explicit.has(a.name)) {
        this.#fail(
          this.#spans.get(`actors[${i}].name`)!,
          `Two actors are named "${a.name}"`,
          "unique names",
        );
      }
      explicit.set(a.name, i);
    });
    const counters = new Map<string, number>();
    const names = this.#actors.map((a, i) => {
      if (a.name !== undefined) return a.name;
      let n = counters.get(a.type) ?? 0;
      while (this.#existing.has(`${a.type}${n}`)) n++;
      counters.set(a.type, n + 1);
      const auto = `${a.type}${n}`;
      if (explicit.has(auto)) {
        this.#fail(
          this.#spans.get(`actors[${i}]`)!,
          `This actor would be named "${auto}", which another actor has`,
          `name= for one of them`,
        );
      }
      return auto;
    });
    const known = new Set([...this.#existing, ...names]);
    const endpoint = (node: _Node, key: string): string => {
      if (node.actor !== undefined) return names[node.actor]!;
      if (node.remote) {
        this.#spans.set(key, node.span);
        return node.ref!;
      }
      const [name, named] = resolveEndpoint(node.ref!, (n) => known.has(n));
      const port = node.whole ? undefined : named;
      if (!known.has(name)) {
        this.#fail(
          node.span,
          `No actor is named "${name}"`,
          `a name given with name=${
            this.#existing.size ? ", a running actor's" : ""
          } or an automatic one (${[...known].join(", ")})`,
        );
      }
      if (named !== undefined && !PORT.test(named)) {
        this.#fail(
          node.span,
          `${JSON.stringify(named)} is not a port name`,
          "a port name of letters, digits, _ and -",
        );
      }
      this.#spans.set(key, node.span);
      // Keep a trailing dot only where a dotted name would otherwise read as name.port.
      return port !== undefined
        ? `${name}.${port}`
        : name.includes(".") && !known.has(name)
        ? `${name}.`
        : name;
    };
    for (const node of this.#lone) this.#loneReference(node, known);
    const links: LinkSpec[] = this.#links.map((link, j) => {
      this.#spans.set(`links[${j}]`, link.bang);
      this.#spans.set(`links[${j}].from`, link.from.span);
      this.#spans.set(`links[${j}].to`, link.to.span);
      return {
        from: endpoint(link.from, `links[${j}].from`),
        to: endpoint(link.to, `links[${j}].to`),
      };
    });
    const actors: ActorSpec[] = this.#actors.map((a, i) => ({
      name: names[i]!,
      type: a.type,
      ...(Object.keys(a.params).length === 0 ? {} : { params: a.params }),
      ...(Object.keys(a.pads).length === 0 ? {} : { pads: a.pads }),
      ...(a.dispatch === undefined ? {} : { dispatch: a.dispatch }),
    }));
    return { actors, links };
  }

  /**
   * A reference with no "!" on either side links nothing: one to a known actor is harmless, but
   * any other is refused, with a hint where it reads as a file name (`streamlib run in.mp4`).
   */
  #loneReference(node: _Node, known: ReadonlySet<string>): void {
    const text = node.ref!;
    if (node.remote) {
      this.#fail(
        node.span,
        `The port on another node "${text}" is linked to nothing`,
        `"${text} ! actor" or "actor ! ${text}"`,
      );
    }
    const [name] = resolveEndpoint(text, (n) => known.has(n));
    if (known.has(name)) return;
    const file = _fileNameHint(text);
    if (file !== undefined) this.#fail(node.span, file.what, file.expected);
    const names = known.size === 0 ? "" : ` or an automatic one (${[...known].join(", ")})`;
    this.#fail(
      node.span,
      `No actor is named "${name}", and this reference links nothing`,
      `a reference in a link ("${text} ! log") to a name given with name=${
        this.#existing.size ? ", a running actor's" : ""
      }${names}`,
    );
  }

  // ---- Tokens -----------------------------------------------------------------------------

  #next(): void {
    this.#skipSpace();
    const start = this.#pos;
    const text = this.#text;
    if (start >= text.length) {
      this.#token = { kind: "end", span: this.#span(start, 1) };
      return;
    }
    if (text[start] === "!") {
      this.#pos++;
      this.#token = { kind: "bang", span: this.#span(start, 1) };
      return;
    }
    // gst-launch's caps filters (video/x-raw,width=640) have no counterpart: say what does.
    const caps = _CAPS_FILTER.exec(text.slice(start));
    if (caps !== null) {
      this.#fail(
        this.#span(start, caps[0].length),
        `"${caps[0]}" is a GStreamer caps filter, which streamlib pipelines do not have`,
        "parameters instead: the source's own (videotestsrc width=640 height=480 format=I420), " +
          "or an actor that changes the stream (videoscale width=640 height=480, " +
          "videoconvert format=I420, audioresample rate=48000)",
      );
    }
    // A word runs to whitespace or "!"; "key=" turns it into a parameter whose value may be
    // quoted or JSON and then contain anything.
    let i = start;
    while (i < text.length && !/\s|!|=/.test(text[i]!)) i++;
    if (text[i] !== "=") {
      this.#pos = i;
      this.#token = {
        kind: "word",
        text: text.slice(start, i),
        span: this.#span(start, i - start),
      };
      return;
    }
    const key = text.slice(start, i);
    const keySpan = this.#span(start, i - start);
    if (!KEY.test(key) && !PAD_KEY.test(key)) {
      this.#fail(
        keySpan,
        key === "" ? 'A "=" has no parameter name before it' : `"${key}" is not a parameter name`,
        "a name of letters, digits, _ and -, or port::name for a port's parameter",
      );
    }
    this.#pos = i + 1;
    const value = this.#value(key);
    this.#token = { kind: "prop", key, value, span: this.#span(start, this.#pos - start), keySpan };
  }

  #value(key: string): SpecValue {
    const text = this.#text;
    const start = this.#pos;
    const c = text[start];
    if (c === undefined || /\s|!/.test(c)) {
      this.#fail(
        this.#span(start, 1),
        `"${key}=" has no value`,
        'a value such as 30, smpte or "a quoted text"',
      );
    }
    let value: SpecValue;
    if (c === '"' || c === "'") {
      value = this.#quoted(c);
    } else if (c === "[" || c === "{") {
      const end = this.#balanced(start, key);
      const json = text.slice(start, end);
      try {
        value = JSON.parse(json, (_key, v) => {
          if (typeof v === "number" && !Number.isFinite(v)) {
            throw new RangeError(`the number in it is too large for a finite number`);
          }
          return v;
        }) as SpecValue;
      } catch (error) {
        this.#fail(
          this.#span(start, end - start),
          `The value of "${key}" is not valid JSON (${(error as Error).message})`,
          "a JSON array or object",
        );
      }
      this.#pos = end;
    } else {
      let i = start;
      while (i < text.length && !/\s|!/.test(text[i]!)) i++;
      const bare = text.slice(start, i);
      this.#pos = i;
      value = bare === "true"
        ? true
        : bare === "false"
        ? false
        : bare === "null"
        ? null
        : _NUMBER.test(bare)
        ? this.#finite(bare, start, key)
        : bare;
    }
    const after = text[this.#pos];
    if (after !== undefined && !/\s|!/.test(after)) {
      this.#fail(
        this.#span(this.#pos, 1),
        `Unexpected "${after}" after the value of "${key}"`,
        'a space or "!"',
      );
    }
    return value!;
  }

  /** A number that JSON and the text can carry: `1e999` is refused, not made `Infinity`. */
  #finite(bare: string, start: number, key: string): number {
    const value = Number(bare);
    if (!Number.isFinite(value)) {
      this.#fail(
        this.#span(start, bare.length),
        `The number ${bare} for "${key}" is too large`,
        `a finite number (at most ${Number.MAX_VALUE})`,
      );
    }
    return value;
  }

  #quoted(quote: string): string {
    const text = this.#text;
    const start = this.#pos;
    let out = "";
    let i = start + 1;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === "\n") {
        this.#fail(
          this.#span(start, i - start),
          "This quoted text is not closed",
          `a closing ${quote} on the same line`,
        );
      }
      if (c === quote) break;
      if (c === "\\") {
        const e = text[i + 1];
        const escapes: Record<string, string> = {
          n: "\n",
          t: "\t",
          "\\": "\\",
          '"': '"',
          "'": "'",
        };
        if (e === undefined || escapes[e] === undefined) {
          this.#fail(
            this.#span(i, 2),
            `Unknown escape "\\${e ?? ""}"`,
            "\\n, \\t, \\\\, \\\" or \\'",
          );
        }
        out += escapes[e!];
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.#pos = i + 1;
    return out;
  }

  /**
   * The end of a JSON array or object starting at `start` (strings may hold brackets); one that
   * nests deeper than `_MAX_DEPTH` is refused before `JSON.parse` recurses into it.
   */
  #balanced(start: number, key: string): number {
    const text = this.#text;
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "[" || c === "{") {
        if (++depth > _MAX_DEPTH + 1) {
          this.#fail(
            this.#span(start, 1),
            `The value of "${key}" nests deeper than ${_MAX_DEPTH}`,
            `a JSON array or object nested at most ${_MAX_DEPTH} deep`,
          );
        }
      } else if (c === "]" || c === "}") {
        if (--depth === 0) return i + 1;
      } else if (c === "\n") break;
    }
    return this.#fail(
      this.#span(start, 1),
      "This array or object is not closed",
      "a closing ] or } on the same line",
    );
  }

  #skipSpace(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#pos];
      if (c === "\n") {
        this.#pos++;
        this.#line++;
        this.#lineStart = this.#pos;
      } else if (c !== undefined && /\s/.test(c)) {
        this.#pos++;
      } else if (c === "#") {
        while (this.#pos < text.length && text[this.#pos] !== "\n") this.#pos++;
      } else return;
    }
  }

  /** A span on the current line (tokens never cross lines). */
  #span(offset: number, length: number): SourceSpan {
    return { offset, line: this.#line, column: offset - this.#lineStart + 1, length };
  }

  #fail(span: SourceSpan, what: string, expected: string): never {
    throw new StreamlibError(
      "SL_PIPELINE_SYNTAX",
      pointAt(this.#text, span, `${what}; expected ${expected}`),
      { details: { line: span.line, column: span.column, expected } },
    );
  }
}
