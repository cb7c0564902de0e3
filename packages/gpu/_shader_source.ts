/**
 * A user's WGSL effect wrapped into a compute shader, its uniforms laid out, and its compile
 * errors pointed at the user's own line and column. Internal: the `shader` actor uses it.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";

/** The signature the user's function must have. */
export const _SIGNATURE = "fn effect(color: vec4f, at: vec2i, size: vec2i, time: f32) -> vec4f";

/** One uniform: its WGSL type and where it lies in the block, in 4-byte words. */
export interface _Field {
  readonly name: string;
  readonly type: "f32" | "vec2f" | "vec3f" | "vec4f";
  readonly offset: number;
  readonly length: number;
}

/** The uniforms' layout: fields in the order given, and the block's size in words. */
export interface _Layout {
  readonly fields: readonly _Field[];
  readonly words: number;
}

const _TYPES = ["f32", "vec2f", "vec3f", "vec4f"] as const;
/** Alignment in words of f32, vec2f, vec3f, vec4f (WGSL's uniform layout rules). */
const _ALIGN = [1, 2, 4, 4];
/** A uniform block may take at most this many words (256 bytes). */
const _MAX_WORDS = 64;

/**
 * Lays out uniform values: a number is an `f32`, an array of 2 to 4 numbers a `vec2f` to
 * `vec4f`, each aligned as WGSL's uniform buffers want. `SL_PARAM_INVALID` for other values, a
 * name that is not a WGSL identifier, or more than 256 bytes.
 */
export function _layout(uniforms: Readonly<Record<string, unknown>>): _Layout {
  const fields: _Field[] = [];
  let words = 0;
  for (const [name, value] of Object.entries(uniforms)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Uniform name ${JSON.stringify(name)} is not a WGSL identifier: use letters, digits ` +
          `and "_", starting with a letter`,
      );
    }
    const length = typeof value === "number" ? 1 : Array.isArray(value) ? value.length : 0;
    const numbers = typeof value === "number"
      ? Number.isFinite(value)
      : Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v));
    if (!numbers || length < 1 || length > 4 || (Array.isArray(value) && length < 2)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Uniform "${name}" must be a number (f32) or an array of 2 to 4 numbers (vec2f to ` +
          `vec4f), got ${JSON.stringify(value)}`,
      );
    }
    const align = _ALIGN[length - 1]!;
    const offset = Math.ceil(words / align) * align;
    fields.push({ name, type: _TYPES[length - 1]!, offset, length });
    words = offset + length;
  }
  const total = Math.max(4, Math.ceil(words / 4) * 4);
  if (total > _MAX_WORDS) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `The uniforms take ${total * 4} bytes; at most ${_MAX_WORDS * 4} fit (64 numbers)`,
    );
  }
  return { fields, words: total };
}

/** Whether two layouts declare the same fields (values may differ). */
export function _sameLayout(a: _Layout, b: _Layout): boolean {
  return a.fields.length === b.fields.length &&
    a.fields.every((f, i) => f.name === b.fields[i]!.name && f.type === b.fields[i]!.type);
}

/** The uniform values as a block, in `layout`'s places (missing ones 0). */
export function _values(
  layout: _Layout,
  uniforms: Readonly<Record<string, unknown>>,
): Float32Array {
  const block = new Float32Array(layout.words);
  for (const field of layout.fields) {
    const value = uniforms[field.name];
    if (typeof value === "number") block[field.offset] = value;
    else if (Array.isArray(value)) {
      block.set(value.slice(0, field.length) as number[], field.offset);
    }
  }
  return block;
}

/** The whole module and where the user's code starts in it. */
export interface _Wrapped {
  readonly source: string;
  /** Lines of the module before the user's first line. */
  readonly before: number;
  /** Lines of the user's code. */
  readonly lines: number;
}

/**
 * The compute module around the user's code: the frame's uniform, input and output bindings,
 * `params` (the uniforms), `pixel(at)` to read the input anywhere, then the user's code, then
 * the entry point that calls `effect` for every pixel and stores its result.
 */
