/**
 * A parameter schema's `pattern`, matched in time linear in the value: the pattern is compiled
 * to an automaton that is run over the value's characters once (Thompson's construction run as
 * Pike's VM), so no pattern can backtrack for ever, as `/(a|a)*$/` does on
 * `"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"` with JavaScript's own engine. Each single-character atom
 * (a class, `.`, an escape) is still tested by JavaScript's engine, on one character at a time.
 * The syntax is JavaScript's in Unicode mode, less backreferences and lookaround, which no
 * automaton can run. Internal: nothing here is public API.
 *
 * @module
 */

/** The most instructions a pattern compiles to: `a{1000}{1000}` is refused, not expanded. */
const _MAX_PROGRAM = 20_000;

type _Op =
  | { readonly op: "char"; readonly test: (c: string) => boolean }
  | { readonly op: "split"; x: number; y: number }
  | { readonly op: "jmp"; x: number }
  | { readonly op: "assert"; readonly kind: "^" | "$" | "\\b" | "\\B" }
  | { readonly op: "match" };

type _Node =
  | { readonly t: "char"; readonly test: (c: string) => boolean }
  | { readonly t: "assert"; readonly kind: "^" | "$" | "\\b" | "\\B" }
  | { readonly t: "seq"; readonly items: readonly _Node[] }
  | { readonly t: "alt"; readonly options: readonly _Node[] }
  | { readonly t: "repeat"; readonly node: _Node; readonly min: number; readonly max: number };

/** A pattern that cannot be used, with why. */
class _Unusable extends Error {}

const _programs = new Map<string, readonly _Op[] | string>();

/**
 * Why `pattern` cannot be a parameter's pattern (not a regular expression in Unicode mode,
 * a backreference, lookaround, too large), or `undefined` when it can.
 *
 * @param pattern The pattern's source, without slashes.
 * @returns The reason, if any.
 */
export function _patternProblem(pattern: string): string | undefined {
  const program = _program(pattern);
  return typeof program === "string" ? program : undefined;
}

/**
 * Whether `pattern` matches somewhere in `value`, as `new RegExp(pattern, "u").test(value)`
 * says, in time linear in the value's length. Throws a `TypeError` for a pattern that
 * {@linkcode _patternProblem} refuses.
 *
 * @param pattern The pattern's source, without slashes.
 * @param value The text.
 * @returns Whether it matches.
 */
export function _patternTest(pattern: string, value: string): boolean {
  const program = _program(pattern);
  if (typeof program === "string") throw new TypeError(program);
  return _run(program, [...value]);
}

function _program(pattern: string): readonly _Op[] | string {
  let program = _programs.get(pattern);
  if (program === undefined) {
    try {
      new RegExp(pattern, "u");
      const ops: _Op[] = [];
      _emit(new _Parser(pattern).parse(), ops);
      ops.push({ op: "match" });
      program = ops;
    } catch (error) {
      program = error instanceof _Unusable
        ? error.message
        : `it is not a regular expression in Unicode mode (${(error as Error).message})`;
    }
    if (_programs.size > 1000) _programs.clear();
    _programs.set(pattern, program);
  }
  return program;
}

/** Reads a pattern that JavaScript's engine has accepted already, into a tree. */
class _Parser {
  readonly #chars: string[];
  #pos = 0;

  constructor(pattern: string) {
    this.#chars = [...pattern];
  }

