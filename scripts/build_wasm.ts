/**
 * Compiles the WebAssembly SIMD kernels of the video and audio packages from their WAT sources
 * with wabt, and writes each module beside its source as base64 in a TypeScript file
 * (`_blur.wat` → `_blur_wasm.ts`), so that the packages load them without file access or a
 * build step. A source that uses relaxed SIMD gives two modules: as written, and a twin with
 * standard instructions in place of the relaxed ones, for runtimes without relaxed SIMD:
 * `i16x8.q15mulr_sat_s` for `i16x8.relaxed_q15mulr_s` (the kernels never multiply −32768 by
 * −32768, the one case where they differ) and `(f32x4.add (f32x4.mul a b) c)` for
 * `(f32x4.relaxed_madd a b c)` (which may or may not round the product on its own).
 *
 * The compositor's blend kernels have their own builder (`packages/video/_build_wasm.ts`).
 *
 * Run after editing a `.wat`: `deno task build:wasm`. With `--check`, writes nothing and exits 1
 * when a generated file differs from what it would write (`scripts/build_wasm_test.ts` checks
 * the same, so the binaries cannot drift from their sources).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a command-line script: it reports on the console

import wabtInit from "wabt";

/** The kernel sources, relative to the repository root. */
export const KERNEL_SOURCES: readonly string[] = [
  "packages/video/_convert.wat",
  "packages/video/_blur.wat",
  "packages/video/_blur_fast.wat",
  "packages/video/_scale.wat",
  "packages/audio/_resample.wat",
  "packages/audio/_mix.wat",
];

/** The repository root. */
export const ROOT: URL = new URL("../", import.meta.url);

/** Relaxed instructions and their standard replacements. */
const _STANDARD: ReadonlyArray<readonly [string, string]> = [
  ["i16x8.relaxed_q15mulr_s", "i16x8.q15mulr_sat_s"],
];

/** The modules compiled from one source. */
export interface KernelBinaries {
  /** Standard SIMD only. */
  readonly standard: Uint8Array<ArrayBuffer>;
  /** As written, with relaxed SIMD; absent when the source uses none. */
  readonly relaxed?: Uint8Array<ArrayBuffer>;
}

/**
 * Compiles one WAT source.
 *
 * @param name The file name, for messages.
 * @param wat The WAT text.
 * @returns The standard module, and the relaxed one when the text uses relaxed SIMD.
 */
export async function compileKernel(name: string, wat: string): Promise<KernelBinaries> {
  const wabt = await wabtInit();
  const compile = (text: string): Uint8Array<ArrayBuffer> => {
    const module = wabt.parseWat(name, text, { simd: true, relaxed_simd: true });
    try {
      module.resolveNames();
      module.validate();
      return new Uint8Array(module.toBinary({ write_debug_names: false }).buffer);
    } finally {
      module.destroy();
    }
  };
  let standard = _unfuse(wat);
  for (const [relaxed, replacement] of _STANDARD) {
    standard = standard.replaceAll(relaxed, replacement);
  }
  const left = /\b\w+\.relaxed_\w+/.exec(standard.replace(/;;.*$/gm, ""));
  if (left !== null) throw new Error(`${name}: no standard replacement for ${left[0]}`);
  if (standard === wat) return { standard: compile(wat) };
  return { standard: compile(standard), relaxed: compile(wat) };
}

/**
 * Rewrites each folded `(f32x4.relaxed_madd a b c)` as `(f32x4.add (f32x4.mul a b) c)`.
 *
 * @param wat WAT text.
 * @returns The text without `f32x4.relaxed_madd`.
 */
export function _unfuse(wat: string): string {
  const op = "(f32x4.relaxed_madd";
  const at = wat.indexOf(op);
  if (at < 0) return wat;
  // The three operands: balanced parenthesised expressions after the name.
  const operands: string[] = [];
  let i = at + op.length;
  while (operands.length < 3) {
    while (/\s/.test(wat[i] ?? "")) i++;
    if (wat[i] !== "(") throw new Error(`f32x4.relaxed_madd at ${at}: operands must be folded`);
    let depth = 0;
    const from = i;
    do {
      if (wat[i] === "(") depth++;
      else if (wat[i] === ")") depth--;
      i++;
    } while (depth > 0 && i < wat.length);
    operands.push(_unfuse(wat.slice(from, i)));
  }
  while (/\s/.test(wat[i] ?? "")) i++;
  if (wat[i] !== ")") throw new Error(`f32x4.relaxed_madd at ${at}: expected three operands`);
  const [a, b, c] = operands as [string, string, string];
  return wat.slice(0, at) + `(f32x4.add (f32x4.mul ${a} ${b}) ${c})` + _unfuse(wat.slice(i + 1));
}

/**
 * The constant name of a source's modules: `_blur.wat` → `_BLUR_WASM`.
 *
 * @param source The source's path.
 * @returns The name of the standard module's constant.
 */
export function constantName(source: string): string {
  const base = source.slice(source.lastIndexOf("/") + 1).replace(/\.wat$/, "");
  return `_${base.replace(/^_/, "").toUpperCase()}_WASM`;
}

/**
 * The TypeScript file that embeds a source's modules.
 *
 * @param source The source's path, relative to the repository root.
 * @param binaries Its modules.
 * @returns The text of `<source without .wat>_wasm.ts`.
 */
export function kernelModuleSource(source: string, binaries: KernelBinaries): string {
  const file = source.slice(source.lastIndexOf("/") + 1);
  const name = constantName(source);
  const constant = (constName: string, what: string, bytes: Uint8Array): string[] => {
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    const lines = btoa(binary).match(/.{1,92}/g) ?? [];
    return [
      "",
      `/** ${what} @internal */`,
      `export const ${constName}: string =`,
      ...lines.map((line, i) => `  "${line}"${i === lines.length - 1 ? ";" : " +"}`),
    ];
  };
  return [
    `// Generated by \`deno task build:wasm\` from ${file}, compiled with wabt; do not edit.`,
    `// scripts/build_wasm_test.ts checks that these are the bytes ${file} compiles to.`,
    ...constant(name, `The kernels of \`${file}\`, standard SIMD, base64.`, binaries.standard),
    ...(binaries.relaxed === undefined ? [] : constant(
      `${name}_RELAXED`,
      `The kernels of \`${file}\` with relaxed SIMD, base64.`,
      binaries.relaxed,
    )),
    "",
  ].join("\n");
}

/**
 * Every generated file and the text it should hold.
 *
 * @returns Pairs of a path relative to the repository root and its text.
 */
export async function generatedKernelFiles(): Promise<Array<[string, string]>> {
  const files: Array<[string, string]> = [];
  for (const source of KERNEL_SOURCES) {
    const wat = await Deno.readTextFile(new URL(source, ROOT));
    const binaries = await compileKernel(source, wat);
    files.push([source.replace(/\.wat$/, "_wasm.ts"), kernelModuleSource(source, binaries)]);
  }
  return files;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let stale = 0;
  for (const [path, text] of await generatedKernelFiles()) {
    const url = new URL(path, ROOT);
    const current = await Deno.readTextFile(url).catch(() => undefined);
    if (current === text) continue;
    if (check) {
      console.error(`build:wasm: ${path} differs from what its .wat compiles to`);
      stale++;
    } else {
      await Deno.writeTextFile(url, text);
      console.log(`build:wasm: wrote ${path}`);
    }
  }
  if (stale > 0) {
    console.error("run: deno task build:wasm");
    Deno.exit(1);
  }
}