export function _wrap(code: string, layout: _Layout): _Wrapped {
  const struct = layout.fields.length === 0 ? [] : [
    `struct Params { ${layout.fields.map((f) => `${f.name}: ${f.type}`).join(", ")} }`,
    "@group(0) @binding(3) var<uniform> params: Params;",
  ];
  const prelude = [
    "struct SlFrame { size: vec2i, time: f32, bgra: u32 }",
    "@group(0) @binding(0) var<uniform> sl_frame: SlFrame;",
    "@group(0) @binding(1) var sl_src: texture_2d<u32>;",
    "@group(0) @binding(2) var sl_dst: texture_storage_2d<rgba8uint, write>;",
    ...struct,
    "fn pixel(at: vec2i) -> vec4f {",
    "  let c = vec4f(textureLoad(sl_src, clamp(at, vec2i(0), sl_frame.size - 1), 0)) / 255.0;",
    "  return select(c, c.zyxw, sl_frame.bgra != 0u);",
    "}",
  ];
  const epilogue = [
    "@compute @workgroup_size(8, 8)",
    "fn sl_main(@builtin(global_invocation_id) sl_id: vec3u) {",
    ...(struct.length === 0 ? [] : ["  _ = params;"]),
    "  let sl_at = vec2i(sl_id.xy);",
    "  if (sl_at.x >= sl_frame.size.x || sl_at.y >= sl_frame.size.y) { return; }",
    "  let sl_c: vec4f = effect(pixel(sl_at), sl_at, sl_frame.size, sl_frame.time);",
    "  let sl_v = vec4u(round(clamp(sl_c, vec4f(0.0), vec4f(1.0)) * 255.0));",
    "  textureStore(sl_dst, sl_at, select(sl_v, sl_v.zyxw, sl_frame.bgra != 0u));",
    "}",
  ];
  const body = code.endsWith("\n") ? code : code + "\n";
  return {
    source: prelude.join("\n") + "\n" + body + epilogue.join("\n") + "\n",
    before: prelude.length,
    lines: body.split("\n").length - 1,
  };
}

/** A compilation message as WebGPU gives it. */
export interface _Message {
  readonly message: string;
  readonly lineNum: number;
  readonly linePos: number;
}

/**
 * The coded error for the first compile error: `SL_SHADER_COMPILE` pointing at the user's line
 * and column (with the line and a caret) when it lies in the user's code, `SL_SHADER_ENTRY` when
 * the wrapper's call to `effect` does not fit the user's function (or there is none), and
 * `SL_PARAM_INVALID` when the uniforms' declaration fails (a name that is a WGSL keyword).
 */
export function _compileError(
  message: _Message,
  code: string,
  wrapped: _Wrapped,
  origin: string,
): StreamlibError {
  const text = message.message.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
  const why = _quotedFirstLines(
    text.replace(/^Shader (?:'[^']*' )?(?:parsing |validation )?error: /, ""),
  );
  const userLines = code.split("\n");
  const at = (line: number, column: number, why: string): StreamlibError => {
    const source = userLines[line - 1] ?? "";
    // Tabs stay tabs under the line, so that the caret lines up however wide they show.
    const caret = [...source].slice(0, column - 1).map((c) => c === "\t" ? c : " ").join("") + "^";
    return new StreamlibError(
      "SL_SHADER_COMPILE",
      `${origin} does not compile: line ${line}, column ${column}: ${why}\n  ${source}\n  ${caret}`,
      { details: { line, column, message: why } },
    );
  };
  const line = message.lineNum - wrapped.before;
  if (message.lineNum > 0 && line >= 1 && line <= wrapped.lines) {
    return at(line, Math.max(1, message.linePos), why);
  }
  // A parse error in the wrapper's code after the user's: the user's code stopped in the middle
  // of something (a block, a call), and the parser read on into the wrapper. Point at its end.
  const last = userLines.slice(0, wrapped.lines).findLastIndex((l) => l.trim() !== "");
  if (/parsing error: expected /.test(text) && line > wrapped.lines && last >= 0) {
    const column = [...userLines[last]!].length + 1;
    return at(
      last + 1,
      column,
      'the code ends before what it opened is closed (is a "}" or ")" missing?)',
    );
  }
  if (message.lineNum > 0 && message.lineNum <= wrapped.before) {
    return new StreamlibError(
      "SL_PARAM_INVALID",
      `The uniforms of ${origin} do not compile (is a name a WGSL keyword?): ${why}`,
      { details: { message: why } },
    );
  }
  // What the validator says of the wrapper's call names the wrapper's code (sl_main, sl_c):
  // keep its notes that speak of the call ("Requires 1 arguments, but 4 are provided").
  const notes = message.message.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("= "))
    .map((l) => l.slice(2)).filter((l) => !/\[\d+\]/.test(l));
  const entry = !/\bsl_/.test(why)
    ? why
    : notes.length !== 0
    ? notes.join("; ")
    : "its effect() does not fit the call (a parameter or the result has another type)";
  return new StreamlibError(
    "SL_SHADER_ENTRY",
    `${origin} must define ${_SIGNATURE}: ${entry}`,
    { details: { message: entry } },
  );
}

/**
 * The parser quotes what it found, and after an unclosed comment or block that is the rest of
 * the module, the wrapper's code included: keep each quote's first line.
 */
function _quotedFirstLines(why: string): string {
  return why.replace(/"((?:[^"\\]|\\.)*)"/g, (quote: string, inner: string) => {
    const end = inner.indexOf("\\n");
    return end < 0 ? quote : `"${inner.slice(0, end)}…"`;
  });
}