  parse(): _Node {
    const node = this.#disjunction();
    if (this.#pos < this.#chars.length) throw new _Unusable(`an unmatched ")"`);
    return node;
  }

  #disjunction(): _Node {
    const options = [this.#alternative()];
    while (this.#peek() === "|") {
      this.#pos++;
      options.push(this.#alternative());
    }
    return options.length === 1 ? options[0]! : { t: "alt", options };
  }

  #alternative(): _Node {
    const items: _Node[] = [];
    for (let c = this.#peek(); c !== undefined && c !== "|" && c !== ")"; c = this.#peek()) {
      const atom = this.#term();
      items.push(this.#quantified(atom));
    }
    return { t: "seq", items };
  }

  #term(): _Node {
    const c = this.#chars[this.#pos++]!;
    if (c === "^" || c === "$") return { t: "assert", kind: c };
    if (c === ".") return _native(".");
    if (c === "[") return _native(this.#class());
    if (c === "(") return this.#group();
    if (c === "\\") return this.#escape();
    return { t: "char", test: (x) => x === c };
  }

  #group(): _Node {
    if (this.#peek() === "?") {
      const next = this.#chars[this.#pos + 1];
      const after = this.#chars[this.#pos + 2];
      if (next === ":") this.#pos += 2;
      else if (next === "<" && after !== "=" && after !== "!") {
        while (this.#chars[this.#pos] !== ">") this.#pos++;
        this.#pos++;
      } else if (next === "=" || next === "!" || next === "<") {
        throw new _Unusable(
          "it uses lookaround ((?=, (?!, (?<=, (?<!), which a parameter pattern may not",
        );
      } else {
        throw new _Unusable(`it uses "(?${next}", which a parameter pattern may not`);
      }
    }
    const inner = this.#disjunction();
    this.#pos++; // ")"
    return inner;
  }

  /** The source of a class, `[` read already, to its `]`. */
  #class(): string {
    const start = this.#pos - 1;
    while (this.#chars[this.#pos] !== "]") {
      if (this.#chars[this.#pos] === "\\") this.#pos++;
      this.#pos++;
    }
    this.#pos++;
    return this.#chars.slice(start, this.#pos).join("");
  }

  /** An escape, `\` read already. */
  #escape(): _Node {
    const c = this.#chars[this.#pos++]!;
    if (c === "b" || c === "B") return { t: "assert", kind: `\\${c}` };
    if (/[1-9]/.test(c) || c === "k") {
      throw new _Unusable("it uses a backreference, which a parameter pattern may not");
    }
    const start = this.#pos - 2;
    if (c === "p" || c === "P" || (c === "u" && this.#peek() === "{")) {
      while (this.#chars[this.#pos] !== "}") this.#pos++;
      this.#pos++;
    } else if (c === "u") {
      this.#pos += 4;
      // A surrogate pair written as two escapes is one character.
      const lead = parseInt(this.#chars.slice(start + 2, this.#pos).join(""), 16);
      if (lead >= 0xd800 && lead <= 0xdbff && this.#chars[this.#pos] === "\\") {
        const trail = this.#chars.slice(this.#pos + 2, this.#pos + 6).join("");
        if (this.#chars[this.#pos + 1] === "u" && /^d[c-f][0-9a-f]{2}$/i.test(trail)) {
          this.#pos += 6;
        }
      }
    } else if (c === "x") this.#pos += 2;
    else if (c === "c") this.#pos += 1;
    return _native(this.#chars.slice(start, this.#pos).join(""));
  }

  #quantified(atom: _Node): _Node {
    let min: number, max: number;
    const c = this.#peek();
    if (c === "*") [min, max] = [0, Infinity];
    else if (c === "+") [min, max] = [1, Infinity];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const end = this.#chars.indexOf("}", this.#pos);
      const [low, high] = this.#chars.slice(this.#pos + 1, end).join("").split(",");
      min = Number(low);
      max = high === undefined ? min : high === "" ? Infinity : Number(high);
      this.#pos = end;
    } else return atom;
    this.#pos++;
    if (this.#peek() === "?") this.#pos++; // lazy: the same for whether it matches
    return { t: "repeat", node: atom, min, max };
  }

  #peek(): string | undefined {
    return this.#chars[this.#pos];
  }
}

/** An atom that matches one character, tested by JavaScript's engine. */
function _native(source: string): _Node {
  const regexp = new RegExp(`^(?:${source})$`, "u");
  return { t: "char", test: (c) => regexp.test(c) };
}

/** Appends `node`'s instructions to `ops` (Thompson's construction). */
function _emit(node: _Node, ops: _Op[]): void {
  if (ops.length > _MAX_PROGRAM) {
    throw new _Unusable(
      `it is too large (over ${_MAX_PROGRAM} steps once its counts are expanded)`,
    );
  }
  switch (node.t) {
    case "char":
      ops.push({ op: "char", test: node.test });
      return;
    case "assert":
      ops.push({ op: "assert", kind: node.kind });
      return;
    case "seq":
      for (const item of node.items) _emit(item, ops);
      return;
    case "alt": {
      const jumps: Array<{ op: "jmp"; x: number }> = [];
      node.options.forEach((option, i) => {
        if (i < node.options.length - 1) {
          const split: _Op = { op: "split", x: ops.length + 1, y: 0 };
          ops.push(split);
          _emit(option, ops);
          const jmp = { op: "jmp" as const, x: 0 };
          jumps.push(jmp);
          ops.push(jmp);
          split.y = ops.length;
        } else _emit(option, ops);
      });
      for (const jmp of jumps) jmp.x = ops.length;
      return;
    }
    case "repeat": {
      for (let i = 0; i < node.min; i++) _emit(node.node, ops);
      if (node.max === Infinity) {
        const split: _Op = { op: "split", x: ops.length + 1, y: 0 };
        const loop = ops.length;
        ops.push(split);
        _emit(node.node, ops);
        ops.push({ op: "jmp", x: loop });
        split.y = ops.length;
        return;
      }
      const splits: Array<{ op: "split"; x: number; y: number }> = [];
      for (let i = node.min; i < node.max; i++) {
        const split = { op: "split" as const, x: ops.length + 1, y: 0 };
        splits.push(split);
        ops.push(split);
        _emit(node.node, ops);
      }
      for (const split of splits) split.y = ops.length;
      return;
    }
  }
}

const _WORD = /^[A-Za-z0-9_]$/;

/** Runs the program over `chars` (code points): whether it matches starting anywhere. */
function _run(program: readonly _Op[], chars: readonly string[]): boolean {
  const n = chars.length;
  // The position each instruction was last added at, so that each is added once a position.
  const seen = new Int32Array(program.length).fill(-1);
  const stack: number[] = [];
  let current: number[] = [];
  let next: number[] = [];
  /** Adds the thread at `pc` and all it reaches without reading; `true` when it matches. */
  const add = (list: number[], start: number, at: number): boolean => {
    stack.push(start);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc] === at) continue;
      seen[pc] = at;
      const op = program[pc]!;
      switch (op.op) {
        case "match":
          stack.length = 0;
          return true;
        case "jmp":
          stack.push(op.x);
          break;
        case "split":
          stack.push(op.y, op.x);
          break;
        case "assert": {
          const before = at > 0 && _WORD.test(chars[at - 1]!);
          const after = at < n && _WORD.test(chars[at]!);
          const holds = op.kind === "^"
            ? at === 0
            : op.kind === "$"
            ? at === n
            : op.kind === "\\b"
            ? before !== after
            : before === after;
          if (holds) stack.push(pc + 1);
          break;
        }
        case "char":
          list.push(pc);
      }
    }
    return false;
  };
  for (let at = 0; at <= n; at++) {
    // A match may start at every position, as a search does.
    if (add(current, 0, at)) return true;
    if (at === n) break;
    const c = chars[at]!;
    for (const pc of current) {
      const op = program[pc] as { op: "char"; test: (c: string) => boolean };
      if (op.test(c) && add(next, pc + 1, at + 1)) return true;
    }
    [current, next] = [next, []];
  }
  return false;
}
