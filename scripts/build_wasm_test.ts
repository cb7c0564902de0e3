import assert from "node:assert/strict";
import {
  _unfuse,
  compileKernel,
  constantName,
  generatedKernelFiles,
  kernelModuleSource,
  ROOT,
} from "./build_wasm.ts";

Deno.test("every kernel's _wasm.ts holds exactly the bytes its .wat compiles to", async () => {
  for (const [path, text] of await generatedKernelFiles()) {
    const current = await Deno.readTextFile(new URL(path, ROOT));
    assert.equal(current, text, `${path} is stale: run deno task build:wasm`);
  }
});

Deno.test("compileKernel() gives a standard module without relaxed instructions beside the relaxed one", async () => {
  const wat = `(module (func (export "f") (param v128 v128) (result v128)
    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1))))`;
  const { standard, relaxed } = await compileKernel("t.wat", wat);
  assert.ok(relaxed !== undefined && WebAssembly.validate(standard));
  // relaxed_q15mulr_s is 0xfd 0x111 (LEB128: 0x91 0x02); q15mulr_sat_s is 0xfd 0x82 0x01.
  const has = (bytes: Uint8Array, b1: number, b2: number): boolean =>
    bytes.some((b, i) => b === 0xfd && bytes[i + 1] === b1 && bytes[i + 2] === b2);
  assert.ok(has(relaxed, 0x91, 0x02) && !has(relaxed, 0x82, 0x01));
  assert.ok(has(standard, 0x82, 0x01) && !has(standard, 0x91, 0x02));
  const plain = await compileKernel("p.wat", `(module (func (export "g")))`);
  assert.equal(plain.relaxed, undefined);
});

Deno.test("compileKernel() gives f32x4.relaxed_madd's standard twin a multiply and an add", async () => {
  const wat = `(module (func (export "f") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0)
      (f32x4.relaxed_madd (local.get 1) (local.get 2) (local.get 0)) (local.get 2))))`;
  assert.equal(
    _unfuse(wat),
    `(module (func (export "f") (param v128 v128 v128) (result v128)
    (f32x4.add (f32x4.mul (local.get 0) (f32x4.add (f32x4.mul (local.get 1) (local.get 2)) (local.get 0))) (local.get 2))))`,
  );
  const { standard, relaxed } = await compileKernel("m.wat", wat);
  assert.ok(relaxed !== undefined && WebAssembly.validate(standard));
  // relaxed_madd is 0xfd 0x105 (LEB128: 0x85 0x02).
  assert.ok(
    !standard.some((b, i) => b === 0xfd && standard[i + 1] === 0x85 && standard[i + 2] === 2),
  );
});

Deno.test("compileKernel() refuses a relaxed instruction it has no standard replacement for", async () => {
  const wat = `(module (func (export "f") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2))))`;
  await assert.rejects(() => compileKernel("m.wat", wat), /f32x4\.relaxed_nmadd/);
});

Deno.test("kernelModuleSource() names the constants after the source file", () => {
  assert.equal(constantName("packages/video/_blur.wat"), "_BLUR_WASM");
  const text = kernelModuleSource("packages/audio/_mix.wat", {
    standard: new Uint8Array([0, 97, 115, 109]),
  });
  assert.match(text, /export const _MIX_WASM: string =\n {2}"AGFzbQ==";/);
  assert.doesNotMatch(text, /_RELAXED/);
});
